"""Training records and the document register (issue 12): plain rules, the same for every seed."""

from __future__ import annotations

import pandas as pd

from qmsdata.demo.company import DOCUMENTS, OWNERS, Calendar, training_plan


def make_training_records(cal: Calendar) -> pd.DataFrame:
    """Return the training records (gaps tagged in :func:`~qmsdata.demo.company.training_plan`)."""
    df = pd.DataFrame(training_plan(cal.end)).drop(columns="gap")
    cols = ["record_id", "person", "role", "process", "site", "course", "required"]
    cols += ["due_date", "completed_date", "effectiveness"]
    return df[cols]


def make_documents(cal: Calendar) -> pd.DataFrame:
    """Return the document register (:data:`~qmsdata.demo.company.DOCUMENTS`)."""
    rows = []
    for doc_id, title, process, clause, site, ago, interval, version, status, _gap in DOCUMENTS:
        if ago is None:
            approved = review = pd.NaT
            approver = None
        else:
            approved = (cal.end - ago).start_time.normalize() + pd.Timedelta(days=9)
            review = approved + pd.DateOffset(months=interval)
            owners = OWNERS.get(process, OWNERS["Management"])
            approver = (
                "Richard Calder"
                if not doc_id.startswith("WI")
                else (owners[0 if site != "Brno" else 1])
            )
        rows.append(
            {
                "doc_id": doc_id,
                "title": title,
                "process": process,
                "clause": clause,
                "version": version,
                "approved_by": approver,
                "approved_date": approved,
                "review_due": review,
                "status": status,
                "site": site,
            }
        )
    df = pd.DataFrame(rows)
    for col in ("approved_date", "review_due"):
        df[col] = pd.to_datetime(df[col])
    return df
