"""great-expectations: the one module of qmsdata that imports it.

One suite per record type is planned from its spec (:func:`plan_suite`, without GX: which
expectations on which columns) and built from the plan (:func:`build_suite`): ``not_null``,
``allowed_values``, ``pattern``, ``range``, ``unique``, ``date_order`` (and the other
column-order checks), ``not_future`` and ``status_consistency``. :func:`start_suite` sends the
checked columns to :func:`check_frame` — here, or in the GX worker process of
:mod:`qmsdata.validation.gx_worker` — and :meth:`PendingSuite.apply` turns the findings into rows
of the failures collector. GX is imported inside the functions, so importing qmsdata (or this
module) stays fast; :func:`prefetch` starts that import (and the process's one GX context) on a
background thread while the sources are read.

GX's cost is mostly fixed (~27 ms per expectation, and its project configuration serialised to
YAML on every data source or asset added), so the process keeps ONE ephemeral context with ONE
pandas data source, asset and batch definition, and each suite passes its frame as the batch's
dataframe parameter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qmsdata.errors import QmsError
from qmsdata.records import RecordSpec
from qmsdata.validation.failures import Failures, describe

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["build_suite", "check_frame", "plan_suite", "prefetch", "run_suite", "start_suite"]

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
    from qmsdata.validation import gx_worker

    if gx_worker.current() is not None:  # the worker imports it; this process never needs it
        return
    with _lock:
        if _prefetch is not None or "context" in _state:
            return
        _prefetch = threading.Thread(target=_safe_setup, name="qms-gx-import", daemon=True)
        _prefetch.start()


def _safe_setup() -> None:
    import contextlib

    with contextlib.suppress(Exception):  # run_suite sets up again and raises then
        setup()


@dataclass(frozen=True)
class Planned:
    """One expectation of a record type's suite, described without great-expectations.

    ``kind`` is the GX expectation class, ``kwargs`` its arguments, ``meta`` what the failures
    table needs (``check``, ``column`` and, for some checks, ``other``, ``key``, ``allowed`` ...),
    ``condition`` a row condition ``(column, values)``: only rows whose ``column`` is one of
    ``values`` are checked. The plan is made from the spec alone, so the process that types a
    frame knows which columns its suite reads without importing GX (see :mod:`.gx_worker`).
    """

    kind: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    condition: tuple[str, tuple[str, ...]] | None = None

    @property
    def key(self) -> str:
        """This expectation's identity within its suite (its meta: check, columns)."""
        return meta_key(self.meta)


@dataclass(frozen=True)
class Finding:
    """What one failing expectation found: its meta and the failing rows' positions.

    ``error`` is GX's message when the expectation could not run at all (then ``positions`` is
    empty); :meth:`PendingSuite.apply` raises it as a QmsError naming the record type.
    """

    meta: dict[str, Any]
    positions: np.ndarray
    error: str | None = None


