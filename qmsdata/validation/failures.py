"""The failures of one validation run: collected as arrays, described in words, made a table.

Every failure is one row of the tidy failures table (:data:`FAILURE_COLUMNS`), one per row,
check and column. The checks that find them (typing, the great-expectations suite, references)
add positions to one :class:`Failures` collector; :func:`describe` words the messages the same
way for all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.records import RecordSpec

__all__ = [
    "CHECKS",
    "FAILURE_COLUMNS",
    "Failures",
    "cell_text",
    "describe",
    "empty_failures",
    "raw_text",
    "type_hint",
]

#: every check name that can appear in the failures table, in the order reasons are listed.
CHECKS = (
    "type",
    "plausible_date",
    "not_null",
    "allowed_values",
    "pattern",
    "range",
    "unique",
    "date_order",
    "not_future",
    "reference",
    "numerator_le_denominator",
    "rejected_le_received",
    "inspected_le_produced",
    "status_consistency",
)

#: checks after which the cell's value is unknown: other failures of the same cell (a
#: ``not_null`` on a value that could not be read, say) are not reported again.
CELL_CHECKS = ("type", "plausible_date")

#: columns of the tidy failures table. ``source_row`` is 1-based (first data row = 1);
#: ``failure_case`` is the value as read from the source (text), ``message`` the readable reason.
#: A workbook's table (``wb.failures``) has ``source_line`` after ``source_row``: the line in the
#: file (:mod:`qmsdata.io.lines`), added by the loader, which knows the file.
FAILURE_COLUMNS = ["record_type", "source_row", "column", "check", "failure_case", "message"]


@dataclass
class Failures:
    """Failures collected as arrays (positions are 0-based rows of the frame)."""

    positions: list[np.ndarray]
    columns: list[str]
    checks: list[str]
    cases: list[Sequence[Any]]
    messages: list[Sequence[str]]

    @classmethod
    def empty(cls) -> Failures:
        return cls([], [], [], [], [])

    def add(self, pos: Any, column: str, check: str, cases: Any, messages: Any) -> None:
        """Add the failures of ``check`` on ``column`` at rows ``pos`` (nothing when empty)."""
        if len(pos):
            self.positions.append(np.asarray(pos, dtype=np.int64))
            self.columns.append(column)
            self.checks.append(check)
            self.cases.append(cases)
            self.messages.append(messages)

    def __len__(self) -> int:
        return sum(len(p) for p in self.positions)


def cell_text(v: Any) -> str:
    """Return a cell as text the way a person typed it (no ``.0``, no midnight time)."""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def raw_text(s: pd.Series) -> list[str | None]:
    """Return the raw cells as text for the failures table (None for missing)."""
    return [None if _isna(v) else (cell_text(v) if not isinstance(v, str) else v) for v in s]


def _isna(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def empty_failures() -> pd.DataFrame:
    """Return an empty failures table with the dtypes of a filled one."""
    import pandas as pd

    return pd.DataFrame(
        {
            "record_type": pd.Series([], dtype="str"),
            "source_row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
            "check": pd.Series([], dtype="str"),
            "failure_case": pd.Series([], dtype=object),
            "message": pd.Series([], dtype="str"),
        }
    )


def type_hint(
    kind: str, date_format: str | None = None, decimal: str = ".", thousands: str | None = None
) -> str:
    """Return how a cell of ``kind`` must be written in this source, for a ``type`` reason.

    The source's own settings (``date_format``, ``decimal``, ``thousands`` of qms.toml) are what
    the value failed against, so they are what the reason names.
    """
    if kind in ("number", "count"):
        if decimal == "." and not thousands:
            return " (plain decimal with '.', no thousands separators)"
        sep = f"thousands {thousands!r}" if thousands else "no thousands separator"
        return f" (decimal {decimal!r}, {sep}, as set in qms.toml)"
    if kind == "date":
        return f" (format {date_format})" if date_format else " (ISO 8601, e.g. 2026-03-21)"
    return ""


def describe(
    check: str,
    column: str,
    meta: Mapping[str, Any],
    pos: np.ndarray,
    raw: pd.DataFrame,
    typed: Mapping[str, pd.Series],
    spec: RecordSpec,
    mapping: Mapping[str, str],
    value_map: Mapping[str, str] | None = None,
) -> tuple[list[Any], list[str]]:
    """Return (failure cases as read, messages) for failures of ``check`` at positions ``pos``.

    ``meta`` carries what the message needs: ``key`` (compound key columns), ``other`` (the
    other column of a pair check), ``allowed``, ``target``, ``min``/``max``, ``as_of``.
    ``value_map`` is the column's value map from qms.toml, if any: an allowed-values reason says
    the value is in neither the allowed values nor the map.
    """
    cols = meta.get("key") or [column]
    if check == "status_consistency":
        cases = raw_text(raw[mapping[meta["other"]]].iloc[pos])
        return cases, [f"{column}: missing although {meta['other']} is {v!r}" for v in cases]
    parts = [raw_text(raw[mapping[c]].iloc[pos]) for c in cols if c in mapping]
    cases = (
        parts[0] if len(parts) == 1 else [" | ".join(map(str, t)) for t in zip(*parts, strict=True)]
    )
    if check == "not_null":
        return cases, [f"{column}: missing (required)"] * len(pos)
    if check in ("allowed_values", "reference", "pattern", "unique"):
        if check == "allowed_values" and value_map:
            from qmsdata.io.settings import value_map_text

            tail = (
                f"not in {meta['allowed']} and not in the value map of {column} in qms.toml "
                f"({value_map_text(value_map)})"
            )
        elif check == "allowed_values":
            tail = f"not in {meta['allowed']}"
        elif check == "reference":
            tail = f"not found in {meta['target']}"
        elif check == "pattern":
            tail = "does not have the expected form (e.g. 8.5.1)"
        else:
            tail = "appears more than once"
        norm: list[Any] = [None] * len(pos)
        if check in ("allowed_values", "reference"):
            norm = typed[column].iloc[pos].tolist()
        msgs = []
        for v, n in zip(cases, norm, strict=True):
            shown = repr(v) if n is None or n == v else f"{v!r} (read as {n!r})"
            msgs.append(f"{column}: value {shown} {tail}")
        return cases, msgs
    if check == "range":
        lo, hi = meta.get("min"), meta.get("max")
        if lo is not None and hi is not None:
            need = f"between {lo:g} and {hi:g}"
        elif lo is not None:
            need = f">= {lo:g}"
        else:
            need = f"<= {hi:g}"
        return cases, [f"{column}: value {v} is not {need}" for v in cases]
    if check == "not_future":
        return cases, [f"{column}: {v} is after as_of {meta['as_of']}" for v in cases]
    # column-order checks (date_order, numerator_le_denominator, ...)
    other = meta["other"]
    others = raw_text(raw[mapping[other]].iloc[pos])
    word = "before" if spec.column(column).kind == "date" else "less than"
    return cases, [
        f"{column}: {v} is {word} {other} {o}" for v, o in zip(cases, others, strict=True)
    ]
