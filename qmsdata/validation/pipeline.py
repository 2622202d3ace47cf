"""Validate one record frame: map, type, check, split (see :mod:`qmsdata.validation`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qmsdata.records import record_spec
from qmsdata.validation.coercion import DateRules, as_timestamp, type_columns
from qmsdata.validation.mapping import map_columns
from qmsdata.validation.references import check_references
from qmsdata.validation.split import Validated, split

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Prepared", "prepare", "validate"]


def validate(
    frame: pd.DataFrame,
    record_type: str,
    *,
    as_of: str | dt.date | pd.Timestamp,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    sites: Sequence[str] = (),
    references: Mapping[str, Iterable[Any]] | None = None,
    file: str | os.PathLike[str] | None = None,
    missing_dates: Iterable[dt.date | str] = (),
    earliest_date: dt.date | str | None = None,
    latest_date: dt.date | str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
) -> Validated:
    """Type and validate one DataFrame of one record type; split accepted and rejected rows.

    Parameters
    ----------
    frame
        Rows as read from a source (text or typed cells). A ``source_row`` column, when present,
        numbers the rows; otherwise the rows are numbered 1, 2, ... in order.
    record_type
        Name of the record type (a key of :data:`~qmsdata.records.RECORD_TYPES`).
    as_of
        Reporting date: event dates after it fail ``not_future``.
    columns
        Mapping canonical column -> column name in ``frame`` (as in ``[records.<type>.columns]``);
        unmapped canonical columns are looked up by their own name.
    date_format
        ``strftime`` format of text dates (default ISO 8601).
    sites
        Allowed site names; empty means any.
    references
        ``{column: ids}`` for the spec's references, e.g. ``{"capa_id": wb.corrective_actions
        .capa_id}``; columns without an entry are not reference-checked.
    file
        Source named in structural errors.
    missing_dates
        Dates that mean "no date" in this source (``"9999-12-31"``): read as missing.
    earliest_date, latest_date
        Window of plausible dates (default 1950-01-01 .. 2199-12-31); dates or months outside
        it fail ``plausible_date``.
    decimal, thousands, value_maps
        The source's reading settings (``[records.<type>]`` of qms.toml: ``decimal``,
        ``thousands``, ``[...values.<column>]``), already applied by the reader: reasons name
        them, so a rejected value is explained against the settings it was read with.

    Returns
    -------
    Validated
        ``accepted`` (typed canonical columns, then extra source columns, then ``source_row``),
        ``rejects`` (original columns as read, ``source_row``, ``reasons``) and ``failures``
        (:data:`~qmsdata.validation.FAILURE_COLUMNS`).

    Raises
    ------
    SchemaError
        A required column (or an explicitly mapped one) is missing from ``frame``, or ``frame``
        has more than :data:`~qmsdata.validation.MAX_COLUMNS` columns.
    """
    return prepare(
        frame,
        record_type,
        as_of=as_of,
        columns=columns,
        date_format=date_format,
        sites=sites,
        references=references,
        file=file,
        missing_dates=missing_dates,
        earliest_date=earliest_date,
        latest_date=latest_date,
        decimal=decimal,
        thousands=thousands,
        value_maps=value_maps,
    ).finish()


class Prepared:
    """A record frame read, mapped and typed, its suite started; :meth:`finish` completes it."""

    def __init__(
        self,
        raw: pd.DataFrame,
        typed: dict[str, pd.Series],
        spec: Any,
        mapping: Mapping[str, str],
        failures: Any,
        source_row: np.ndarray,
        references: Mapping[str, Iterable[Any]],
        suite: Any,
    ) -> None:
        self._parts = (raw, typed, spec, mapping, failures, source_row, references, suite)

    def finish(self) -> Validated:
        """Wait for the suite's findings, check references, split accepted and rejected rows."""
        raw, typed, spec, mapping, failures, source_row, references, suite = self._parts
        if suite is not None:
            suite.apply(failures)
        check_references(typed, raw, spec, mapping, failures, references)
        return split(raw, typed, spec, failures, source_row)


def prepare(
    frame: pd.DataFrame,
    record_type: str,
    *,
    as_of: str | dt.date | pd.Timestamp,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    sites: Sequence[str] = (),
    references: Mapping[str, Iterable[Any]] | None = None,
    file: str | os.PathLike[str] | None = None,
    missing_dates: Iterable[dt.date | str] = (),
    earliest_date: dt.date | str | None = None,
    latest_date: dt.date | str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
) -> Prepared:
    """Map and type one DataFrame of one record type and start its suite (see :class:`Prepared`).

    The parameters are :func:`validate`'s; ``prepare(...).finish()`` is ``validate(...)``. With a
    GX worker running (:mod:`qmsdata.validation.gx_worker`) the suite runs there while this
    process prepares the next record type.
    """
    import pandas as pd

    from qmsdata.validation.gx import start_suite

    spec = record_spec(record_type)
    as_of_ts = as_timestamp(as_of)
    rules = DateRules.of(missing_dates, earliest_date, latest_date)
    raw = frame.reset_index(drop=True)
    source_row = np.arange(1, len(raw) + 1, dtype=np.int64)
    if "source_row" in raw.columns:
        given = pd.to_numeric(raw["source_row"], errors="coerce")
        if given.notna().all():  # otherwise number the rows in order
            source_row = given.to_numpy().astype(np.int64)
        raw = raw.drop(columns="source_row")
    mapping = map_columns(raw.columns, spec, columns or {}, file=file)

    typed, failures = type_columns(
        raw,
        spec,
        mapping,
        date_format=date_format,
        sites=sites,
        dates=rules,
        number_format=(decimal, thousands),
    )
    suite = start_suite(typed, raw, spec, mapping, as_of_ts, sites, value_maps or {})
    return Prepared(raw, typed, spec, mapping, failures, source_row, references or {}, suite)
