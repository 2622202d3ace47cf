"""Benchmark ``qms trends --all`` on the demo workbook against ``qms pack``, in one run.

Measured one after another on the same machine and demo workbook (HTML and PDF):

* pack cold   - ``build_pack`` with an empty output folder (no cache);
* trends cold - ``build_trends(all_subjects=True)`` with an empty output folder (its own cache:
  validation, every subject's notebook, PDF);
* trends warm - the same trends build again, nothing changed (snapshot and every subject from
  the cache).

Both cold builds start from nothing, so each pays for loading and validating the workbook.

Usage: ``python benchmarks/trends.py [--workbook DIR] [--period 2026-10] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from qmsdata.pack import build_pack
from qmsdata.pack.trends import build_trends


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workbook", default=None, help="workbook folder (default: a fresh demo)")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="qms-bench-trends-") as tmp:
        root = Path(tmp)
        if args.workbook is None:
            from qmsdata.demo import write_demo

            workbook = write_demo(root / "demo", seed=9001, end=args.period).directory
        else:
            workbook = Path(args.workbook)
        common = {"jobs": args.jobs, "progress": False}
        t0 = time.perf_counter()
        pack = build_pack(workbook, args.period, out=root / "pack", **common)
        pack_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        cold = build_trends(workbook, args.period, all_subjects=True, out=root / "t", **common)
        trends_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = build_trends(workbook, args.period, all_subjects=True, out=root / "t", **common)
        trends_warm = time.perf_counter() - t0
        cached = sum(r.cached for r in warm.sections)
        print(f"cores: {os.cpu_count()}, jobs: {args.jobs}, period {args.period}")
        print(f"pack cold   : {pack_cold:7.1f} s  ({len(pack.sections)} sections)")
        print(
            f"trends cold : {trends_cold:7.1f} s  ({len(cold.sections)} subjects; "
            f"{trends_cold / pack_cold:.2f} x pack cold)"
        )
        print(
            f"trends warm : {trends_warm:7.1f} s  ({cached}/{len(warm.sections)} from cache; "
            f"{trends_warm / trends_cold:.2f} x trends cold)"
        )
        for name, res in (("pack", pack), ("trends", cold)):
            if res.skipped:
                print(f"{name} skipped: {res.skipped}")
            if res.failed:
                print(f"{name} failed: {[r.section.id for r in res.failed]}")


if __name__ == "__main__":
    main()
