"""great-expectations: the one module of qmsdata that imports it.

One suite per record type is built from its spec (:func:`build_suite`): ``not_null``,
``allowed_values``, ``pattern``, ``range``, ``unique``, ``date_order`` (and the other
column-order checks), ``not_future`` and ``status_consistency``. :func:`run_suite` runs it once
on the typed columns and turns GX's results into rows of the failures collector. GX is imported
inside the functions, so importing qmsdata (or this module) stays fast; :func:`prefetch` starts
that import (and the process's one GX context) on a background thread while the sources are read.

GX's cost is mostly fixed (~27 ms per expectation, and its project configuration serialised to
YAML on every data source or asset added), so the process keeps ONE ephemeral context with ONE
pandas data source, asset and batch definition, and each suite passes its frame as the batch's
dataframe parameter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qmsdata.errors import QmsError
from qmsdata.records import RecordSpec
from qmsdata.validation.failures import Failures, describe

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["build_suite", "prefetch", "run_suite"]

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "context", "batch_definition": made once per process
_prefetch: threading.Thread | None = None
#: run every expectation with BOOLEAN_ONLY first, then only the failing ones with COMPLETE (see
#: :func:`run_suite`); False: one COMPLETE pass (the tests compare both routes' failures)
TWO_PASS = True


def prefetch() -> None:
    """Import great-expectations and make the process's GX context on a background thread.

    ``import great_expectations`` costs seconds of CPU (scipy, altair, sqlalchemy); started
    before the sources are read, much of it overlaps reading and typing (pyarrow, openpyxl and
    SQLite release the GIL for part of their work). Idempotent; :func:`run_suite` waits for it.
    """
    global _prefetch
    with _lock:
        if _prefetch is not None or "context" in _state:
            return
        _prefetch = threading.Thread(target=_safe_setup, name="qms-gx-import", daemon=True)
        _prefetch.start()


def _safe_setup() -> None:
    import contextlib

    with contextlib.suppress(Exception):  # run_suite sets up again and raises then
        _setup()


def run_suite(
    typed: Mapping[str, pd.Series],
    raw: pd.DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    failures: Failures,
    as_of: pd.Timestamp,
    sites: Sequence[str],
) -> None:
    """Run the spec's suite on the typed columns once and add its failures to ``failures``."""
    if len(raw) == 0:
        return
    batch_definition = _setup()  # before the suite: GX suites need an active context
    suite = build_suite(spec, as_of=as_of, sites=sites, present=mapping)
    if not suite.expectations:
        return
    frame = _gx_frame(typed, spec, _suite_columns(suite), raw.index)
    try:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        with _quiet():
            # Two passes: every expectation with BOOLEAN_ONLY (half GX's fixed cost per
            # expectation: no metrics for unexpected values, counts or index lists), then only
            # the expectations that failed again with COMPLETE for their failing rows.
            # Measured on the small workbook's 166 expectations: 1.44 -> 0.75 CPU s for the
            # first pass, ~9 ms per failing expectation for the second.
            if not TWO_PASS:
                results = list(batch.validate(suite, result_format=_COMPLETE).results)
            else:
                results = _two_pass(batch, suite, spec, as_of, sites, mapping)
    finally:
        # GX's context outlives this call (it is the process's current project) and its
        # execution engine keeps this very frame until a full garbage collection: empty it in
        # place so the checked columns' copies are freed before the split (~100 MiB per 1M
        # rows; a gc.collect() here costs 0.2 s per record type). The suite's columns are
        # few (the spec's), so this loop does not grow with the source's width.
        for column in list(frame.columns):
            del frame[column]
    for res in results:
        meta = res.expectation_config.meta or {}
        check, column = meta["check"], meta["column"]
        raise_if_gx_failed(res, spec, check, column)
        if res.success:
            continue
        pos = np.asarray(res.result.get("unexpected_index_list") or [], dtype=np.int64)
        if not len(pos):
            continue
        pos = np.unique(pos)
        cases, msgs = describe(check, column, meta, pos, raw, typed, spec, mapping)
        failures.add(pos, column, check, cases, msgs)


