"""The analyst notebooks run top to bottom on the demo workbook, headless and with widgets.

All notebooks run in ONE kernel, one after the other: papermill's own parameter injection
(``parameterize_notebook``, the cell papermill adds after the ``parameters`` cell), then the
cells through nbclient. A ``%reset -f`` before each notebook empties the namespace, so a name a
notebook uses but does not define still fails; only the imported modules (pandas, great
expectations, plotly) stay loaded, which saves a kernel start and ~20 s of imports per notebook.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "notebooks" / "explore"
EXPLORE = sorted(FOLDER.glob("*.ipynb"))
#: run once more with interactive=True: the widgets are built (no browser needed)
WIDGETS = [p for p in EXPLORE if "ipywidgets" in p.read_text(encoding="utf-8")]
PARAMETERS = {"as_of": "2026-10-31"}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_pack")]


@pytest.fixture(scope="module")
def kernel():
    """One python3 kernel shared by every notebook of this module."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(FOLDER))
    yield km
    km.shutdown_kernel(now=True)


def run(path: Path, kernel, **parameters) -> nbformat.NotebookNode:
    """Execute ``path`` in ``kernel`` with papermill's parameter injection; return the result."""
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.read(path, as_version=4)
    nb.metadata["papermill"] = {}  # as papermill.execute_notebook prepares it
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
    client = NotebookClient(
        nb,
        km=kernel,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(FOLDER)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    print(f"{path.name}: {time.perf_counter() - started:.1f} s")
    return nb


def outputs(nb: nbformat.NotebookNode) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", EXPLORE, ids=lambda p: p.name)
def test_explore_notebook_runs_on_demo(path, demo_workbook, kernel):
    nb = run(path, kernel, workbook=str(demo_workbook), **PARAMETERS)
    out = outputs(nb)
    assert not [o for o in out if o.output_type == "error"]
    # no warnings or tracebacks printed on the way
    assert not [o.text for o in out if o.output_type == "stream" and o.name == "stderr"]
    # figures are sent as plotly JSON (the renderer set in the notebook), never as a widget
    figures = [o for o in out if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert figures, f"{path.name}: no plotly figure"
    assert not [o for o in out if WIDGET_MIME in o.get("data", {})], "widgets built headless"


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: p.name)
def test_explore_notebook_builds_its_widgets(path, demo_workbook, kernel):
    nb = run(path, kernel, workbook=str(demo_workbook), interactive=True, **PARAMETERS)
    out = outputs(nb)
    assert not [o for o in out if o.output_type == "error"]
    assert [o for o in out if WIDGET_MIME in o.get("data", {})], f"{path.name}: no widget"
    # what the widget's callback drew went to its Output widget: nbclient keeps it in the
    # notebook's widget state, not in the cell outputs
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert '"output_type": "error"' not in state, f"{path.name}: the widget's view failed"
    assert "application/vnd.plotly.v1+json" in state, f"{path.name}: the widget drew no figure"
