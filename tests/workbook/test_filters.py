"""Workbook views: one site, one product, other frames (without touching the loaded workbook)."""

from __future__ import annotations

import pytest

import qmsdata
from qmsdata.records import RECORD_TYPES


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    from workbooks import GOOD, good_frame, write_workbook

    return qmsdata.load(
        write_workbook(tmp_path_factory.mktemp("wb"), {n: good_frame(n) for n in GOOD})
    )


def test_for_site_keeps_that_sites_rows_and_whole_tables_without_sites(wb):
    leeds = wb.for_site("Leeds")
    for name in wb.record_types:
        frame = wb[name]
        if "site" in frame.columns:
            mine = frame["site"] == "Leeds"
            if RECORD_TYPES[name].blank_site_is_organisation:  # no site: every site's
                mine = mine | frame["site"].isna()
            assert len(leeds[name]) == int(mine.sum())
            assert set(leeds[name]["site"].dropna()) <= {"Leeds"}
            if not RECORD_TYPES[name].blank_site_is_organisation:
                assert (leeds[name]["site"] == "Leeds").all()
        else:
            assert leeds[name] is frame
    assert leeds.rejects == wb.rejects and leeds.validation is wb.validation
    assert leeds.report_date == wb.report_date and leeds.as_of == wb.as_of


def test_for_product(wb):
    p1 = wb.for_product("P1")
    assert set(p1.nonconformities["product"]) == {"P1"}
    assert len(p1.nonconformities) < len(wb.nonconformities) or set(
        wb.nonconformities["product"]
    ) == {"P1"}
    assert len(wb.for_product("nothing").complaints) == 0


def test_views_compose_with_as_at(wb):
    view = wb.as_at("2026-02-15").for_site("Leeds")
    assert str(view.report_date.date()) == "2026-02-15"
    assert (view.nonconformities["detected_date"] <= "2026-02-15").all()


def test_with_frames_leaves_the_workbook_alone(wb):
    before = {n: len(wb[n]) for n in wb.record_types}
    other = wb.with_frames({n: wb[n].iloc[0:0] for n in wb.record_types})
    assert all(len(other[n]) == 0 for n in wb.record_types)
    assert {n: len(wb[n]) for n in wb.record_types} == before
