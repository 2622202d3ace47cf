"""Benchmark: load + validate 1M nonconformity rows from Parquet and CSV.

Prints wall time, rows/s and peak memory of ``qmsdata.load`` for each format, with ratios to a
bare ``pd.read_parquet`` / ``pd.read_csv`` of the same file, and the validation step alone
(typing + great-expectations suite + split) against the same checks written in plain pandas,
all measured in the same run (medians of ``--repeats`` runs). Peak memory is the peak resident
set size of a fresh child process during that step (Linux VmHWM, reset just before it) minus
its size before the step, divided by the in-memory size of the accepted DataFrame.

Goals (issue 2): validation <= 10x the plain-pandas checks; memory <= 4x the DataFrame.

Run:  .venv/bin/python benchmarks/load_validate.py [--rows 1000000] [--repeats 3]
      .venv/bin/python benchmarks/load_validate.py --memory [--baseline ../main-checkout]

``--memory`` measures peak memory at demo size as a slope (:func:`memory_main`): the peak of a
small workbook (the demo cut to 300 rows per type) subtracted from the demo's, over the same
difference in accepted frames, so what a process pays once whatever the data (imports, GX's
context, first-use allocations: the intercept) is printed apart instead of inflating a ratio.
2026-12-02 (medians of 3, load 2.4-6.2): main 5.15x (demo whole 6.9x), with Arrow on the system
allocator during load and CSV parsed in chunks 3.12x (4.8x); 1M rows (this benchmark's default
steps) Parquet 3.6x -> 3.2x, CSV 3.75x -> 2.9x. Later that day (load 1.6-4.6): main slope 2.87x,
demo whole 4.5x (118 MiB peak for 26.1 MiB), intercept 43 MiB; with each raw frame freed before
the split's copies, dates parsed per distinct text and Parquet read without Arrow's dataset
layer 2.43x, 3.9x (103 MiB), 39 MiB (mostly code: openpyxl's import, the Parquet and CSV
readers' libraries).

Recorded 2026-11-21 on the shared 2-core build machine (busy; absolute times vary 2x run to run,
ratios less), 1M rows, medians of 3:

    parquet: load 6.9 s (146k rows/s); validate / plain pandas 1.5x; GX suite / pandas checks
             2.7x; peak RSS 629 MiB = 3.4x the accepted frame (185 MiB), 2.1x a bare read's peak
    csv:     load 7.3 s (136k rows/s); validate / plain pandas 1.5x; GX suite / pandas checks
             3.1x; peak RSS 655 MiB = 3.5x the accepted frame, 2.1x a bare read's peak

Peak memory before the fixes in ``qmsdata.validate`` (now ``qmsdata.validation``; same machine,
earlier run): 4.2x / 4.3x.
Where it went (RSS above the start, 1M rows, Parquet): the raw frame as read ~300 MiB (held by
the loader until the end; the bare read's peak), typed columns +150 MiB, GX's copy of the
checked columns +100 MiB that GX's process-wide context kept alive through the split, and the
accepted frame copied whole (+170 MiB) while raw and typed were still alive. Now GX's frame is
emptied after the suite and the typed columns are moved into the accepted frame one by one;
the peak is during the GX suite (raw + typed + GX's frame and working memory).

At small sizes the RSS ratio is not a per-frame figure (2026-12-01, 20k rows, one run, load
6.6): a bare ``pd.read_parquet`` alone peaks 46 MiB above its start for a 4 MiB frame (pyarrow's
memory pool, first-use allocations); ``load`` 75 MiB (20x), 51 MiB (14x) after a 200-row
warm-up load. Use ``--demo`` for the demo workbook's time ratio against plain pandas.

GX suite before the fixes in ``qmsdata.validation.gx._gx_frame`` (same run, 1M rows): 5.9 s with all
columns as Arrow strings, 3.2 s as categories, 2.7 s with only the checked columns.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = "2026-10-31"
SITES = ["Leeds", "Brno"]


def make_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """Return n nonconformity rows (export-style, text dates) with ~0.1% invalid rows."""
    rng = np.random.default_rng(seed)
    detected = pd.Timestamp("2023-11-01") + pd.to_timedelta(rng.integers(0, 1090, n), unit="D")
    closed_after = rng.integers(0, 60, n)
    status = np.where(rng.random(n) < 0.8, "closed", "open")
    closed_at = detected + pd.to_timedelta(closed_after, unit="D")
    closed_at = closed_at.where(closed_at <= pd.Timestamp(AS_OF), pd.Timestamp(AS_OF))
    closed = closed_at.strftime("%Y-%m-%d")
    closed = np.where(status == "closed", closed, "")
    df = pd.DataFrame(
        {
            "nc_id": [f"NC-{i:07d}" for i in range(n)],
            "detected_date": detected.strftime("%Y-%m-%d"),
            "site": rng.choice(SITES, n),
            "process": rng.choice(["SMT", "Wave", "AOI", "ICT", "Final test", "Packing"], n),
            "product": rng.choice([f"PCB-{k:03d}" for k in range(120)], n),
            "source": rng.choice(["incoming", "in_process", "final", "customer"], n),
            "defect_code": rng.choice([f"D{k:02d}" for k in range(40)], n),
            "defect_category": rng.choice(["solder", "component", "cosmetic", "function"], n),
            "quantity": rng.integers(1, 50, n).astype(str),
            "disposition": rng.choice(["scrap", "rework", "use_as_is", "pending"], n),
            "cost": np.round(rng.gamma(2.0, 40.0, n), 2).astype(str),
            "supplier_id": "",
            "capa_id": "",
            "status": status,
            "closed_date": closed,
        }
    )
    bad = rng.choice(n, size=max(n // 1000, 8), replace=False)
    kinds = np.arange(len(bad)) % 8
    for k, col, value in [
        (0, "disposition", "burn"),
        (1, "quantity", "-3"),
        (2, "cost", "1,200.00"),
        (3, "detected_date", "31/02/2026"),
        (4, "detected_date", "2027-01-15"),
        (5, "site", "Paris"),
        (6, "closed_date", "2020-01-01"),
        (7, "nc_id", "NC-0000000"),
    ]:
        df.loc[bad[kinds == k], col] = value
    return df


def write_workbook(folder: Path, df: pd.DataFrame, warm: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if warm:  # the warm-up copy of warm_* steps
        write_workbook(folder / "warm", df.head(200), warm=False)
    df.to_parquet(folder / "nc.parquet", index=False)
    df.to_csv(folder / "nc.csv", index=False)
    for fmt in ("parquet", "csv"):
        sub = folder / fmt
        sub.mkdir(exist_ok=True)
        (sub / "qms.toml").write_text(
            '[workbook]\norganisation = "Bench"\nsites = ["Leeds", "Brno"]\n'
            f'as_of = {AS_OF}\n[records.nonconformities]\nsource = "../nc.{fmt}"\n'
            "outside = true\n",  # the one data file both formats' workbooks share
            encoding="utf-8",
        )


# --- the same checks in plain pandas (the baseline) ------------------------------------------


def plain_pandas_validate(raw: pd.DataFrame) -> dict:
    """Type and check the rows with plain pandas; return counts and the two phases' times."""
    t0 = time.perf_counter()
    as_of = pd.Timestamp(AS_OF)
    t = pd.DataFrame(index=raw.index)
    bad = np.zeros(len(raw), dtype=bool)
    for c in (
        "nc_id",
        "site",
        "process",
        "product",
        "defect_code",
        "defect_category",
        "supplier_id",
        "capa_id",
    ):
        s = raw[c].astype("str").str.strip()
        t[c] = s.mask(s == "")
    for c in ("source", "disposition", "status"):
        s = raw[c].astype("str").str.strip().str.lower()
        t[c] = s.mask(s == "")
    for c in ("quantity", "cost"):
        s = pd.to_numeric(raw[c], errors="coerce").astype("float64")
        bad |= (raw[c].notna() & s.isna()).to_numpy()
        t[c] = s
    for c in ("detected_date", "closed_date"):
        s = pd.to_datetime(raw[c], format="ISO8601", errors="coerce")
        bad |= (raw[c].notna() & s.isna()).to_numpy()
        t[c] = s
    t1 = time.perf_counter()
    for c in ("nc_id", "detected_date", "site", "source", "quantity"):
        bad |= t[c].isna().to_numpy()
    bad |= t.source.notna() & ~t.source.isin(["incoming", "in_process", "final", "customer"])
    bad |= t.disposition.notna() & ~t.disposition.isin(
        ["scrap", "rework", "use_as_is", "return_to_supplier", "pending"]
    )
    bad |= t.status.notna() & ~t.status.isin(["open", "closed"])
    bad |= t.site.notna() & ~t.site.isin(SITES)
    bad |= (t.quantity < 0) | (t.cost < 0) | (t.quantity % 1 != 0) & t.quantity.notna()
    bad |= t.nc_id.duplicated(keep=False) & t.nc_id.notna()
    bad |= t.closed_date < t.detected_date
    bad |= (t.detected_date > as_of) | (t.closed_date > as_of)
    bad |= (t.status == "closed") & t.closed_date.isna()
    bad = np.asarray(bad)
    t2 = time.perf_counter()
    accepted = t[~bad]
    rejects = raw[bad]
    return {
        "accepted": len(accepted),
        "rejected": len(rejects),
        "typing": t1 - t0,
        "checks": t2 - t1,
    }


