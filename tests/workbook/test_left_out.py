"""The rows no site's (product's) view keeps because their site (product) is not recorded.

A two-site export (Leeds, Brno) in which four complaints and two audit findings have no site,
one complaint no product, production has a site-total row (no product) and a change names no
product. Before :func:`qmsdata.workbook.filters.left_out` a Leeds pack dropped those complaints
and findings without a word.
"""

from __future__ import annotations

import pandas as pd
import pytest

import qmsdata
from qmsdata.records import RECORD_TYPES
from qmsdata.workbook.filters import LeftOut, left_out, rows_for

HOSTILE_ID = "C-<b>9</b>&"


def _rows(base: pd.DataFrame, **cells: list[str]) -> pd.DataFrame:
    """Return rows like ``base``'s first, with ``cells`` (column -> one value per new row)."""
    n = len(next(iter(cells.values())))
    extra = pd.concat([base.iloc[[0]]] * n, ignore_index=True)
    for col, values in cells.items():
        extra[col] = values
    return pd.concat([base, extra], ignore_index=True)


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    from workbooks import GOOD, good_frame, write_workbook

    frames = {n: good_frame(n) for n in GOOD}
    frames["complaints"] = _rows(
        frames["complaints"],
        complaint_id=["C-0012", "C-0019", HOSTILE_ID, "C-0030", "C-0031"],
        site=["", "", "", "", "Brno"],
        product=["P1", "P2", "P1", "", ""],
        capa_id=[""] * 5,
    )
    frames["audit_findings"] = _rows(
        frames["audit_findings"],
        finding_id=["AF-07", "AF-09"],
        site=["", ""],
        capa_id=["", ""],
    )
    frames["production"] = _rows(
        frames["production"], date=["2026-01-01"], site=["Leeds"], product=[""]
    )
    frames["customer_surveys"]["site"] = ["Leeds", "Brno"]
    return qmsdata.load(write_workbook(tmp_path_factory.mktemp("left-out") / "wb", frames))


def test_a_site_view_lists_the_rows_with_no_site_recorded(wb):
    assert wb.validation["rejected"].sum() == 0, wb.failures
    got = wb.left_out(site="Leeds")
    assert got == [
        LeftOut("complaints", "site", "not_recorded", ("C-0012", "C-0019", HOSTILE_ID, "C-0030")),
        LeftOut("audit_findings", "site", "not_recorded", ("AF-07", "AF-09")),
    ]
    # the same for Brno: a row with no site is in no site's view, not in the other site's
    assert wb.left_out(site="Brno") == got
    # organisation-wide documents, objectives and changes without a site are kept, not listed
    assert wb.for_site("Leeds").documents["doc_id"].tolist() == ["D1", "D2"]
    # the whole organisation's view leaves nothing out
    assert wb.left_out() == []


def test_site_views_and_the_rows_left_out_add_up_to_every_row(wb):
    """One rule: each row is in its site's view, or listed as left out, never both, never lost."""
    out = {x.record_type: len(x.ids) for x in left_out(wb._frames, "site")}
    for name, frame in wb._frames.items():
        if "site" not in frame.columns or RECORD_TYPES[name].blank_site_is_organisation:
            continue
        kept = [set(rows_for(name, frame, "site", s)["source_row"]) for s in ("Leeds", "Brno")]
        assert not kept[0] & kept[1]
        assert len(kept[0]) + len(kept[1]) + out.get(name, 0) == len(frame), name
    assert out == {"complaints": 4, "audit_findings": 2}


def test_a_product_view_lists_rows_with_no_product_but_not_site_totals(wb):
    got = {(x.record_type, x.reason): x.ids for x in wb.left_out(product="P1")}
    assert got == {
        ("complaints", "not_recorded"): ("C-0030", "C-0031"),
        ("changes", "every_product"): ("CH2",),  # a change for every product
    }
    # production's row without a product is Leeds's total over its products: nobody's row
    assert ("production", "not_recorded") not in got
    assert len(wb.for_product("P1").production) == 2


def test_a_site_and_product_view_lists_each_row_once(wb):
    got = wb.left_out(site="Brno", product="P1")
    by_column = {(x.record_type, x.column): x.ids for x in got}
    # C-0030 has neither site nor product: listed once, for its site
    assert by_column[("complaints", "site")] == ("C-0012", "C-0019", HOSTILE_ID, "C-0030")
    assert by_column[("complaints", "product")] == ("C-0031",)
