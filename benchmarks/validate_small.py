"""Benchmark ``qms validate`` on a small workbook (a few hundred rows per record type).

The small workbook is cut from the demo: the first ``--rows`` rows of every source, written as
CSV with the demo's column names and mappings. Measured in the same run, medians of
``--repeat`` fresh processes (wall and CPU seconds; on a shared machine CPU seconds are the
figure to trust, wall time depends on the load average, printed with it):

* ``qms validate`` of the small workbook, as a user runs it (a new process: imports included;
  great-expectations in its worker process, :mod:`qmsdata.validation.gx_worker`);
* the baseline: the same command with great-expectations in the command's own process (as
  before the worker), measured in the same run;
* the same with the validation cache warm (a second run, nothing changed);
* reading alone (``import pandas`` + reading the sources) as the floor.

Goal (issue 15): ``qms validate`` of a small workbook <= 5 s wall.

Usage: ``python benchmarks/validate_small.py [--rows N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

BIN = Path(sys.executable).parent


def small_workbook(demo: Path, out: Path, rows: int) -> Path:
    """Write the first ``rows`` rows of every demo source as CSV into ``out`` with its qms.toml."""
    from qmsdata.config import read_config
    from qmsdata.files import write_csv
    from qmsdata.io import read_source

    config = read_config(demo)
    doc = tomllib.loads((demo / "qms.toml").read_text(encoding="utf-8"))
    out.mkdir(parents=True)
    lines = ["[workbook]"]
    for k, v in doc["workbook"].items():
        lines.append(f"{k} = {_toml(v)}")
    for name, rs in config.records.items():
        frame = read_source(rs, config.root).frame.head(rows)
        write_csv(frame, out / f"{name}.csv")
        lines += ["", f"[records.{name}]", f'source = "{name}.csv"']
        raw = doc["records"][name]
        is_csv = str(raw["source"]).endswith(".csv")
        if is_csv and "date_format" in raw:
            lines.append(f"date_format = {_toml(raw['date_format'])}")
        lines += ["", f"[records.{name}.columns]"]
        lines += [f"{k} = {_toml(v)}" for k, v in raw.get("columns", {}).items()]
    (out / "qms.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _toml(v: object) -> str:
    import datetime as dt
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return json.dumps(v)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd``; return (wall s, CPU s of it and its children)."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import qmsdata

    tmp = Path(tempfile.mkdtemp(prefix="qms-bench-validate-"))
    try:
        demo = tmp / "demo"
        qmsdata.write_demo(demo, seed=9001, end="2026-10")
        small = small_workbook(demo, tmp / "small", args.rows)
        qms = str(BIN / "qms")
        read = [
            sys.executable,
            "-c",
            "import sys, pandas; from qmsdata.config import read_config; "
            "from qmsdata.io import read_source; c = read_config(sys.argv[1]); "
            "[read_source(r, c.root) for r in c.records.values()]",
            str(small),
        ]
        inproc = [
            sys.executable,
            "-c",
            "import sys; from qmsdata.cli import build_parser, _validate; "
            "sys.exit(_validate(build_parser().parse_args(sys.argv[1:])))",
        ]
        results: dict[str, list[tuple[float, float]]] = {
            "cold": [],
            "inproc": [],
            "warm": [],
            "read": [],
        }
        for i in range(args.repeat):
            out = tmp / f"dq-{i}"
            cache = tmp / f"cache-{i}"
            env = {**os.environ, "QMS_CACHE_DIR": str(cache)}
            cmd = [qms, "validate", str(small), "--out", str(out)]
            results["cold"].append(timed(cmd, env))
            results["warm"].append(timed(cmd, env))
            argv = ["validate", str(small), "--no-cache", "--out", str(tmp / f"dq-in-{i}")]
            results["inproc"].append(timed([*inproc, *argv]))
            results["read"].append(timed(read))
        med = statistics.median
        load = os.getloadavg()
        print(
            f"qms validate, small workbook ({args.rows} rows per record type), "
            f"{os.cpu_count()} cores, load average {load[0]:.1f}, repeat {args.repeat}"
        )
        for key, label in (
            ("cold", "qms validate (new process)"),
            ("inproc", "same, GX in this process (baseline)"),
            ("warm", "qms validate again (validation cache)"),
            ("read", "import pandas + read sources only"),
        ):
            wall = med(r[0] for r in results[key])
            cpu = med(r[1] for r in results[key])
            print(f"  {label:40s} wall {wall:5.1f} s   CPU {cpu:5.1f} s")
        print("  goal: qms validate <= 5 s wall")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
