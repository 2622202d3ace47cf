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
        The reporting date the data were validated against.
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
    ) -> None:
        self.config = config
        self.path = config.root
        self.as_of = as_of
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
        return (
            f"<Workbook {self.config.organisation or self.path.name!r} as of "
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
