"""The README's Python tour runs as written on the demo workbook (a promise users copy from)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from demo_fixture import demo_dir, demo_summary  # noqa: F401  (session fixtures)

pytestmark = pytest.mark.xdist_group("demo")

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_tour_runs_on_the_demo(demo_dir, capsys):  # noqa: F811
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no python block"
    code = blocks[0].replace('"data/demo"', repr(str(demo_dir)))
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "complaints" in out and "variation" in out
