"""The :class:`Workbook`: the validated records of one workbook, and views of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qmsdata.config import WorkbookConfig
from qmsdata.records import RECORD_TYPES, record_spec
from qmsdata.workbook.as_at import frames_as_at, reporting_date
from qmsdata.workbook.filters import LeftOut, frames_for, left_out

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.io import Provenance

__all__ = ["Workbook"]


class Workbook:
    """The validated records of one workbook.

    Attributes
    ----------
    <record type>
        One attribute per record type (``wb.complaints``, ``wb.nonconformities``, ...): the
        accepted rows as a typed DataFrame with the spec's canonical columns first, extra source
        columns after them, and ``source_row``. A record type that is not configured is an
        empty frame with the spec's columns. ``wb["complaints"]`` works too.
    rejects : dict[str, DataFrame]
        Per record type: the rejected rows with every original column as read, ``source_row``
        (1-based data row), ``source_line`` (the line in the file, CSV and Excel; see
        :mod:`qmsdata.io.lines`) and ``reasons``.
    failures : DataFrame
        Tidy table of every failure: record_type, source_row, source_line (the line in the
        file), column, check, failure_case, message.
    validation : DataFrame
        Indexed by record type: configured, source, format, rows, accepted, rejected.
    provenance : dict[str, Provenance]
        Per configured record type: source, format, sha256, rows.
    config : WorkbookConfig
        The parsed ``qms.toml`` (organisation, sites, fiscal_year_start, root, records).
    as_of : Timestamp
        The data date: when the data were extracted, the date they were validated against
        (event dates after it are rejected with check ``not_future``).
    report_date : Timestamp
        The date the frames show the records as at: ``as_of`` for a loaded workbook, an earlier
        reporting date for the view :meth:`as_at` returns.
    path : Path
        The workbook folder.
    aggregates : dict[str, DataFrame] | None
        From the Spark engine only: the monthly tables of
        :data:`qmsdata.engine.aggregates.AGGREGATES` standing in for the large record types,
        whose frames are empty here (the analytics read them through
        :func:`qmsdata.analytics.periods.records`). None for the in-process engine.
    engine : object | None
        From the Spark engine only: the :class:`~qmsdata.engine.spark.SparkLoad` that fetches
        the record IDs behind a series (:func:`qmsdata.engine.aggregates.record_ids`).
    """

    def __init__(
        self,
        *,
        config: WorkbookConfig,
        as_of: pd.Timestamp,
        frames: Mapping[str, pd.DataFrame],
        rejects: Mapping[str, pd.DataFrame],
        failures: pd.DataFrame,
        validation: pd.DataFrame,
        provenance: Mapping[str, Provenance],
        report_date: pd.Timestamp | None = None,
        aggregates: Mapping[str, pd.DataFrame] | None = None,
        engine: Any = None,
    ) -> None:
        self.config = config
        self.path = config.root
        self.as_of = as_of
        self.report_date = as_of if report_date is None else report_date
        self._frames = dict(frames)
        self.rejects = dict(rejects)
        self.failures = failures
        self.validation = validation
        self.provenance = dict(provenance)
        self.aggregates: dict[str, pd.DataFrame] | None = (
            None if aggregates is None else dict(aggregates)
        )
        self.engine = engine
        #: record types whose validation was reused from the validation cache (load(cache_dir=))
        self.reused: list[str] = []

    @property
    def record_types(self) -> list[str]:
        """Return every record type name (configured or not), in registry order."""
        return list(RECORD_TYPES)

    @property
    def configured(self) -> list[str]:
        """Return the record types configured in ``qms.toml`` (and loaded)."""
        return [n for n in RECORD_TYPES if n in self.provenance]

    def as_at(self, date: str | dt.date | pd.Timestamp) -> Workbook:
        """Return the records as they stood at an earlier reporting date.

        A pack for a past period must show what was true at its end, not what the data know
        now. Per record type (see ``event_date`` and ``later_facts`` in the record specs):

        - rows whose event date is after ``date`` are left out: not known yet. They are not
          rejects; a row with no event date is kept.
        - facts recorded after ``date`` are hidden: a ``closed_date`` after it is emptied, a
          closed or cancelled status shows as open, and columns known only after closure (a
          corrective action's ``effective``) are emptied.

        Monthly records (``kpi_measurements``) are kept up to the month holding ``date``.
        ``rejects``, ``failures``, ``validation`` and ``provenance`` are those of the data date
        (the quarantine does not depend on the reporting date), so ``validation``'s
        ``accepted`` counts rows accepted at the data date, not the rows of this view.

        Parameters
        ----------
        date
            Reporting date (``YYYY-MM-DD``, date or Timestamp), not after :attr:`as_of`.

        Returns
        -------
        Workbook
            A new workbook with ``report_date`` = ``date`` and the same ``as_of`` (data date).
            ``wb.as_at(wb.as_of)`` shows the same rows as ``wb``.

        Raises
        ------
        DataError
            ``date`` is not a date, or is after the data date (the data cannot tell what
            happened after they were extracted).
        """
        when = reporting_date(date, data_date=self.as_of, file=self.path)
        return self.with_frames(
            frames_as_at(self._frames, when, data_date=self.as_of), report_date=when
        )

    def with_frames(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        report_date: pd.Timestamp | None = None,
        aggregates: Mapping[str, pd.DataFrame] | None = None,
    ) -> Workbook:
        """Return a workbook like this one with other record frames (and reporting date).

        ``rejects``, ``failures``, ``validation`` and ``provenance`` are shared: they describe
        the load, not the view. The way to derive a view (redacted, filtered) without touching
        the frames of this workbook.
        """
        return Workbook(
            config=self.config,
            as_of=self.as_of,
            frames=frames,
            rejects=self.rejects,
            failures=self.failures,
            validation=self.validation,
            provenance=self.provenance,
            report_date=self.report_date if report_date is None else report_date,
            aggregates=self.aggregates if aggregates is None else aggregates,
            engine=self.engine,
        )

    def for_site(self, site: str) -> Workbook:
        """Return the view with only ``site``'s rows in record types that have a site column.

        Record types without one (review actions, risks, ...) are kept whole; rows without a
        site in record types where that means organisation-wide (objectives, documents,
        changes) are kept too (:mod:`qmsdata.workbook.filters`). Rows whose site is not
        recorded in the other record types are in no site's view: :meth:`left_out` lists them.
        """
        aggregates = None if self.aggregates is None else frames_for(self.aggregates, "site", site)
        return self.with_frames(frames_for(self._frames, "site", site), aggregates=aggregates)

    def for_product(self, product: str) -> Workbook:
        """Return the view with only ``product``'s rows in record types with a product column."""
        return self.with_frames(frames_for(self._frames, "product", product))

    def left_out(self, *, site: str | None = None, product: str | None = None) -> list[LeftOut]:
        """Return the rows ``for_site(site)`` / ``.for_product(product)`` leave out unrecorded.

        Per record type (:class:`~qmsdata.workbook.filters.LeftOut`): the rows whose site
        (product) is not recorded, so no site's (product's) view has them; for both, the
        product's are those of the site's view. Empty for the whole workbook (no site, no
        product). The rule is :func:`qmsdata.workbook.filters.left_out`'s.

        Ask the whole workbook: a site's view (``for_site``, a site pack's section workbook)
        has no rows without a site left to list. Reading it counts as reading every frame in a
        pack section's cache key (:mod:`qmsdata.pack.reads`).
        """
        frames = self._frames
        out = []
        if site is not None:
            out += left_out(frames, "site")
            frames = frames_for(frames, "site", site)
        if product is not None:
            out += left_out(frames, "product")
        return out

    def __getitem__(self, record_type: str) -> pd.DataFrame:
        if record_type not in self._frames:
            record_spec(record_type)  # raises ConfigError naming the known types
        return self._frames[record_type]

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("_frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(f"'Workbook' object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._frames})

    def __repr__(self) -> str:
        v = self.validation
        configured = v[v["configured"]]
        at = "" if self.report_date == self.as_of else f" as at {self.report_date.date()},"
        return (
            f"<Workbook {self.config.organisation or self.path.name!r}{at} data as of "
            f"{self.as_of.date()}: {len(configured)} record types, "
            f"{int(configured['accepted'].sum())} rows accepted, "
            f"{int(configured['rejected'].sum())} rejected>"
        )
