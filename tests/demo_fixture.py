"""Session fixtures for the demo workbook: generated once, loaded once.

Import them into a test module (``from demo_fixture import demo_dir, demo_wb``) and mark the
module ``pytest.mark.xdist_group("demo")`` so one xdist worker generates and loads it.
"""

from __future__ import annotations

import pytest

DEMO_SEED = 9001
DEMO_END = "2026-10"


@pytest.fixture(scope="session")
def demo_summary(tmp_path_factory):
    """Write the default demo workbook once per session; return its DemoSummary."""
    from qmsdata.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo", seed=DEMO_SEED, end=DEMO_END)


@pytest.fixture(scope="session")
def demo_dir(demo_summary):
    """Return the folder of the session's demo workbook."""
    return demo_summary.directory


@pytest.fixture(scope="session")
def demo_wb(demo_dir):
    """Load and validate the session's demo workbook (as_of from its qms.toml)."""
    import qmsdata

    return qmsdata.load(demo_dir)
