"""Compare the data extracts of two packs: ``python benchmarks/compare_extracts.py OLD NEW``.

Reads every ``data/*.csv`` of both pack folders as text cells and reports the files only in one
of them and, for files in both, whether the columns, the row count or any cell differ (numbers
compared to 1e-9 relative). Exit status 0 when every extract is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd


def _same_cell(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(x) and math.isnan(y))


def compare(old: Path, new: Path) -> list[str]:
    """Return one line per difference between the extracts of pack folders ``old`` and ``new``."""
    a = {p.name: p for p in (old / "data").glob("*.csv")}
    b = {p.name: p for p in (new / "data").glob("*.csv")}
    out = [f"only in {old}: {n}" for n in sorted(a.keys() - b.keys())]
    out += [f"only in {new}: {n}" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        fa = pd.read_csv(a[name], dtype=str, keep_default_na=False)
        fb = pd.read_csv(b[name], dtype=str, keep_default_na=False)
        if list(fa.columns) != list(fb.columns):
            out.append(f"{name}: columns {list(fa.columns)} -> {list(fb.columns)}")
            continue
        if len(fa) != len(fb):
            out.append(f"{name}: {len(fa)} rows -> {len(fb)} rows")
            continue
        cells = [
            (i, c, fa.at[i, c], fb.at[i, c])
            for c in fa.columns
            for i in fa.index
            if not _same_cell(fa.at[i, c], fb.at[i, c])
        ]
        if cells:
            i, c, x, y = cells[0]
            out.append(f"{name}: {len(cells)} cell(s) differ, e.g. row {i} {c}: {x!r} -> {y!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the differences; return 0 when none."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    diffs = compare(args.old, args.new)
    n = len(list((args.old / "data").glob("*.csv")))
    print("\n".join(diffs) if diffs else f"all {n} extracts identical")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
