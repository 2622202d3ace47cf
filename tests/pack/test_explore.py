"""The analyst notebooks run top to bottom on the demo workbook."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXPLORE = sorted((REPO / "notebooks" / "explore").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.xdist_group("demo_pack")
@pytest.mark.parametrize("path", EXPLORE, ids=lambda p: p.name)
def test_explore_notebook_runs_on_demo(path, demo_workbook, tmp_path):
    import papermill

    out = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters={"workbook": str(demo_workbook), "as_of": "2026-10-31"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(path.parent),
        shutdown_kernel="immediate",
    )
    import nbformat

    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