# --- the demo: qmsdata.load against the same checks in plain pandas plus reading (issue 15) ---


def demo_plain_pandas(folder: Path) -> pd.DataFrame:
    """Read, type and check every demo source in plain pandas; return the failures table.

    The same work as :func:`qmsdata.load` without great-expectations: the same readers
    (:func:`qmsdata.io.read_source`), the same typing (plain pandas already) and reference
    check, every GX check of :func:`qmsdata.validation.gx.build_suite` written as a pandas
    mask, and the same split (which words and orders the failures table) and line numbers. The
    benchmark asserts the table equals ``qmsdata.load``'s byte for byte, so both flag exactly
    the same failures.
    """
    from qmsdata.config import read_config
    from qmsdata.io import read_source
    from qmsdata.io.lines import attach_lines
    from qmsdata.records import RECORD_TYPES
    from qmsdata.validation import DateRules, map_columns, type_columns
    from qmsdata.validation.failures import describe, empty_failures
    from qmsdata.validation.references import check_references
    from qmsdata.validation.split import split

    config = read_config(folder)
    as_of = pd.Timestamp(config.as_of).normalize()
    sites = config.sites
    done = {}
    for name, rs in config.records.items():
        source = read_source(rs, config.root)
        raw = source.frame.reset_index(drop=True)
        source_row = np.arange(1, len(raw) + 1, dtype=np.int64)
        if "source_row" in raw.columns:
            source_row = pd.to_numeric(raw["source_row"]).to_numpy().astype(np.int64)
            raw = raw.drop(columns="source_row")
        spec = RECORD_TYPES[name]
        mapping = map_columns(raw.columns, spec, rs.columns)
        rules = DateRules.of(**_date_rules(rs))
        typed, failures = type_columns(
            raw, spec, mapping, date_format=rs.date_format, sites=sites, dates=rules
        )
        done[name] = (spec, raw, mapping, typed, failures, source_row, source.lines)
    ids = {
        f"{n}.{c}": set(t[c].dropna())
        for n, (spec, _, mapping, t, _, _, _) in done.items()
        for c in spec.names
        if c in mapping
    }
    tables = []
    for spec, raw, mapping, typed, failures, source_row, lines in done.values():
        _pandas_checks(spec, raw, mapping, typed, failures, as_of, sites, describe)
        refs = {
            r.column: ids[f"{r.target}.{r.target_column}"]
            for r in spec.references
            if f"{r.target}.{r.target_column}" in ids
        }
        check_references(typed, raw, spec, mapping, failures, refs)
        tables.append(attach_lines(split(raw, typed, spec, failures, source_row).failures, lines))
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else attach_lines(empty_failures(), None)


