"""The benchmarks still name what qmsdata has.

The benchmarks are run by hand, not by ``make test``, so a rename in the package broke one
unseen (``benchmarks/load_validate.py --demo`` and ``--memory`` imported ``gx._setup`` after it
became ``gx.setup``). Running them here would take minutes; this reads them instead: every name
a benchmark imports from ``qmsdata`` must exist, at module level or inside a function.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parent.parent / "benchmarks").glob("*.py"))


def _qmsdata_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """Return (line, module, name) for each ``import qmsdata...`` / ``from qmsdata... import``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # imports that may fail on purpose: a fallback for measuring an older checkout as baseline
    optional = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for handler in node.handlers
        if _catches_import_error(handler)
        for part in (node.body, handler.body)
        for stmt in part
        for sub in ast.walk(stmt)
    }
    out: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "qmsdata":
                out += [(node.lineno, node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name, None) for a in node.names if a.name.startswith("qmsdata")]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # code run in a child process: ``python -c "from qmsdata.x import y; ..."``
            out += [(node.lineno, m, n) for m, n in _child_code_imports(node.value)]
    return out


def _child_code_imports(text: str) -> list[tuple[str, str]]:
    if "qmsdata" not in text or "import " not in text:
        return []
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    return [
        (sub.module or "", a.name)
        for sub in ast.walk(tree)
        if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("qmsdata")
        for a in sub.names
    ]


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names
    )


def test_there_are_benchmarks() -> None:
    assert len(BENCHMARKS) >= 5


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_imports_exist(path: Path) -> None:
    missing = []
    for line, module, name in _qmsdata_imports(path):
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{path.name}:{line}: import {module}: {exc}")
            continue
        if name is not None and name != "*" and not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")  # a submodule
            except ImportError:
                missing.append(f"{path.name}:{line}: {module} has no {name}")
    assert not missing, "\n".join(missing)
