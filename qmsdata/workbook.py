"""Load a workbook: read every configured source, type and validate it, quarantine bad rows.

>>> import qmsdata
>>> wb = qmsdata.load("data/demo", as_of="2026-10-31")          # doctest: +SKIP
>>> wb.complaints                  # accepted rows, typed, canonical columns
>>> wb.rejects["complaints"]       # rejected rows: original columns, source_row, reasons
>>> wb.validation                  # rows / accepted / rejected per record type
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from qmsdata.config import WorkbookConfig, parse_as_of_date, read_config
from qmsdata.records import RECORD_TYPES, record_spec

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.io import Provenance

__all__ = ["Workbook", "load"]


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
        (1-based data row; spreadsheet line = source_row + 1) and ``reasons``.
    failures : DataFrame
        Tidy table of every failure: record_type, source_row, column, check, failure_case,
        message.
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
        import pandas as pd

        from qmsdata.errors import DataError

        bad = DataError(f"reporting date {date!r} is not a date", hint="Give it as YYYY-MM-DD.")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date.strip())
            except ValueError:
                raise bad from None
        if not isinstance(date, dt.date) or pd.isna(date):  # Timestamp and datetime are dates
            raise bad
        when = pd.Timestamp(date).normalize()
        if when > self.as_of:
            raise DataError(
                f"reporting date {when.date()} is after the data date {self.as_of.date()}",
                file=self.path,
                hint="The data cannot show what happened after they were extracted: report at "
                "or before the data date, or load data extracted later (set `[workbook] as_of` "
                "in qms.toml, or pass a later as_of to load).",
            )
        frames = {
            name: _as_at_frame(frame, RECORD_TYPES[name], when) if name in RECORD_TYPES else frame
            for name, frame in self._frames.items()
        }
        return Workbook(
            config=self.config,
            as_of=self.as_of,
            frames=frames,
            rejects=self.rejects,
            failures=self.failures,
            validation=self.validation,
            provenance=self.provenance,
            report_date=when,
        )

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


def load(
    path: str | os.PathLike[str],
    as_of: str | dt.date | pd.Timestamp | None = None,
    *,
    record_types: Iterable[str] | None = None,
    progress: bool = False,
) -> Workbook:
    """Load and validate a workbook.

    Parameters
    ----------
    path
        The workbook folder (or its ``qms.toml``).
    as_of
        Reporting date; event dates after it are rejected (``not_future``). None: the
        ``[workbook] as_of`` of ``qms.toml`` when set, else today's date — the one place
        qmsdata reads the clock.
    record_types
        Load only these record types (others are empty frames). Record types they reference
        are still read for the ``reference`` check, so results do not depend on this choice.
    progress
        Show a progress bar on stderr.

    Returns
    -------
    Workbook

    Raises
    ------
    ConfigError, SourceError, SchemaError
        Structural problems: bad ``qms.toml``, missing or unreadable source, wrong sheet, bad
        encoding, missing required column. Row-level problems never raise; they quarantine.
    """
    import pandas as pd

    from qmsdata.io import read_source
    from qmsdata.validate import map_columns, type_frame, validate

    config = read_config(path)
    as_of_ts = _resolve_as_of(as_of, config)
    wanted = list(RECORD_TYPES) if record_types is None else list(record_types)
    for name in wanted:
        record_spec(name)
    wanted = [n for n in RECORD_TYPES if n in wanted and n in config.records]
    targets = {
        ref.target
        for n in wanted
        for ref in RECORD_TYPES[n].references
        if ref.target in config.records
    }
    to_read = [n for n in RECORD_TYPES if n in wanted or n in targets]

    bar = _progress(len(to_read) + len(wanted), progress)
    raws = {}
    for name in to_read:  # read everything first: structural errors surface before slow work
        bar.set_description(f"reading {name}")
        raws[name] = read_source(config.records[name], config.root)
        bar.update()

    ids: dict[str, set[str]] = {}  # "target.column" -> ids present in the target's source
    for name in to_read:
        spec = RECORD_TYPES[name]
        needed = {r.target_column for n in wanted for r in RECORD_TYPES[n].references}
        if name not in targets:
            continue
        rs = config.records[name]
        raw = raws[name].frame
        mapping = map_columns(raw.columns, spec, rs.columns, file=raws[name].provenance.source)
        cols = {c: mapping[c] for c in needed if c in mapping}
        typed, _ = type_frame(raw[list(cols.values())], spec, cols, date_format=rs.date_format)
        for c in cols:
            ids[f"{name}.{c}"] = set(typed[c].dropna())

    frames: dict[str, pd.DataFrame] = {}
    rejects: dict[str, pd.DataFrame] = {}
    failures = []
    rows = []
    for name, spec in RECORD_TYPES.items():
        if name not in wanted:
            frames[name] = spec.empty_frame()
            rejects[name] = pd.DataFrame(
                {"source_row": pd.Series([], dtype="int64"), "reasons": pd.Series([], dtype="str")}
            )
            rows.append((name, False, "", "", 0, 0, 0))
            continue
        bar.set_description(f"validating {name}")
        rs = config.records[name]
        raw = raws[name]
        refs = {
            r.column: ids[f"{r.target}.{r.target_column}"]
            for r in spec.references
            if f"{r.target}.{r.target_column}" in ids
        }
        result = validate(
            raw.frame,
            name,
            as_of=as_of_ts,
            columns=rs.columns,
            date_format=rs.date_format,
            sites=config.sites,
            references=refs,
            file=raw.provenance.source,
        )
        frames[name] = result.accepted
        rejects[name] = result.rejects
        failures.append(result.failures)
        p = raw.provenance
        rows.append(
            (name, True, p.source, p.format, p.rows, len(result.accepted), len(result.rejects))
        )
        bar.update()
    bar.close()

    from qmsdata.validate import _empty_failures

    failures_table = (
        pd.concat([f for f in failures if len(f)], ignore_index=True)
        if any(len(f) for f in failures)
        else _empty_failures()
    )
    validation = pd.DataFrame(
        rows,
        columns=["record_type", "configured", "source", "format", "rows", "accepted", "rejected"],
    ).set_index("record_type")
    return Workbook(
        config=config,
        as_of=as_of_ts,
        frames=frames,
        rejects=rejects,
        failures=failures_table,
        validation=validation,
        provenance={n: raws[n].provenance for n in wanted},
    )


def _as_at_frame(frame: pd.DataFrame, spec: Any, when: pd.Timestamp) -> pd.DataFrame:
    """Return ``frame`` as at ``when``: later events left out, later facts hidden."""
    import numpy as np
    import pandas as pd

    out = frame
    if spec.event_date and spec.event_date in frame.columns:
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


def _resolve_as_of(as_of: Any, config: WorkbookConfig) -> pd.Timestamp:
    import pandas as pd

    if as_of is None:
        as_of = config.as_of if config.as_of is not None else dt.date.today()
    elif isinstance(as_of, str):
        as_of = parse_as_of_date(as_of, file=None)
    return pd.Timestamp(as_of).normalize()


def _progress(total: int, enabled: bool):
    """Return a tqdm bar on stderr, or a do-nothing stand-in."""
    if enabled:
        import sys

        from tqdm import tqdm

        return tqdm(total=total, file=sys.stderr, unit="step", leave=False)

    class _Null:
        def set_description(self, *_: Any) -> None: ...
        def update(self, *_: Any) -> None: ...
        def close(self) -> None: ...

    return _Null()
