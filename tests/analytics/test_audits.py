"""Audit analytics on hand-made frames with known answers."""

import pandas as pd

from qmsdata.analytics import audits as A

FINDINGS = pd.DataFrame(
    {
        "finding_id": ["F1", "F2", "F3", "F4", "F5", "F6"],
        "audit_id": ["AU1", "AU1", "AU2", "AU3", "AU3", "AU0"],
        "audit_date": pd.to_datetime(
            ["2026-03-10", "2026-03-10", "2026-06-01", "2026-10-05", "2026-10-05", "2024-01-01"]
        ),
        "audit_type": ["internal", "internal", "external", "internal", "internal", "internal"],
        "process": ["reflow", "purchasing", "reflow", "reflow", "reflow", "hr"],
        "clause": ["8.5.1", "8.4.2", "8.5.2", "8.5.1", "7.1.5", "7.2"],
        "finding_type": ["minor_nc", "observation", "major_nc", "minor_nc", "ofi", "minor_nc"],
        "status": ["closed", "open", "open", "open", "open", "closed"],
        "due_date": pd.to_datetime(
            ["2026-04-10", None, "2026-07-01", "2026-11-05", None, "2024-02-01"]
        ),
        "closed_date": pd.to_datetime(["2026-04-01", None, None, None, None, "2024-01-20"]),
    }
)
WB = {"audit_findings": FINDINGS}


def test_matrix_by_clause_and_process():
    t = A.audit_findings_matrix(WB, "2026-10").set_index(["clause", "process"])
    assert t.loc[("8.5", "reflow"), "findings"] == 3
    assert t.loc[("8.5", "reflow"), "minor_nc"] == 2 and t.loc[("8.5", "reflow"), "major_nc"] == 1
    assert ("7.2", "hr") not in t.index  # older than 12 months
    assert t["findings"].sum() == 5


def test_by_type_lists_every_finding_type():
    t = A.audit_findings_by_type(WB, "2026-10")
    assert len(t) == 2 * 4
    assert t["findings"].sum() == 5


def test_open_and_overdue():
    t = A.audit_open_findings(WB, "2026-10")
    assert list(t["finding_id"]) == ["F3", "F2", "F4", "F5"]
    assert t.loc[0, "days_overdue"] == 122 and bool(t.loc[0, "overdue"])
    assert not t.loc[1:, "overdue"].any()


def test_repeat_findings_need_two_audits():
    t = A.audit_repeat_findings(WB, "2026-10")
    assert list(zip(t["clause"], t["process"], t["audits"], strict=True)) == [("8.5", "reflow", 3)]


def test_coverage_lists_never_audited_clauses():
    t = A.audit_coverage(WB, "2026-10")
    assert set(t.loc[t["covered"], "clause"]) == {"8.4", "8.5", "7.1"}
    assert "7.2" in t.attrs["not_covered"]  # audited in 2024 only
    assert "7.2" not in t.attrs["never_audited"] and "4.1" in t.attrs["never_audited"]
    assert t.set_index("clause").loc["7.2", "last_audited"] == pd.Timestamp("2024-01-01")
    assert len(t) == 28


def test_empty_register():
    assert A.audit_findings_matrix({}, "2026-10").empty
    assert A.audit_open_findings({}, "2026-10").empty
    cov = A.audit_coverage({}, "2026-10")
    assert not cov["covered"].any() and len(cov.attrs["never_audited"]) == 28


# audit_programme columns as in /work/plan/CONTRACT.md (spec lands with the demo branch)
PROGRAMME = pd.DataFrame(
    {
        "audit_id": ["AU1", "AU4", "AU5", "AU6"],
        "audit_type": ["internal", "internal", "internal", "internal"],
        "planned_date": pd.to_datetime(["2026-03-01", "2026-05-01", "2026-09-01", "2026-12-01"]),
        "conducted_date": pd.to_datetime(["2026-03-10", "2026-05-04", None, None]),
        "processes": ["reflow;purchasing", "management", "hr", "sales"],
        "clauses": ["8.5.1; 8.4", "5.1;9.3", "7.2", "8.2"],
        "status": ["done", "done", "postponed", "planned"],
    }
)


def test_coverage_counts_an_audit_without_findings_from_the_programme():
    # the defect of issue 12: AU4 audited 5.1 and 9.3 and found nothing
    without = A.audit_coverage(WB, "2026-10").set_index("clause")
    assert not without.loc["5.1", "covered"]
    t = A.audit_coverage({**WB, "audit_programme": PROGRAMME}, "2026-10")
    assert t.attrs["source"] == "audit_programme+audit_findings"
    t = t.set_index("clause")
    assert t.loc["5.1", "covered"] and t.loc["9.3", "covered"]
    assert t.loc["5.1", "findings"] == 0 and t.loc["5.1", "audits"] == 1
    assert t.loc["5.1", "last_audited"] == pd.Timestamp("2026-05-04")
    # AU1 is in both registers: one audit of 8.5, three findings on it in the window
    assert t.loc["8.5", "audits"] == 3 and t.loc["8.5", "findings"] == 3
    # postponed and planned audits are not evidence
    assert not t.loc["7.2", "covered"] and not t.loc["8.2", "ever_audited"]
    assert t.attrs["audit_ids"]["9.3"] == ["AU4"]
    # planned against done: AU5 (7.2) planned 2026-09-01 and postponed is overdue; AU6 is
    # planned after the window
    assert t.loc["7.2", "planned"] == 1 and t.loc["7.2", "overdue_planned"] == 1
    assert t.loc["5.1", "planned"] == 1 and t.loc["5.1", "overdue_planned"] == 0
    assert t.loc["8.2", "planned"] == 0
    assert t.loc["5.1", "findings_per_audit"] == 0 and t.loc["8.5", "findings_per_audit"] == 1
    assert pd.isna(t.loc["4.1", "findings_per_audit"])


def test_coverage_follows_the_clause_list_given():
    t = A.audit_coverage(WB, "2026-10", clauses=["6.1", "8.5"])
    assert list(t["clause"]) == ["6.1", "8.5"] and t.attrs["not_covered"] == ["6.1"]
