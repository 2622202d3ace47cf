"""The declarative record spec: one :class:`RecordSpec` per record type.

A spec names every canonical column once, with its kind (which fixes the pandas dtype), whether it
is required, its allowed values or range, and the table-level rules: the unique key, references to
other record types, column-order rules (dates, numerator <= denominator) and status consistency.
The loader's typing, the great-expectations suite and the data dictionary are all derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Kind = Literal["id", "text", "site", "enum", "date", "number", "count", "period"]

#: kind -> pandas dtype of the typed column. Strings use the pandas 3 default string dtype
#: ``str`` (missing = NaN); every number is float64 (counts are checked to be whole numbers),
#: so downstream arithmetic never meets ``pd.NA``. Dates are read at microsecond resolution
#: (pandas 3's default for parsed text), which holds any date a source can write (``9999-12-31``
#: included); accepted dates lie in the plausible window, inside the nanosecond range, so
#: code converting them to ``datetime64[ns]`` is safe.
DTYPES: dict[str, str] = {
    "id": "str",
    "text": "str",
    "site": "str",
    "enum": "str",
    "date": "datetime64[us]",
    "number": "float64",
    "count": "float64",
    "period": "period[M]",
}

#: one-line description of each kind for the data dictionary.
KIND_NOTES: dict[str, str] = {
    "id": "identifier (text; leading/trailing spaces removed)",
    "text": "free text (leading/trailing spaces removed)",
    "site": "site name; must be one of `[workbook] sites` when that list is given",
    "enum": "code (trimmed, lower-cased, inner spaces and hyphens become `_`)",
    "date": "date (ISO 8601 such as 2026-03-21 unless `date_format` is set; real dates in "
    "xlsx/parquet/SQL are used as they are)",
    "number": "number (a plain decimal; thousands separators are not guessed)",
    "count": "whole number >= 0, stored as float64",
    "period": "calendar month, `Period[M]` (2026-10, 2026-10-01 or Oct 2026)",
}


@dataclass(frozen=True)
class Column:
    """One canonical column of a record type.

    Parameters
    ----------
    name
        Canonical snake_case name.
    kind
        One of :data:`DTYPES`' keys; fixes the dtype and the parsing.
    required
        The column must be present in the source and every row must have a value.
    description
        What the column holds, for the data dictionary.
    allowed
        Allowed values after normalisation (enums).
    min, max
        Inclusive numeric range.
    future_ok
        For dates: a value after ``as_of`` is fine (due dates); otherwise it is rejected.
    pattern
        Regular expression a text value must match in full.
    privacy
        ``"personal"`` for a person's or customer's name, ``"free_text"`` for narrative text
        that may quote anyone; None otherwise. Redaction, the evidence table and the narrative
        read this flag (never a list of column names of their own).
    label
        Heading for people (``"Received"``); empty: made from the name by
        :func:`qmsdata.pack.labels.label` (``received_date`` -> ``"Received date"``).
    """

    name: str
    kind: Kind
    required: bool = False
    description: str = ""
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    future_ok: bool = False
    pattern: str | None = None
    privacy: Literal["personal", "free_text"] | None = None
    label: str = ""

    @property
    def dtype(self) -> str:
        """Return the pandas dtype of the typed column."""
        return DTYPES[self.kind]


@dataclass(frozen=True)
class Reference:
    """Values of ``column`` must exist in ``target``'s ``target_column`` (when configured)."""

    column: str
    target: str
    target_column: str


@dataclass(frozen=True)
class Order:
    """``low <= high`` on every row where both are present; failures use check ``check``."""

    low: str
    high: str
    check: str = "date_order"


@dataclass(frozen=True)
class StatusRule:
    """A row whose ``status`` column is one of ``values`` must have ``requires`` filled."""

    status: str
    values: tuple[str, ...]
    requires: str
    check: str = "status_consistency"


