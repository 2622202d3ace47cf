"""Measure what one new piece of data re-runs in the pack: per-section cache keys (issue 15).

On the demo (seed 9001, ending 2026-10), HTML only:

(a) the all-sites pack, then one complaint row edited (its description) and the pack again:
    how many sections re-run, wall and CPU seconds of the second build;
(b) then the first ``--site Leeds`` pack: how many sections re-run, wall and CPU seconds.

CPU seconds are this process plus its finished children (the kernels, shut down at the end
of each build), from :func:`resource.getrusage`. The load average is printed beside each.

    .venv/bin/python benchmarks/section_cache.py [OUT_FOLDER]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _build(label: str, wb: Path, out: Path, **kw: object) -> None:
    from qmsdata.pack import build_pack

    load = os.getloadavg()
    cpu, t0 = _cpu(), time.perf_counter()
    result = build_pack(wb, "2026-10", out=out, formats=("html",), progress=False, **kw)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu
    ran = [r.section.id for r in result.sections if not r.cached]
    reasons: dict[str, list[str]] = {}
    for sid, why in result.reran.items():
        reasons.setdefault(why, []).append(sid)
    print(
        f"{label}: re-ran {len(ran)}/{len(result.sections)} sections, wall {wall:.1f} s, "
        f"CPU {cpu:.1f} s, load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    for why, ids in reasons.items():
        print(f"    {why}: {', '.join(ids)}", flush=True)


def edit_one_complaint(wb: Path) -> None:
    """Change the description of the last complaint in the demo's CRM export (one row)."""
    path = wb / "complaints.csv"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = next(i for i, name in enumerate(rows[0]) if "description" in name.lower())
    rows[-1][col] = rows[-1][col] + " (customer called again)"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv: list[str]) -> None:
    from qmsdata.demo import write_demo

    root = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="section-cache-"))
    wb, out = root / "demo", root / "reports"
    write_demo(wb, seed=9001, end="2026-10")
    _build("cold all-sites pack", wb, out)
    _build("warm all-sites pack (nothing changed)", wb, out)
    edit_one_complaint(wb)
    _build("(a) all-sites pack after one complaint edited", wb, out)
    _build("(b) first --site Leeds pack after the all-sites pack", wb, out, site="Leeds")


if __name__ == "__main__":
    main(sys.argv[1:])
