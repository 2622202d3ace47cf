"""Figure structure: traces, shapes and annotations (not pixels)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import qmsdata.figures as F
from qmsdata.analytics.periods import Result


def _chart(phase_change=False, excluded=False):
    """A ControlChart stand-in with the documented ``.data`` columns (issue 3 contract)."""
    x = pd.date_range("2025-01-01", periods=12, freq="MS")
    value = [5, 6, 5, 4, 6, 5, 12, 5, 6, 6, 7, 7.0]
    rules = [()] * 12
    rules[6] = ()
    rules[10] = ("anhoej_runs",)
    rules[11] = ("anhoej_runs",)
    data = pd.DataFrame(
        {
            "x": x,
            "value": value,
            "n": np.nan,
            "cl": 5.5,
            "ucl": 9.0,
            "lcl": 2.0,
            "sigma_signal": [i == 6 for i in range(12)],
            "rules": rules,
            "phase": [0] * 8 + [1] * 4 if phase_change else 0,
            "excluded": [i == 6 and excluded for i in range(12)],
            "variation": ["common_cause"] * 6
            + ["special_cause_concern"]
            + ["common_cause"] * 3
            + ["special_cause_concern"] * 2,
        }
    )
    return SimpleNamespace(data=data)


def test_template_registered_lazily_with_okabe_ito():
    name = F.register_template()
    assert name == "qmsdata" and name in pio.templates
    assert list(pio.templates[name].layout.colorway)[:3] == ["#0072B2", "#E69F00", "#009E73"]


def test_control_chart_structure():
    fig = F.control_chart_figure(_chart(), target=8.0, title="t")
    assert isinstance(fig, go.Figure)
    names = [t.name for t in fig.data]
    assert names == ["value", "centre line", "upper limit", "lower limit", "Special cause: concern"]
    assert len(fig.data[4].x) == 3  # the three concern points
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].y0 == 8.0  # target line
    texts = [a.text for a in fig.layout.annotations]
    assert ">3 sigma" in texts and "anhoej_runs" in texts and "target 8" in texts
    assert texts.count("anhoej_runs") == 1  # one label per run of signals
    assert fig.layout.template.layout.colorway is not None


def test_control_chart_phases_break_limits_and_draw_a_line():
    fig = F.control_chart_figure(_chart(phase_change=True, excluded=True))
    ucl = fig.data[2]
    assert np.isnan(np.asarray(ucl.y, float)).sum() == 1  # a gap between the two phases
    assert len(fig.layout.shapes) == 1  # the phase change
    assert fig.data[-1].name == "excluded from limits"


@pytest.mark.parametrize("empty", [None, Result(pd.DataFrame(), None, "insufficient data: 5")])
def test_control_chart_without_chart_says_why(empty):
    fig = F.control_chart_figure(empty)
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text.startswith("insufficient data")


def test_pareto_structure():
    table = pd.DataFrame(
        {
            "category": ["a", "b", "c", "d"],
            "count": [50, 30, 15, 5],
            "share": [0.5, 0.3, 0.15, 0.05],
            "cum_share": [0.5, 0.8, 0.95, 1.0],
            "vital_few": [True, True, False, False],
        }
    )
    fig = F.pareto_figure(table)
    assert [type(t).__name__ for t in fig.data] == ["Bar", "Scatter"]
    assert fig.data[1].yaxis == "y2"
    assert list(fig.data[0].marker.color[:3]) == ["#0072B2", "#0072B2", "#BBBBBB"]
    assert len(fig.layout.shapes) == 2  # 80% line and the vital-few cut
    assert fig.layout.shapes[1].x0 == 1.5


def test_pareto_empty():
    assert len(F.pareto_figure(pd.DataFrame()).data) == 0


def test_trend_structure():
    data = pd.DataFrame(
        {"month": pd.period_range("2025-01", periods=6, freq="M"), "y": [1.0, 2, 3, 4, 5, 6]}
    )
    trend = SimpleNamespace(slope=1.0, intercept=1.0, p=0.01, trend="increasing")
    fig = F.trend_figure(data, x="month", y="y", trend=trend)
    assert [t.name for t in fig.data] == ["y", "Sen slope"]
    assert list(fig.data[1].y) == [1, 2, 3, 4, 5, 6]
    assert "increasing" in fig.layout.annotations[0].text


def test_capa_aging_structure():
    aging = pd.DataFrame(
        {
            "group": ["a"] * 4 + ["b"] * 4,
            "bucket": ["0-30", "31-60", "61-90", ">90"] * 2,
            "open": [1, 2, 0, 3, 0, 0, 1, 0],
            "overdue": [0, 0, 0, 3, 0, 0, 1, 0],
        }
    )
    fig = F.capa_aging_figure(aging)
    assert len(fig.data) == 4 and fig.layout.barmode == "stack"
    assert list(fig.data[3].y) == [3, 0]


def test_audit_heatmap_structure():
    m = pd.DataFrame(
        {"clause": ["8.5", "10.2", "8.5"], "process": ["a", "a", "b"], "findings": [3, 1, 2]}
    )
    fig = F.audit_heatmap_figure(m)
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    assert list(fig.data[0].y) == ["8.5", "10.2"]  # clause order, not text order
    assert fig.data[0].text[1][1] == ""  # no finding: blank cell


def test_funnel_structure():
    f = pd.DataFrame(
        {
            "supplier_id": ["s1", "s2"],
            "n": [100.0, 10_000.0],
            "rejected": [1, 300],
            "rate": [0.01, 0.03],
            "center": 0.0297,
            "lower_95": [0.0, 0.026],
            "upper_95": [0.07, 0.033],
            "lower_998": [0.0, 0.025],
            "upper_998": [0.09, 0.029],
            "position": ["within", "above"],
        }
    )
    fig = F.funnel_figure(f)
    assert len(fig.data) == 6  # points, centre, 2 x 95%, 2 x 99.8%
    assert list(fig.data[0].text) == ["", "s2"]  # only the outlier is labelled
    assert fig.layout.xaxis.type == "log"


def test_survey_distribution_structure():
    d = pd.DataFrame(
        {
            "score": range(11),
            "responses": [0] * 6 + [1, 2, 3, 4, 5],
            "share": 0.0,
            "group": ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2,
        }
    )
    fig = F.survey_distribution_figure(d, nps=12.5)
    assert [t.name for t in fig.data] == ["detractor", "passive", "promoter"]
    assert fig.layout.annotations[0].text == "NPS +12"


def test_objective_scorecard_structure():
    status = pd.DataFrame(
        {
            "objective_id": ["O1", "O2"],
            "name": ["otd", "ppm"],
            "actual": [92.8, 150.0],
            "target": [95.0, 200.0],
            "met": [False, True],
            "variation": ["common_cause", "special_cause_improvement"],
            "assurance": ["consistent_fail", "inconsistent"],
            "note": [None, None],
        }
    )
    history = pd.DataFrame(
        {
            "objective_id": ["O1"] * 3 + ["O2"] * 3,
            "month": pd.period_range("2026-08", periods=3, freq="M").tolist() * 2,
            "value": [92.0, 93.0, 92.8, 180.0, 160.0, 150.0],
        }
    )
    fig = F.objective_scorecard_figure(status, history=history)
    assert len(fig.data) == 6  # bar, target, sparkline per objective
    assert fig.data[0].marker.color == "#D55E00" and fig.data[3].marker.color == "#009E73"
    texts = [a.text for a in fig.layout.annotations]
    assert any("will fail" in t for t in texts) and any("improvement" in t for t in texts)


def test_import_qmsdata_does_not_import_plotly():
    import subprocess
    import sys

    code = "import sys, qmsdata; qmsdata.__version__; print('plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_control_chart_figure_from_the_engine():
    import qmsdata

    rng = np.random.default_rng(7)
    values = np.r_[rng.normal(10, 1, 20), rng.normal(14, 1, 6)]
    frame = pd.DataFrame({"x": pd.date_range("2024-01-01", periods=26, freq="MS"), "v": values})
    chart = qmsdata.control_chart(
        frame, "i", value="v", x="x", baseline=20, improvement="decrease", rules="anhoej"
    )
    fig = F.control_chart_figure(chart, title="engine")
    assert [t.name for t in fig.data][:4] == ["value", "centre line", "upper limit", "lower limit"]
    concern = [t for t in fig.data if t.name == "Special cause: concern"]
    assert concern and len(concern[0].x) >= 5  # the shifted points
    assert any(">3 sigma" in (a.text or "") for a in fig.layout.annotations)
