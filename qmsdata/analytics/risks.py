"""Risks and opportunities (ISO 9001 6.1, 9.3.2 e) and context issues (4.1, 9.3.2 b).

The risks register carries one action per row (``action``, ``action_due``, ``action_status``,
``effective``). An action is *overdue* at ``as_of`` when it is open and its due date has passed;
*due* in the period when its due date falls in the period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

RISK_COLUMNS = [
    "kind",
    "items",
    "with_action",
    "open_actions",
    "due_in_period",
    "overdue",
    "closed_actions",
    "judged_effective",
    "judged_not_effective",
    "effectiveness_rate",
]


def risk_status(
    workbook: Workbook, period: Any, *, as_of: Any = None, by: str = "kind"
) -> pd.DataFrame:
    """Return the risks and opportunities register in numbers (ISO 9001 6.1.2, 9.3.2 e).

    One row per ``kind`` (risk, opportunity) plus "all": ``items``, ``with_action``,
    ``open_actions``, ``due_in_period``, ``overdue`` (open, due before ``as_of``),
    ``closed_actions``, ``judged_effective``, ``judged_not_effective`` and
    ``effectiveness_rate`` (yes among closed actions judged yes/no).
    """
    at = P.resolve_as_of(period, as_of)
    rows = P.records(workbook, "risks")
    if not P.has_columns(rows, "risk_id"):
        return P.empty(RISK_COLUMNS, "no risks or opportunities recorded")
    status = rows.get("action_status", pd.Series(index=rows.index)).astype(object)
    eff = rows.get("effective", pd.Series(index=rows.index)).astype(object)
    due = P.dates(rows, "action_due")
    action = rows.get("action", pd.Series(index=rows.index))
    has_action = action.notna() & (action.astype(str).str.strip() != "") | status.notna()
    is_open = has_action & (status == "open")
    closed = status == "closed"
    frame = pd.DataFrame(
        {
            "kind": rows.get(by, pd.Series("(blank)", index=rows.index))
            .astype(object)
            .fillna("(blank)"),
            "with_action": has_action,
            "open_actions": is_open,
            "due_in_period": has_action
            & P.in_window(due, P.period_start(period), P.period_end(period)),
            "overdue": is_open & due.notna() & (due < at),
            "closed_actions": closed,
            "judged_effective": closed & (eff == "yes"),
            "judged_not_effective": closed & (eff == "no"),
        }
    )
    out = []
    for name, g in [("all", frame), *frame.groupby("kind")]:
        sums = g.drop(columns="kind").sum().astype(int).to_dict()
        judged = sums["judged_effective"] + sums["judged_not_effective"]
        out.append(
            {
                "kind": name,
                "items": len(g),
                **sums,
                "effectiveness_rate": sums["judged_effective"] / judged if judged else np.nan,
            }
        )
    return pd.DataFrame(out, columns=RISK_COLUMNS)


def risk_matrix(workbook: Workbook) -> pd.DataFrame:
    """Return counts of risks by likelihood x impact (ISO 9001 6.1.2 a).

    Columns ``likelihood, impact, kind, items``.
    """
    rows = P.records(workbook, "risks")
    cols = ["likelihood", "impact", "kind", "items"]
    if not P.has_columns(rows, "likelihood", "impact"):
        return P.empty(cols, "no risks recorded")
    kind = rows.get("kind", pd.Series("(blank)", index=rows.index)).astype(object)
    return (
        rows.assign(kind=kind)
        .groupby(["likelihood", "impact", "kind"])
        .size()
        .rename("items")
        .reset_index()[cols]
    )


def context_changes(workbook: Workbook, period: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Return the context issues register with what changed (ISO 9001 4.1, 9.3.2 b).

    Every issue noted by ``as_of``: ``issue_id, kind, description, impact, status,
    date_noted, change`` ("new" when noted in the period, "open" or "closed" otherwise).
    New issues come first, then open high-impact ones. ``attrs['counts']`` holds the counts by
    change x kind.
    """
    at = P.resolve_as_of(period, as_of)
    cols = ["issue_id", "kind", "description", "impact", "status", "date_noted", "change"]
    rows = P.records(workbook, "context_issues")
    if not P.has_columns(rows, "issue_id"):
        return P.empty(cols, "no context issues recorded")
    noted = P.dates(rows, "date_noted")
    rows = rows[noted.isna() | (noted <= at)].copy()
    rows["change"] = np.where(
        P.in_window(P.dates(rows, "date_noted"), P.period_start(period), P.period_end(period)),
        "new",
        rows.get("status", pd.Series("open", index=rows.index)).astype(object).fillna("open"),
    )
    for c in cols:
        if c not in rows.columns:
            rows[c] = None
    rank = rows["change"].map({"new": 0, "open": 1}).fillna(2)
    impact = rows["impact"].map({"high": 0, "medium": 1, "low": 2}).fillna(3)
    out = rows.assign(_r=rank, _i=impact).sort_values(["_r", "_i", "issue_id"])[cols]
    out = out.reset_index(drop=True)
    out.attrs["counts"] = out.groupby(["change", "kind"]).size().rename("issues").reset_index()
    return out
