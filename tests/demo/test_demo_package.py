"""qmsdata.demo as a package: nothing happens at import time, the same seed gives the same bytes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import os, sys
    os.umask(0o027)
    {imports}
    mask = os.umask(0o077); os.umask(mask)
    heavy = sorted(m for m in ("pandas", "numpy", "great_expectations") if m in sys.modules)
    print(oct(mask), ",".join(heavy))
    """
)


def _probe(imports: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out + [""] * (2 - len(out))


def test_import_leaves_the_umask_alone_and_loads_nothing_heavy():
    mask, heavy = _probe("import qmsdata.demo")
    assert mask == "0o27"
    assert heavy == ""


@pytest.mark.parametrize(
    "module",
    [
        "qmsdata.demo.company",
        "qmsdata.demo.exports",
        "qmsdata.demo.planted",
        "qmsdata.demo.generate",
        "qmsdata.demo.writers",
        "qmsdata.demo.write",
    ],
)
def test_importing_any_demo_module_leaves_the_umask_alone(module):
    mask, _heavy = _probe(f"import {module}")
    assert mask == "0o27"


def test_lazy_exports_resolve():
    import qmsdata.demo as demo
    from qmsdata.demo import planted, write

    assert demo.write_demo is write.write_demo
    assert demo.PLANTED_SIGNALS is planted.PLANTED_SIGNALS
    assert set(demo.__all__) <= set(dir(demo))
    with pytest.raises(AttributeError):
        demo.no_such_name  # noqa: B018


def test_written_files_follow_the_umask(tmp_path):
    import os

    from qmsdata.demo import write_demo

    old = os.umask(0o027)
    try:
        folder = write_demo(tmp_path / "demo", end="2025-01").directory
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o750
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o777 == 0o640, path.name
