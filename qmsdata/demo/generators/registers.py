"""The QMS registers: management review actions, risks and opportunities, context issues."""

from __future__ import annotations

import pandas as pd

from qmsdata.demo.company import CONTEXT, N_MONTHS, REVIEW_ACTIONS, RISKS, Calendar


def make_review_actions(cal: Calendar) -> pd.DataFrame:
    """Six reviews, six actions each; status fixed by rule so the register tells one story."""
    rows = []
    review_months = [
        N_MONTHS - 33,
        N_MONTHS - 27,
        N_MONTHS - 21,
        N_MONTHS - 15,
        N_MONTHS - 9,
        N_MONTHS - 3,
    ]  # E-32, E-26, E-20, E-14, E-8, E-2
    owners = [
        "Richard Calder",
        "Eva Horáková",
        "Helen Marsh",
        "Gareth Holt",
        "Martin Král",
        "Sophie Grant",
    ]
    n = 0
    for r, mi in enumerate(review_months):
        review = cal.months[mi].start_time.normalize() + pd.Timedelta(days=13)
        for a in range(6):
            n += 1
            output_type, text = REVIEW_ACTIONS[(r * 6 + a) % len(REVIEW_ACTIONS)]
            days = (60, 90, 120, 180, 90, 120)[a] if r < 5 else (90, 120, 150, 180, 120, 150)[a]
            due = review + pd.Timedelta(days=days)
            # open and overdue: one from E-20, one from E-14, two from E-8; all of E-2 open
            still_open = (r == 2 and a == 3) or (r == 3 and a == 1) or (r == 4 and a in (0, 2, 4))
            still_open = still_open or r == 5
            closed = pd.NaT if still_open else review + pd.Timedelta(days=int(days * 0.8))
            if not still_open and closed > cal.as_of:
                closed = cal.as_of
            rows.append(
                {
                    "action_id": f"MR-{n:03d}",
                    "review_date": review,
                    "output_type": output_type,
                    "description": text,
                    "owner": owners[(r + a) % len(owners)],
                    "due_date": due,
                    "status": "open" if still_open else "closed",
                    "closed_date": closed,
                }
            )
    return pd.DataFrame(rows)


def make_risks(cal: Calendar) -> pd.DataFrame:
    rows = []
    for i, (kind, proc, text, lik, imp, action, due_m, status, eff) in enumerate(RISKS, 1):
        due = (cal.end + due_m).start_time.normalize() + pd.Timedelta(days=27)
        identified = (cal.end + min(due_m, 0) - 6 - (i % 5)).start_time.normalize()
        rows.append(
            {
                "risk_id": f"R-{i:03d}",
                "kind": kind,
                "process": proc,
                "description": text,
                "likelihood": lik,
                "impact": imp,
                "action": action,
                "action_due": due,
                "action_status": status,
                "effective": eff,
                "date_identified": identified,
            }
        )
    return pd.DataFrame(rows)


def make_context_issues(cal: Calendar) -> pd.DataFrame:
    rows = []
    for i, (ago, kind, text, impact, status) in enumerate(CONTEXT, 1):
        rows.append(
            {
                "issue_id": f"CI-{i:02d}",
                "date_noted": (cal.end - ago).start_time.normalize() + pd.Timedelta(days=9),
                "kind": kind,
                "description": text,
                "impact": impact,
                "status": status,
            }
        )
    return pd.DataFrame(rows)
