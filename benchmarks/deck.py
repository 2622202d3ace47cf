"""Benchmark the browser steps of a demo pack: the PDF print and the pptx deck's charts.

One cold build (HTML, PDF, pptx) fills the section cache; then each repeat removes the printed
PDF and the drawn figures from the cache (``.cache/pdf``, ``.cache/figures``) and builds again,
so the sections come from the cache and the PDF and the deck's PNGs are drawn afresh. Printed:
the ``pdf`` and ``pptx`` phases (wall s), the CPU seconds of this process and of its children
(Chromium: its renderers are counted when it exits) and the load average, medians of
``--repeat``. Run it with another checkout on ``PYTHONPATH`` to measure that code the same way.

Usage: ``python benchmarks/deck.py [--repeat N] [--workbook DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import qmsdata
from qmsdata.pack import build_pack
from qmsdata.pack import cache as cache_mod

FORMATS = ("html", "pdf", "pptx")


def _cpu() -> tuple[float, float]:
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workbook", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="reports folder (kept)")
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qms-bench-deck-"))
    try:
        workbook = args.workbook
        if workbook is None:
            workbook = tmp / "demo"
            qmsdata.write_demo(workbook, seed=9001, end=args.period)
        pinned = cache_mod.code_fingerprint()  # others may edit the checkout meanwhile
        cache_mod.code_fingerprint = lambda: pinned
        out = args.out or tmp / "reports"
        first = build_pack(workbook, args.period, out=out, formats=FORMATS, progress=False)
        assert first.ok, [(s.section.id, s.error) for s in first.failed]
        rows = []
        for _ in range(args.repeat):
            for kind in ("pdf", "figures"):
                shutil.rmtree(out / ".cache" / kind, ignore_errors=True)
            load0, cpu0, t0 = os.getloadavg()[0], _cpu(), time.perf_counter()
            r = build_pack(workbook, args.period, out=out, formats=FORMATS, progress=False)
            wall, cpu1 = time.perf_counter() - t0, _cpu()
            assert r.ok and all(s.cached for s in r.sections)
            assert "pdf" not in r.skipped and "pptx charts" not in r.skipped, r.skipped
            rows.append(
                {
                    "wall": wall,
                    "pdf": r.timings.get("pdf", 0.0),
                    "pptx": r.timings.get("pptx", 0.0),
                    "cpu_self": cpu1[0] - cpu0[0],
                    "cpu_children": cpu1[1] - cpu0[1],
                    "load": (load0 + os.getloadavg()[0]) / 2,
                }
            )
        med = statistics.median
        print(f"browser steps of the demo pack ({qmsdata.__file__}), repeat {args.repeat}")
        for k in ("wall", "pdf", "pptx", "cpu_self", "cpu_children", "load"):
            vals = [row[k] for row in rows]
            print(f"  {k:13s} median {med(vals):6.2f}   runs {', '.join(f'{v:.2f}' for v in vals)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
