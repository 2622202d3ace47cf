"""Corrective actions raised from complaints, NCs and findings (planted capa_overdue_cluster)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.demo.company import COMPLAINT_CATEGORIES, N_MONTHS, OWNERS, ROOT_CAUSES, Calendar


def make_corrective_actions(
    rng: np.random.Generator,
    cal: Calendar,
    complaints: pd.DataFrame,
    ncs: pd.DataFrame,
    findings: pd.DataFrame,
) -> pd.DataFrame:
    """Raise CAPAs from complaints, NCs and audit findings; link them back (capa_id)."""
    sources: list[dict[str, Any]] = []

    def owner(proc: str, site: str) -> str:
        return OWNERS[proc][0 if site == "Leeds" else 1]

    # every critical complaint and 30 % of major ones
    pick = (complaints["severity"] == "critical") | (
        (complaints["severity"] == "major") & (rng.random(len(complaints)) < 0.3)
    )
    for i in np.flatnonzero(pick.to_numpy()):
        r = complaints.iloc[i]
        proc = COMPLAINT_CATEGORIES[r["category"]][1]
        sources.append(
            dict(
                table="complaints",
                row=i,
                source_type="complaint",
                source_id=r["complaint_id"],
                opened=r["received_date"] + pd.Timedelta(days=int(rng.integers(0, 4))),
                process=proc,
                owner=owner(proc, r["site"]),
                text=f"Correct {r['category'].lower()} reported by {r['customer']}",
            )
        )
    # every major and minor audit nonconformity
    for i in np.flatnonzero(findings["finding_type"].isin(["major_nc", "minor_nc"]).to_numpy()):
        r = findings.iloc[i]
        sources.append(
            dict(
                table="findings",
                row=i,
                source_type="audit",
                source_id=r["finding_id"],
                opened=r["audit_date"] + pd.Timedelta(days=3),
                process=r["process"],
                owner=owner(r["process"], r["site"]),
                text=f"Address audit finding on clause {r['clause']}",
            )
        )
    # about three NCs a month, plus the planted cluster
    month = cal.month_index(ncs["detected_date"])
    cluster_months = {N_MONTHS - 6: 4, N_MONTHS - 5: 4, N_MONTHS - 4: 3}  # E-5, E-4, E-3
    wave_brno = (ncs["process"] == "Wave soldering").to_numpy() & (ncs["site"] == "Brno").to_numpy()
    cluster_rows: set[int] = set()
    for mi, k in cluster_months.items():
        cand = np.flatnonzero(wave_brno & (month == mi))
        # take NCs from the first half of the month so the action is opened in the same month
        cand = cand[ncs["detected_date"].iloc[cand].dt.day.to_numpy() <= 14]
        cluster_rows.update(int(x) for x in rng.choice(cand, size=k, replace=False))
    for mi in range(N_MONTHS):
        cand = np.flatnonzero((month == mi) & (ncs["quantity"].to_numpy() >= 3))
        for i in rng.choice(cand, size=3, replace=False):
            if int(i) not in cluster_rows:
                r = ncs.iloc[int(i)]
                sources.append(
                    dict(
                        table="ncs",
                        row=int(i),
                        source_type="nonconformity",
                        source_id=r["nc_id"],
                        opened=r["detected_date"] + pd.Timedelta(days=int(rng.integers(1, 8))),
                        process=r["process"],
                        owner=owner(r["process"], r["site"]),
                        text=f"Stop recurrence of {r['defect_code'].lower()} on {r['product']}",
                    )
                )
    for row in sorted(cluster_rows):
        r = ncs.iloc[row]
        sources.append(
            dict(
                table="ncs",
                row=row,
                source_type="nonconformity",
                source_id=r["nc_id"],
                opened=r["detected_date"] + pd.Timedelta(days=2),
                process="Wave soldering",
                owner="Tomáš Dvořák",
                cluster=True,
                text=f"Wave solder pot: {r['defect_code'].lower()} on {r['product']}",
            )
        )

    rows = []
    for s in sources:
        opened: pd.Timestamp = s["opened"]
        if opened > cal.as_of:
            continue
        if s.get("cluster"):
            due = opened + pd.Timedelta(days=int(rng.choice([30, 45])))
            status, closed, root = "open", pd.NaT, "Machine"
        else:
            duration = int(rng.choice([30, 45, 60, 90]))
            due = opened + pd.Timedelta(days=duration)
            root = ROOT_CAUSES[rng.integers(len(ROOT_CAUSES))]
            u = rng.random()
            if u < 0.02:
                closed = opened + pd.Timedelta(days=int(rng.integers(5, 21)))
                status = "cancelled"
            elif u < 0.87:
                closed = opened + pd.Timedelta(days=int(duration * rng.uniform(0.3, 1.0)))
                status = "closed"
            else:
                closed = due + pd.Timedelta(days=int(rng.lognormal(np.log(25), 0.6)))
                status = "closed"
            if closed > cal.as_of:
                status, closed = "open", pd.NaT
        if status == "cancelled":
            eff_due, effective = pd.NaT, None
        else:
            eff_due = (due if pd.isna(closed) else closed) + pd.Timedelta(days=90)
            if status == "open" or eff_due > cal.as_of:
                effective = "pending"
            else:
                effective = "yes" if rng.random() < 0.85 else "no"
        rows.append(
            {
                "opened_date": opened,
                "source_type": s["source_type"],
                "source_id": s["source_id"],
                "process": s["process"],
                "owner": s["owner"],
                "root_cause_category": root,
                "due_date": due,
                "closed_date": closed,
                "status": status,
                "effectiveness_due": eff_due,
                "effective": effective,
                "description": s["text"],
                "_table": s["table"],
                "_row": s["row"],
            }
        )
    df = pd.DataFrame(rows).sort_values(["opened_date", "source_id"], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "capa_id", [f"CAPA-{i:05d}" for i in range(1, len(df) + 1)])
    for table, frame in (("complaints", complaints), ("ncs", ncs), ("findings", findings)):
        sel = df["_table"] == table
        frame.loc[df.loc[sel, "_row"].to_numpy(), "capa_id"] = df.loc[sel, "capa_id"].to_numpy()
    df["note"] = df["source_type"].map({"nonconformity": "8D požadováno"})
    return df.drop(columns=["_table", "_row"])
