"""Load a workbook: read every configured source, type and validate it, quarantine bad rows.

>>> import qmsdata
>>> wb = qmsdata.load("data/demo", as_of="2026-10-31")          # doctest: +SKIP
>>> wb.complaints                  # accepted rows, typed, canonical columns
>>> wb.rejects["complaints"]       # rejected rows: original columns, source_row, reasons
>>> wb.validation                  # rows / accepted / rejected per record type
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.config import WorkbookConfig, parse_as_of_date, read_config
from qmsdata.io.pool import system_pool
from qmsdata.records import RECORD_TYPES, record_spec
from qmsdata.workbook.model import Workbook

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load", "resolve_as_of"]


@system_pool()  # Arrow on the one heap the rest uses: see qmsdata.io.pool
def load(
    path: str | os.PathLike[str],
    as_of: str | dt.date | pd.Timestamp | None = None,
    *,
    record_types: Iterable[str] | None = None,
    progress: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
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
    cache_dir
        Keep each record type's validated result here (:mod:`qmsdata.validation.cache`) and
        reuse it while its source, configuration, spec, data date, sites, referenced ids and
        the validation code are unchanged. None (default): validate everything. The record
        types reused are in :attr:`Workbook.reused`.

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
    from qmsdata.io.lines import attach_lines
    from qmsdata.validation import empty_failures, gx_worker, map_columns, type_columns
    from qmsdata.validation.cache import is_cached, load_cached, store_cached, validation_key
    from qmsdata.validation.gx import prefetch
    from qmsdata.validation.pipeline import Prepared, prepare
    from qmsdata.validation.split import Validated

    # a pack section loading on its own reads it all (qmsdata.pack.reads hears the event)
    sys.audit("qmsdata.load", os.fspath(path))

    config = read_config(path)
    if cache_dir is None and any(n in config.records for n in record_types or RECORD_TYPES):
        prefetch()  # great-expectations imports while the sources are read and typed
    as_of_ts = resolve_as_of(as_of, config)
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
        typed, _ = type_columns(raw[list(cols.values())], spec, cols, date_format=rs.date_format)
        for c in cols:
            ids[f"{name}.{c}"] = set(typed[c].dropna())

    def references_of(name: str) -> dict[str, set[str]]:
        return {
            r.column: ids[f"{r.target}.{r.target_column}"]
            for r in RECORD_TYPES[name].references
            if f"{r.target}.{r.target_column}" in ids
        }

    keys: dict[str, str] = {}
    if cache_dir is not None:
        for name in wanted:
            keys[name] = validation_key(
                record_type=name,
                source_sha256=raws[name].provenance.sha256,
                source_config=config.records[name],
                spec=RECORD_TYPES[name],
                as_of=as_of_ts,
                sites=config.sites,
                references=references_of(name),
            )
        if not all(is_cached(Path(cache_dir), k) for k in keys.values()):
            prefetch()  # some record type is validated again: great-expectations is needed

    worker = gx_worker.current()
    if (
        worker is not None
        and cache_dir is not None
        and keys
        and all(is_cached(Path(cache_dir), k) for k in keys.values())
    ):
        worker.close()  # nothing to validate: stop its great-expectations import now
    reused: list[str] = []
    frames: dict[str, pd.DataFrame] = {}
    rejects: dict[str, pd.DataFrame] = {}
    failures = []
    rows = []
    results: dict[str, Validated] = {}
    started: dict[str, Prepared] = {}

    def start(name: str) -> Prepared:
        rs, raw = config.records[name], raws[name]
        # let go of the raw frame (its lines and provenance stay): the split frees its text
        # before it copies the accepted columns (qmsdata.validation.split)
        raws[name] = dataclasses.replace(raw, frame=raw.frame.iloc[:0, :0])
        return prepare(
            raw.frame,
            name,
            as_of=as_of_ts,
            columns=rs.columns,
            date_format=rs.date_format,
            sites=config.sites,
            references=references_of(name),
            file=raw.provenance.source,
            decimal=rs.decimal,
            thousands=rs.thousands,
            value_maps=rs.values,
            **rs.date_rules(),
        )

    for name in wanted:
        key = keys.get(name)
        if key is not None and cache_dir is not None:
            cached = load_cached(Path(cache_dir), key)
            if cached is not None:
                results[name] = cached
                reused.append(name)
                continue
        if worker is not None:  # type every record type now; the worker checks them meanwhile
            started[name] = start(name)
    for name, spec in RECORD_TYPES.items():
        if name not in wanted:
            frames[name] = spec.empty_frame()
            rejects[name] = pd.DataFrame(
                {"source_row": pd.Series([], dtype="int64"), "reasons": pd.Series([], dtype="str")}
            )
            rows.append((name, False, "", "", 0, 0, 0))
            continue
        bar.set_description(f"validating {name}")
        result = results.pop(name, None)
        if result is None:
            result = (started.pop(name, None) or start(name)).finish()
            key = keys.get(name)
            if key is not None and cache_dir is not None:
                store_cached(Path(cache_dir), key, result)
        frames[name] = result.accepted
        raw = raws[name]
        rejects[name] = attach_lines(result.rejects, raw.lines)  # the line in the file
        failures.append(attach_lines(result.failures, raw.lines))
        p = raw.provenance
        rows.append(
            (name, True, p.source, p.format, p.rows, len(result.accepted), len(result.rejects))
        )
        bar.update()
    bar.close()

    failures_table = (
        pd.concat([f for f in failures if len(f)], ignore_index=True)
        if any(len(f) for f in failures)
        else attach_lines(empty_failures(), None)
    )
    validation = pd.DataFrame(
        rows,
        columns=["record_type", "configured", "source", "format", "rows", "accepted", "rejected"],
    ).set_index("record_type")
    wb = Workbook(
        config=config,
        as_of=as_of_ts,
        frames=frames,
        rejects=rejects,
        failures=failures_table,
        validation=validation,
        provenance={n: raws[n].provenance for n in wanted},
    )
    wb.reused = reused
    return wb


def resolve_as_of(as_of: Any, config: WorkbookConfig) -> pd.Timestamp:
    """Return the data date: ``as_of`` when given, else ``[workbook] as_of``, else today."""
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
