"""Hostile record text in plotly labels (issue 16 point 10), for every figure family.

Plotly renders a subset of HTML in labels: a complaint category ``<a href="https://evil.example">``
was escaped in tables but a live link in the Pareto chart. Every figure of qmsdata.figures now
escapes record text in ``finish()``; these tests put hostile text wherever records reach a
figure and look at every string of the figure's JSON.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import qmsdata.figures as F
from qmsdata.figures.theme import escape_label

H = '<a href="https://evil.example">x</a><img src=x onerror=alert(1)><script>alert(2)</script>&R'
BANNED = ("<a", "<img", "<script", "<svg", "<iframe", "<span", "<b>")


def _strings(obj: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(obj, str):
        return [(path, obj)]
    if isinstance(obj, dict):
        return [
            s
            for k, v in obj.items()
            if path + k != "layout.template"
            for s in _strings(v, f"{path}{k}.")
        ]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v, path)]
    return []


def assert_no_live_html(fig: Any) -> None:
    """No string of the figure JSON (templates included) holds markup; the text is still there."""
    strings = _strings(json.loads(fig.to_json()))
    bad = [(p, s) for p, s in strings if any(b in s.lower() for b in BANNED)]
    assert not bad, bad[:3]
    assert any("&lt;a href" in s for _, s in strings), "the hostile text is shown, escaped"


def _chart() -> SimpleNamespace:
    n = 8
    return SimpleNamespace(
        data=pd.DataFrame(
            {
                "x": [f"{H}{i}" for i in range(n)],
                "value": [5, 6, 5, 12, 6, 5, 7, 7.0],
                "n": np.nan,
                "cl": 5.5,
                "ucl": 9.0,
                "lcl": 2.0,
                "sigma_signal": [i == 3 for i in range(n)],
                "rules": [()] * n,
                "phase": 0,
                "excluded": False,
                "variation": ["common_cause"] * 3
                + ["special_cause_concern"]
                + ["common_cause"] * 4,
            }
        )
    )


def _pareto() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": [H, "b", f"{H}2", "d"],
            "count": [50, 30, 15, 5],
            "share": [0.5, 0.3, 0.15, 0.05],
            "cum_share": [0.5, 0.8, 0.95, 1.0],
            "vital_few": [True, True, False, False],
        }
    )


def _funnel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier_id": [H, f"{H}2"],
            "n": [100.0, 10_000.0],
            "rejected": [1, 300],
            "rate": [0.01, 0.03],
            "center": 0.0297,
            "lower_95": [0.0, 0.026],
            "upper_95": [0.07, 0.033],
            "lower_998": [0.0, 0.025],
            "upper_998": [0.09, 0.029],
            "position": ["above", "above"],
        }
    )


def _objectives() -> tuple[pd.DataFrame, pd.DataFrame]:
    status = pd.DataFrame(
        {
            "objective_id": [f"O1{H}", "O2"],
            "name": [H, "ppm"],
            "actual": [92.8, 150.0],
            "target": [95.0, 200.0],
            "met": [False, True],
            "variation": ["common_cause", "nonsense"],
            "assurance": ["consistent_fail", "nonsense"],
            "note": [None, H],
        }
    )
    history = pd.DataFrame(
        {
            "objective_id": [f"O1{H}"] * 3 + ["O2"] * 3,
            "month": pd.period_range("2026-08", periods=3, freq="M").tolist() * 2,
            "value": [92.0, 93.0, 92.8, 180.0, 160.0, 150.0],
        }
    )
    return status, history


FAMILIES = {
    "control_chart": lambda: F.control_chart_figure(_chart(), value_label=H, target=8.0, title=H),
    "pareto": lambda: F.pareto_figure(_pareto(), value_label=H, title=H),
    "trend": lambda: F.trend_figure(
        pd.DataFrame({"month": pd.period_range("2025-01", periods=6, freq="M"), H: range(6)}),
        x="month",
        y=H,
        title=H,
    ),
    "capa_aging": lambda: F.capa_aging_figure(
        pd.DataFrame(
            {
                "group": [H] * 4 + ["b"] * 4,
                "bucket": ["0-30", "31-60", "61-90", ">90"] * 2,
                "open": [1, 2, 0, 3, 0, 0, 1, 0],
                "overdue": [0, 0, 0, 3, 0, 0, 1, 0],
            }
        ),
        title=H,
    ),
    "audit_heatmap": lambda: F.audit_heatmap_figure(
        pd.DataFrame(
            {"clause": ["8.5", H, "8.5"], "process": [H, "a", f"{H}b"], "findings": [3, 1, 2]}
        ),
        title=H,
    ),
    "funnel": lambda: F.funnel_figure(_funnel(), rate_label=H, title=H),
    "survey_distribution": lambda: F.survey_distribution_figure(
        pd.DataFrame(
            {
                "score": range(11),
                "responses": [0] * 6 + [1, 2, 3, 4, 5],
                "share": 0.0,
                "group": ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2,
            }
        ),
        nps=12.5,
        title=H,
    ),
    "objective_scorecard": lambda: F.objective_scorecard_figure(
        _objectives()[0], history=_objectives()[1], title=H
    ),
    "empty_with_note": lambda: F.pareto_figure(
        pd.DataFrame(columns=["category"]).pipe(lambda t: t.attrs.update(note=H) or t), title=H
    ),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_hostile_labels_are_escaped_in_every_figure_family(family: str) -> None:
    assert_no_live_html(FAMILIES[family]())


def test_pareto_category_of_the_issue_is_text_not_a_link() -> None:
    fig = F.pareto_figure(_pareto())
    cats = list(fig.data[0].x)
    assert cats[0].startswith("&lt;a href=") and list(fig.data[1].x) == cats, "axes still agree"


def test_escape_label_is_idempotent_and_leaves_plain_text_alone() -> None:
    once = escape_label(H)
    assert escape_label(once) == once
    assert escape_label("R&D <5%") == "R&D &lt;5%"
    assert escape_label(">3 sigma") == ">3 sigma"
    assert escape_label('O\'Brien "quoted"') == 'O\'Brien "quoted"'
    assert escape_label(3.5) == 3.5 and escape_label(None) is None
    assert escape_label("&lt;b&gt;") == "&lt;b&gt;", "already escaped: kept (plotly shows <b>)"


def test_ordinary_figure_text_is_unchanged() -> None:
    fig = F.control_chart_figure(_chart(), target=8.0)
    assert "target 8" in [a.text for a in fig.layout.annotations]
    assert fig.data[0].name == "value"


@pytest.mark.slow
def test_rendered_svg_has_no_link_and_shows_the_text() -> None:
    """Plotly itself (kaleido) draws the escaped category as text, not as an <a> element."""
    pytest.importorskip("kaleido")
    fig = F.pareto_figure(_pareto())
    try:
        svg = fig.to_image(format="svg", width=600, height=400).decode()
    except Exception as exc:  # noqa: BLE001 - no Chromium for kaleido here
        pytest.skip(f"kaleido cannot render: {exc}")
    assert "<a " not in svg and "evil.example" in svg
    assert "&#60;a href" in svg or "&lt;a href" in svg, "the category is drawn as text"


def test_plotly_express_figure_dict_is_escaped_for_the_exporter() -> None:
    """px figures made in a notebook bypass finish(); the exporter can escape their JSON."""
    import plotly.express as px

    from qmsdata.figures.theme import escape_figure_dict

    raw = px.bar(pd.DataFrame({"cat": [H, "b"], "n": [1, 2]}), x="cat", y="n", title=H)
    spec = json.loads(raw.to_json())
    done = escape_figure_dict(spec)
    strings = [s for _, s in _strings(done)]
    assert not [s for s in strings if any(b in s.lower() for b in BANNED)]
    assert any("&lt;a href" in s for s in strings)
    assert escape_figure_dict(done) == done, "idempotent"
    assert done["data"][0]["hovertemplate"] == spec["data"][0]["hovertemplate"]


def test_px_group_values_written_into_hovertemplates_are_escaped() -> None:
    import plotly.express as px

    from qmsdata.figures.theme import escape_figure, escape_template

    fig = px.bar(pd.DataFrame({"site": [H, "b"], "n": [1, 2]}), x="n", y="n", color="site")
    assert any("<a href" in (t.hovertemplate or "") for t in fig.data), "px puts it there"
    escape_figure(fig)
    strings = [s for _, s in _strings(json.loads(fig.to_json()))]
    assert not [s for s in strings if any(b in s.lower() for b in BANNED)]
    assert all("<br>" in t.hovertemplate and "<extra>" in t.hovertemplate for t in fig.data)
    assert escape_template("%{x}<br><b>%{y}</b><extra></extra>") == (
        "%{x}<br><b>%{y}</b><extra></extra>"
    )
    assert escape_template("<a href='x'>%{y}</a><BR>") == "&lt;a href='x'>%{y}&lt;/a><BR>"
