"""Readiness rules: known answers on small hand-made workbooks, one rule at a time.

The frames use the canonical column names of the record specs; the new record types
(audit_programme, training_records, documents, changes) use the names of
/work/plan/CONTRACT.md, whose specs land with the demo branch. Every answer below is worked out
by hand from the rows of the test (as_of 2026-10-31, windows are the 12 months up to it).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from qmsdata.analytics import readiness as R
from qmsdata.analytics.readiness import (
    EVIDENCED,
    NO_EVIDENCE,
    NONCONFORMING,
    NOT_ASSESSED,
    PARTLY,
    readiness_report,
)
from qmsdata.standards import profile

AS_OF = "2026-10-31"
ISO2015 = "ISO 9001:2015"
A1 = "ISO 9001:2015+A1:2024"
ISO2026 = "ISO 9001:2026"


def frame(**cols):
    """Return a frame; columns named *_date / *_due / valid_* become datetime64."""
    out = pd.DataFrame(cols)
    for c in out.columns:
        if c.endswith(("_date", "_due")) or c in ("date_noted", "valid_from", "valid_to"):
            out[c] = pd.to_datetime(out[c])
    return out


def row(wb, clause, std=ISO2015, as_of=AS_OF):
    r = readiness_report(wb, as_of=as_of, profile=std)
    return r.clauses.set_index("clause").loc[clause]


def ev(wb, rule_id, std=ISO2015, role="evidence"):
    e = readiness_report(wb, as_of=AS_OF, profile=std).evidence
    return sorted(e.loc[(e["rule_id"] == rule_id) & (e["role"] == role), "record_id"])


# --- 4.1 context -----------------------------------------------------------------------------
CONTEXT = frame(
    issue_id=["CI1", "CI2"],
    date_noted=["2026-03-01", "2024-05-01"],
    kind=["external", "internal"],
    description=["energy prices", "flood risk from climate change at Brno"],
    status=["open", "open"],
)


def test_context_reviewed_in_the_window_is_evidence_under_2015():
    r = row({"context_issues": CONTEXT}, "4.1")
    assert r["verdict"] == EVIDENCED and r["records"] == "CI1"  # CI2 noted 2024: not in window


def test_context_under_a1_needs_climate_change_considered():
    # CI2 names climate: evidenced (climate considered, CI1 reviewed in the window)
    assert row({"context_issues": CONTEXT}, "4.1", A1)["verdict"] == EVIDENCED
    no_climate = CONTEXT.iloc[:1]
    r = row({"context_issues": no_climate}, "4.1", A1)
    assert r["verdict"] == PARTLY and "climate" in r["detail"]
    assert "climate change was considered" in r["rule"]
    assert row({"context_issues": no_climate}, "4.1", ISO2015)["verdict"] == EVIDENCED


def test_context_not_reviewed_for_12_months_is_no_evidence():
    stale = CONTEXT.assign(date_noted=pd.to_datetime(["2025-10-30", "2024-05-01"]))
    r = row({"context_issues": stale}, "4.1")
    assert r["verdict"] == NO_EVIDENCE and "latest 2025-10-30" in r["detail"]


# --- 5.1 / 9.3 management review ---------------------------------------------------------
REVIEW = frame(
    action_id=["RA1", "RA2", "RA0"],
    review_date=["2026-01-30", "2026-01-30", "2025-01-15"],
    output_type=["improvement", "resources", "qms_change"],
    description=["a", "b", "c"],
    due_date=["2026-06-30", "2027-04-30", "2025-03-01"],
    status=["open", "open", "closed"],
    closed_date=[None, None, "2025-02-20"],
)


def test_review_held_but_an_action_overdue():
    wb = {"review_actions": REVIEW}
    assert row(wb, "5.1")["verdict"] == EVIDENCED  # 5.1 asks only that the review was held
    r = row(wb, "9.3")
    assert r["verdict"] == PARTLY and r["gaps"] == "RA1"  # due 2026-06-30, still open
    assert "2026-01-30" in r["detail"] and "proxy" not in r["rule"]
    assert "review actions are dated" in r["proxy"]  # the proxy is said, beside the rule
    assert ev(wb, "review-held") == ["RA1", "RA2"]


def test_review_followed_up_is_evidence_and_no_review_in_12_months_is_not():
    done = REVIEW.assign(status=["closed", "open", "closed"]).assign(
        closed_date=pd.to_datetime(["2026-06-01", None, "2025-02-20"])
    )
    assert row({"review_actions": done}, "9.3")["verdict"] == EVIDENCED
    old = REVIEW.iloc[2:]
    r = row({"review_actions": old}, "9.3")
    assert r["verdict"] == NO_EVIDENCE and "2025-01-15" in r["detail"]


# --- 6.1 risks ---------------------------------------------------------------------------
RISKS = frame(
    risk_id=["RK1", "RK2", "RK3", "RK4"],
    kind=["risk", "risk", "opportunity", "opportunity"],
    description=["a", "b", "c", "d"],
    action=["second source", "", "new market study", "automate test"],
    action_due=["2027-01-01", None, "2026-05-01", "2026-09-01"],
    action_status=["open", None, "open", "closed"],
)


def test_risks_need_an_action_on_time():
    r = row({"risks": RISKS}, "6.1")
    # RK2 has no action, RK3 is open past its due date
    assert r["verdict"] == PARTLY and r["gaps"] == "RK2; RK3" and r["records"] == "RK1; RK4"


def test_2026_splits_risks_and_opportunities():
    wb = {"risks": RISKS.iloc[[0, 3]]}
    r = readiness_report(wb, as_of=AS_OF, profile=ISO2026).clauses.set_index("clause")
    assert r.loc["6.1.2", "verdict"] == EVIDENCED and r.loc["6.1.3", "verdict"] == EVIDENCED
    assert r.loc["6.1", "verdict"] == EVIDENCED and r.loc["6.1", "rule"] == "From 6.1.2, 6.1.3."
    assert not r.loc["6.1", "scored"]  # the parent is not counted twice in the score
    only_risks = {"risks": RISKS.iloc[[0]]}
    r = readiness_report(only_risks, as_of=AS_OF, profile=ISO2026).clauses.set_index("clause")
    assert r.loc["6.1.3", "verdict"] == NO_EVIDENCE and r.loc["6.1", "verdict"] == PARTLY


# --- 6.2 objectives ------------------------------------------------------------------------
OBJECTIVES = frame(
    objective_id=["O1", "O2", "O3"],
    name=["complaints", "delivery", "old"],
    direction=["decrease", "increase", "increase"],
    target=[50.0, 95.0, 1.0],
    valid_from=["2026-01-01", "2026-01-01", "2024-01-01"],
    valid_to=["2026-12-31", "2026-12-31", "2024-12-31"],
    frequency=["monthly", "quarterly", "monthly"],
    action_plan=["8D", "buffer stock", "x"],
    resources=["2 engineers", None, "x"],
    responsible=["Eve", "Fay", "x"],
    plan_due=["2026-12-31", "2026-06-30", "2024-12-31"],
    evaluation_method=["u-chart", "p-chart", "x"],
)
KPI = pd.DataFrame(
    {
        "objective_id": ["O1", "O1", "O2"],
        "period": pd.PeriodIndex(["2026-09", "2026-10", "2026-07"], freq="M"),
        "value": [40.0, 41.0, 96.0],
    }
)


def test_objectives_need_a_complete_plan_and_a_recent_measurement():
    r = row({"objectives": OBJECTIVES, "kpi_measurements": KPI}, "6.2")
    # O3 is not in force; O2 has no resources (measured 2026-07, within 4 months: quarterly)
    assert r["verdict"] == PARTLY and r["gaps"] == "O2" and r["records"] == "O1"
    assert "O2: no resources" in r["detail"]
    full = OBJECTIVES.assign(resources=["2 engineers", "warehouse", "x"])
    assert row({"objectives": full, "kpi_measurements": KPI}, "6.2")["verdict"] == EVIDENCED
    stale = KPI.assign(period=pd.PeriodIndex(["2026-07", "2026-08", "2026-07"], freq="M"))
    r = row({"objectives": full, "kpi_measurements": stale}, "6.2")
    assert r["verdict"] == PARTLY and r["gaps"] == "O1"  # monthly, last measured 2026-08


def test_objectives_without_measurements_configured_are_at_most_partly_evidenced():
    full = OBJECTIVES.assign(resources=["2 engineers", "warehouse", "x"])
    r = row({"objectives": full}, "6.2")
    assert r["verdict"] == PARTLY and "kpi_measurements not configured" in r["detail"]


# --- 6.3 changes ---------------------------------------------------------------------------
CHANGES = frame(
    change_id=["CH1", "CH2", "CH3"],
    implemented_date=["2026-04-01", "2026-06-01", "2027-02-01"],
    kind=["process_change", "improvement", "process_change"],
    description=["new reflow profile", "AOI on line 2", "MES rollout"],
    metric=["defect_rate", None, "other"],
    expected_direction=["decrease", None, "decrease"],
    status=["implemented", "implemented", "planned"],
    owner=["Bob", "Cy", "Dee"],
)


def test_changes_planning_is_stricter_in_the_2026_draft():
    wb = {"changes": CHANGES}
    assert row(wb, "6.3", ISO2015)["verdict"] == EVIDENCED
    r = row(wb, "6.3", ISO2026)
    assert r["verdict"] == PARTLY and r["gaps"] == "CH2" and r["provisional"]


# --- 7.2 training --------------------------------------------------------------------------
TRAINING = frame(
    record_id=["T1", "T2", "T3", "T4", "T5", "T6"],
    person=["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"],
    course=["IPC-A-610"] * 6,
    required=["yes", "yes", "yes", "yes", "yes", "no"],
    due_date=["2026-03-01", "2026-04-01", "2026-05-01", "2027-01-01", "2026-06-01", "2026-01-01"],
    completed_date=["2026-02-20", None, "2026-04-28", None, "2026-05-20", None],
    effectiveness=["yes", None, "pending", None, "no", None],
)


def test_training_due_must_be_complete_and_judged_effective():
    r = row({"training_records": TRAINING}, "7.2")
    # due: T1 T2 T3 T5 (T4 due 2027, T6 not required); T2 overdue, T3 pending, T5 not effective
    assert r["verdict"] == PARTLY and r["records"] == "T1" and r["gaps"] == "T2; T3; T5"
    assert "1 overdue" in r["detail"] and "1 judged not effective" in r["detail"]
    assert row({"training_records": TRAINING.iloc[[0, 3]]}, "7.2")["verdict"] == EVIDENCED


# --- 7.5 documents -------------------------------------------------------------------------
DOCUMENTS = frame(
    doc_id=["D1", "D2", "D3", "D4", "D5"],
    title=["Quality manual", "Policy", "Work instruction", "Old procedure", "Scope"],
    clause=["4.4", "5.2", "8.5.1", "8.5", "4.3"],
    version=["3", "2", "1", "1", "1"],
    approved_by=["MD", "MD", None, "QM", "MD"],
    approved_date=["2026-01-10", "2025-06-01", None, "2020-01-01", "2026-02-01"],
    review_due=["2027-01-10", "2026-06-01", None, "2021-01-01", "2027-02-01"],
    status=["approved", "approved", "draft", "obsolete", "approved"],
)


def test_documents_approved_and_within_review_date():
    r = row({"documents": DOCUMENTS}, "7.5")
    # D4 obsolete (ignored); D2 past review (2026-06-01), D3 draft
    assert r["verdict"] == PARTLY and r["records"] == "D1; D5" and r["gaps"] == "D2; D3"
    drafts = DOCUMENTS.assign(status="draft")
    assert row({"documents": drafts}, "7.5")["verdict"] == NO_EVIDENCE


# --- 8.7 nonconforming outputs -------------------------------------------------------------
NCS = frame(
    nc_id=["NC1", "NC2", "NC3"],
    detected_date=["2026-02-01", "2026-09-01", "2025-01-01"],
    site=["Leeds"] * 3,
    source=["final"] * 3,
    quantity=[3.0, 1.0, 2.0],
    disposition=["scrap", "pending", None],
)


def test_nonconformities_dispositioned():
    r = row({"nonconformities": NCS}, "8.7")
    assert r["verdict"] == PARTLY and r["gaps"] == "NC2"  # NC3 is older than 12 months
    assert row({"nonconformities": NCS.iloc[[0]]}, "8.7")["verdict"] == EVIDENCED


# --- 9.1 / 9.1.2 ---------------------------------------------------------------------------
def test_monitoring_needs_each_of_the_last_three_months():
    k = pd.DataFrame(
        {
            "objective_id": ["O1", "O1"],
            "period": pd.PeriodIndex(["2026-08", "2026-10"], freq="M"),
            "value": [1.0, 2.0],
        }
    )
    r = row({"kpi_measurements": k}, "9.1")
    assert r["verdict"] == PARTLY and "none in 2026-09" in r["detail"]
    # judged mid-month, the month in progress does not count: Jul-Sep needed
    r = row({"kpi_measurements": k}, "9.1", as_of="2026-10-15")
    assert r["verdict"] == PARTLY and "2026-07, 2026-09" in r["detail"]


SURVEYS = frame(
    response_id=["SV1", "SV2"], response_date=["2026-02-01", "2024-02-01"], score=[9, 6]
)
COMPLAINTS = frame(complaint_id=["C1"], received_date=["2026-05-05"], status=["open"])


def test_customer_satisfaction():
    assert row({"customer_surveys": SURVEYS}, "9.1.2")["records"] == "SV1"
    assert row({"customer_surveys": SURVEYS}, "9.1.2")["verdict"] == EVIDENCED
    r = row({"complaints": COMPLAINTS}, "9.1.2")
    assert r["verdict"] == PARTLY and "customer_surveys not configured" in r["detail"]
    old = {"customer_surveys": SURVEYS.iloc[[1]], "complaints": COMPLAINTS.iloc[0:0]}
    assert row(old, "9.1.2")["verdict"] == NO_EVIDENCE
    assert row({}, "9.1.2")["verdict"] == NOT_ASSESSED


# --- 9.2 audits ----------------------------------------------------------------------------
ALL_CLAUSES = ";".join(profile(ISO2015).audit_clauses)
FINDINGS = frame(
    finding_id=["F1", "F2"],
    audit_id=["AU1", "AU1"],
    audit_date=["2026-03-01", "2026-03-01"],
    audit_type=["internal", "internal"],
    clause=["8.5.1", "7.1.5"],
    finding_type=["minor_nc", "major_nc"],
    status=["closed", "open"],
    closed_date=["2026-04-01", None],
)
PROGRAMME = frame(
    audit_id=["AU1", "AU2", "AU3"],
    audit_type=["internal", "internal", "internal"],
    planned_date=["2026-03-01", "2026-05-01", "2026-09-01"],
    conducted_date=["2026-03-01", "2026-05-10", None],
    clauses=["7.1;8.5", ALL_CLAUSES.replace(";9.2", ""), "9.2"],
    status=["done", "done", "postponed"],
)


def test_audit_cycle_from_findings_only_misses_audits_without_findings():
    r = row({"audit_findings": FINDINGS}, "9.2")
    assert r["verdict"] == PARTLY and "from audit findings only" in r["detail"]
    assert "2 of 28 clauses" in r["detail"]


def test_audit_cycle_from_the_programme():
    wb = {"audit_findings": FINDINGS.iloc[[0]], "audit_programme": PROGRAMME}
    r = row(wb, "9.2")
    # AU2 audited every clause but 9.2 without findings; AU3 (9.2) postponed: clause 9.2 not
    # audited (but planned), and AU3 is a planned audit overdue (the audit-programme rule)
    assert r["verdict"] == PARTLY and r["gaps"] == "9.2; AU3" and r["records"] == "AU1; AU2"
    assert "9.2 (planned, overdue)" in r["detail"]
    assert "1 overdue" in r["detail"]
    unplanned = PROGRAMME.iloc[:2]
    r = row({"audit_programme": unplanned}, "9.2")
    assert "9.2 (not in the programme)" in r["detail"]
    ahead = PROGRAMME.assign(
        planned_date=pd.to_datetime(["2026-03-01", "2026-05-01", "2026-12-01"])
    )
    assert "9.2 (planned ahead)" in row({"audit_programme": ahead}, "9.2")["detail"]
    done = PROGRAMME.assign(status=["done", "done", "done"]).assign(
        conducted_date=pd.to_datetime(["2026-03-01", "2026-05-10", "2026-09-03"])
    )
    assert row({"audit_programme": done}, "9.2")["verdict"] == EVIDENCED


def test_2026_audit_programme_rule():
    wb = {"audit_programme": PROGRAMME}
    r = row(wb, "9.2.2", ISO2026)
    assert r["verdict"] == PARTLY and r["gaps"] == "AU3"  # planned 2026-09-01, postponed
    assert row({"audit_findings": FINDINGS}, "9.2.2", ISO2026)["verdict"] == NOT_ASSESSED


def test_open_major_finding_makes_the_clause_nonconforming():
    wb = {"audit_findings": FINDINGS}
    r = readiness_report(wb, as_of=AS_OF, profile=ISO2015).clauses.set_index("clause")
    assert r.loc["7.1", "verdict"] == NONCONFORMING and r.loc["7.1", "gaps"] == "F2"
    assert r.loc["7.1", "scored"] and r.loc["7.1", "points"] == 0
    assert r.loc["8.5", "verdict"] == NOT_ASSESSED  # the minor NC is closed; no rule on 8.5
    closed = FINDINGS.assign(status="closed", closed_date=pd.to_datetime("2026-04-01"))
    r = readiness_report({"audit_findings": closed}, as_of=AS_OF, profile=ISO2015)
    assert r.clauses.set_index("clause").loc["7.1", "verdict"] == NOT_ASSESSED
    # as at a date before the finding was raised, it was not open
    early = readiness_report(wb, as_of="2026-02-01", profile=ISO2015).clauses.set_index("clause")
    assert early.loc["7.1", "verdict"] == NOT_ASSESSED


# --- 10.2 / 10.3 ---------------------------------------------------------------------------
CAPA = frame(
    capa_id=["CA1", "CA2", "CA3", "CA4", "CA5", "CA6"],
    opened_date=[
        "2026-01-10",
        "2026-02-10",
        "2026-03-10",
        "2026-04-10",
        "2026-05-10",
        "2026-06-01",
    ],
    due_date=["2026-03-01", "2026-03-01", "2026-05-01", "2026-06-01", "2027-01-01", "2026-07-01"],
    closed_date=["2026-02-20", "2026-03-15", "2026-04-20", None, None, "2026-06-20"],
    status=["closed", "closed", "closed", "open", "open", "closed"],
    effectiveness_due=["2026-06-01", "2026-06-01", "2026-08-01", None, None, "2026-12-01"],
    effective=["yes", "yes", "pending", "pending", "pending", "pending"],
)


def test_corrective_actions_closed_on_time_and_effective():
    r = row({"corrective_actions": CAPA}, "10.2")
    # CA2 closed late, CA3 effectiveness review overdue, CA4 open and overdue;
    # CA5 open and not due yet, CA6 closed on time with its review still ahead: both fine
    assert r["verdict"] == PARTLY and r["gaps"] == "CA2; CA3; CA4"
    assert r["records"] == "CA1; CA5; CA6"


def test_improvement_from_changes_or_review_actions():
    assert row({"changes": CHANGES}, "10.3")["records"] == "CH2"
    assert row({"review_actions": REVIEW}, "10.3")["records"] == "RA1"
    r = row({"changes": CHANGES.iloc[[0]], "review_actions": REVIEW.iloc[[2]]}, "10.3")
    assert r["verdict"] == NO_EVIDENCE


# --- not assessed, score, road, transition -------------------------------------------------
def test_nothing_configured_is_not_assessed_never_no_evidence():
    r = readiness_report({}, as_of=AS_OF, profile=A1)
    assert set(r.clauses["verdict"]) == {NOT_ASSESSED}
    assert pd.isna(r.score.loc[0, "score"]) and r.score.loc[0, "clauses_scored"] == 0
    assert (r.stages["status"] != "complete").all()


def test_configured_but_empty_is_no_evidence():
    empty = TRAINING.iloc[0:0]
    assert row({"training_records": empty}, "7.2")["verdict"] == NO_EVIDENCE


def test_score_uses_the_documented_weights():
    wb = {
        "context_issues": CONTEXT,  # 4.1 evidenced (weight 1, 1 point)
        "training_records": TRAINING,  # 7.2 partly (weight 1, 0.5)
        "review_actions": REVIEW,  # 5.1 evidenced (2, 1), 9.3 partly (2, 0.5), 10.3 ev. (1, 1)
    }
    r = readiness_report(wb, as_of=AS_OF, profile=ISO2015)
    s = r.score.iloc[0]
    assert s["clauses_scored"] == 5
    assert s["score"] == pytest.approx(round(100 * (1 + 0.5 + 2 + 1 + 1) / 7, 1))
    assert "Weight 2" in s["weights"]


def test_road_stages_and_next_steps_in_road_order():
    wb = {
        "training_records": TRAINING.iloc[[0, 3]],
        "context_issues": CONTEXT,
        "documents": DOCUMENTS,
        "risks": RISKS.iloc[[0, 3]],
    }
    r = readiness_report(wb, as_of=AS_OF, profile=ISO2015)
    st = r.stages.set_index("stage")
    assert st.loc[1, "status"] == "complete"
    assert st.loc[2, "status"] == "in progress"  # objectives not configured -> not assessed
    road = r.road.set_index("condition_id")
    assert road.loc["scope-doc", "status"] == "met" and "D5" in road.loc["scope-doc", "detail"]
    assert road.loc["policy-doc", "status"] == "met"  # D2 approved (its review is overdue)
    assert road.loc["objectives", "status"] == "not assessed"
    assert road.loc["documents-current", "status"] == "missing"
    assert r.stages.attrs["current"] == 2
    assert list(r.next_steps["stage"]) == sorted(r.next_steps["stage"])
    assert r.next_steps["action"].iloc[0].startswith("Approve the draft documents")


def test_transition_list_only_for_2026():
    wb = {"risks": RISKS, "audit_programme": PROGRAMME}
    assert readiness_report(wb, as_of=AS_OF, profile=A1).transition.empty
    t = readiness_report(wb, as_of=AS_OF, profile=ISO2026).transition.set_index("clause")
    assert (
        t.loc["5.1.1", "verdict"] == NOT_ASSESSED and "interview" in t.loc["5.1.1", "records_show"]
    )
    assert t.loc["6.1.2", "verdict"] == PARTLY and t.loc["9.2.2", "verdict"] == PARTLY
    assert t.loc["9.2.2", "kind"] == "new"


def test_renderings_escape_and_carry_the_verdicts():
    wb = {"context_issues": CONTEXT.assign(description=["<script>x</script>", "climate"])}
    r = readiness_report(wb, as_of=AS_OF, profile=ISO2026)
    text = R.readiness_text(r)
    assert "PROVISIONAL" in text and "4.1" in text
    page = R.readiness_html(r)
    assert "<script>" not in page
    data = json.loads(r.to_json())
    assert data["standard"] == ISO2026 and data["clauses"][0]["clause"] == "4.1"


def test_unknown_check_in_a_profile_is_a_clear_error():
    from dataclasses import replace

    from qmsdata.errors import DataError

    p = profile(ISO2015)
    bad = replace(p, rules=(replace(p.rules[0], check="nope"),))
    with pytest.raises(DataError, match="unknown check 'nope'"):
        readiness_report({"context_issues": CONTEXT}, as_of=AS_OF, profile=bad)


def test_needs_a_date_and_returns_tidy_frames():
    from qmsdata.errors import DataError

    with pytest.raises(DataError, match="date to judge at"):
        readiness_report({"context_issues": CONTEXT})
    r = readiness_report({"context_issues": CONTEXT}, as_of=AS_OF, profile=A1)
    assert set(r.tables()) == {
        "clauses",
        "rules",
        "evidence",
        "score",
        "road",
        "stages",
        "next_steps",
        "transition",
    }
    assert list(r.evidence.columns) == ["clause", "rule_id", "role", "record_type", "record_id"]
    assert r.evidence.loc[r.evidence["clause"] == "4.1", "record_id"].tolist() == ["CI1", "CI2"]
    assert len(r.clauses) == len(profile(A1).clauses)
    assert r.rules.set_index("rule_id").loc["training-complete", "verdict"] == NOT_ASSESSED
