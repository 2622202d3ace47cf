"""Audit results: findings by clause and process, open findings, repeats, coverage (ISO 9001 9.2).

Findings are counted by the audit date. Clause numbers are compared at the second level
("8.5.1" counts for 8.5) unless ``level`` says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

#: ISO 9001:2015 clauses 4-10 at the second level (the audit programme should cover them)
ISO9001_CLAUSES = (
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "5.1",
    "5.2",
    "5.3",
    "6.1",
    "6.2",
    "6.3",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "8.1",
    "8.2",
    "8.3",
    "8.4",
    "8.5",
    "8.6",
    "8.7",
    "9.1",
    "9.2",
    "9.3",
    "10.1",
    "10.2",
    "10.3",
)
FINDING_TYPES = ("major_nc", "minor_nc", "observation", "ofi")


def clause_at(clause: pd.Series, level: int = 2) -> pd.Series:
    """Return clause numbers cut to ``level`` parts ("8.5.1" -> "8.5" at level 2)."""
    text = clause.astype(object).where(clause.notna(), None)
    return text.map(lambda c: ".".join(str(c).strip().split(".")[:level]) if c else "(blank)")


def _findings(workbook: Workbook, period: Any, months: int | None) -> pd.DataFrame:
    frame = P.records(workbook, "audit_findings")
    if not P.has_columns(frame, "audit_date"):
        return frame.iloc[0:0]
    start = (
        P.period_start(period)
        if months is None
        else P.trailing_months(period, months)[0].start_time
    )
    return frame[P.in_window(frame["audit_date"], start, P.period_end(period))]


def audit_findings_matrix(
    workbook: Workbook, period: Any, *, months: int = 12, level: int = 2
) -> pd.DataFrame:
    """Return findings by clause x process over the trailing ``months`` (ISO 9001 9.2, 9.3.2 c6).

    Returns
    -------
    DataFrame
        Tidy: ``clause, process, findings`` and one count column per finding type
        (``major_nc, minor_nc, observation, ofi``); only clause x process pairs with findings.
    """
    cols = ["clause", "process", "findings", *FINDING_TYPES]
    rows = _findings(workbook, period, months)
    if rows.empty or "clause" not in rows.columns:
        return P.empty(cols, "no audit findings in the window")
    rows = rows.assign(
        clause=clause_at(rows["clause"], level),
        process=rows.get("process", pd.Series(index=rows.index)).astype(object).fillna("(blank)"),
        finding_type=rows.get("finding_type", pd.Series(index=rows.index)).astype(object),
    )
    out = pd.crosstab([rows["clause"], rows["process"]], rows["finding_type"])
    out = out.reindex(columns=list(FINDING_TYPES), fill_value=0)
    out["findings"] = rows.groupby(["clause", "process"]).size()
    return out.reset_index()[cols]


def audit_findings_by_type(workbook: Workbook, period: Any, *, months: int = 12) -> pd.DataFrame:
    """Return findings by audit type x finding type over the trailing ``months`` (ISO 9001 9.2).

    Columns ``audit_type, finding_type, findings``; every finding type listed per audit type.
    """
    cols = ["audit_type", "finding_type", "findings"]
    rows = _findings(workbook, period, months)
    if rows.empty or not {"audit_type", "finding_type"} <= set(rows.columns):
        return P.empty(cols, "no audit findings in the window")
    types = list(FINDING_TYPES) + sorted(
        set(rows["finding_type"].dropna().astype(str)) - set(FINDING_TYPES)
    )
    grid = pd.MultiIndex.from_product(
        [sorted(rows["audit_type"].dropna().astype(str).unique()), types],
        names=["audit_type", "finding_type"],
    )
    counts = (
        rows.groupby([rows["audit_type"].astype(str), rows["finding_type"].astype(str)])
        .size()
        .reindex(grid, fill_value=0)
    )
    return counts.rename("findings").reset_index()


def audit_open_findings(workbook: Workbook, period: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Return findings open at ``as_of`` with their overdue days (ISO 9001 9.2.2 e, 10.2).

    Open: audited by ``as_of`` and no close date on or before it. Observations and OFIs are
    listed too (``finding_type`` tells). Columns ``finding_id, audit_id, audit_date, process,
    clause, finding_type, due_date, overdue, days_overdue``, most overdue first.
    """
    at = P.resolve_as_of(period, as_of)
    cols = [
        "finding_id",
        "audit_id",
        "audit_date",
        "process",
        "clause",
        "finding_type",
        "due_date",
        "overdue",
        "days_overdue",
    ]
    rows = P.records(workbook, "audit_findings")
    if not P.has_columns(rows, "finding_id", "audit_date"):
        return P.empty(cols, "no audit findings recorded")
    audited = P.dates(rows, "audit_date")
    closed = P.dates(rows, "closed_date")
    rows = rows[(audited <= at) & ~(closed.notna() & (closed <= at))].copy()
    due = P.dates(rows, "due_date")
    rows["overdue"] = due.notna() & (due < at)
    rows["days_overdue"] = np.where(rows["overdue"], (at - due).dt.days, 0)
    for c in cols:
        if c not in rows.columns:
            rows[c] = None
    return rows.sort_values(["days_overdue", "finding_id"], ascending=[False, True])[
        cols
    ].reset_index(drop=True)


