"""change_effects on the demo workbook: every planted change gets its planted verdict.

The demo (seed 9001, ending 2026-10) plants four implemented changes (PLANTED_CHANGES):
CHG-001 sustained improvement (Brno SMT placement defects x0.6 from 2025-10), CHG-002 no
detectable change, CHG-003 deterioration (the Leeds reflow defect step x2.2 from 2026-04) and
CHG-004 too early to judge (implemented 2026-10-12). Measured on this demo: CHG-001 rate ratio
0.59 (95 % CI 0.55-0.64), CHG-003 2.17 (2.09-2.24).
"""

from __future__ import annotations

import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401

import qmsdata
from qmsdata.demo import PLANTED_CHANGES

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def effects(demo_wb):  # noqa: F811
    return qmsdata.change_effects(demo_wb, DEMO_END).set_index("change_id")


@pytest.mark.parametrize("planted", PLANTED_CHANGES, ids=[p["change_id"] for p in PLANTED_CHANGES])
def test_planted_change_gets_its_verdict(effects, planted):
    row = effects.loc[planted["change_id"]]
    assert not row["derived"]
    assert (row["site"], row["process"]) == (planted["site"], planted["process"])
    assert row["verdict"] == planted["verdict"], row["reason"]
    if planted["verdict"] in ("sustained improvement", "deterioration"):
        # the interval of the rate ratio covers the planted factor
        assert row["ci_low"] <= planted["magnitude"] <= row["ci_high"] * 1.05


def test_explicit_changes_win_over_derived(effects, demo_wb):  # noqa: F811
    cited = set(demo_wb.changes["capa_id"].dropna()) | set(demo_wb.changes["action_id"].dropna())
    assert not cited & set(effects.index[effects["derived"]])
