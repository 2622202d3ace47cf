"""The records as they stood at an earlier reporting date (:meth:`Workbook.as_at`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qmsdata.errors import DataError
from qmsdata.records import RECORD_TYPES, RecordSpec

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frames_as_at", "reporting_date"]


def reporting_date(date: Any, *, data_date: pd.Timestamp, file: Any = None) -> pd.Timestamp:
    """Return ``date`` (``YYYY-MM-DD``, date or Timestamp) as a normalised Timestamp.

    Raises
    ------
    DataError
        ``date`` is not a date, or is after ``data_date`` (the data cannot tell what happened
        after they were extracted).
    """
    import pandas as pd

    bad = DataError(f"reporting date {date!r} is not a date", hint="Give it as YYYY-MM-DD.")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise bad from None
    if not isinstance(date, dt.date) or pd.isna(date):  # Timestamp and datetime are dates
        raise bad
    when = pd.Timestamp(date).normalize()
    if when > data_date:
        raise DataError(
            f"reporting date {when.date()} is after the data date {data_date.date()}",
            file=file,
            hint="The data cannot show what happened after they were extracted: report at "
            "or before the data date, or load data extracted later (set `[workbook] as_of` "
            "in qms.toml, or pass a later as_of to load).",
        )
    return when


def frames_as_at(
    frames: Mapping[str, pd.DataFrame], when: pd.Timestamp, *, data_date: pd.Timestamp | None = None
) -> dict[str, pd.DataFrame]:
    """Return every record frame as at ``when`` (frames of unknown record types unchanged)."""
    return {
        name: frame_as_at(frame, RECORD_TYPES[name], when, data_date=data_date)
        if name in RECORD_TYPES
        else frame
        for name, frame in frames.items()
    }


def frame_as_at(
    frame: pd.DataFrame,
    spec: RecordSpec,
    when: pd.Timestamp,
    *,
    data_date: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Return ``frame`` as at ``when``: later events left out, later facts hidden.

    A planned event (an event date the spec allows in the future: a planned change, an audit in
    the programme) dated after ``when`` is kept when ``when`` is the data date: the extract
    holds it as a plan. For an earlier reporting date it is left out, since the data cannot say
    whether it had been planned by then.
    """
    import numpy as np
    import pandas as pd

    out = frame
    plans_known = data_date is not None and when >= pd.Timestamp(data_date).normalize()
    future_ok = spec.event_date is not None and spec.column(spec.event_date).future_ok
    if spec.event_date and spec.event_date in frame.columns and not (plans_known and future_ok):
        event = frame[spec.event_date]
        if isinstance(event.dtype, pd.PeriodDtype):
            late = event.notna() & (event > when.to_period(event.dtype.freq))
        else:
            late = event.notna() & (pd.to_datetime(event) > when)
        out = frame.loc[~late.to_numpy()]
    out = out.copy()
    for fact in spec.later_facts:
        if fact.date not in out.columns:
            continue
        later = (out[fact.date].notna() & (out[fact.date] > when)).to_numpy()
        if not later.any():
            continue
        out.loc[later, fact.date] = pd.NaT
        if fact.status in out.columns:
            done = later & out[fact.status].isin(fact.values).to_numpy()
            out.loc[done, fact.status] = fact.reset_to
        for col in fact.clear:
            if col in out.columns:
                out.loc[later, col] = np.nan
    return out.reset_index(drop=True)
