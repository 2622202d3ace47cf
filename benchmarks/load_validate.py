"""Benchmark: load + validate 1M nonconformity rows from Parquet and CSV.

Prints wall time, rows/s and peak memory of ``qmsdata.load`` for each format, with ratios to a
bare ``pd.read_parquet`` / ``pd.read_csv`` of the same file, and the validation step alone
(typing + great-expectations suite + split) against the same checks written in plain pandas,
all measured in the same run (medians of ``--repeats`` runs). Peak memory is the peak resident
set size of a fresh child process during that step (Linux VmHWM, reset just before it) minus
its size before the step, divided by the in-memory size of the accepted DataFrame.

Goals (issue 2): validation <= 10x the plain-pandas checks; memory <= 4x the DataFrame.

Run:  .venv/bin/python benchmarks/load_validate.py [--rows 1000000] [--repeats 3]

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


def write_workbook(folder: Path, df: pd.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
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


# --- one measured step, run in a child process -----------------------------------------------


def step(name: str, folder: Path) -> dict:
    """Run one step once; return its wall time and memory figures."""
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


def run_child(name: str, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--folder", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(step(args.child, Path(args.folder))))
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
                for kind in ("bare", "load", "pandas", "validate"):
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
        bare_peak = med(f"bare_{fmt}", "peak_delta")
        print(
            f"  peak memory of bare read{bare_peak / 2**20:7.0f} MiB  -> load / bare read = "
            f"{peak / bare_peak:.1f}x"
        )


if __name__ == "__main__":
    main()
