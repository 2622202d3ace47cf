"""Benchmark the review-pack build on the demo workbook.

Measured in the same run:

* cold  - ``build_pack(..., force=True)`` with an empty cache (HTML and PDF), jobs = CPU cores:
  today's route (one GX context, warm kernels, one browser for the PDF); its phases (wall s)
  and CPU seconds of this process and of its children (kernels, Chromium), and the load
  average, since wall time on a shared machine says more about the neighbours than the code;
* warm  - the same build again, nothing changed (every section from the cache);
* cli   - ``qms pack --force`` as a new process into an empty folder: the cold build a user
  runs, its imports included (the in-process builds after the first share this process's);
* naive - the route without the engine: for each section notebook, one after another, the
  ``papermill`` CLI then ``jupyter nbconvert --to html --no-input``, with the same notebooks
  and parameters (the workbook is loaded and validated once and shared, as the engine does).

Goals (issue 5): cold <= 0.5 x naive; warm <= 0.1 x cold. Issue 15: cold <= 30 s wall on 2
quiet cores.

Usage: ``python benchmarks/pack.py [--repeat N] [--workbook DIR] [--no-naive]``.
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
from pathlib import Path

import qmsdata
from qmsdata.pack import build_pack
from qmsdata.pack import cache as cache_mod
from qmsdata.pack.request import resolve_period
from qmsdata.pack.sections import available_sections

BIN = Path(sys.executable).parent


def naive(workbook: Path, period: str, as_of: str, out: Path) -> float:
    """Run papermill CLI + nbconvert CLI per notebook, sequentially; return seconds."""
    from qmsdata.pack.snapshot import write_snapshot

    t0 = time.perf_counter()
    snapshot = out / "snapshot"
    write_snapshot(qmsdata.load(workbook, as_of=as_of), snapshot)
    for section in available_sections():
        work = out / section.id
        work.mkdir(parents=True)
        executed = work / f"{section.id}.ipynb"
        params = {
            "workbook": str(workbook),
            "period": period,
            "as_of": as_of,
            "site": "None",
            "baseline_months": "12",
            "rules": "anhoej",
            "out_dir": str(work),
            "snapshot": str(snapshot),
        }
        cmd = [
            str(BIN / "papermill"),
            str(section.notebook()),
            str(executed),
            "-k",
            "python3",
            "--no-progress-bar",
        ]
        for k, v in params.items():
            cmd += ["-p", k, v]
        subprocess.run(cmd, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - t0


def cli_cold(workbook: Path, period: str, out: Path) -> tuple[float, float]:
    """Run ``qms pack --force`` into an empty folder as a new process; return (wall, CPU s).

    The in-process builds above share this process's imports (pandas, great-expectations,
    nbconvert: ~8 CPU s) after the first; a user's ``qms pack`` pays them every time.
    """
    cmd = [str(BIN / "qms"), "pack", str(workbook), "--period", period, "--out", str(out)]
    before = os.times()
    t0 = time.perf_counter()
    done = subprocess.run([*cmd, "--force", "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = os.times()
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: rows quarantined (the demo's)
    cpu = after.children_user + after.children_system
    return wall, cpu - before.children_user - before.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workbook", type=Path, default=None)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qms-bench-pack-"))
    try:
        workbook = args.workbook
        if workbook is None:
            workbook = tmp / "demo"
            qmsdata.write_demo(workbook, seed=9001, end=args.period)
        # other people may edit the checkout while this runs: pin the package-code hash
        pinned = cache_mod.code_fingerprint()
        cache_mod.code_fingerprint = lambda: pinned
        as_of = resolve_period(args.period)[2]
        cold, warm, naive_t, phases, cpus, loads = [], [], [], [], [], []
        cli: list[tuple[float, float]] = []
        for i in range(args.repeat):
            out = tmp / f"reports-{i}"
            before, load_before = os.times(), os.getloadavg()[0]
            r = build_pack(workbook, args.period, out=out, progress=False, force=True)
            after = os.times()
            assert r.ok, [(s.section.id, s.error) for s in r.failed]
            cold.append(r.seconds)
            phases.append(r.timings)
            cpus.append(
                (
                    after.user + after.system - before.user - before.system,
                    after.children_user
                    + after.children_system
                    - before.children_user
                    - before.children_system,
                )
            )
            loads.append((load_before + os.getloadavg()[0]) / 2)
            w = build_pack(workbook, args.period, out=out, progress=False)
            assert all(s.cached for s in w.sections)
            warm.append(w.seconds)
            cli.append(cli_cold(workbook, args.period, tmp / f"cli-{i}"))
            if not args.no_naive:
                naive_t.append(naive(workbook, args.period, as_of, tmp / f"naive-{i}"))
        med = statistics.median
        n = len(available_sections())
        print(
            f"demo pack, {n} sections, {os.cpu_count()} cores, repeat {args.repeat}, "
            f"load average during the cold builds {med(loads):.1f}"
        )
        print(
            f"  cold build (html+pdf): median {med(cold):7.1f} s wall   CPU s: this process "
            f"{med(c[0] for c in cpus):.1f}, children (kernels, Chromium) "
            f"{med(c[1] for c in cpus):.1f}"
        )
        print(
            f"  cold `qms pack` as a new process (what a user runs: imports, kernels, Chromium "
            f"included): median {med(c[0] for c in cli):.1f} s wall, CPU s "
            f"{med(c[1] for c in cli):.1f} (goal <= 30 s)"
        )
        keys = list(phases[0])
        print(
            "    phases, wall s (medians): "
            + ", ".join(f"{k} {med(p.get(k, 0.0) for p in phases):.1f}" for k in keys)
        )
        print(
            f"  warm rebuild (cached): median {med(warm):7.1f} s   warm/cold = "
            f"{med(warm) / med(cold):.3f} (goal <= 0.1)"
        )
        if naive_t:
            print(
                f"  naive papermill+nbconvert CLIs, sequential: median {med(naive_t):7.1f} s   "
                f"cold/naive = {med(cold) / med(naive_t):.2f} (goal <= 0.5)"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
