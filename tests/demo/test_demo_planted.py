"""The demo's planted changes (issue 11) and readiness gaps (issue 12), seen with plain pandas.

These are the answers the PDCA analyses and the readiness rules must give on the demo; here they
are checked on the loaded records without those analytics.
"""

# ruff: noqa: F811  (pytest fixtures imported from demo_fixture are parameters of the tests)

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401

from qmsdata.demo import (
    PLANTED_CHANGES,
    PLANTED_INVALID,
    PLANTED_READINESS_GAPS,
    PLANTED_SIGNALS,
    planted_changes,
    planted_readiness_gaps,
)

pytestmark = pytest.mark.xdist_group("demo")

E = pd.Period(DEMO_END, freq="M")
AS_OF = pd.Timestamp("2026-10-31")
VERDICTS = {"sustained improvement", "no detectable change", "too early to judge", "deterioration"}


def _by_key(items):
    return {i["key"]: i for i in items}


def _defect_rate(wb, site: str, process: str) -> pd.Series:
    """Monthly NC quantity per 1,000 units inspected of one site and process."""
    nc = wb.nonconformities
    nc = nc[(nc["site"] == site) & (nc["process"] == process)]
    qty = nc.groupby(nc["detected_date"].dt.to_period("M"))["quantity"].sum()
    prod = wb.production[wb.production["site"] == site]
    inspected = prod.groupby(prod["date"].dt.to_period("M"))["units_inspected"].sum()
    return (qty.reindex(inspected.index, fill_value=0) / inspected * 1e3).sort_index()


def _longest_run(mask: pd.Series) -> int:
    return max((len(list(g)) for k, g in itertools.groupby(mask) if k), default=0)


# --- the documented answers ------------------------------------------------------------------


def test_planted_changes_are_documented():
    keys = [c["key"] for c in PLANTED_CHANGES]
    assert keys == ["effective", "no_effect", "worse", "too_early"]
    assert {c["verdict"] for c in PLANTED_CHANGES} == VERDICTS
    fields = {"key", "change_id", "implemented_date", "month", "site", "process", "metric"}
    fields |= {"expected_direction", "verdict", "magnitude", "description"}
    for c in PLANTED_CHANGES:
        assert set(c) == fields
        assert c["implemented_date"] <= AS_OF
        assert c["metric"] == "defect_rate" and c["expected_direction"] == "decrease"
    later = _by_key(planted_changes("2030-01"))
    assert later["too_early"]["month"] == pd.Period("2030-01", "M")
    assert later["effective"]["month"] == pd.Period("2029-01", "M")


def test_the_worse_change_is_the_planted_defect_step():
    step = _by_key(PLANTED_SIGNALS)["defect_step"]
    worse = _by_key(PLANTED_CHANGES)["worse"]
    assert (worse["site"], worse["process"], worse["month"]) == (
        step["site"],
        step["process"],
        step["start"],
    )
    assert worse["magnitude"] == 2.2


def test_readiness_gaps_are_documented():
    gaps = _by_key(PLANTED_READINESS_GAPS)
    assert {"training_overdue", "training_not_effective", "documents_review_overdue"} <= set(gaps)
    assert {"document_draft", "clause_planned_not_audited", "audit_overdue"} <= set(gaps)
    assert gaps["audited_without_findings"]["kind"] == "evidence"
    assert all(g["ids"] for g in PLANTED_READINESS_GAPS)
    assert planted_readiness_gaps("2030-01")[0]["ids"] == gaps["training_overdue"]["ids"]


def test_new_record_types_have_planted_invalid_rows():
    types = {r["record_type"] for r in PLANTED_INVALID}
    assert {"changes", "audit_programme", "training_records", "documents"} <= types


# --- changes: the register and the series behind each verdict --------------------------------


def test_change_register_holds_the_planted_changes(demo_wb):
    ch = demo_wb.changes.set_index("change_id")
    for c in PLANTED_CHANGES:
        row = ch.loc[c["change_id"]]
        assert row["status"] == "implemented"
        assert row["implemented_date"] == c["implemented_date"]
        assert (row["site"], row["process"], row["metric"]) == (
            c["site"],
            c["process"],
            "defect_rate",
        )
    capa = ch[ch["kind"] == "corrective_action"]
    assert len(capa) == 3
    closed = demo_wb.corrective_actions.set_index("capa_id").loc[capa["capa_id"]]
    assert (closed["status"] == "closed").all()
    assert (closed["closed_date"].to_numpy() == capa["implemented_date"].to_numpy()).all()
    planned = ch[ch["status"] == "planned"]
    assert len(planned) == 1 and (planned["implemented_date"] > AS_OF).all()
    assert ch.loc["CHG-001", "action_id"] in set(demo_wb.review_actions["action_id"])


def test_effective_change_is_followed_by_a_sustained_drop(demo_wb):
    c = _by_key(PLANTED_CHANGES)["effective"]
    rate = _defect_rate(demo_wb, c["site"], c["process"])
    before, after = rate[rate.index < c["month"]], rate[rate.index >= c["month"]]
    assert len(after) >= 8 and len(before) >= 12
    assert after.mean() / before.mean() < 0.7  # planted 0.6 (a 40 % drop)
    assert (after < before.min()).all()  # every month after is below every month before
    assert _longest_run(before < before.mean()) < 8  # the before phase is stable


