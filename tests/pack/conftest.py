"""Fixtures for the pack tests: a tiny workbook, tiny section notebooks, and the demo pack.

The demo pack is built ONCE per test session (``demo_pack``) and inspected by many tests; the
engine's behaviours (failure isolation, cache, atomicity) are tested on two-cell notebooks over a
one-table workbook, which run in seconds.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]

PARAMS = """workbook = None
period = "2026-10"
as_of = None
site = None
baseline_months = 12
rules = "anhoej"
out_dir = None
snapshot = None"""


def make_notebook(path: Path, *cells: str, markdown: str = "# Fixture section") -> Path:
    """Write a clean notebook: a markdown title, the parameters cell, then ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), params]
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
    nbformat.write(nb, str(path))
    return path


OK_CELL = """
import pandas as pd
import plotly.express as px
import qmsdata

wb = qmsdata.section_workbook(workbook, as_of=as_of, site=site, snapshot=snapshot)
ra = wb.review_actions
qmsdata.show_table(ra[["action_id", "description", "status"]], "actions", out_dir=out_dir)
counts = ra.groupby("status").size().rename("n").reset_index()
qmsdata.save_extract(counts, "counts", out_dir=out_dir)
qmsdata.save_extract(counts, "register", out_dir=out_dir, pack_level=True)
px.bar(counts, x="status", y="n", title="Actions by status").show()
qmsdata.narrate(f"{len(ra)} actions as of {as_of}.", kind="conclusion")
print("period", period)
"""

FAIL_CELL = """
import qmsdata

wb = qmsdata.section_workbook(workbook, as_of=as_of, site=site, snapshot=snapshot)
raise ValueError("planted failure <b>in</b> section")
"""


@pytest.fixture
def tiny_workbook(tmp_path: Path) -> Path:
    """Return a workbook folder with one record type (review_actions) and hostile text in it."""
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent(
            """
            [workbook]
            organisation = "Tiny <Org>"
            sites = ["A"]
            as_of = 2026-11-30

            [records.review_actions]
            source = "review-actions.csv"
            """
        ),
        encoding="utf-8",
    )
    (wb / "review-actions.csv").write_text(
        "action_id,review_date,output_type,description,owner,due_date,status,closed_date\n"
        "RA-1,2026-01-15,improvement,<script>alert(1)</script>,Ann,2026-03-01,closed,2026-02-20\n"
        'RA-2,2026-04-15,resources,=HYPERLINK("http://x"),Bob,2026-06-01,open,\n'
        "RA-3,2026-07-15,qms_change,<img src=x onerror=alert(2)>,Cy,2026-12-01,open,\n",
        encoding="utf-8",
    )
    return wb


@pytest.fixture
def tiny_sections(tmp_path: Path):
    """Return (notebook folder, sections) for one good and one failing fixture section."""
    from qmsdata.pack.sections import Section

    folder = tmp_path / "nbs"
    folder.mkdir()
    make_notebook(folder / "10_ok.ipynb", OK_CELL)
    make_notebook(folder / "20_fail.ipynb", FAIL_CELL)
    sections = [
        Section("10_ok", "9.3.2 a)", "Fixture actions", ("review_actions",)),
        Section("20_fail", "9.3.2 b)", "Fixture failure"),
    ]
    return folder, sections


@pytest.fixture(scope="session")
def demo_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the demo workbook once per session."""
    from qmsdata.demo import write_demo

    folder = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(folder, seed=9001, end="2026-10")
    return folder


@pytest.fixture(scope="session")
def demo_pack(demo_workbook: Path, tmp_path_factory: pytest.TempPathFactory):
    """Build the demo pack (HTML and PDF) once per session; return its PackResult."""
    from qmsdata.pack import build_pack

    out = tmp_path_factory.mktemp("reports")
    return build_pack(demo_workbook, "2026-10", out=out, progress=False)


@pytest.fixture
def copy_of(tmp_path: Path):
    """Return a function copying a pack folder into tmp_path (tests alter copies, not the pack)."""

    def _copy(pack: Path) -> Path:
        dst = tmp_path / pack.name
        shutil.copytree(pack, dst)
        return dst

    return _copy


@pytest.fixture
def notebooks():
    """Return the notebook writer and the fixture cells, for tests that need their own sections."""
    from types import SimpleNamespace

    return SimpleNamespace(make=make_notebook, ok_cell=OK_CELL, fail_cell=FAIL_CELL)