def _date_rules(rs) -> dict:
    r = rs.date_rules()
    return {
        "missing": r.get("missing_dates", ()),
        "earliest": r.get("earliest_date"),
        "latest": r.get("latest_date"),
    }


def _pandas_checks(spec, raw, mapping, typed, failures, as_of, sites, describe) -> None:
    """Add the failures of every check GX runs, as pandas masks, in build_suite's order."""

    def add(mask, check: str, column: str, **meta) -> None:
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(pos):
            meta = {"check": check, "column": column, **meta}
            cases, msgs = describe(check, column, meta, pos, raw, typed, spec, mapping)
            failures.add(pos, column, check, cases, msgs)

    for col in spec.columns:
        if col.name not in mapping:
            continue
        s = typed[col.name]
        if col.required:
            add(s.isna(), "not_null", col.name)
        if col.allowed:
            add(
                s.notna() & ~s.isin(col.allowed),
                "allowed_values",
                col.name,
                allowed="|".join(col.allowed),
            )
        if col.kind == "site" and sites:
            site_list = [x.strip() for x in sites]
            add(
                s.notna() & ~s.isin(site_list),
                "allowed_values",
                col.name,
                allowed="|".join(site_list),
            )
        if col.pattern:
            ok = s.str.fullmatch(f"(?:{col.pattern})").fillna(True).astype(bool)
            add(~ok, "pattern", col.name, pattern=col.pattern)
        if col.min is not None or col.max is not None:
            bad = pd.Series(False, index=s.index)
            if col.min is not None:
                bad |= s < col.min
            if col.max is not None:
                bad |= s > col.max
            add(bad, "range", col.name, min=col.min, max=col.max)
        if col.kind == "date" and not col.future_ok:
            add(
                s >= as_of + pd.Timedelta(days=1),
                "not_future",
                col.name,
                as_of=as_of.date().isoformat(),
            )
        if col.kind == "period":
            add(s.dt.start_time > as_of, "not_future", col.name, as_of=as_of.date().isoformat())
    key = [k for k in spec.key if k in mapping]
    if len(key) == 1:
        s = typed[key[0]]
        add(s.notna() & s.duplicated(keep=False), "unique", key[0])
    elif key:
        frame = pd.DataFrame({k: typed[k] for k in key})
        add(frame.duplicated(keep=False), "unique", ", ".join(key), key=key)
    for order in spec.orders:
        if order.low in mapping and order.high in mapping:
            add(typed[order.high] < typed[order.low], order.check, order.high, other=order.low)
    for rule in spec.status_rules:
        if rule.status in mapping and rule.requires in mapping:
            cond = typed[rule.status].isin(list(rule.values))
            add(cond & typed[rule.requires].isna(), rule.check, rule.requires, other=rule.status)


