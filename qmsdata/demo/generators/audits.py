"""Audit findings: internal audits walking through each process's scope, external audits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import (
    AUDIT_SCOPE,
    AUDITORS_INTERNAL,
    EXTRA_AUDITS,
    N_MONTHS,
    SITES,
    Calendar,
    extra_audit_id,
)


def make_audit_findings(rng: np.random.Generator, cal: Calendar) -> pd.DataFrame:
    procs = list(AUDIT_SCOPE)
    rows = []

    def add(audit_id, date, audit_type, auditor, site, proc, n, types, p, offset=None):
        scope = AUDIT_SCOPE[proc]
        for k in range(n):
            ftype = types[rng.choice(len(types), p=p)]
            if offset is None:
                clause = scope[rng.integers(len(scope))]
            else:  # internal audits walk through the scope: every clause covered each year
                clause = scope[(offset + k) % len(scope)]
            due_days = {"major_nc": 30, "minor_nc": 60, "observation": 90, "ofi": 90}[ftype]
            due = date + pd.Timedelta(days=due_days)
            if rng.random() < 0.85:
                closed = date + pd.Timedelta(days=int(due_days * rng.uniform(0.4, 1.0)))
            else:
                closed = due + pd.Timedelta(days=int(rng.lognormal(np.log(20), 0.6)))
            done = closed <= cal.as_of
            rows.append(
                {
                    "audit_id": audit_id,
                    "audit_date": date,
                    "audit_type": audit_type,
                    "auditor": auditor,
                    "process": proc,
                    "clause": clause,
                    "finding_type": ftype,
                    "description": _finding_text(ftype, proc, clause),
                    "status": "closed" if done else "open",
                    "due_date": due,
                    "closed_date": closed if done else pd.NaT,
                    "capa_id": None,
                    "site": site,
                }
            )

    internal_types = ["major_nc", "minor_nc", "observation", "ofi"]
    for mi, month in enumerate(cal.months):
        start = month.start_time.normalize()
        for s, site in enumerate(SITES):
            proc = procs[(mi + 6 * s) % len(procs)]
            date = start + pd.Timedelta(days=int(rng.integers(7, 20)))
            code = "LDS" if site == "Leeds" else "BRQ"
            # each process is audited once a year per site (Leeds and Brno six months apart);
            # between them the two audits raise findings against every clause in its scope
            half = len(AUDIT_SCOPE[proc]) // 2
            add(
                f"IA-{code}-{month.strftime('%Y-%m')}",
                date,
                "internal",
                AUDITORS_INTERNAL[site][mi % 2],
                site,
                proc,
                max(1 + int(rng.poisson(2.5)), len(AUDIT_SCOPE[proc]) - half),
                internal_types,
                [0.04, 0.28, 0.38, 0.30],
                offset=half * s,
            )
        # external: certification surveillance every March, supplier and customer audits
        if month.month == 3:
            for site in SITES:
                for proc in rng.choice(procs, size=2, replace=False):
                    add(
                        f"CERT-{month.year}-{site[:3].upper()}",
                        start + pd.Timedelta(days=14),
                        "certification",
                        "Certa Assurance (D. Lowe)",
                        site,
                        str(proc),
                        1 + int(rng.poisson(1.5)),
                        internal_types,
                        [0.05, 0.45, 0.30, 0.20],
                    )
        if month.month in (2, 5, 8, 11):
            add(
                f"SA-{month.strftime('%Y-%m')}",
                start + pd.Timedelta(days=21),
                "supplier",
                AUDITORS_INTERNAL["Leeds"][0],
                "Leeds",
                "Purchasing",
                1 + int(rng.poisson(1.0)),
                internal_types,
                [0.0, 0.4, 0.4, 0.2],
            )
        if month.month in (6, 10):
            add(
                f"CA-{month.strftime('%Y-%m')}",
                start + pd.Timedelta(days=3),
                "customer",
                "Aurora Medical Devices (supplier quality)",
                "Leeds" if month.month == 6 else "Brno",
                "Test & inspection" if month.month == 6 else "SMT production",
                1 + int(rng.poisson(2.0)),
                internal_types,
                [0.05, 0.35, 0.35, 0.25],
            )
    df = pd.DataFrame(rows).sort_values(["audit_date", "audit_id"], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "finding_id", [f"AF-{i:04d}" for i in range(1, len(df) + 1)])
    return df


def _finding_text(ftype: str, proc: str, clause: str) -> str:
    lead = {
        "major_nc": "Requirement not met, systemic",
        "minor_nc": "Requirement not fully met",
        "observation": "Potential weakness noted",
        "ofi": "Opportunity for improvement",
    }[ftype]
    return f"{lead}: {proc} against clause {clause}"


def make_audit_programme(cal: Calendar, findings: pd.DataFrame) -> pd.DataFrame:
    """Return the audit programme: every audit of the findings, done, plus the audits they miss.

    Each audit of the findings covers the whole scope of the processes it audited
    (:data:`~qmsdata.demo.company.AUDIT_SCOPE`), so clauses audited without a finding (5.1 at
    Brno) are in the programme too. Internal audits were planned for the 8th of their month.
    Then :data:`~qmsdata.demo.company.EXTRA_AUDITS`: leadership audits with no findings, an
    overdue planned audit (7.4), a postponed supplier audit and the next cycle's audits,
    among them the first of clause 6.3; the internal rotation continues for E+1 and E+2.
    """
    rows = []
    for audit_id, group in findings.groupby("audit_id", sort=False):
        first = group.iloc[0]
        processes = list(dict.fromkeys(group["process"]))
        clauses = list(dict.fromkeys(c for p in processes for c in AUDIT_SCOPE[p]))
        date = first["audit_date"]
        planned = date.replace(day=8) if first["audit_type"] == "internal" else date
        rows.append(
            {
                "audit_id": audit_id,
                "audit_type": first["audit_type"],
                "planned_date": planned,
                "conducted_date": date,
                "site": first["site"],
                "processes": "; ".join(processes),
                "clauses": "; ".join(clauses),
                "lead_auditor": first["auditor"],
                "status": "done",
            }
        )
    procs = list(AUDIT_SCOPE)
    for ahead in (1, 2):  # the internal rotation goes on (same rule as the findings)
        month = cal.end + ahead
        mi = N_MONTHS - 1 + ahead
        for s, site in enumerate(SITES):
            proc = procs[(mi + 6 * s) % len(procs)]
            code = "LDS" if site == "Leeds" else "BRQ"
            rows.append(
                {
                    "audit_id": f"IA-{code}-{month.strftime('%Y-%m')}",
                    "audit_type": "internal",
                    "planned_date": month.start_time.normalize() + pd.Timedelta(days=7),
                    "conducted_date": pd.NaT,
                    "site": site,
                    "processes": proc,
                    "clauses": "; ".join(AUDIT_SCOPE[proc]),
                    "lead_auditor": AUDITORS_INTERNAL[site][mi % 2],
                    "status": "planned",
                }
            )
    for pattern, ago, day, atype, site, covered, clause_list, auditor, status, _ in EXTRA_AUDITS:
        date = (cal.end - ago).start_time.normalize() + pd.Timedelta(days=day - 1)
        rows.append(
            {
                "audit_id": extra_audit_id(pattern, cal.end, ago),
                "audit_type": atype,
                "planned_date": date,
                "conducted_date": date if status == "done" else pd.NaT,
                "site": site,
                "processes": covered,
                "clauses": clause_list,
                "lead_auditor": auditor,
                "status": status,
            }
        )
    df = pd.DataFrame(rows)
    df["conducted_date"] = pd.to_datetime(df["conducted_date"])
    return df.sort_values(["planned_date", "audit_id"], kind="stable", ignore_index=True)
