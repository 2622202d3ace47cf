"""The committed notebooks: clean (no outputs), parameterised, thin (public API only)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
PACK = sorted((REPO / "qmsdata" / "notebooks" / "pack").glob("*.ipynb"))
EXPLORE = sorted((REPO / "notebooks" / "explore").glob("*.ipynb"))
PARAMETERS = ("workbook", "period", "as_of", "site", "baseline_months", "rules", "out_dir")


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
