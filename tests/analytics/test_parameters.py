"""Every charting analytic honours the baseline and rule set it is given (issue 9).

``qms pack --rules`` and ``--baseline-months`` must reach every control chart: each function
that draws a chart or judges a series takes keyword-only ``baseline`` and ``rules`` and passes
them on, and a different value changes the answer on a constructed series.
"""

import inspect

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import (
    capa,
    complaints,
    customers,
    nonconformities,
    objectives,
    signals,
    suppliers,
)
from qmsdata.analytics import periods as P
from qmsdata.stats import rules as R

CHARTING = [
    complaints.complaint_rate,
    complaints.complaint_analysis,
    customers.survey_summary,
    nonconformities.nc_rate_chart,
    objectives.objective_chart,
    objectives.objective_status,
    suppliers.supplier_rejection_chart,
    capa.capa_effect,
    signals.signals,
]

MONTHS = pd.period_range("2025-01", "2026-12", freq="M")  # 24 months
PERIOD = "2026-12"


@pytest.mark.parametrize("fn", CHARTING, ids=lambda f: f.__name__)
def test_charting_functions_take_keyword_only_baseline_and_rules(fn):
    params = inspect.signature(fn).parameters
    for name in ("baseline", "rules"):
        assert name in params, f"{fn.__name__} has no {name}="
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["rules"].default == "anhoej"


def _step(before: float, after: float, n_after: int = 9) -> np.ndarray:
    """24 monthly values: `before` then `after` for the last `n_after` months, a little noise."""
    wiggle = np.tile([-0.02, 0.02], 12)
    return np.r_[np.full(24 - n_after, before), np.full(n_after, after)] * (1 + wiggle)


def _workbook() -> dict:
    """One site, one process, one supplier, one objective, surveys: a modest step up at 2026-04."""
    prod = pd.DataFrame(
        {
            "date": [m.start_time for m in MONTHS],
            "site": "A",
            "units_shipped": 1_000_000,
            "units_inspected": 1_000_000,
        }
    )
    comp = [
        {
            "received_date": m.start_time + pd.Timedelta(days=d),
            "category": "delivery",
            "product": "P",
            "customer": "C",
            "severity": "minor",
        }
        for m, k in zip(MONTHS, np.rint(_step(10, 14)).astype(int), strict=True)
        for d in range(k)
    ]
    ncs = pd.DataFrame(
        {
            "detected_date": [m.start_time for m in MONTHS],
            "site": "A",
            "process": "reflow",
            "source": "in_process",
            "defect_code": "D",
            "quantity": np.rint(_step(400, 470)).astype(int),
        }
    )
    receipts = pd.DataFrame(
        {
            "supplier_id": "S1",
            "received_date": [m.start_time for m in MONTHS],
            "quantity_received": 100_000,
            "quantity_rejected": np.rint(_step(300, 350)).astype(int),
        }
    )
    surveys = pd.DataFrame(
        {"response_date": [m.start_time for m in MONTHS], "score": _step(8.0, 7.8)}
    )
    obj = pd.DataFrame(
        [
            {
                "objective_id": "O1",
                "name": "otd",
                "process": "logistics",
                "owner": "h",
                "direction": "increase",
                "target": 90.0,
            }
        ]
    )
    kpi = pd.DataFrame({"objective_id": "O1", "period": MONTHS, "value": _step(95.0, 93.0)})
    return {
        "production": prod,
        "complaints": pd.DataFrame(comp),
        "nonconformities": ncs,
        "supplier_receipts": receipts,
        "customer_surveys": surveys,
        "objectives": obj,
        "kpi_measurements": kpi,
    }


CALLS = {
    "complaint_rate": lambda wb, **kw: complaints.complaint_rate(wb, PERIOD, months=24, **kw),
    "complaint_analysis": lambda wb, **kw: complaints.complaint_analysis(wb, PERIOD, **kw)["rate"],
    "survey_summary": lambda wb, **kw: customers.survey_summary(wb, PERIOD, months=24, **kw),
    "nc_rate_chart": lambda wb, **kw: nonconformities.nc_rate_chart(
        wb, PERIOD, site="A", process="reflow", months=24, **kw
    ),
    "objective_chart": lambda wb, **kw: objectives.objective_chart(wb, "O1", PERIOD, **kw),
    "supplier_rejection_chart": lambda wb, **kw: suppliers.supplier_rejection_chart(
        wb, "S1", PERIOD, months=24, **kw
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_baseline_and_rules_reach_the_chart(name, monkeypatch):
    seen = []
    engine = P.control_chart

    def spy(*args, **kwargs):
        seen.append((kwargs.get("baseline"), kwargs.get("rules")))
        return engine(*args, **kwargs)

    monkeypatch.setattr(P, "control_chart", spy)
    wb = _workbook()
    default = CALLS[name](wb)
    assert default.chart is not None, default.note
    assert seen[-1] == (None, "anhoej")
    other = CALLS[name](wb, baseline=12, rules="nelson")
    assert seen[-1] == (12, "nelson")
    assert other.chart.rules == R.resolve_rules("nelson")
    # limits from the first 12 months (before the step) differ from limits from all 24
    assert other.chart.center != pytest.approx(default.chart.center, rel=1e-9)


def test_objective_status_judges_with_the_baseline_and_rules_it_is_given(monkeypatch):
    seen = []
    engine = P.control_chart

    def spy(*args, **kwargs):
        seen.append((kwargs.get("baseline"), kwargs.get("rules")))
        return engine(*args, **kwargs)

    monkeypatch.setattr(P, "control_chart", spy)
    objectives.objective_status(_workbook(), PERIOD, baseline=12, rules="western_electric")
    assert seen == [(12, "western_electric")]


def test_rule_set_changes_the_verdict_on_a_constructed_series():
    # complaints 10 a month, then 14 for the last 9 months: within the 3-sigma limits of the
    # u chart, but a run of 9 above the centre line (Anhoej: longer than 8 for 24 points)
    wb = _workbook()
    anhoej = complaints.complaint_rate(wb, PERIOD, months=24)
    limits_only = complaints.complaint_rate(wb, PERIOD, months=24, rules=None)
    assert anhoej.chart.variation == "special_cause_concern"
    assert limits_only.chart.variation == "common_cause"
    assert not limits_only.chart.data["sigma_signal"].any()


def test_signals_honour_rules_and_baseline():
    wb = _workbook()
    found = signals.signals(wb, PERIOD, months=24).set_index("chart")
    assert found.loc["u", "rule"] == "anhoej_shift"  # the complaint-rate shift
    # without run rules the complaint shift (within the limits) is no finding
    assert "u" not in set(signals.signals(wb, PERIOD, months=24, rules=None)["chart"])
    nelson = signals.signals(wb, PERIOD, months=24, rules="nelson").set_index("chart")
    assert nelson.loc["u", "rule"] == "nelson_2, nelson_6"
    # limits from the 12 months before the step: a larger shift, and the objective's I chart
    # (judged with the same baseline) now signals too
    b12 = signals.signals(wb, PERIOD, months=24, baseline=12)
    assert b12.set_index("chart").loc["u", "magnitude"] == pytest.approx(0.4)
    assert found.loc["u", "magnitude"] == pytest.approx(0.3125)
    assert "Objective O1 otd" in set(b12["series"])
    assert "Objective O1 otd" not in set(found["series"])