def _two_pass(
    batch: Any,
    suite: Any,
    spec: RecordSpec,
    as_of: pd.Timestamp,
    sites: Sequence[str],
    mapping: Mapping[str, str],
) -> list[Any]:
    """Return the COMPLETE results of the expectations of ``suite`` that fail on ``batch``."""
    results = list(batch.validate(suite, result_format=_BOOLEAN).results)
    for res in results:
        meta = res.expectation_config.meta
        raise_if_gx_failed(res, spec, meta["check"], meta["column"])
    failed = {_meta_key(r.expectation_config.meta) for r in results if not r.success}
    if not failed:
        return []
    again = build_suite(spec, as_of=as_of, sites=sites, present=mapping, keep=failed)
    return list(batch.validate(again, result_format=_COMPLETE).results)


_BOOLEAN = {"result_format": "BOOLEAN_ONLY"}
_COMPLETE = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
    "include_unexpected_rows": False,
}


def _meta_key(meta: Mapping[str, Any] | None) -> str:
    """Return a hashable identity of an expectation of a suite (its meta: check, columns)."""
    import json

    return json.dumps(meta or {}, sort_keys=True, default=str)


def build_suite(
    spec: RecordSpec,
    *,
    as_of: pd.Timestamp,
    sites: Sequence[str] = (),
    present: Iterable[str] | None = None,
    keep: set[str] | None = None,
) -> Any:
    """Build the great-expectations suite of ``spec`` (every check GX runs; see module notes).

    Each expectation's ``meta`` carries the ``check`` and ``column`` used in the failures table
    (and, for pair checks, the ``other`` column). ``present`` limits the suite to the columns the
    source actually has (None: all); ``keep`` (keys of :func:`_meta_key`) limits it to those
    expectations (None: all).

    Returns
    -------
    great_expectations.ExpectationSuite
    """
    import great_expectations as gx
    import pandas as pd
    from great_expectations.expectations.row_conditions import Column as Col

    E = gx.expectations
    have = set(spec.names if present is None else present)
    suite = gx.ExpectationSuite(name=f"qmsdata.{spec.name}")

    def add(expectation: Any, check: str, column: str, **meta: Any) -> None:
        expectation.meta = {"check": check, "column": column, **meta}
        if keep is None or _meta_key(expectation.meta) in keep:
            suite.add_expectation(expectation)

    for col in spec.columns:
        name = col.name
        if name not in have:
            continue
        if col.required:
            add(E.ExpectColumnValuesToNotBeNull(column=name), "not_null", name)
        if col.allowed:
            add(
                E.ExpectColumnValuesToBeInSet(column=name, value_set=list(col.allowed)),
                "allowed_values",
                name,
                allowed="|".join(col.allowed),
            )
        if col.kind == "site" and sites:
            site_list = [s.strip() for s in sites]
            add(
                E.ExpectColumnValuesToBeInSet(column=name, value_set=site_list),
                "allowed_values",
                name,
                allowed="|".join(site_list),
            )
        if col.pattern:
            add(
                E.ExpectColumnValuesToMatchRegex(column=name, regex=f"^(?:{col.pattern})$"),
                "pattern",
                name,
                pattern=col.pattern,
            )
        if col.min is not None or col.max is not None:
            add(
                E.ExpectColumnValuesToBeBetween(column=name, min_value=col.min, max_value=col.max),
                "range",
                name,
                min=col.min,
                max=col.max,
            )
        if col.kind == "date" and not col.future_ok:
            add(
                E.ExpectColumnValuesToBeBetween(
                    column=name, max_value=as_of + pd.Timedelta(days=1), strict_max=True
                ),
                "not_future",
                name,
                as_of=as_of.date().isoformat(),
            )
        if col.kind == "period":
            add(
                E.ExpectColumnValuesToBeBetween(column=name, max_value=as_of),
                "not_future",
                name,
                as_of=as_of.date().isoformat(),
            )
    key = [k for k in spec.key if k in have]
    if len(key) == 1:
        add(E.ExpectColumnValuesToBeUnique(column=key[0]), "unique", key[0])
    elif key:
        add(
            E.ExpectCompoundColumnsToBeUnique(column_list=key, ignore_row_if="never"),
            "unique",
            ", ".join(key),
            key=key,
        )
    for order in spec.orders:
        if order.low in have and order.high in have:
            add(
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=order.high,
                    column_B=order.low,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                order.check,
                order.high,
                other=order.low,
            )
    for rule in spec.status_rules:
        if rule.status in have and rule.requires in have:
            cond = Col(rule.status).is_in(list(rule.values))
            add(
                E.ExpectColumnValuesToNotBeNull(column=rule.requires, row_condition=cond),
                rule.check,
                rule.requires,
                other=rule.status,
            )
    return suite


