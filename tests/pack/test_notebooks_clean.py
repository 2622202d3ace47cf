"""The committed notebooks: clean (no outputs), parameterised, thin (public API only)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
PACK = sorted((REPO / "qmsdata" / "notebooks" / "pack").glob("*.ipynb"))
EXPLORE = sorted((REPO / "notebooks" / "explore").glob("*.ipynb"))
PARAMETERS = ("workbook", "period", "as_of", "site", "baseline_months", "rules", "out_dir")
#: every analyst notebook: papermill sets these, and the plotly renderer is chosen explicitly
EXPLORE_PARAMETERS = ("workbook", "period", "as_of", "renderer")


def test_there_are_pack_and_explore_notebooks():
    assert len(PACK) >= 4 and EXPLORE


@pytest.mark.parametrize("path", PACK + EXPLORE, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs stored"
            assert cell.execution_count is None, f"{path.name}: execution count stored"


@pytest.mark.parametrize("path", PACK, ids=lambda p: p.name)
def test_pack_notebook_has_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"
    for name in PARAMETERS:
        assert re.search(rf"^{name}\s*=", tagged[0].source, re.M), f"{path.name}: {name}"


@pytest.mark.parametrize("path", PACK + EXPLORE, ids=lambda p: p.name)
def test_notebooks_use_only_the_public_api(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"from qmsdata\.(?!figures\b)\w+", code), "import from qmsdata itself"
    assert not re.search(r"qmsdata\.(analytics|pack|records|io|validate|workbook)\.", code)
    assert not re.search(r"qmsdata\.\w*\._", code), "private names"


@pytest.mark.parametrize("path", EXPLORE, ids=lambda p: p.name)
def test_explore_notebooks_use_no_module_path(path):
    """Only ``qmsdata.<verb>``, ``qmsdata.fmt`` and ``qmsdata.figures``: modules move, verbs stay.

    (The statistics engine moves to ``qmsdata.stats``, validation becomes a package, ...)
    """
    code = "\n".join(_code_cells(path))
    assert not re.search(r"^\s*import qmsdata\.(?!figures\b)", code, re.M), "import of a module"
    assert not re.search(r"\bqmsdata\.(?!figures\b|fmt\b)[a-z_]+\.[a-z_]", code), "a module path"
    assert not re.search(r"\bqmsdata\.figures\.[a-z_]+\.|from qmsdata\.figures\.", code)


@pytest.mark.parametrize("path", PACK, ids=lambda p: p.name)
def test_registered_section(path):
    from qmsdata.pack.sections import SECTIONS

    assert path.stem in SECTIONS, f"{path.name}: add it to qmsdata/pack/sections.py"


def test_section_notebooks_are_package_data():
    """The pack finds its notebooks inside the installed package (issue 13: a wheel has them)."""
    import tomllib
    from importlib import resources

    import qmsdata
    from qmsdata.pack.sections import NOTEBOOK_DIR, SECTIONS, available_sections

    assert NOTEBOOK_DIR.is_relative_to(Path(qmsdata.__file__).parent)
    assert Path(str(resources.files("qmsdata").joinpath("notebooks", "pack"))) == NOTEBOOK_DIR
    assert [s.id for s in available_sections()] == list(SECTIONS)
    assert not (REPO / "notebooks" / "pack").exists(), "one home for the section notebooks"
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["qmsdata"]
    assert "notebooks/pack/*.ipynb" in patterns and "**/*.j2" in patterns and "**/*.css" in patterns


def _code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", EXPLORE, ids=lambda p: p.name)
def test_explore_notebook_has_parameters_and_sets_the_renderer(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell: parameters"
    assert len([c for c in code if "parameters" in c.metadata.get("tags", [])]) == 1
    for name in EXPLORE_PARAMETERS:
        assert re.search(rf"^{name}\s*=", code[0].source, re.M), f"{path.name}: {name}"
    assert re.search(r"^pio\.renderers\.default = renderer", code[1].source, re.M), (
        "the renderer is set in the set-up cell"
    )


def _loose_widget_imports(tree: ast.AST) -> list[int]:
    """Return line numbers of ipywidgets imports NOT inside an ``if interactive:`` block."""
    bad: list[int] = []

    def visit(node: ast.AST, inside: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            module = getattr(node, "module", None) or ""
            if not inside and (
                module.startswith("ipywidgets") or any(n.startswith("ipywidgets") for n in names)
            ):
                bad.append(node.lineno)
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "interactive":
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, inside)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return bad


@pytest.mark.parametrize("path", EXPLORE, ids=lambda p: p.name)
def test_explore_widgets_only_when_interactive(path):
    """Widgets are built only under ``if interactive:``, and ``interactive`` is off by default.

    Run headless (papermill, the pack tests, a schedule) the notebook calls the same functions
    with the parameter values instead, so it never needs a browser or a widget manager.
    """
    cells = _code_cells(path)
    code = "\n".join(cells)
    for source in cells:
        assert not _loose_widget_imports(ast.parse(source)), (
            "ipywidgets not under `if interactive:`"
        )
    if "ipywidgets" in code:
        assert re.search(r"^interactive = False\b", cells[0], re.M), "interactive = False"
