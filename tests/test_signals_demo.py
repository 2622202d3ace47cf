"""signals() and the area analytics on the demo workbook: every planted signal is found.

The demo (qmsdata.demo, seed 9001, ending 2026-10) plants five signals (PLANTED_SIGNALS); each
must come back from ``qmsdata.signals`` as a "concern" on the right series, ranked above the
common-cause noise. Measured on this demo: the five planted signals take ranks 1-5; two other
series raise a (false) concern: a run-rule shift on one supplier and a single point beyond the
limits on one site x process defect rate, both ranked below every planted signal.
"""

from __future__ import annotations

import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401

import qmsdata
from qmsdata.demo import PLANTED_SIGNALS

pytestmark = pytest.mark.xdist_group("demo")

#: how a planted signal is recognised in a signals() row: its record type and these fields
MATCH = {
    "nonconformities": ("site", "process"),
    "complaints": (),
    "supplier_receipts": ("supplier_id",),
    "corrective_actions": ("process",),
    "kpi_measurements": ("objective_id",),
}
#: most series with a concern that no planted signal explains (measured: 2)
MAX_FALSE_CONCERNS = 3


@pytest.fixture(scope="module")
def found(demo_wb):  # noqa: F811
    return qmsdata.signals(demo_wb, period=DEMO_END)


def _matches(rows: pd.DataFrame, planted: dict) -> pd.DataFrame:
    sel = rows[rows["record_type"] == planted["record_type"]]
    for field in MATCH[planted["record_type"]]:
        sel = sel[sel[field] == planted[field]]
    return sel


@pytest.mark.parametrize("planted", PLANTED_SIGNALS, ids=[p["key"] for p in PLANTED_SIGNALS])
def test_planted_signal_is_found_as_concern(found, planted):
    rows = _matches(found, planted)
    assert len(rows), f"{planted['key']} not found: {planted['description']}"
    best = rows.iloc[0]
    assert best["direction"] == "concern"
    # the finding dates the change near the planted start (run start or first missed month)
    months_off = abs((best["since"] - planted["start"]).n)
    assert months_off <= 6, (best["since"], planted["start"])
    assert best["evidence"].startswith(planted["record_type"])


def test_planted_signals_rank_above_noise(found):
    concerns = found[found["direction"] == "concern"]
    planted_ranks = [int(_matches(found, p)["rank"].min()) for p in PLANTED_SIGNALS]
    explained = pd.concat([_matches(concerns, p) for p in PLANTED_SIGNALS])
    false_series = set(concerns["series"]) - set(explained["series"])
    assert max(planted_ranks) <= len(PLANTED_SIGNALS) + 1, planted_ranks
    assert len(false_series) <= MAX_FALSE_CONCERNS, sorted(false_series)
    # every planted signal outranks every unexplained concern
    unexplained = concerns[concerns["series"].isin(false_series)]
    if len(unexplained):
        assert max(planted_ranks) < unexplained["rank"].min()


def test_signals_table_is_ranked_and_documented(found):
    assert list(found["rank"]) == list(range(1, len(found) + 1))
    for col in ("series", "area", "chart", "rule", "since", "direction", "magnitude", "evidence"):
        assert found[col].notna().all(), col
    assert set(found["direction"]) <= {"concern", "improvement", "neutral"}
    order = found["direction"].map({"concern": 0, "improvement": 1, "neutral": 2})
    assert order.is_monotonic_increasing


def test_signals_for_a_quarter_and_an_earlier_as_of(demo_wb):  # noqa: F811
    out = qmsdata.signals(demo_wb, period="2026Q3")
    assert list(out.columns[:8]) == [
        "rank",
        "series",
        "area",
        "chart",
        "rule",
        "since",
        "direction",
        "magnitude",
    ]
    early = qmsdata.signals(demo_wb, period="2025-06")
    # before the defect step (2026-04) there is no Leeds reflow concern
    reflow = early[(early["site"] == "Leeds") & (early["process"] == "Reflow soldering")]
    assert not (reflow["direction"] == "concern").any()


def test_signals_of_an_empty_workbook_is_an_empty_table():
    out = qmsdata.signals({}, period="2026-10")
    assert out.empty and "rank" in out.columns and out.attrs["note"]


