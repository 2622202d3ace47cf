"""Typing: every canonical column read by its kind from the record spec.

Text is trimmed, codes normalised, numbers and dates parsed; a value that cannot be read fails
check ``type``. This step is plain pandas: a great-expectations expectation cannot report a
value that was lost in conversion.

Dates are read at microsecond resolution (``datetime64[us]``, pandas 3's own default), which
holds every calendar date a source can write, so a far-future "no date" placeholder such as
``9999-12-31`` is read as the date it is, not lost as unreadable. Dates listed in a source's
``missing_dates`` are read as missing; dates outside the plausible window (``earliest_date`` ..
``latest_date``, by default 1950-01-01 .. 2199-12-31) fail check ``plausible_date`` and are
emptied, so accepted dates always lie within the window (inside the nanosecond range the
analytics compute in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qmsdata.config import EARLIEST_DATE, LATEST_DATE
from qmsdata.errors import QmsError
from qmsdata.records import DTYPES, Column, RecordSpec
from qmsdata.validation.failures import Failures, cell_text, raw_text, type_hint

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DATE_UNIT", "DateRules", "as_timestamp", "type_columns", "type_frame"]

#: the record specs' dtype of typed dates, and its resolution (see the module notes).
_DATE_DTYPE = DTYPES["date"]
DATE_UNIT = _DATE_DTYPE.removeprefix("datetime64[").removesuffix("]")

_KIND_WORDS = {
    "number": "a number",
    "count": "a whole number",
    "date": "a date",
    "period": "a month",
}
_ENUM_SEP = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class DateRules:
    """How a source's dates are read: placeholders meaning "no date" and the plausible window.

    Attributes
    ----------
    missing
        Dates that mean "no date" in this source (``9999-12-31``, ``1900-01-01``): read as
        missing. Compared by calendar day, whatever the time of day.
    earliest, latest
        Inclusive window of plausible dates; a date (or month) outside it fails check
        ``plausible_date``.
    """

    missing: tuple[dt.date, ...] = ()
    earliest: dt.date = EARLIEST_DATE
    latest: dt.date = LATEST_DATE

    @classmethod
    def of(
        cls,
        missing: Iterable[dt.date | str] = (),
        earliest: dt.date | str | None = None,
        latest: dt.date | str | None = None,
    ) -> DateRules:
        """Return rules from dates or ``YYYY-MM-DD`` text (None: the default window)."""
        rules = cls(
            missing=tuple(_day(v, "missing_dates") for v in missing),
            earliest=EARLIEST_DATE if earliest is None else _day(earliest, "earliest_date"),
            latest=LATEST_DATE if latest is None else _day(latest, "latest_date"),
        )
        if rules.earliest > rules.latest:
            raise QmsError(
                f"earliest_date {rules.earliest} is after latest_date {rules.latest}",
                hint="Give a window of plausible dates with earliest_date <= latest_date.",
            )
        return rules


def _day(value: dt.date | str, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise QmsError(f"{what} {value!r} is not a date", hint="Write it as YYYY-MM-DD.") from None


def type_frame(
    raw: pd.DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    date_format: str | None = None,
    sites: Sequence[str] = (),
    dates: DateRules | None = None,
    failures: Failures | None = None,
) -> tuple[pd.DataFrame, Failures]:
    """Return the typed canonical frame (RangeIndex like ``raw``) and the typing failures.

    Columns the source lacks are all-missing columns of the spec's dtype. Extra source columns
    are appended unchanged after the canonical ones. See :func:`type_columns`.
    """
    import pandas as pd

    columns, failures = type_columns(
        raw, spec, mapping, date_format=date_format, sites=sites, dates=dates, failures=failures
    )
    # copy=False: the columns are new or (under copy-on-write) safely shared with ``raw``;
    # a copy would briefly hold every typed column twice
    return pd.DataFrame(columns, index=raw.index, copy=False), failures


def type_columns(
    raw: pd.DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    date_format: str | None = None,
    sites: Sequence[str] = (),
    dates: DateRules | None = None,
    failures: Failures | None = None,
    number_format: tuple[str, str | None] = (".", None),
) -> tuple[dict[str, pd.Series], Failures]:
    """Return ``{column: typed series}`` (canonical columns, then extras) and the failures.

    A dict, not a frame, so that later steps can take columns out one by one in constant time
    (removing a column from a wide DataFrame costs time in proportion to its width).
    Failures: ``type`` (a value that cannot be read) and ``plausible_date`` (a date outside the
    window of ``dates``); either leaves the typed cell missing. ``number_format`` is the source's
    (decimal, thousands) setting, named in ``type`` reasons (the reader applied it already).
    """
    import pandas as pd

    failures = failures if failures is not None else Failures.empty()
    rules = dates if dates is not None else DateRules()
    data: dict[str, pd.Series] = {}
    site_names = {s.strip().casefold(): s.strip() for s in sites}
    for col in spec.columns:
        if col.name not in mapping:
            data[col.name] = pd.Series(np.full(len(raw), np.nan), dtype=col.dtype, index=raw.index)
            continue
        source = raw[mapping[col.name]]
        typed, bad = _coerce(source, col, date_format, rules)
        if col.kind == "site" and site_names:
            typed = _per_unique(typed, lambda v: site_names.get(v.casefold(), v))
        if bad is not None and bad.any():
            pos = np.flatnonzero(bad.to_numpy())
            cases = raw_text(source.iloc[pos])
            what = _KIND_WORDS[col.kind]
            hint = type_hint(col.kind, date_format, *number_format)
            msgs = [f"{col.name}: cannot read {v!r} as {what}{hint}" for v in cases]
            failures.add(pos, col.name, "type", cases, msgs)
        if col.kind in ("date", "period"):
            typed = _plausible(typed, source, col, spec, rules, failures)
        data[col.name] = typed
    used = set(mapping.values())
    for name in raw.columns:
        if name in used:
            continue
        key = name if name not in data else f"{name} (unmapped)"
        data[key] = raw[name]
    return data, failures


def _plausible(
    typed: pd.Series,
    source: pd.Series,
    col: Column,
    spec: RecordSpec,
    rules: DateRules,
    failures: Failures,
) -> pd.Series:
    """Add ``plausible_date`` failures for values outside the window; return them emptied."""
    import pandas as pd

    if col.kind == "period":
        lo: Any = pd.Period(rules.earliest, "M")
        hi: Any = pd.Period(rules.latest, "M")
        first, last, unit = lo, hi, "month"
    else:
        lo = pd.Timestamp(rules.earliest)
        hi = pd.Timestamp(rules.latest) + pd.Timedelta(days=1)  # any time on the latest day
        first, last, unit = rules.earliest, rules.latest, "date"
    early = (typed < lo).to_numpy()
    late = (typed >= hi).to_numpy() if col.kind == "date" else (typed > hi).to_numpy()
    out = early | late
    if not out.any():
        return typed
    pos = np.flatnonzero(out)
    cases = raw_text(source.iloc[pos])
    where = f"[records.{spec.name}] of qms.toml"
    msgs = []
    for v, is_early in zip(cases, early[pos], strict=True):
        if is_early:
            side, bound, key = "before", first, "earliest_date"
        else:
            side, bound, key = "after", last, "latest_date"
        msgs.append(
            f"{col.name}: {v} is {side} {bound}, the {key.split('_')[0]} plausible {unit} (a "
            f"typo, or a placeholder for 'no date': list it in missing_dates under {where}; "
            f"to accept such dates set {key})"
        )
    failures.add(pos, col.name, "plausible_date", cases, msgs)
    return typed.mask(pd.Series(out, index=typed.index))


def _coerce(
    s: pd.Series, col: Column, date_format: str | None, rules: DateRules
) -> tuple[pd.Series, pd.Series | None]:
    """Return (typed series, boolean 'could not read' mask or None)."""
    import pandas as pd

    if col.kind in ("id", "text", "site"):
        return _text(s), None
    if col.kind == "enum":
        return _per_unique(_text(s), lambda v: _ENUM_SEP.sub("_", v.lower())), None
    if col.kind in ("number", "count"):
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            num = s.astype("float64")
            present = s.notna()
        else:
            t = _text(s)
            present = t.notna()
            try:  # fast path: every value is a plain number
                num = t.astype("float64")
            except (TypeError, ValueError):
                num = pd.to_numeric(t, errors="coerce").astype("float64")
        values = num.to_numpy()
        good = np.isfinite(values)
        if col.kind == "count":
            good &= np.mod(np.where(good, values, 0), 1) == 0
        num = num.where(good)
        return num, present & ~good
    if col.kind == "date":
        d, present = _dates(s, [date_format] if date_format else ["ISO8601"])
        unreadable = present & d.isna()
        if rules.missing:
            placeholder = d.dt.normalize().isin([pd.Timestamp(m) for m in rules.missing])
            d = d.mask(placeholder)
        return d, unreadable
    if col.kind == "period":
        if isinstance(s.dtype, pd.PeriodDtype):
            p = s.dt.asfreq("M")
            return p, pd.Series(False, index=s.index)
        d, present = _dates(s, ["ISO8601", "%b %Y", "%B %Y"])
        return d.dt.to_period("M"), present & d.isna()
    raise ValueError(f"unknown column kind {col.kind!r}")  # pragma: no cover - spec bug


def _text(s: pd.Series) -> pd.Series:
    """Return ``s`` as stripped ``str`` values, empty -> NaN; numbers keep no spurious ``.0``."""
    import pandas as pd

    if not pd.api.types.is_string_dtype(s) or s.dtype == object:
        if pd.api.types.is_float_dtype(s):
            v = s.dropna()
            if len(v) and bool((np.mod(v.to_numpy(), 1) == 0).all()):
                s = s.astype("Int64")
        out = pd.Series(np.nan, index=s.index, dtype="str")
        mask = s.notna()
        if mask.any():
            out[mask] = s[mask].map(cell_text).astype("str")
        s = out
    elif s.dtype != "str":
        s = s.astype("str")
    t = s.str.strip()
    if bool((t.str.len() == s.str.len()).all()):
        t = s  # nothing to trim: keep sharing the source's memory (Arrow buffers)
    empty = t == ""
    return t.mask(empty) if bool(empty.any()) else t


def _per_unique(s: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """Apply ``func`` to each distinct non-missing value of a ``str`` series (fast on codes)."""
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if not len(uniques):
        return s
    mapped = pd.array([func(v) for v in uniques], dtype="str")
    return pd.Series(mapped.take(codes, allow_fill=True), index=s.index)


def _dates(s: pd.Series, formats: list[str]) -> tuple[pd.Series, pd.Series]:
    """Parse dates; return (``datetime64[us]`` series, 'a value was present' mask)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        d = s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s
        return _at_unit(d), s.notna()
    result = pd.Series(pd.NaT, index=s.index, dtype=_DATE_DTYPE)
    present = pd.Series(False, index=s.index)
    rest = s
    if s.dtype == object:
        is_dt = s.map(lambda v: isinstance(v, dt.date | np.datetime64) and not pd.isna(v)).astype(
            bool
        )
        if is_dt.any():
            result[is_dt] = _at_unit(pd.to_datetime(s[is_dt], errors="coerce"))
            present[is_dt] = True
            rest = s[~is_dt]
    text = _text(rest)
    parsed = pd.Series(pd.NaT, index=text.index, dtype=_DATE_DTYPE)
    todo = text.notna()
    for fmt in formats:
        if not todo.any():
            break
        # Each distinct text is parsed once (records repeat their dates: the demo's 98,299
        # nonconformities have ~1,100), then spread by its codes: the same values (an explicit
        # format reads each text on its own) without the parser's per-row Python strings,
        # which held ~10 MiB per date column of the demo's nonconformities while it ran.
        codes, uniques = pd.factorize(text[todo])
        got = pd.to_datetime(pd.Series(uniques, dtype=text.dtype), format=fmt, errors="coerce")
        if getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_convert(None)
        parsed[todo] = _at_unit(got).to_numpy()[codes]
        todo = todo & parsed.isna()
    result[text.index] = parsed
    present[text.index] = text.notna()
    return result, present


def _at_unit(d: pd.Series) -> pd.Series:
    """Return datetimes as ``datetime64[us]``; values outside its range become NaT."""
    if d.dtype == _DATE_DTYPE:
        return d
    try:
        return d.astype(_DATE_DTYPE)
    except (OverflowError, ValueError):  # seconds or milliseconds beyond +-290,000 years
        years = d.dt.year
        return d.where(d.isna() | ((years > -290_000) & (years < 290_000))).astype(_DATE_DTYPE)


def as_timestamp(value: str | dt.date | pd.Timestamp) -> pd.Timestamp:
    """Return the reporting date ``value`` as a normalised Timestamp; raise QmsError."""
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise QmsError(
            f"as_of {value!r} is not a date", hint="Give the reporting date as YYYY-MM-DD."
        )
    return ts.normalize()
