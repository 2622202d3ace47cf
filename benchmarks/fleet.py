"""Benchmark: a fifty-site fleet on Spark ``local[2]`` against the default (pandas) engine.

For each ``--scales`` factor the fleet workbook of ``benchmarks/fleet_data.py`` is written (or
reused from ``--data``), then each engine runs in a fresh child process on the same files:

- **pandas**: ``pd.read_parquet`` of each source (folders included), the pandas engine's
  validation (typing, great-expectations suite, references, split), the monthly aggregates of
  ``qmsdata.engine.aggregates`` and the screening;
- **spark**: start a local Spark (timed apart: the fixed cost), ``qmsdata.engine.spark.load``
  (read, type, check, quarantine, aggregate on Spark; aggregates and quarantine collected) and
  the same screening on the collected aggregates.

Screening = ``qmsdata.fleet_screen`` (the product's route, as ``qms pack --group``): every
monitored site-level series at every site (defect rates per unit inspected by process, ...)
ranked in one run, in the month of the data date; "flagged" counts special-cause series.

Measured: wall time of load + validate + screening, rows per second, peak RSS of the Python
driver process (its own ``ru_maxrss``) and, for Spark, the peak RSS of the whole driver side
(Python + its local JVM, sampled every 0.2 s). Both engines' rejected-row counts and aggregate
totals are printed side by side: they must agree.

Run:  .venv/bin/python benchmarks/fleet.py [--scales 1 5 10] [--base-rows 1000000]
      [--data DIR] [--engines pandas spark]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PROCESS_SOURCES = ("in_process", "final")


def _validate():
    try:
        from qmsdata.validation import validate
    except ImportError:
        from qmsdata.validate import validate
    return validate


def screening(workbook) -> dict[str, int]:
    """Screen the fleet the product's way (``qmsdata.fleet_screen``): series and signal counts.

    Every monitored site-level series (defect rates by process, complaint and supplier series
    where the workbook has them) at every site, in the month of the workbook's data date.
    """
    import qmsdata

    period = str(workbook.as_of.to_period("M")) if hasattr(workbook.as_of, "to_period") else None
    found = qmsdata.fleet_screen(workbook, period or str(workbook.as_of)[:7])
    table = found.table
    special = table["variation"].astype(str).str.startswith("special_cause")
    return {"series": len(table), "flagged": int(special.sum())}


def _totals(aggregates) -> dict[str, float]:
    return {
        name: round(float(t.select_dtypes("number").sum().sum()), 3)
        for name, t in sorted(aggregates.items())
    }


def _workbook(config, accepted, aggregates):
    """Return a Workbook of the pandas engine's accepted frames (what ``qmsdata.load`` holds)."""
    import pandas as pd

    from qmsdata.workbook.model import Workbook

    return Workbook(
        config=config,
        as_of=pd.Timestamp(config.as_of),
        frames=accepted,
        rejects={},
        failures=pd.DataFrame(),
        validation=pd.DataFrame(),
        provenance={},
        aggregates=aggregates,
    )


def run_pandas(data: Path) -> dict:
    import pandas as pd

    from qmsdata.config import read_config
    from qmsdata.engine.aggregates import aggregate_frames

    validate = _validate()
    config = read_config(data)
    t0 = time.perf_counter()
    raws = {
        name: pd.read_parquet(rs.path(config.root))
        for name, rs in config.records.items()
        if name in ("nonconformities", "supplier_receipts", "production")
    }
    ids = set(raws["supplier_receipts"]["supplier_id"].dropna())
    accepted, rejected, rows = {}, 0, 0
    for name in ("supplier_receipts", "production", "nonconformities"):
        refs = {"supplier_id": ids} if name == "nonconformities" else {}
        raw = raws.pop(name)
        rows += len(raw)
        result = validate(raw, name, as_of=config.as_of, sites=config.sites, references=refs)
        del raw
        accepted[name] = result.accepted
        rejected += len(result.rejects)
    aggregates = aggregate_frames(accepted)
    t1 = time.perf_counter()
    found = screening(_workbook(config, accepted, aggregates))
    t2 = time.perf_counter()
    return {
        "rows": rows,
        "rejected": rejected,
        "load_validate_s": t1 - t0,
        "screen_s": t2 - t1,
        "start_s": 0.0,
        "totals": _totals(aggregates),
        **found,
    }