def demo_step(name: str, folder: Path) -> dict:
    """One demo measurement in a fresh process: CPU and wall seconds, failures table digest."""
    import hashlib
    import os

    def cpu() -> float:
        t = os.times()
        return t.user + t.system

    c0 = cpu()
    if name == "demo_load_gx_imported":
        import great_expectations  # noqa: F401  (import before the clock: fixed cost excluded)

        _gx_setup()
    import qmsdata

    c1, t1 = cpu(), time.perf_counter()
    if name.startswith("demo_load"):
        failures = qmsdata.load(folder).failures
    else:
        failures = demo_plain_pandas(folder)
    c2, t2 = cpu(), time.perf_counter()
    digest = hashlib.sha256(failures.to_csv(index=False).encode("utf-8")).hexdigest()
    return {
        "cpu": c2 - c1,
        "wall": t2 - t1,
        "pre_cpu": c1 - c0,
        "failures": len(failures),
        "digest": digest,
    }


def demo_main(repeats: int) -> None:
    """Demo validation vs the same checks in plain pandas plus reading (issue 15 goal <= 3x)."""
    import os

    import qmsdata

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        qmsdata.write_demo(folder, seed=9001, end="2026-10")
        names = ("demo_pandas", "demo_load_gx_imported", "demo_load")
        res: dict[str, list[dict]] = {n: [] for n in names}
        loads = []
        for _ in range(repeats):
            for n in names:
                res[n].append(run_child(n, folder))
                loads.append(os.getloadavg()[0])
    digests = {r["digest"] for rs in res.values() for r in rs}
    assert len(digests) == 1, "plain pandas and qmsdata.load flag different failures"

    def med(n: str, k: str) -> float:
        return statistics.median(r[k] for r in res[n])

    base = med("demo_pandas", "cpu")
    print(
        f"demo workbook, medians of {repeats} fresh processes, load average "
        f"{min(loads):.1f}-{max(loads):.1f}; failures tables identical "
        f"({res['demo_pandas'][0]['failures']} rows)"
    )
    for n, label in (
        ("demo_pandas", "read + type + checks in plain pandas"),
        ("demo_load_gx_imported", "qmsdata.load, GX imported beforehand"),
        ("demo_load", "qmsdata.load, GX import included"),
    ):
        c, w = med(n, "cpu"), med(n, "wall")
        print(f"  {label:40s} CPU {c:5.2f} s  wall {w:5.2f} s  -> {c / base:.1f}x plain pandas")
    print("  goal: qmsdata.load <= 3x plain pandas (CPU s)")