def _suite_columns(suite: Any) -> dict[str, bool]:
    """Return ``{column: values compared}`` for the columns the suite's expectations read.

    Values are compared by in-set and regex expectations and by row conditions; not-null,
    uniqueness and pair checks on text columns need only identity.
    """
    used: dict[str, bool] = {}
    for exp in suite.expectations:
        compares = exp.meta.get("check") in ("allowed_values", "pattern")
        for attr in ("column", "column_A", "column_B"):
            name = getattr(exp, attr, None)
            if isinstance(name, str):
                used[name] = used.get(name, False) or compares
        for name in getattr(exp, "column_list", None) or ():
            used.setdefault(name, False)
        if exp.meta.get("check") == "status_consistency":  # the row condition's column
            used[exp.meta["other"]] = True
    return used


def _gx_frame(
    typed: Mapping[str, pd.Series],
    spec: RecordSpec,
    columns: Mapping[str, bool],
    index: pd.Index,
) -> pd.DataFrame:
    """Return the columns a suite checks, in the form GX checks fastest.

    GX filters and hashes the whole frame for each expectation, so it gets only the columns its
    expectations name (``columns``: name -> whether the check compares values). Text columns
    whose values are compared become ``category``; text columns checked only for missing values
    or uniqueness (ids) become their integer codes (NaN when missing), which answer those
    checks the same and cost far less than a million-category index. Taking rows of Arrow-backed
    strings was most of GX's run time. Months become their first day, which GX compares as
    dates, at nanosecond resolution. Measured on 1M nonconformity rows, medians of 3 in one run:
    all columns as Arrow strings 5.9 s, as categories 3.2 s, only the checked columns as
    categories 2.7 s.
    """
    import pandas as pd

    data = {}
    for col in spec.columns:
        if col.name not in columns:
            continue
        s = typed[col.name]
        if col.kind == "period":
            s = s.dt.start_time  # months within the plausible window: no overflow
        if s.dtype.kind == "M" and s.dtype != "datetime64[ns]":
            # GX compares only nanosecond datetimes vectorised (others value by value in
            # Python); the plausible window (1950..2199) fits in ns
            s = s.astype("datetime64[ns]")
        elif col.dtype == "str" and columns[col.name]:
            s = s.astype("category")
        elif col.dtype == "str":
            codes, _ = pd.factorize(s, use_na_sentinel=True)
            s = pd.Series(np.where(codes < 0, np.nan, codes), index=s.index)
        data[col.name] = s
    return pd.DataFrame(data, index=index, copy=False)


def _setup() -> Any:
    """Return the process's GX batch definition (one ephemeral context, data source and asset).

    Made once per process, on first use or by :func:`prefetch`'s thread (a second caller waits
    for it). The context lives in memory (no files), progress bars off.
    """
    prefetching = _prefetch
    if prefetching is not None and prefetching is not threading.current_thread():
        prefetching.join()
    with _lock:
        if "batch_definition" not in _state:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            _state["context"] = context
            _state["batch_definition"] = (
                context.data_sources.add_pandas("qmsdata")
                .add_dataframe_asset("records")
                .add_batch_definition_whole_dataframe("all")
            )
        return _state["batch_definition"]


class _quiet:
    """Silence GX's stray warnings while a suite runs."""

    def __enter__(self) -> _quiet:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._w.__exit__(*exc)


def raise_if_gx_failed(res: Any, spec: RecordSpec, check: str, column: str) -> None:
    """Raise QmsError when GX could not run an expectation (instead of reporting no failures)."""
    info = res.exception_info or {}
    found = []
    if "raised_exception" in info:
        if info.get("raised_exception"):
            found.append(info.get("exception_message"))
    else:
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                found.append(value.get("exception_message"))
    if found:
        raise QmsError(
            f"great-expectations could not run check {check!r}: {found[0]}",
            record_type=spec.name,
            column=column,
            hint="This is a bug in qmsdata or great-expectations; please report it with the "
            "column's values.",
        )