@dataclass(frozen=True)
class LaterFact:
    """A fact recorded after a record's event, hidden in a view as at an earlier date.

    In :meth:`~qmsdata.Workbook.as_at` a row whose ``date`` is after the reporting date gets
    ``date`` emptied, ``status`` put back to ``reset_to`` when it is one of ``values``, and the
    ``clear`` columns emptied: as at that date the fact had not happened.

    Parameters
    ----------
    date
        Column holding when the fact happened (``closed_date``).
    status
        Status column the fact changed.
    values
        Status values the fact brings about (``closed``, ``cancelled``).
    reset_to
        Status as at a date before the fact (``open``).
    clear
        Further columns only known after the fact (an effectiveness verdict).
    """

    date: str
    status: str
    values: tuple[str, ...]
    reset_to: str
    clear: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordSpec:
    """The declarative spec of one record type.

    Parameters
    ----------
    name
        Record type name (``complaints``); also the :class:`~qmsdata.Workbook` attribute.
    title
        Human title for reports.
    clauses
        ISO 9001 clauses the records serve, e.g. ``("9.1.2", "10.2")``.
    description
        One paragraph for the data dictionary.
    columns
        The canonical columns, in output order.
    key
        Columns that together identify a row (checked unique).
    references, orders, status_rules
        Table-level rules.
    event_date
        The column dating the event a row records (``received_date``); in a view as at an
        earlier date (:meth:`~qmsdata.Workbook.as_at`) rows dated after it are left out, not
        known yet. None: every row is known at any date (objectives).
    later_facts
        Facts recorded after the event (closure), hidden in a view as at an earlier date.
    blank_site_is_organisation
        A row without a ``site`` applies to the whole organisation (an objective, a document, a
        change not specific to one site): one site's view (:meth:`~qmsdata.Workbook.for_site`)
        keeps it, and sections label it organisation-wide. False: a row without a site has an
        unknown site (a complaint whose site was not recorded) and is in no site's view.
    blank_product
        What a row without a ``product`` is: ``"unknown"`` (its product was not recorded: a
        product's pack discloses it as left out), ``"every_product"`` (not specific to one
        product: a change; disclosed as such) or ``"site_total"`` (a site's total over its
        products: production; no product's row, so nothing is left out). One product's view
        (:meth:`~qmsdata.Workbook.for_product`) keeps none of them.
    """

    name: str
    title: str
    clauses: tuple[str, ...]
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    orders: tuple[Order, ...] = ()
    status_rules: tuple[StatusRule, ...] = field(default=())
    event_date: str | None = None
    later_facts: tuple[LaterFact, ...] = ()
    blank_site_is_organisation: bool = False
    blank_product: Literal["unknown", "every_product", "site_total"] = "unknown"

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"record spec {self.name!r} names a column twice")
        mentioned = list(self.key)
        mentioned += [r.column for r in self.references]
        mentioned += [n for o in self.orders for n in (o.low, o.high)]
        mentioned += [n for s in self.status_rules for n in (s.status, s.requires)]
        mentioned += [self.event_date] if self.event_date else []
        mentioned += [n for f in self.later_facts for n in (f.date, f.status, *f.clear)]
        unknown = sorted(set(mentioned) - set(names))
        if unknown:
            raise ValueError(f"record spec {self.name!r} refers to unknown columns {unknown}")

    @property
    def names(self) -> list[str]:
        """Return the canonical column names in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Return the names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def dtypes(self) -> dict[str, str]:
        """Return ``{column: pandas dtype}``."""
        return {c.name: c.dtype for c in self.columns}

    @property
    def private(self) -> dict[str, str]:
        """Return ``{column: "personal" | "free_text"}`` for the columns that redaction hides."""
        return {c.name: c.privacy for c in self.columns if c.privacy}

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"record type {self.name!r} has no column {name!r}")

    def empty_frame(self):  # -> pd.DataFrame (pandas imported lazily)
        """Return an empty DataFrame with the spec's typed columns and ``source_row``."""
        import pandas as pd

        data = {c.name: pd.Series([], dtype=c.dtype) for c in self.columns}
        data["source_row"] = pd.Series([], dtype=np.int64)
        return pd.DataFrame(data)


# Shared vocabularies -------------------------------------------------------------------------

OPEN_CLOSED = ("open", "closed")
OPEN_CLOSED_CANCELLED = ("open", "closed", "cancelled")


def c(name: str, kind: Kind, description: str = "", **kw) -> Column:
    """Shorthand for :class:`Column` used by the record modules."""
    return Column(name, kind, description=description, **kw)


def closed_needs_date(status: str = "status", closed: str = "closed_date") -> StatusRule:
    """Return the rule "a closed row has a closed date"."""
    return StatusRule(status, ("closed",), closed)


def closure(*, clear: tuple[str, ...] = ()) -> LaterFact:
    """Return the later fact "closed (or cancelled) on closed_date": open before that date."""
    return LaterFact("closed_date", "status", ("closed", "cancelled"), "open", clear)
