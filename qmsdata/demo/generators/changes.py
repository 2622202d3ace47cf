"""The change register: the planted changes and corrective actions put in place (issue 11)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.demo.company import CHANGE_PLAN, MOVED_SERIES, Calendar, change_date


def capa_changes(cal: Calendar, capas: pd.DataFrame, ncs: pd.DataFrame) -> list[dict[str, Any]]:
    """Return three corrective actions put in place, as changes (kind corrective_action).

    The first closed CAPA judged effective in each of the windows E-26..E-22, E-21..E-17 and
    E-16..E-12 that was raised from a nonconformity on a series no planted change or signal
    moves: the records call them effective, the defect rate shows no change.
    """
    site_of = ncs.set_index("nc_id")["site"]
    ok = (
        (capas["status"] == "closed")
        & (capas["effective"] == "yes")
        & (capas["source_type"] == "nonconformity")
    )
    cand = capas[ok].copy()
    cand["site"] = site_of.reindex(cand["source_id"]).to_numpy()
    cand = cand[
        [(s, p) not in MOVED_SERIES for s, p in zip(cand["site"], cand["process"], strict=True)]
    ]
    month = cand["closed_date"].dt.to_period("M")
    out = []
    for first, last in ((26, 22), (21, 17), (16, 12)):
        pick = cand[(month >= cal.end - first) & (month <= cal.end - last)]
        if not len(pick):
            continue
        r = pick.sort_values(["closed_date", "capa_id"]).iloc[0]
        out.append(
            {
                "implemented_date": r["closed_date"],
                "site": r["site"],
                "process": r["process"],
                "product": None,
                "kind": "corrective_action",
                "description": f"{r['description']} ({r['capa_id']} put in place)",
                "capa_id": r["capa_id"],
                "action_id": None,
                "objective_id": None,
                "metric": "defect_rate",
                "expected_direction": "decrease",
                "evaluation_months": 3,
                "status": "implemented",
                "owner": r["owner"],
            }
        )
    return out


def make_changes(cal: Calendar, capas: pd.DataFrame, ncs: pd.DataFrame) -> pd.DataFrame:
    """Return the change register: the planted changes CHG-001..005, then CAPA changes CHG-1xx."""
    rows = []
    for plan in CHANGE_PLAN:
        (_key, change_id, months_before, day, site, process, kind, metric, direction, status) = (
            plan[:10]
        )
        owner, action_id, objective_id, _verdict, text = plan[10:]
        rows.append(
            {
                "change_id": change_id,
                "implemented_date": change_date(cal.end, months_before, day),
                "site": site,
                "process": process,
                "product": None,
                "kind": kind,
                "description": text,
                "capa_id": None,
                "action_id": action_id,
                "objective_id": objective_id,
                "metric": metric,
                "expected_direction": direction,
                "evaluation_months": 3 if status == "implemented" else None,
                "status": status,
                "owner": owner,
            }
        )
    for n, row in enumerate(capa_changes(cal, capas, ncs), 101):
        rows.append({"change_id": f"CHG-{n:03d}", **row})
    df = pd.DataFrame(rows)
    df["evaluation_months"] = df["evaluation_months"].astype(float)
    return df.sort_values(["implemented_date", "change_id"], kind="stable", ignore_index=True)