def run_spark(data: Path) -> dict:
    from qmsdata.engine import spark as engine

    t0 = time.perf_counter()
    spark = engine.session("local[2]")
    t1 = time.perf_counter()
    result = engine.load(data, spark=spark)
    t2 = time.perf_counter()
    found = screening(result.workbook())
    t3 = time.perf_counter()
    v = result.validation
    out = {
        "rows": int(v["rows"].sum()),
        "rejected": int(v["rejected"].sum()),
        "start_s": t1 - t0,
        "load_validate_s": t2 - t1,
        "screen_s": t3 - t2,
        "totals": _totals(result.aggregates),
        **found,
    }
    spark.stop()
    return out


def _tree_rss(pid: int) -> int:
    """Return the RSS (bytes) of ``pid`` and all its descendants."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(engine: str, data: Path) -> dict:
    """Run one engine in a child process; return its figures plus the sampled peak RSS."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, "--data", str(data)]
    # the child's stderr: shown when it fails
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.2)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        out, _ = proc.communicate()
        done.set()
        thread.join()
        if proc.returncode:
            log.seek(0)
            errors = [ln for ln in log.read().splitlines() if "Error" in ln or "Exception" in ln]
            reason = errors[0].strip() if errors else "no error text"
            return {"failed": f"exit {proc.returncode}: {reason}", "tree_peak_mib": peak / 2**20}
    figures = json.loads(out.strip().splitlines()[-1])
    figures["tree_peak_mib"] = peak / 2**20
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1])
    parser.add_argument("--base-rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="existing fleet workbook (one scale)")
    parser.add_argument("--engines", nargs="+", default=["spark", "pandas"])
    parser.add_argument("--child", choices=["pandas", "spark"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        figures = run_spark(args.data) if args.child == "spark" else run_pandas(args.data)
        figures["driver_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    import fleet_data

    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="qms-fleet-") as tmp:
            data = args.data
            if data is None:
                data = Path(tmp) / "fleet"
                t = time.perf_counter()
                rows = fleet_data.write(data, scale=scale, base_rows=args.base_rows)
                print(f"scale {scale:g}: wrote {rows} in {time.perf_counter() - t:.0f} s")
            results = {e: measure(e, data) for e in args.engines}
        for engine, f in list(results.items()):
            if "failed" in f:
                print(f"  {engine:6s} FAILED ({f['failed']}; peak {f['tree_peak_mib']:.0f} MiB)")
                del results[engine]
                continue
            work = f["load_validate_s"] + f["screen_s"]
            print(
                f"  {engine:6s} rows {f['rows']:>10,}  rejected {f['rejected']:>6,}  "
                f"start {f['start_s']:5.1f} s  load+validate {f['load_validate_s']:6.1f} s  "
                f"screen {f['screen_s']:4.1f} s  = {f['rows'] / work:>9,.0f} rows/s  "
                f"driver peak {f['driver_peak_mib']:6.0f} MiB  "
                f"(with JVM {f['tree_peak_mib']:6.0f} MiB)  "
                f"series {f['series']}, flagged {f['flagged']}"
            )
        if len(results) == 2:
            a, b = results.values()
            same = a["rejected"] == b["rejected"] and a["totals"] == b["totals"]
            print(f"  same rejects and aggregate totals on both engines: {same}")
            if not same:
                print(f"    {a['totals']}\n    {b['totals']}")


if __name__ == "__main__":
    main()
