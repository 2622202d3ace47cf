"""The layout rules of issue 9: the engine imports nothing of the domain; analytics and figures
import the engine, never the ``qmsdata`` facade."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qmsdata"
STATS = sorted(p.stem for p in (PACKAGE / "stats").glob("*.py") if p.stem != "__init__")


def test_stats_imports_nothing_of_the_domain():
    code = (
        "import sys, importlib\n"
        f"for m in {STATS!r}: importlib.import_module('qmsdata.stats.' + m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('qmsdata.analytics', "
        "'qmsdata.records', 'qmsdata.workbook', 'qmsdata.pack', 'qmsdata.validat', "
        "'qmsdata.figures', 'qmsdata.demo', 'qmsdata.io')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    sorted([*(PACKAGE / "analytics").glob("*.py"), *(PACKAGE / "figures").glob("*.py")]),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_analytics_and_figures_never_import_the_facade(path):
    assert "qmsdata" not in _imports(path), f"{path.name} imports the qmsdata facade"