# --- memory: the slope between a small workbook and the demo, and the fixed overhead ----------

SMALL_ROWS = 300  # valid rows per record type of the small workbook (planted bad rows kept)


def write_small(folder: Path, rows: int = SMALL_ROWS) -> None:
    """Write the demo workbook cut to its first ``rows`` valid rows per record type.

    The same generator, formats, column names, qms.toml and planted bad rows (those that fall
    within the first rows) as :func:`qmsdata.write_demo`, so the two workbooks differ in size
    only: what differs in their peaks is what grows with the data.
    """
    from qmsdata.demo.company import parse_end
    from qmsdata.demo.generate import generate
    from qmsdata.demo.writers import write_sources

    end = parse_end("2026-10")
    tables = generate(9001, end)
    small = {
        rt: (valid.head(rows).reset_index(drop=True), [(p, r) for p, r in bad if p <= rows])
        for rt, (valid, bad) in tables.items()
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_sources(folder, small, end)


def _gx_setup() -> None:
    """Import great-expectations and make qmsdata's GX context (``_setup`` in older checkouts)."""
    from qmsdata.validation import gx

    (getattr(gx, "setup", None) or gx._setup)()


def mem_step(name: str, folder: Path) -> dict:
    """One memory measurement in a fresh process (``mem_fixed``, ``mem_load``, ``mem_trace``).

    ``mem_fixed`` (the script :data:`_FIXED`, not this module, which imports pandas first): RSS
    of the bare interpreter, then what importing pandas, pyarrow and qmsdata adds, then
    great-expectations with qmsdata's one GX context: paid once per process whatever the data.
    ``mem_load``: with all that done beforehand, the peak RSS of ``qmsdata.load`` above
    its start (VmHWM reset just before), the in-memory size of the accepted frames, Arrow's
    pool (backend, bytes allocated at the end, its peak), and RSS after ``malloc_trim(0)``
    (what glibc held freed but not returned); digests of every accepted frame, reject frame and
    the failures table. ``mem_trace``: the same load under tracemalloc (Python-level and numpy
    allocations; not Arrow's, nor C libraries' own mallocs): its peak and what stays.
    """
    import ctypes
    import hashlib

    import pyarrow as pa

    import qmsdata

    _gx_setup()  # imports great-expectations, makes the context
    out: dict = {}
    pool = pa.default_memory_pool()
    if name == "mem_trace":
        import tracemalloc

        tracemalloc.start()
    base = _rss_reset_peak()
    arrow0 = pa.total_allocated_bytes()
    wb = qmsdata.load(folder)
    out["peak"] = _peak_rss() - base
    out["after"] = _status_kib("VmRSS") * 1024 - base
    if name == "mem_trace":
        import tracemalloc

        out["traced_now"], out["traced_peak"] = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    out["arrow_now"] = pa.total_allocated_bytes() - arrow0
    # the pool load allocated from: the default one, or the system one (qmsdata.io.pool)
    out["arrow_peak"] = max(pool.max_memory(), pa.system_memory_pool().max_memory())
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        out["after_trim"] = _status_kib("VmRSS") * 1024 - base
    except OSError:  # not glibc
        out["after_trim"] = out["after"]
    names = [n for n in wb.validation.index if wb.validation.loc[n, "configured"]]
    out["frames"] = sum(int(getattr(wb, n).memory_usage(deep=True).sum()) for n in names)
    digest = hashlib.sha256()
    for n in names:
        for frame in (getattr(wb, n), wb.rejects[n]):
            digest.update(repr(list(frame.dtypes.astype(str).items())).encode())
            digest.update(frame.to_csv(index=False).encode("utf-8"))
    digest.update(wb.failures.to_csv(index=False).encode("utf-8"))
    out["digest"] = digest.hexdigest()
    out["failures"] = len(wb.failures)
    return out


_FIXED = """
import json
def rss():
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(x.split()[1]) * 1024 for x in fh if x.startswith("VmRSS:"))
out = {"start": rss()}
import pyarrow as pa
import pandas
import qmsdata
out["imports"] = rss() - out["start"]
from qmsdata.validation import gx
(getattr(gx, "setup", None) or gx._setup)()  # _setup in older checkouts
out["gx"] = rss() - out["start"] - out["imports"]
out["pool"] = pa.default_memory_pool().backend_name
print(json.dumps(out))
"""


def memory_main(repeats: int, baseline: str | None) -> None:
    """Peak memory of ``qmsdata.load``: slope from the small workbook to the demo, fixed costs."""
    import os

    import qmsdata

    routes = {"this checkout": None} if baseline is None else {"baseline": baseline, "this": None}
    with tempfile.TemporaryDirectory() as tmp:
        demo, small = Path(tmp) / "demo", Path(tmp) / "small"
        qmsdata.write_demo(demo, seed=9001, end="2026-10")
        write_small(small)
        res: dict[tuple[str, str, str], list[dict]] = {}
        loads = []
        for _ in range(repeats):
            for route, path in routes.items():
                for kind, folder in (
                    ("mem_fixed", small),
                    ("mem_load", small),
                    ("mem_load", demo),
                    ("mem_trace", small),
                    ("mem_trace", demo),
                ):
                    key = (route, kind, folder.name)
                    res.setdefault(key, []).append(run_child(kind, folder, qmsdata_path=path))
                    loads.append(os.getloadavg()[0])
    mib = 2**20

    def med(route: str, kind: str, folder: str, k: str) -> float:
        return statistics.median(r[k] for r in res[(route, kind, folder)])

    print(
        f"peak memory of qmsdata.load, medians of {repeats} fresh processes each, load average "
        f"{min(loads):.1f}-{max(loads):.1f}; small = the demo cut to {SMALL_ROWS} rows per "
        "record type; RSS above the start of load, GX imported and its context made beforehand"
    )
    for route in routes:
        digests = {
            f: {r["digest"] for kind in ("mem_load", "mem_trace") for r in res[(route, kind, f)]}
            for f in ("small", "demo")
        }
        assert all(len(d) == 1 for d in digests.values()), f"{route}: results differ run to run"
        print(
            f"\n[{route}]  accepted/rejects/failures digests demo "
            f"{next(iter(digests['demo']))[:12]}, small {next(iter(digests['small']))[:12]}"
        )
        fx = ("mem_fixed", "small")
        print(
            f"  fixed: interpreter {med(route, *fx, 'start') / mib:.0f} MiB, + pandas/pyarrow/"
            f"qmsdata {med(route, *fx, 'imports') / mib:.0f} MiB, + great-expectations and its "
            f"context {med(route, *fx, 'gx') / mib:.0f} MiB; Arrow pool "
            f"{res[(route, *fx)][0]['pool']}"
        )
        for f in ("small", "demo"):
            peak, frame = med(route, "mem_load", f, "peak"), med(route, "mem_load", f, "frames")
            held = med(route, "mem_load", f, "after")
            print(
                f"  {f:5s}: peak {peak / mib:6.1f} MiB, accepted frames {frame / mib:5.1f} MiB "
                f"-> {peak / frame:5.1f}x; held after load {held / mib:.0f}"
                f" MiB ({med(route, 'mem_load', f, 'after_trim') / mib:.0f} after malloc_trim); "
                f"Arrow peak {med(route, 'mem_load', f, 'arrow_peak') / mib:.1f} MiB; traced "
                f"(Python+numpy) peak {med(route, 'mem_trace', f, 'traced_peak') / mib:.1f} MiB"
            )
        d_peak = med(route, "mem_load", "demo", "peak") - med(route, "mem_load", "small", "peak")
        d_frame = med(route, "mem_load", "demo", "frames") - med(
            route, "mem_load", "small", "frames"
        )
        slopes = [
            (b["peak"] - a["peak"]) / (b["frames"] - a["frames"])
            for a, b in zip(
                res[(route, "mem_load", "small")], res[(route, "mem_load", "demo")], strict=True
            )
        ]
        slope = d_peak / d_frame
        first_use = med(route, "mem_load", "small", "peak") - slope * med(
            route, "mem_load", "small", "frames"
        )
        print(
            f"  slope (peak(demo) - peak(small)) / (frames(demo) - frames(small)) = "
            f"{d_peak / mib:.1f} / {d_frame / mib:.1f} MiB = {slope:.2f}x "
            f"(per run {', '.join(f'{s:.2f}' for s in slopes)}; goal <= 4x); first-use "
            f"overhead of a process's first load (the intercept) {first_use / mib:.0f} MiB"
        )


# --- one measured step, run in a child process -----------------------------------------------


def step(name: str, folder: Path) -> dict:
    """Run one step once; return its wall time and memory figures.

    ``warm_<step>``: the same step on a 200-row copy first, then measured. RSS counts what a
    process's first load allocates once (modules imported on first use, GX's context and
    metric registries, pyarrow and pandas kernels): fixed, not per row, and at demo size a
    large part of the delta. The warm figure leaves it out; both are printed.
    """
    if name.startswith("warm_"):
        name = name.removeprefix("warm_")
        step(name, folder / "warm")
    import qmsdata
    from qmsdata.validation import gx, map_columns, split, type_columns

    if name.startswith(("load", "validate")):
        import great_expectations  # noqa: F401  (import cost is not part of the measurement)
    fmt = name.split("_")[-1]
    path = folder / f"nc.{fmt}"
    raw = None
    if name.startswith(("validate", "pandas")):
        raw = (
            pd.read_parquet(path)
            if fmt == "parquet"
            else pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        )
    base = _rss_reset_peak()
    t0 = time.perf_counter()
    frame_bytes = 0
    detail = {}
    if name.startswith("bare"):
        df = pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)
        rows = len(df)
        frame_bytes = int(df.memory_usage(deep=True).sum())
    elif name.startswith("load"):
        wb = qmsdata.load(folder / fmt)
        rows = int(wb.validation.loc["nonconformities", "rows"])
        frame_bytes = int(wb.nonconformities.memory_usage(deep=True).sum())
        detail = {"rejected": int(wb.validation.loc["nonconformities", "rejected"])}
    elif name.startswith("validate"):
        spec = qmsdata.record_spec("nonconformities")
        t1 = time.perf_counter()
        mapping = map_columns(raw.columns, spec, {})
        typed, failures = type_columns(raw, spec, mapping, sites=SITES)
        t2 = time.perf_counter()
        gx.run_suite(typed, raw, spec, mapping, failures, pd.Timestamp(AS_OF), SITES)
        t3 = time.perf_counter()
        source_row = np.arange(1, len(raw) + 1)
        out = split.split(raw, typed, spec, failures, source_row)
        t4 = time.perf_counter()
        rows = len(raw)
        detail = {"typing": t2 - t1, "gx": t3 - t2, "split": t4 - t3, "rejected": len(out.rejects)}
        frame_bytes = int(out.accepted.memory_usage(deep=True).sum())
    else:  # pandas baseline
        detail = plain_pandas_validate(raw)
        rows = detail["accepted"] + detail["rejected"]
    wall = time.perf_counter() - t0
    peak = _peak_rss()
    return {
        "wall": wall,
        "rows": rows,
        "peak_delta": max(peak - base, 0),
        "frame_bytes": frame_bytes,
        **detail,
    }


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _rss_reset_peak() -> int:
    """Return the current RSS in bytes and reset the peak (Linux); else the peak so far."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # resets VmHWM, the peak resident set size
        return _status_kib("VmRSS") * 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_rss() -> int:
    """Return the peak RSS in bytes since the last reset (Linux), else since start."""
    try:
        return _status_kib("VmHWM") * 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_child(name: str, folder: Path, qmsdata_path: str | None = None) -> dict:
    """Run one step in a fresh process (``qmsdata_path``: import qmsdata from that checkout)."""
    import os

    env = None
    if qmsdata_path is not None:
        env = {**os.environ, "PYTHONPATH": str(Path(qmsdata_path).resolve())}
    cmd = [sys.executable, __file__, "--child", name, "--folder", str(folder)]
    if name == "mem_fixed":  # not this module: it imports pandas before anything is measured
        cmd = [sys.executable, "-c", _FIXED]
    out = subprocess.run(
        cmd,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--demo", action="store_true", help="the demo workbook vs plain pandas")
    ap.add_argument(
        "--memory", action="store_true", help="peak memory: slope small -> demo, fixed costs"
    )
    ap.add_argument(
        "--baseline", default=None, help="with --memory: also measure qmsdata from this checkout"
    )
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--folder", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fn = demo_step if args.child.startswith("demo") else step
        fn = mem_step if args.child.startswith("mem_") else fn
        print(json.dumps(fn(args.child, Path(args.folder))))
        return
    if args.memory:
        memory_main(args.repeats, args.baseline)
        return
    if args.demo:
        demo_main(args.repeats)
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_workbook(folder, make_frame(args.rows))
        print(
            f"wrote {args.rows:,} nonconformity rows (Parquet and CSV) in "
            f"{time.perf_counter() - t0:.1f} s\n"
        )
        res: dict[str, list[dict]] = {}
        for _ in range(args.repeats):
            for fmt in ("parquet", "csv"):
                for kind in ("bare", "load", "warm_load", "pandas", "validate"):
                    name = f"{kind}_{fmt}"
                    res.setdefault(name, []).append(run_child(name, folder))

    def med(name: str, key: str = "wall") -> float:
        return statistics.median(r[key] for r in res[name])

    print(f"medians of {args.repeats} runs, {args.rows:,} rows")
    for fmt in ("parquet", "csv"):
        load, bare = med(f"load_{fmt}"), med(f"bare_{fmt}")
        val, plain = med(f"validate_{fmt}"), med(f"pandas_{fmt}")
        peak = med(f"load_{fmt}", "peak_delta")
        frame = med(f"load_{fmt}", "frame_bytes")
        print(f"\n[{fmt}]")
        print(
            f"  qmsdata.load            {load:7.2f} s  {args.rows / load:>10,.0f} rows/s  "
            f"rejected {res[f'load_{fmt}'][0]['rejected']}"
        )
        print(f"  bare pd.read_{fmt:<8}   {bare:7.2f} s  -> load / bare read = {load / bare:.1f}x")
        parts = ", ".join(f"{k} {med(f'validate_{fmt}', k):.2f}" for k in ("typing", "gx", "split"))
        print(f"  validate (type+GX+split){val:7.2f} s  ({parts})")
        pparts = ", ".join(f"{k} {med(f'pandas_{fmt}', k):.2f}" for k in ("typing", "checks"))
        print(f"  plain pandas, same work {plain:7.2f} s  ({pparts})")
        print(
            f"  -> validate / plain pandas = {val / plain:.1f}x;  GX suite / pandas checks = "
            f"{med(f'validate_{fmt}', 'gx') / med(f'pandas_{fmt}', 'checks'):.1f}x  (goal <= 10x)"
        )
        print(
            f"  peak memory of load     {peak / 2**20:7.0f} MiB  accepted frame "
            f"{frame / 2**20:.0f} MiB -> {peak / frame:.1f}x  (goal <= 4x)"
        )
        wpeak = med(f"warm_load_{fmt}", "peak_delta")
        wframe = med(f"warm_load_{fmt}", "frame_bytes")
        print(
            f"  same, after a 200-row load {wpeak / 2**20:5.0f} MiB  -> {wpeak / wframe:.1f}x  "
            "(one-off first-load allocations left out)"
        )
        bare_peak = med(f"bare_{fmt}", "peak_delta")
        print(
            f"  peak memory of bare read{bare_peak / 2**20:7.0f} MiB  -> load / bare read = "
            f"{peak / bare_peak:.1f}x"
        )


if __name__ == "__main__":
    main()