def audit_repeat_findings(
    workbook: Workbook, period: Any, *, months: int = 24, level: int = 2
) -> pd.DataFrame:
    """Return clause x process pairs with nonconformities in two or more audits (ISO 9001 9.2.2 c).

    Only major and minor nonconformities count. Columns ``clause, process, audits,
    findings, first_audit, last_audit``, most audits first.
    """
    cols = ["clause", "process", "audits", "findings", "first_audit", "last_audit"]
    rows = _findings(workbook, period, months)
    if rows.empty or not {"clause", "audit_id"} <= set(rows.columns):
        return P.empty(cols, "no audit findings in the window")
    if "finding_type" in rows.columns:
        rows = rows[rows["finding_type"].isin(["major_nc", "minor_nc"])]
    rows = rows.assign(
        clause=clause_at(rows["clause"], level),
        process=rows["process"].astype(object).fillna("(blank)"),
    )
    g = rows.groupby(["clause", "process"])
    out = pd.DataFrame(
        {
            "audits": g["audit_id"].nunique(),
            "findings": g.size(),
            "first_audit": g["audit_date"].min(),
            "last_audit": g["audit_date"].max(),
        }
    ).reset_index()
    out = out[out["audits"] >= 2]
    return out.sort_values(
        ["audits", "findings", "clause"], ascending=[False, False, True]
    ).reset_index(drop=True)[cols]


def audit_coverage(workbook: Workbook, period: Any, *, months: int = 12) -> pd.DataFrame:
    """Return which ISO 9001 clauses 4-10 the audit programme touched.

    ISO 9001 9.2.2 a (programme covering the QMS). Evidence of coverage is an audit record on
    the clause; the record model holds findings only, so a clause audited without any finding
    (observations and OFIs count) does not show here: record an "observation" or keep an audit
    plan to close that gap.

    Returns
    -------
    DataFrame
        ``clause`` (4.1 ... 10.3), ``audits`` (distinct, trailing ``months``), ``findings``,
        ``last_audited`` (any time up to the period end), ``covered`` (audited in the trailing
        ``months``), ``ever_audited``. ``attrs['not_covered']`` lists the clauses not audited
        in the window, ``attrs['never_audited']`` those with no audit record at all.
    """
    table = pd.DataFrame({"clause": list(ISO9001_CLAUSES)})
    history = P.records(workbook, "audit_findings")
    if P.has_columns(history, "audit_date", "clause"):
        history = history[P.dates(history, "audit_date") <= P.period_end(period)]
        history = history.assign(clause=clause_at(history["clause"], 2))
        last = history.groupby("clause")["audit_date"].max()
    else:
        last = pd.Series(dtype="datetime64[ns]")
    rows = _findings(workbook, period, months)
    if rows.empty or "clause" not in rows.columns:
        table["audits"], table["findings"] = 0, 0
    else:
        rows = rows.assign(
            clause=clause_at(rows["clause"], 2),
            audit_id=rows.get("audit_id", rows.index.to_series()),
        )
        g = rows.groupby("clause")
        agg = pd.DataFrame({"audits": g["audit_id"].nunique(), "findings": g.size()})
        table = table.merge(agg.reset_index(), on="clause", how="left")
        table[["audits", "findings"]] = table[["audits", "findings"]].fillna(0).astype(int)
    table["last_audited"] = pd.to_datetime(table["clause"].map(last.to_dict()))
    table["covered"] = table["audits"] > 0
    table["ever_audited"] = table["last_audited"].notna()
    table.attrs["not_covered"] = table.loc[~table["covered"], "clause"].tolist()
    table.attrs["never_audited"] = table.loc[~table["ever_audited"], "clause"].tolist()
    return table