AREA_CALLS = {
    "complaint_rate": lambda wb: qmsdata.complaint_rate(wb, DEMO_END).table,
    "complaint_pareto": lambda wb: qmsdata.complaint_pareto(wb, DEMO_END, months=12),
    "complaint_time_to_close": lambda wb: qmsdata.complaint_time_to_close(wb, DEMO_END),
    "repeat_complaints": lambda wb: qmsdata.repeat_complaints(wb, DEMO_END),
    "nc_rates": lambda wb: qmsdata.nc_rates(wb, DEMO_END),
    "defect_pareto_shift": lambda wb: qmsdata.defect_pareto_shift(wb, DEMO_END),
    "disposition_mix": lambda wb: qmsdata.disposition_mix(wb, DEMO_END),
    "copq": lambda wb: qmsdata.copq(wb, DEMO_END),
    "capa_status": lambda wb: qmsdata.capa_status(wb, DEMO_END),
    "capa_aging": lambda wb: qmsdata.capa_aging(wb, DEMO_END),
    "capa_recurrence": lambda wb: qmsdata.capa_recurrence(wb, DEMO_END),
    "audit_findings_matrix": lambda wb: qmsdata.audit_findings_matrix(wb, DEMO_END),
    "audit_open_findings": lambda wb: qmsdata.audit_open_findings(wb, DEMO_END),
    "audit_coverage": lambda wb: qmsdata.audit_coverage(wb, DEMO_END),
    "objective_status": lambda wb: qmsdata.objective_status(wb, DEMO_END),
    "supplier_scorecard": lambda wb: qmsdata.supplier_scorecard(wb, DEMO_END),
    "supplier_funnel": lambda wb: qmsdata.supplier_funnel(wb, DEMO_END),
    "survey_summary": lambda wb: qmsdata.survey_summary(wb, DEMO_END).table,
    "risk_status": lambda wb: qmsdata.risk_status(wb, DEMO_END),
    "context_changes": lambda wb: qmsdata.context_changes(wb, DEMO_END),
}


@pytest.mark.parametrize("name", sorted(AREA_CALLS))
def test_area_analytics_run_on_the_demo(demo_wb, name):  # noqa: F811
    table = AREA_CALLS[name](demo_wb)
    assert isinstance(table, pd.DataFrame) and len(table) > 0


def test_demo_cross_checks(demo_wb):  # noqa: F811
    # the planted overdue cluster shows in the CAPA status of its process
    status = qmsdata.capa_status(demo_wb, DEMO_END).set_index("group")
    assert status.loc["Wave soldering", "overdue"] >= 10
    # the missed objective is a consistent failure with little chance of meeting its target
    obj = qmsdata.objective_status(demo_wb, DEMO_END).set_index("objective_id")
    assert obj.loc["OBJ-02", "assurance"] == "consistent_fail"
    assert not obj.loc["OBJ-02", "met"] and obj.loc["OBJ-02", "p_meet_target"] < 0.05
    # the deteriorating supplier is the one outside the over-dispersion-adjusted funnel
    funnel = qmsdata.supplier_funnel(demo_wb, DEMO_END)
    assert list(funnel.loc[funnel["position"] == "above", "supplier_id"]) == ["SUP-004"]
    # clauses the demo's audit programme never touches are listed as never audited
    from qmsdata.demo import NEVER_AUDITED

    never = qmsdata.audit_coverage(demo_wb, DEMO_END).attrs["never_audited"]
    assert set(NEVER_AUDITED) <= set(never)


def test_demo_figures_build(demo_wb):  # noqa: F811
    import qmsdata.figures as F

    rate = qmsdata.complaint_rate(demo_wb, DEMO_END)
    fig = F.control_chart_figure(rate, title="Complaints per million shipped")
    assert len(fig.data) >= 4
    fig = F.funnel_figure(qmsdata.supplier_funnel(demo_wb, DEMO_END))
    assert len(fig.data) == 6
    fig = F.capa_aging_figure(qmsdata.capa_aging(demo_wb, DEMO_END))
    assert len(fig.data) == 4
