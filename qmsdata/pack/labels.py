"""Table headings for people and the kind of number each column holds: the one place for both.

A pack table keeps canonical snake_case names in its extract (``data/*.csv``) and shows
headings for people: :func:`label` reads, in order, the record spec's ``Column.label``,
:data:`LABELS` (the analytics' columns), else makes one from the name (``received_date`` ->
"Received date", ``capa_id`` -> "CAPA ID"). :func:`kind` says how a column's numbers read
(percent, ppm, currency, count, date; None: plain number), from :data:`KINDS`, the spec's kind,
or the column's dtype; :func:`display_frame` applies both to a table about to be shown with
the formatting of :mod:`qmsdata.pack.formatting`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: analytics columns -> heading (record columns read their spec first)
LABELS: dict[str, str] = {
    "previous_period": "Previous period",
    "previous": "Previous value",
    "change_previous": "Change vs previous period",
    "last_year_period": "Same period last year",
    "last_year": "Last year",
    "change_last_year": "Change vs last year",
    "p_meet_target": "Probability of meeting target",
    "forecast_low": "Forecast, low",
    "forecast_high": "Forecast, high",
    "ytd": "Year to date",
    "ytd_met": "Met year to date",
    "n_points": "Months of data",
    "plan_complete": "Plan complete",
    "missing_plan_fields": "Plan fields missing",
    "valid_to": "Valid to",
    "met": "Met",
    "share": "Share",
    "cum_share": "Cumulative share",
    "cumulative_share": "Cumulative share",
    "rejected": "Rejected",
    "accepted": "Accepted",
    "rows": "Rows",
    "since": "Since",
    "rule": "Rule",
    "ucl": "Upper limit",
    "lcl": "Lower limit",
    "cl": "Centre line",
    "centre": "Centre line",
    "n": "Count",
    "copq": "Cost of poor quality",
    "days_open": "Days open",
    "age_days": "Age (days)",
    "overdue_days": "Days overdue",
    "ppm": "Rejected ppm",
}

#: columns whose numbers are proportions (percent) or parts per million, money or counts
KINDS: dict[str, str] = {
    "change_previous": "percent",
    "change_last_year": "percent",
    "p_meet_target": "percent",
    "plan_complete": "percent",
    "share": "percent",
    "cum_share": "percent",
    "cumulative_share": "percent",
    "first_pass_yield": "percent",
    "fpy": "percent",
    "on_time_rate": "percent",
    "effectiveness_rate": "percent",
    "share_change": "percent",
    "rate": "percent",  # the funnel plot's rejected share
    "copq": "currency",
    "cost": "currency",
    "n_points": "count",
    "rows": "count",
    "accepted": "count",
    "rejected": "count",
}
_ACRONYMS = {
    "id": "ID",
    "capa": "CAPA",
    "nc": "NC",
    "ncr": "NCR",
    "kpi": "KPI",
    "ppm": "ppm",
    "ytd": "YTD",
    "copq": "COPQ",
    "iso": "ISO",
    "qms": "QMS",
    "fpy": "FPY",
    "ofi": "OFI",
    "ofis": "OFIs",
}
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z][a-z0-9]*$")


@cache
def _spec_columns() -> dict[str, Any]:
    """Return canonical column name -> spec Column (the first record type that has it)."""
    from qmsdata.records import RECORD_TYPES

    out: dict[str, Any] = {}
    for spec in RECORD_TYPES.values():
        for col in spec.columns:
            out.setdefault(col.name, col)
    return out


def label(name: Any) -> str:
    """Return the heading for people of column ``name`` (see the module doc)."""
    text = str(name)
    col = _spec_columns().get(text)
    if col is not None and col.label:
        return str(col.label)
    if text in LABELS:
        return LABELS[text]
    if not _SNAKE.match(text):  # already written for people ("last 12 months")
        return text[:1].upper() + text[1:] if text[:1].islower() else text
    words = [_ACRONYMS.get(w, w) for w in text.split("_")]
    first = words[0] if words[0] in _ACRONYMS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def kind(name: Any, values: Any = None) -> str | None:
    """Return how the numbers of column ``name`` read: percent, ppm, currency, count, date."""
    import pandas as pd

    text = str(name)
    if text in KINDS:
        return KINDS[text]
    if text.endswith(("_share", "_rate_pct")):
        return "percent"
    if text.endswith("_ppm"):
        return None  # already in ppm: a plain number with separators
    if text.endswith(("_cost", "_value")) and "cost" in text:
        return "currency"
    col = _spec_columns().get(text)
    if col is not None and col.kind in ("date", "count"):
        return str(col.kind)
    if values is not None:
        if pd.api.types.is_datetime64_any_dtype(values):
            return "date"
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            return None
        if pd.api.types.is_integer_dtype(values):
            return "count"
        present = pd.Series(values).dropna()
        if len(present) and bool((present == present.round()).all()) and present.abs().max() < 1e15:
            return "count"  # counts are float64 in the records (whole numbers)
    return None


def display_frame(frame: Any, *, currency_symbol: str | None = None) -> Any:
    """Return ``frame`` to show: numbers formatted by kind, headings for people.

    Only the copy shown changes; extracts are written from the frame itself (canonical names,
    full precision). Columns of no known kind keep their dtype (the table's float format).
    """
    import pandas as pd

    from qmsdata.pack import formatting as F

    out = frame.copy()
    for name in out.columns:
        col = out[name]
        how = kind(name, col)
        if how is None or not (
            pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col)
        ):
            continue
        if pd.api.types.is_bool_dtype(col.dtype):
            continue
        present = pd.to_numeric(col, errors="coerce").dropna() if how == "percent" else None
        close = present is not None and len(present) > 1 and present.max() - present.min() < 0.1
        fn: Any = {
            # values close together (yields of 97.1% and 97.3%) get a decimal to tell apart
            "percent": (lambda v: F.percent(v, 1)) if close else F.percent,
            "ppm": F.ppm,
            "count": F.count,
            "date": F.date,
            "currency": lambda v: F.currency(v, currency_symbol),
        }[how]
        shown = ["" if F.is_missing(v) else fn(v) for v in col]
        out[name] = pd.Series(shown, index=out.index, dtype=object)
    out.columns = [label(c) for c in out.columns]
    if out.index.name is not None:
        out.index.name = label(out.index.name)
    return out
