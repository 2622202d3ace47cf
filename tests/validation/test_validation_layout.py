"""The validation package's layout: one GX importer, no import cycle, no callable-module trick."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "qmsdata"


def _runtime_imports(path: Path) -> set[str]:
    """Return the modules ``path`` imports outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_gx_py_imports_great_expectations():
    importers = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if any(m.split(".")[0] == "great_expectations" for m in _runtime_imports(p))
    }
    assert importers == {"validation/gx.py"}


def test_validation_never_imports_the_workbook():
    for path in (PACKAGE / "validation").glob("*.py"):
        imports = _runtime_imports(path)
        assert not any(m.startswith("qmsdata.workbook") for m in imports), path.name


def test_importing_validation_loads_neither_gx_nor_the_workbook():
    code = (
        "import sys, qmsdata.validation, qmsdata.validation.report;"
        "print(sorted(m for m in ('great_expectations', 'qmsdata.workbook') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_module_makes_itself_callable():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sys.modules[__name__].__class__" not in text, path
        assert "types.ModuleType)" not in text, path


def test_the_old_modules_are_gone():
    for old in ("validate.py", "report.py", "workbook.py"):
        assert not (PACKAGE / old).exists(), old
