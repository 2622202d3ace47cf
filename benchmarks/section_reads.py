"""Measure what each packaged section notebook actually reads (a diagnostic for issue 15).

Runs every section notebook of ``qmsdata/notebooks/pack`` in this process (not in a kernel), on
one workbook, with the workbook accessor instrumented: which record types' frames it touches
(``wb.complaints``, ``wb["complaints"]``), which load-level facts (``validation``,
``failures``, ``rejects``, ``provenance``), whether it derives a view of every frame
(``as_at``, ``with_frames``, ...), and whether it reads the build's shared signals and
assessability. Prints, per section, what it read and what it read beyond its registry
``Section.records``.

What a notebook reads depends on the data (``if assessed:`` branches), so this is what one
workbook's path through it reads, not a proof; a per-section cache key on content must record
its reads at run time, not trust ``Section.records`` (see the output: most sections read more).

    .venv/bin/python benchmarks/section_reads.py [WORKBOOK] [PERIOD]

Without a workbook the demo is written to a temporary folder (seed 9001, ending 2026-10).
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

import qmsdata
from qmsdata.pack import context as X
from qmsdata.pack import snapshot as S
from qmsdata.pack.sections import NOTEBOOK_DIR, SECTIONS
from qmsdata.workbook.model import Workbook

SEEN: set[str] = set()
LOAD_FACTS = ("validation", "failures", "rejects", "provenance")
WHOLE_VIEWS = ("with_frames", "as_at", "for_site", "for_product")


class TrackedWorkbook(Workbook):
    """A workbook that notes each record type, load fact and whole-workbook view it hands out."""

    def __getitem__(self, record_type: str) -> Any:
        SEEN.add(record_type)
        return self.__dict__["_frames"][record_type]

    def __getattr__(self, name: str) -> Any:
        frames = self.__dict__.get("_frames", {})
        if name in frames:
            SEEN.add(name)
            return frames[name]
        raise AttributeError(name)

    def __getattribute__(self, name: str) -> Any:
        if name in LOAD_FACTS:
            SEEN.add("load:" + name)
        elif name in WHOLE_VIEWS:
            SEEN.add("every record type (via " + name + ")")
        return object.__getattribute__(self, name)


def main(argv: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="section-reads-"))
    if argv:
        folder = Path(argv[0])
    else:
        from qmsdata.demo import write_demo

        folder = tmp / "demo"
        write_demo(folder, seed=9001, end="2026-10")
    period = argv[1] if len(argv) > 1 else "2026-10"
    ctx = X.section_context(workbook=str(folder), period=period)
    wb = qmsdata.load(folder).as_at(ctx.end)

    def tracked(_folder: Any) -> TrackedWorkbook:
        return TrackedWorkbook(
            config=wb.config,
            as_of=wb.as_of,
            frames=wb._frames,
            rejects=wb.rejects,
            failures=wb.failures,
            validation=wb.validation,
            provenance=wb.provenance,
            report_date=wb.report_date,
        )

    X.compute_signals(wb, ctx).to_parquet(tmp / "signals.parquet")
    (tmp / "assessability.json").write_text(X.compute_assessability(wb, ctx).to_json())
    ctx = ctx.replace(
        as_of=ctx.end,
        snapshot=str(tmp),
        signals=str(tmp / "signals.parquet"),
        assessability=str(tmp / "assessability.json"),
    )
    S.read_snapshot = tracked  # type: ignore[assignment]
    signals, assessability = X.section_signals, X.section_assessability

    def note_signals(w: Any, c: Any) -> Any:
        SEEN.add("shared:signals")
        return signals(w, c)

    def note_assessability(w: Any, c: Any) -> Any:
        SEEN.add("shared:assessability")
        return assessability(w, c)

    qmsdata.section_signals = note_signals  # type: ignore[attr-defined]
    qmsdata.section_assessability = note_assessability  # type: ignore[attr-defined]
    for path in sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb")):
        section = SECTIONS.get(path.stem)
        if section is None or section.group:
            continue
        SEEN.clear()
        ns: dict[str, Any] = {}
        status = "ok"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for cell in nbformat.read(str(path), 4).cells:
                    if cell.cell_type == "code":
                        exec(cell.source, ns)  # noqa: S102 - the package's own notebooks
                        if "parameters" in cell.metadata.get("tags", []):
                            ns["context"] = ctx
        except Exception as exc:  # noqa: BLE001 - report and go on
            status = f"failed: {type(exc).__name__}: {exc}"[:100]
        records = sorted(x for x in SEEN if x in wb._frames)
        other = sorted(SEEN - set(records))
        beyond = sorted(set(records) - set(section.records)) or ["-"]
        print(f"{path.stem}: {status}")
        print(f"   records read: {', '.join(records) or '-'}")
        print(f"   shared and load facts: {', '.join(other) or '-'}")
        print(f"   read beyond Section.records: {', '.join(beyond)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
