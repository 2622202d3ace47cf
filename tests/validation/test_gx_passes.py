"""The two great-expectations passes (BOOLEAN_ONLY, then COMPLETE for the failing expectations)
give the failures table of one COMPLETE pass, byte for byte: on the demo and a small bad workbook.
"""

from __future__ import annotations

import pandas as pd
import pytest
from demo_fixture import demo_dir, demo_summary, demo_wb  # noqa: F401  (fixtures)
from test_validate import planted  # noqa: F401  (fixture: good rows + every planted bad row)

import qmsdata
from qmsdata.validation import gx

pytestmark = pytest.mark.xdist_group("demo")


def _table(wb) -> bytes:
    return wb.failures.to_csv(index=False).encode("utf-8") + b"".join(
        wb.rejects[n].to_csv(index=False).encode("utf-8") for n in sorted(wb.rejects)
    )


def _one_pass(folder, monkeypatch) -> qmsdata.Workbook:
    with monkeypatch.context() as m:
        m.setattr(gx, "TWO_PASS", False)
        return qmsdata.load(folder)


def test_two_passes_equal_one_complete_pass_on_the_demo(demo_dir, demo_wb, monkeypatch):  # noqa: F811
    assert gx.TWO_PASS
    assert len(demo_wb.failures) > 0
    one = _one_pass(demo_dir, monkeypatch)
    assert _table(demo_wb) == _table(one)


def test_two_passes_equal_one_complete_pass_on_a_small_bad_workbook(planted, monkeypatch):  # noqa: F811
    wb, _ = planted
    folder = wb.config.root
    checks = set(wb.failures["check"])
    assert {"not_null", "allowed_values", "pattern", "range", "unique", "date_order"} <= checks
    one = _one_pass(folder, monkeypatch)
    assert _table(wb) == _table(one)
    pd.testing.assert_frame_equal(wb.failures, one.failures)