class PendingSuite:
    """A record type's suite, started (in this process or in the GX worker): apply its result."""

    def __init__(
        self,
        spec: RecordSpec,
        raw: pd.DataFrame,
        typed: Mapping[str, pd.Series],
        mapping: Mapping[str, str],
        result: Callable[[], list[Finding]],
        value_maps: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.spec, self.raw, self.typed, self.mapping = spec, raw, typed, mapping
        self._result, self._value_maps = result, value_maps

    def apply(self, failures: Failures) -> None:
        """Wait for the suite's findings and add them to ``failures`` (raise if GX failed)."""
        for found in self._result():
            check, column = found.meta["check"], found.meta["column"]
            if found.error is not None:
                raise _gx_error(self.spec, check, column, found.error)
            pos = np.unique(found.positions)
            if not len(pos):
                continue
            vmap = self._value_maps.get(column)
            cases, msgs = describe(
                check, column, found.meta, pos, self.raw, self.typed, self.spec, self.mapping, vmap
            )
            failures.add(pos, column, check, cases, msgs)


def start_suite(
    typed: Mapping[str, pd.Series],
    raw: pd.DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    as_of: pd.Timestamp,
    sites: Sequence[str],
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
) -> PendingSuite | None:
    """Start the spec's suite on the typed columns; None when there is nothing to check.

    ``value_maps`` (column -> the source's value map) are named in allowed-values reasons.

    With a GX worker running (:func:`qmsdata.validation.gx_worker.out_of_process`) the checked
    columns go to it at once and this process goes on typing the next record type; otherwise
    the suite runs here when the result is applied.
    """
    from qmsdata.validation import gx_worker

    if len(raw) == 0:
        return None
    plan = plan_suite(spec, as_of=as_of, sites=sites, present=mapping)
    if not plan:
        return None
    frame = _gx_frame(typed, spec, plan_columns(plan), raw.index)
    worker = gx_worker.current()
    if worker is not None:
        result = worker.submit(spec.name, frame, plan, as_of, sites, list(mapping))
    else:

        def result() -> list[Finding]:
            return check_frame(frame, plan, spec.name)

    return PendingSuite(spec, raw, typed, mapping, result, value_maps or {})


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
    pending = start_suite(typed, raw, spec, mapping, as_of, sites)
    if pending is not None:
        pending.apply(failures)


def check_frame(frame: pd.DataFrame, plan: Sequence[Planned], name: str) -> list[Finding]:
    """Run ``plan`` on ``frame`` with great-expectations; return the failing expectations.

    ``frame`` holds the plan's columns (:func:`_gx_frame`) with row positions as its index; it
    is emptied afterwards (GX's context keeps a reference to it until a full collection).
    """
    batch_definition = setup()  # before the suite: GX suites need an active context
    try:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        with _quiet():
            # Two passes: every expectation with BOOLEAN_ONLY (half GX's fixed cost per
            # expectation: no metrics for unexpected values, counts or index lists), then only
            # the expectations that failed again with COMPLETE for their failing rows.
            # Measured on the small workbook's 166 expectations: 1.44 -> 0.75 CPU s for the
            # first pass, ~9 ms per failing expectation for the second.
            if not TWO_PASS:
                results = list(
                    batch.validate(build_suite(plan, name), result_format=_COMPLETE).results
                )
            else:
                first = list(
                    batch.validate(build_suite(plan, name), result_format=_BOOLEAN).results
                )
                errors = [f for f in map(_finding, first) if f.error is not None]
                failed = {meta_key(r.expectation_config.meta) for r in first if not r.success}
                if errors or not failed:
                    return errors
                again = build_suite(plan, name, keep=failed)
                results = list(batch.validate(again, result_format=_COMPLETE).results)
    finally:
        # GX's context outlives this call (it is the process's current project) and its
        # execution engine keeps this very frame until a full garbage collection: empty it in
        # place so the checked columns' copies are freed before the split (~100 MiB per 1M
        # rows; a gc.collect() here costs 0.2 s per record type). The suite's columns are
        # few (the spec's), so this loop does not grow with the source's width.
        for column in list(frame.columns):
            del frame[column]
    found = [_finding(r) for r in results]
    return [f for f in found if f.error is not None or len(f.positions)]


def _finding(res: Any) -> Finding:
    """Return the Finding of one GX expectation result (empty positions when it passed)."""
    meta = dict(res.expectation_config.meta or {})
    none = np.zeros(0, dtype=np.int64)
    message = _exception_message(res)
    if message is not None:
        return Finding(meta, none, message)
    if res.success:
        return Finding(meta, none)
    pos = (res.result or {}).get("unexpected_index_list") or []
    return Finding(meta, np.asarray(pos, dtype=np.int64))


def _exception_message(res: Any) -> str | None:
    """Return GX's message when it could not run the expectation of ``res``, else None."""
    info = res.exception_info or {}
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info.get("raised_exception") else None
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _gx_error(spec: RecordSpec, check: str, column: str, message: str) -> QmsError:
    return QmsError(
        f"great-expectations could not run check {check!r}: {message}",
        record_type=spec.name,
        column=column,
        hint="This is a bug in qmsdata or great-expectations; please report it with the "
        "column's values.",
    )


_BOOLEAN = {"result_format": "BOOLEAN_ONLY"}
_COMPLETE = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
    "include_unexpected_rows": False,
}


def meta_key(meta: Mapping[str, Any] | None) -> str:
    """Return a hashable identity of an expectation of a suite (its meta: check, columns)."""
    import json

    return json.dumps(meta or {}, sort_keys=True, default=str)


