"""A section that reads the workbook folder itself is keyed on every input (no stale section).

pyarrow and pandas read files in C, and ``os.stat`` looks at one: neither fires the audit
event the recorder hears, so a notebook doing so with its ``workbook`` parameter recorded no
read of that file, and its section was served from the cache after the file changed: a pack
saying what the records no longer support. Its own code says it: it is keyed on everything.
"""

from __future__ import annotations

from pathlib import Path

from packs import build_html

from qmsdata.pack.sections import Section

ARROW_CELL = """
import pyarrow.csv
import qmsdata

table = pyarrow.csv.read_csv(workbook + "/supplier-notes.csv")
qmsdata.narrate(f"{table.num_rows} supplier notes", kind="conclusion")
"""

STAT_CELL = """
import os
import qmsdata

size = os.stat(os.path.join(workbook, "supplier-notes.csv")).st_size
qmsdata.narrate(f"notes file of {size} bytes", kind="conclusion")
"""


def _build(wb: Path, nbs: Path, sections: list[Section], out: Path, **kw):
    return build_html(wb, nbs, sections, out, jobs=1, **kw)


def test_a_section_reading_the_workbook_folder_in_c_is_not_served_stale(
    tiny_workbook, tmp_path, notebooks
):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebooks.make(nbs / "10_ok.ipynb", notebooks.ok_cell)  # review_actions, through the view
    notebooks.make(nbs / "60_arrow.ipynb", ARROW_CELL)
    notebooks.make(nbs / "61_stat.ipynb", STAT_CELL)
    sections = [
        Section("10_ok", "9.3.2 a)", "Fixture actions", ("review_actions",)),
        Section("60_arrow", "9.3.2 c) 6", "Fixture notes"),
        Section("61_stat", "9.3.2 c) 6", "Fixture notes size"),
    ]
    notes = tiny_workbook / "supplier-notes.csv"  # a file of the folder no record type names
    notes.write_text("supplier,note\nS1,late\n", encoding="utf-8")
    out = tmp_path / "reports"

    first = _build(tiny_workbook, nbs, sections, out)
    assert first.ok, [r.error for r in first.failed]
    page = (out / "2026-10" / "pack.html").read_text("utf-8")
    assert "1 supplier notes" in page and "notes file of 22 bytes" in page

    notes.write_text("supplier,note\nS1,late\nS2,early\nS3,short\n", encoding="utf-8")
    second = _build(tiny_workbook, nbs, sections, out)
    assert second.reran == {
        "60_arrow": "input files changed",
        "61_stat": "input files changed",
    }, "the review actions are unchanged: 10_ok is served; the notes' readers are not"
    page = (out / "2026-10" / "pack.html").read_text("utf-8")
    assert "3 supplier notes" in page and "notes file of 40 bytes" in page

    third = _build(tiny_workbook, nbs, sections, out)
    assert third.reran == {} and all(r.cached for r in third.sections)
    run = next(r for r in third.sections if r.section.id == "60_arrow")
    assert run.reads == {"everything": ["its code uses the workbook parameter itself"]}
