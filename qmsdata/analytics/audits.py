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


def _programme_audits(workbook: Workbook, end: pd.Timestamp) -> pd.DataFrame:
    """Return the audit programme's audits done by ``end``, one row per audit x clause.

    Columns ``audit_id, clause, audit_date`` (the conducted date). An audit counts as done
    when its status is ``done`` or, with no status, when it has a conducted date.
    """
    cols = ["audit_id", "clause", "audit_date"]
    prog = P.records(workbook, "audit_programme")
    if not P.has_columns(prog, "audit_id", "clauses"):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    conducted = P.dates(prog, "conducted_date")
    status = prog["status"] if "status" in prog.columns else pd.Series(None, index=prog.index)
    done = (status.astype(object).eq("done") | status.isna()) & conducted.notna()
    done &= conducted <= end
    rows = prog.loc[done, ["audit_id", "clauses"]].assign(audit_date=conducted[done])
    rows = rows.assign(clause=rows["clauses"].astype(str).str.split(";")).explode("clause")
    rows["clause"] = rows["clause"].str.strip()
    rows = rows[rows["clause"].notna() & (rows["clause"] != "")]
    return rows[cols].reset_index(drop=True)


def _programme_planned(workbook: Workbook, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return programme audits planned in [start, end] (not cancelled), one row per clause.

    Columns ``audit_id, clause, overdue`` (planned date passed by ``end`` and not done).
    """
    prog = P.records(workbook, "audit_programme")
    if not P.has_columns(prog, "audit_id", "clauses", "planned_date"):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ("audit_id", "clause", "overdue")})
    status = (
        prog["status"].astype(object)
        if "status" in prog.columns
        else pd.Series(None, index=prog.index)
    )
    keep = P.in_window(prog["planned_date"], start, end) & ~status.eq("cancelled")
    rows = prog.loc[keep, ["audit_id", "clauses"]].assign(
        overdue=(~status[keep].eq("done")) & (P.dates(prog[keep], "planned_date") <= end)
    )
    rows = rows.assign(clause=rows["clauses"].astype(str).str.split(";")).explode("clause")
    rows["clause"] = rows["clause"].str.strip()
    return rows[rows["clause"].notna() & (rows["clause"] != "")][["audit_id", "clause", "overdue"]]


def audit_coverage(
    workbook: Workbook, period: Any, *, months: int = 12, clauses: Any = None
) -> pd.DataFrame:
    """Return which ISO 9001 clauses the audits touched (ISO 9001 9.2.2 a).

    An audit record on a clause is evidence that it was audited, with or without findings.
    When ``audit_programme`` is configured, every audit it marks done (status ``done`` and a
    conducted date) counts for each clause it lists, so a clause audited without findings
    is covered; audit findings count as well (an audit that found something audited the
    clause). Without a programme, coverage comes from audit findings only and a clause
    audited without any finding cannot show: configure the audit programme to close that gap.

    Parameters
    ----------
    clauses
        The clause numbers to report (two-level, e.g. a profile's ``audit_clauses``);
        default ISO 9001:2015 clauses 4.1-10.3.

    Returns
    -------
    DataFrame
        ``clause``, ``audits`` (distinct audits in the trailing ``months``), ``findings``
        (in the window), ``last_audited`` (any time up to the period end), ``planned``
        (programme audits planned in the window, not cancelled), ``overdue_planned`` (of
        those, planned date passed and not done), ``findings_per_audit``, ``covered``
        (audited in the trailing ``months``), ``ever_audited``. ``attrs['not_covered']``
        lists the clauses not audited in the window, ``attrs['never_audited']`` those with no
        audit record at all, ``attrs['source']`` the records used and ``attrs['audit_ids']``
        clause -> the audits in the window.
    """
    wanted = list(ISO9001_CLAUSES if clauses is None else clauses)
    table = pd.DataFrame({"clause": wanted})
    end = P.period_end(period)
    start = P.trailing_months(period, months)[0].start_time
    parts = []
    history = P.records(workbook, "audit_findings")
    if P.has_columns(history, "audit_date", "clause"):
        h = history[P.dates(history, "audit_date") <= end]
        ids = h["audit_id"] if "audit_id" in h.columns else h.index.to_series().astype(str)
        parts.append(
            pd.DataFrame(
                {
                    "audit_id": ids.astype(object).to_numpy(),
                    "clause": clause_at(h["clause"], 2).to_numpy(),
                    "audit_date": P.dates(h, "audit_date").to_numpy(),
                    "finding": 1,
                }
            )
        )
    programme = _programme_audits(workbook, end)
    source = "audit_findings"
    if len(programme):
        source = "audit_programme+audit_findings"
        parts.append(programme.assign(clause=clause_at(programme["clause"], 2), finding=0))
    if parts:
        audits = pd.concat(parts, ignore_index=True)
        audits["audit_date"] = pd.to_datetime(audits["audit_date"])
    else:
        audits = pd.DataFrame(
            {
                "audit_id": pd.Series(dtype=object),
                "clause": pd.Series(dtype=object),
                "audit_date": pd.Series(dtype="datetime64[ns]"),
                "finding": pd.Series(dtype="int64"),
            }
        )
    last = audits.groupby("clause")["audit_date"].max()
    window = audits[P.in_window(audits["audit_date"], start, end)]
    g = window.groupby("clause")
    table["audits"] = table["clause"].map(g["audit_id"].nunique()).fillna(0).astype(int)
    table["findings"] = table["clause"].map(g["finding"].sum()).fillna(0).astype(int)
    table["last_audited"] = pd.to_datetime(table["clause"].map(last.to_dict()))
    planned = _programme_planned(workbook, start, end)
    if len(planned):
        planned = planned.assign(clause=clause_at(planned["clause"], 2))
        g = planned.groupby("clause")
        table["planned"] = table["clause"].map(g["audit_id"].nunique()).fillna(0).astype(int)
        late = planned[planned["overdue"]].groupby("clause")["audit_id"].nunique()
        table["overdue_planned"] = table["clause"].map(late).fillna(0).astype(int)
    else:
        table["planned"], table["overdue_planned"] = 0, 0
    table["findings_per_audit"] = table["findings"] / table["audits"].where(table["audits"] > 0)
    table["covered"] = table["audits"] > 0
    table["ever_audited"] = table["last_audited"].notna()
    table.attrs["not_covered"] = table.loc[~table["covered"], "clause"].tolist()
    table.attrs["never_audited"] = table.loc[~table["ever_audited"], "clause"].tolist()
    table.attrs["source"] = source
    table.attrs["audit_ids"] = {
        c: sorted(map(str, set(v))) for c, v in window.groupby("clause")["audit_id"]
    }
    return table
