"""Numbers, dates and flags as a reader of the pack sees them: the one place for their wording.

Every sentence of the pack (:mod:`qmsdata.pack.narrative`, the section notebooks' ``narrate``
calls) formats its values with these functions, so no reader sees ``nan``, ``None``, ``True``,
``False`` or a raw proportion such as ``0.003684``:

========================  ===========================  =================================
function                  value                        text
========================  ===========================  =================================
:func:`percent`           ``0.003684``, ``0.25``       ``0.37%``, ``25%``
:func:`ppm`               ``0.003684``                 ``3,684 ppm``
:func:`currency`          ``1175.4`` (symbol ``£``)    ``£1,175`` (no symbol: ``1,175``)
:func:`count`             ``12345``                    ``12,345``
:func:`number`            ``4.4567``                   ``4.46``
:func:`date`              ``Timestamp("2026-10-31")``  ``2026-10-31``
:func:`yes_no`            ``True`` / ``False``         ``yes`` / ``no``
any of them               ``nan``, ``None``, ``NaT``   ``not available``
========================  ===========================  =================================

:func:`readable` applies the same rules to a table shown in the pack (its extract keeps the
raw values).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Any

#: what the reader sees for a missing value
MISSING = "not available"

__all__ = [
    "MISSING",
    "count",
    "currency",
    "currency_symbol",
    "date",
    "is_missing",
    "number",
    "percent",
    "ppm",
    "readable",
    "text",
    "yes_no",
]


def is_missing(value: Any) -> bool:
    """Return True for None, NaN, ``pd.NA``, ``NaT`` and blank text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if _is_flag(value):
        return False
    import pandas as pd

    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    # a scalar gives a (numpy) bool; a list or array gives an array: not one missing value
    return bool(missing) if getattr(missing, "ndim", 0) == 0 else False


def _is_flag(value: Any) -> bool:
    import numpy as np

    return isinstance(value, bool | np.bool_)


def _float(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None when it is missing or not a number."""
    if is_missing(value) or _is_flag(value):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return None
    if not isinstance(value, numbers.Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return None
    x = float(value)
    return x if math.isfinite(x) else None


def number(value: Any, digits: int | None = None, *, missing: str = MISSING) -> str:
    """Return a number for reading: whole numbers with thousands separators, else rounded.

    ``digits`` fixes the decimals; by default whole values show none, values of 100 or more
    none, and smaller ones three significant digits (``4.46``, ``0.0123``).
    """
    x = _float(value)
    if x is None:
        return missing
    if digits is not None:
        return f"{x:,.{digits}f}"
    if x.is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) >= 0.001 else f"{x:.2g}"


def count(value: Any, *, missing: str = MISSING) -> str:
    """Return a count with thousands separators (``12,345``); fractional values are rounded."""
    x = _float(value)
    if x is None:
        return missing
    return f"{round(x):,d}"


def percent(value: Any, digits: int | None = None, *, missing: str = MISSING) -> str:
    """Return the proportion ``value`` (0.25 = a quarter) as a percentage (``25%``).

    ``digits`` fixes the decimals; by default 10% and above show none, 1% to 10% one, and
    smaller shares two significant digits (``0.37%``) so a small rate never reads as ``0%``.
    """
    x = _float(value)
    if x is None:
        return missing
    pct = x * 100
    if digits is not None:
        return f"{pct:.{digits}f}%"
    a = abs(pct)
    if a == 0:
        return "0%"
    if a >= 10:
        return f"{pct:.0f}%"
    if a >= 1:
        return f"{pct:.1f}%"
    if a >= 0.001:
        return f"{pct:.2g}%"
    return f"{'-' if pct < 0 else ''}<0.001%"  # never a misleading 0%


def ppm(value: Any, *, missing: str = MISSING) -> str:
    """Return the proportion ``value`` in parts per million (``0.003684`` -> ``3,684 ppm``)."""
    x = _float(value)
    if x is None:
        return missing
    return f"{x * 1e6:,.0f} ppm"


def currency(value: Any, symbol: str | None = None, *, missing: str = MISSING) -> str:
    """Return an amount of money, whole units with thousands separators (``£1,175``).

    ``symbol`` is the organisation's currency symbol when configured (:func:`currency_symbol`);
    None or blank gives the plain amount (``1,175``), never a guessed currency.
    """
    x = _float(value)
    if x is None:
        return missing
    sign = "-" if x < 0 and round(abs(x)) else ""
    return f"{sign}{(symbol or '').strip()}{round(abs(x)):,d}"


def currency_symbol(workbook: Any) -> str | None:
    """Return the currency symbol configured for ``workbook``, or None when there is none.

    Read from the workbook's configuration (``currency_symbol`` or ``currency`` on its
    ``config``); no configuration of it means amounts are shown plain.
    """
    config = getattr(workbook, "config", None)
    for attr in ("currency_symbol", "currency"):
        value = getattr(config, attr, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def date(value: Any, *, missing: str = MISSING) -> str:
    """Return a date as ``YYYY-MM-DD`` (a month period as ``YYYY-MM``)."""
    if is_missing(value):
        return missing
    import pandas as pd

    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, str):
        try:
            value = pd.Timestamp(value)
        except (ValueError, TypeError):
            return value
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def yes_no(value: Any, *, yes: str = "yes", no: str = "no", missing: str = MISSING) -> str:
    """Return a flag as a word: ``yes`` / ``no`` (or the words given); missing stays missing."""
    if is_missing(value):
        return missing
    if isinstance(value, str):
        word = value.strip().lower()
        if word in {"true", "yes", "y", "1"}:
            return yes
        if word in {"false", "no", "n", "0"}:
            return no
        return value
    return yes if bool(value) else no


def text(value: Any, *, missing: str = MISSING) -> str:
    """Return any value as reader's text: flags as words, numbers rounded, missing as words."""
    if is_missing(value):
        return missing
    if _is_flag(value):
        return yes_no(value, missing=missing)
    if isinstance(value, numbers.Number):
        return number(value, missing=missing)
    return str(value)


def readable(frame: Any, *, missing: str = "") -> Any:
    """Return a copy of ``frame`` for display: flags as yes/no, missing text cells as ``missing``.

    Only object (and boolean) columns change; numbers keep their dtype so the table's own
    number formatting applies. The pack's extracts are written from the original frame.
    """
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if (
            pd.api.types.is_bool_dtype(col.dtype)
            or col.dtype == object
            or pd.api.types.is_string_dtype(col.dtype)
        ):
            shown = [missing if is_missing(v) else yes_no(v) if _is_flag(v) else v for v in col]
            out[name] = pd.Series(shown, index=out.index, dtype=object)
    return out