def plan_suite(
    spec: RecordSpec,
    *,
    as_of: pd.Timestamp,
    sites: Sequence[str] = (),
    present: Iterable[str] | None = None,
) -> list[Planned]:
    """Plan the great-expectations suite of ``spec``: every check GX runs (see module notes).

    Each expectation's ``meta`` carries the ``check`` and ``column`` used in the failures table
    (and, for pair checks, the ``other`` column). ``present`` limits the suite to the columns the
    source actually has (None: all).
    """
    import pandas as pd

    have = set(spec.names if present is None else present)
    plan: list[Planned] = []

    def add(kind: str, kwargs: dict[str, Any], check: str, column: str, **meta: Any) -> None:
        plan.append(Planned(kind, kwargs, {"check": check, "column": column, **meta}))

    for col in spec.columns:
        name = col.name
        if name not in have:
            continue
        if col.required:
            add("ExpectColumnValuesToNotBeNull", {"column": name}, "not_null", name)
        if col.allowed:
            add(
                "ExpectColumnValuesToBeInSet",
                {"column": name, "value_set": list(col.allowed)},
                "allowed_values",
                name,
                allowed="|".join(col.allowed),
            )
        if col.kind == "site" and sites:
            site_list = [s.strip() for s in sites]
            add(
                "ExpectColumnValuesToBeInSet",
                {"column": name, "value_set": site_list},
                "allowed_values",
                name,
                allowed="|".join(site_list),
            )
        if col.pattern:
            add(
                "ExpectColumnValuesToMatchRegex",
                {"column": name, "regex": f"^(?:{col.pattern})$"},
                "pattern",
                name,
                pattern=col.pattern,
            )
        if col.min is not None or col.max is not None:
            add(
                "ExpectColumnValuesToBeBetween",
                {"column": name, "min_value": col.min, "max_value": col.max},
                "range",
                name,
                min=col.min,
                max=col.max,
            )
        if col.kind == "date" and not col.future_ok:
            add(
                "ExpectColumnValuesToBeBetween",
                {"column": name, "max_value": as_of + pd.Timedelta(days=1), "strict_max": True},
                "not_future",
                name,
                as_of=as_of.date().isoformat(),
            )
        if col.kind == "period":
            add(
                "ExpectColumnValuesToBeBetween",
                {"column": name, "max_value": as_of},
                "not_future",
                name,
                as_of=as_of.date().isoformat(),
            )
    key = [k for k in spec.key if k in have]
    if len(key) == 1:
        add("ExpectColumnValuesToBeUnique", {"column": key[0]}, "unique", key[0])
    elif key:
        add(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": key, "ignore_row_if": "never"},
            "unique",
            ", ".join(key),
            key=key,
        )
    for order in spec.orders:
        if order.low in have and order.high in have:
            add(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": order.high,
                    "column_B": order.low,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                order.check,
                order.high,
                other=order.low,
            )
    for rule in spec.status_rules:
        if rule.status in have and rule.requires in have:
            plan.append(
                Planned(
                    "ExpectColumnValuesToNotBeNull",
                    {"column": rule.requires},
                    {"check": rule.check, "column": rule.requires, "other": rule.status},
                    condition=(rule.status, tuple(rule.values)),
                )
            )
    return plan


def build_suite(plan: Sequence[Planned], name: str, *, keep: set[str] | None = None) -> Any:
    """Return the great-expectations suite of ``plan`` (only the ``keep`` keys when given).

    Returns
    -------
    great_expectations.ExpectationSuite
    """
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column as Col

    suite = gx.ExpectationSuite(name=f"qmsdata.{name}")
    for item in plan:
        if keep is not None and item.key not in keep:
            continue
        kwargs = dict(item.kwargs)
        if item.condition is not None:
            column, values = item.condition
            kwargs["row_condition"] = Col(column).is_in(list(values))
        expectation = getattr(gx.expectations, item.kind)(**kwargs)
        expectation.meta = dict(item.meta)
        suite.add_expectation(expectation)
    return suite


def plan_columns(plan: Sequence[Planned]) -> dict[str, bool]:
    """Return ``{column: values compared}`` for the columns the plan's expectations read.

    Values are compared by in-set and regex expectations and by row conditions; not-null,
    uniqueness and pair checks on text columns need only identity.
    """
    used: dict[str, bool] = {}
    for item in plan:
        compares = item.meta.get("check") in ("allowed_values", "pattern")
        for attr in ("column", "column_A", "column_B"):
            name = item.kwargs.get(attr)
            if isinstance(name, str):
                used[name] = used.get(name, False) or compares
        for name in item.kwargs.get("column_list") or ():
            used.setdefault(name, False)
        if item.condition is not None:  # the row condition's column
            used[item.condition[0]] = True
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


def setup() -> Any:
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