def test_change_that_did_nothing(demo_wb):
    c = _by_key(PLANTED_CHANGES)["no_effect"]
    rate = _defect_rate(demo_wb, c["site"], c["process"])
    before, after = rate[rate.index < c["month"]], rate[rate.index >= c["month"]]
    assert len(after) >= 8
    assert 0.9 < after.mean() / before.mean() < 1.1
    assert _longest_run(after < before.mean()) < 8
    assert _longest_run(after > before.mean()) < 8


def test_change_that_made_things_worse(demo_wb):
    c = _by_key(PLANTED_CHANGES)["worse"]
    rate = _defect_rate(demo_wb, c["site"], c["process"])
    before, after = rate[rate.index < c["month"]], rate[rate.index >= c["month"]]
    assert (after > before.max()).all() and after.mean() / before.mean() > 1.8


def test_too_early_change_is_in_the_last_month(demo_wb):
    c = _by_key(PLANTED_CHANGES)["too_early"]
    assert c["month"] == E
    rate = _defect_rate(demo_wb, c["site"], c["process"])
    assert (rate.index >= c["month"]).sum() == 1


# --- audit programme ---------------------------------------------------------------------------


def _clauses(cell: str) -> set[str]:
    return {c.strip() for c in cell.split(";")}


def test_every_audit_with_findings_is_in_the_programme(demo_wb):
    programme = demo_wb.audit_programme.set_index("audit_id")
    findings = demo_wb.audit_findings
    assert set(findings["audit_id"]) <= set(programme.index)
    for audit_id, group in findings.groupby("audit_id"):
        row = programme.loc[audit_id]
        assert row["status"] == "done" and row["conducted_date"] == group["audit_date"].iloc[0]
        assert set(group["clause"]) <= _clauses(row["clauses"]), audit_id


def test_programme_has_audits_without_findings_covering_5_1(demo_wb):
    programme = demo_wb.audit_programme
    done = programme[
        (programme["status"] == "done")
        & (programme["conducted_date"] > AS_OF - pd.DateOffset(months=12))
    ]
    silent = done[~done["audit_id"].isin(demo_wb.audit_findings["audit_id"])]
    gap = _by_key(PLANTED_READINESS_GAPS)["audited_without_findings"]
    assert set(silent["audit_id"]) == set(gap["ids"])
    assert all("5.1" in _clauses(c) for c in silent["clauses"])
    assert set(silent["site"]) == {"Leeds", "Brno"}


def test_programme_gaps(demo_wb):
    programme = demo_wb.audit_programme.set_index("audit_id")
    gaps = _by_key(PLANTED_READINESS_GAPS)
    done = programme[programme["status"] == "done"]
    audited = set().union(*(_clauses(c) for c in done["clauses"]))
    planned = programme[programme["status"] == "planned"]
    # 6.3 is planned (in the future) and has never been audited
    (first_63,) = gaps["clause_planned_not_audited"]["ids"]
    assert "6.3" not in audited and "6.3" in _clauses(programme.loc[first_63, "clauses"])
    assert programme.loc[first_63, "planned_date"] > AS_OF
    # one planned audit is overdue: 7.4 at Brno
    overdue = planned[planned["planned_date"] < AS_OF]
    assert list(overdue.index) == gaps["audit_overdue"]["ids"]
    assert "7.4" not in audited
    # 4.3 and 10.3: neither audited nor planned
    everywhere = set().union(*(_clauses(c) for c in programme["clauses"]))
    assert not {"4.3", "10.3"} & everywhere
    postponed = programme[programme["status"] == "postponed"]
    assert list(postponed.index) == gaps["supplier_audit_postponed"]["ids"]


# --- training and documents --------------------------------------------------------------------


def test_training_gaps(demo_wb):
    tr = demo_wb.training_records
    gaps = _by_key(PLANTED_READINESS_GAPS)
    overdue = tr[(tr["required"] == "yes") & (tr["due_date"] < AS_OF) & tr["completed_date"].isna()]
    assert sorted(overdue["record_id"]) == sorted(gaps["training_overdue"]["ids"])
    assert set(overdue["site"]) == {"Brno"} and set(overdue["process"]) == {"Wave soldering"}
    not_effective = tr[tr["effectiveness"] == "no"]
    assert list(not_effective["record_id"]) == gaps["training_not_effective"]["ids"]
    pending_future = tr[tr["completed_date"].isna() & (tr["due_date"] > AS_OF)]
    assert len(pending_future) > 0  # due later: not a gap
    assert (tr.loc[tr["completed_date"].notna(), "completed_date"] <= AS_OF).all()


def test_document_gaps(demo_wb):
    docs = demo_wb.documents
    gaps = _by_key(PLANTED_READINESS_GAPS)
    approved = docs[docs["status"] == "approved"]
    overdue = approved[approved["review_due"] < AS_OF]
    assert sorted(overdue["doc_id"]) == sorted(gaps["documents_review_overdue"]["ids"])
    drafts = docs[docs["status"] == "draft"]
    assert list(drafts["doc_id"]) == gaps["document_draft"]["ids"]
    assert drafts["clause"].tolist() == ["6.3"]
    assert (docs["status"] == "obsolete").sum() == 1
