"""Workbook.as_at: the records as at a reporting date, apart from the data date of validation.

A pack for an earlier period must count what was known at its end: records dated after the
reporting date are left out (not rejects) and closures after it are hidden; rows are validated
against the data date (when the data were extracted) only.
"""

# ruff: noqa: F811  (pytest fixtures imported from demo_fixture are parameters of the tests)

from __future__ import annotations

import pandas as pd
import pytest
from demo_fixture import demo_dir, demo_summary, demo_wb  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbooks import AS_OF, good_frame, write_workbook

import qmsdata
from qmsdata.errors import DataError
from qmsdata.records import RECORD_TYPES

REPORT = "2026-09-30"

# complaint_id, received_date, status, closed_date
COMPLAINTS = [
    ("C1", "2026-08-10", "closed", "2026-08-20"),  # closed before the reporting date: closed
    ("C2", "2026-09-10", "closed", "2026-10-05"),  # closed after it: open as at it
    ("C3", "2026-10-02", "open", ""),  # received after it: not known yet, not a reject
    ("C4", "2026-09-01", "open", ""),
    ("C5", "2027-01-05", "open", ""),  # after the data date 2026-10-31: a reject
]


def _complaints() -> pd.DataFrame:
    template = good_frame("complaints").iloc[[1]]
    rows = []
    for cid, received, status, closed in COMPLAINTS:
        row = template.copy()
        row[["complaint_id", "received_date", "status", "closed_date", "capa_id"]] = [
            cid,
            received,
            status,
            closed,
            "",
        ]
        rows.append(row)
    return pd.concat(rows, ignore_index=True)


def _capa() -> pd.DataFrame:
    frame = good_frame("corrective_actions").iloc[[0, 0]].reset_index(drop=True)
    cols = ["capa_id", "opened_date", "status", "closed_date", "effective"]
    frame.loc[0, cols] = ["CA9", "2026-08-01", "closed", "2026-10-20", "yes"]
    frame.loc[1, cols] = ["CA10", "2026-08-05", "cancelled", "2026-10-02", ""]
    return frame


def _kpi() -> pd.DataFrame:
    frame = good_frame("kpi_measurements").iloc[[0, 0, 0]].copy()
    frame["period"] = ["2026-08", "2026-09", "2026-10"]
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def wb(tmp_path_factory) -> qmsdata.Workbook:
    folder = tmp_path_factory.mktemp("as_at") / "wb"
    frames = {
        "complaints": _complaints(),
        "corrective_actions": _capa(),
        "kpi_measurements": _kpi(),
    }
    return qmsdata.load(write_workbook(folder, frames))


def test_later_events_left_out_and_later_closures_hidden(wb):
    view = wb.as_at(REPORT)
    c = view.complaints.set_index("complaint_id")
    assert sorted(c.index) == ["C1", "C2", "C4"]
    assert c.loc["C1", "status"] == "closed"
    assert c.loc["C1", "closed_date"] == pd.Timestamp("2026-08-20")
    for cid in ("C2", "C4"):
        assert c.loc[cid, "status"] == "open"
        assert pd.isna(c.loc[cid, "closed_date"])
    assert c["closed_date"].dtype == "datetime64[us]"
    capa = view.corrective_actions.set_index("capa_id")
    assert (capa["status"] == "open").all()  # closed and cancelled after the reporting date
    assert capa["closed_date"].isna().all() and capa["effective"].isna().all()


def test_data_date_rejects_unchanged_and_not_yet_known_rows_are_no_rejects(wb):
    view = wb.as_at(REPORT)
    rejected = wb.rejects["complaints"]
    assert list(rejected["source_row"]) == [5]  # C5 only: after the data date
    assert "after as_of 2026-10-31" in rejected["reasons"].iloc[0]
    assert view.rejects.keys() == wb.rejects.keys()
    assert all(view.rejects[k] is wb.rejects[k] for k in wb.rejects)
    assert view.validation is wb.validation and view.failures is wb.failures
    v = view.validation.loc["complaints"]
    assert v["rows"] == v["accepted"] + v["rejected"] == len(COMPLAINTS)


def test_view_keeps_data_date_and_records_reporting_date(wb):
    view = wb.as_at(REPORT)
    assert wb.as_of == wb.report_date == pd.Timestamp(AS_OF)
    assert view.as_of == pd.Timestamp(AS_OF) and view.report_date == pd.Timestamp(REPORT)
    assert "as at 2026-09-30" in repr(view) and "data as of 2026-10-31" in repr(view)
    assert len(wb.complaints) == 4, "the loaded workbook is not altered by the view"
    assert (wb.complaints["status"] == "closed").sum() == 2


@pytest.mark.parametrize(
    ("date", "periods"),
    [
        ("2026-09-30", ["2026-08", "2026-09"]),
        ("2026-10-15", ["2026-08", "2026-09", "2026-10"]),  # the month holding the date
        ("2026-08-31", ["2026-08"]),
    ],
)
def test_monthly_records_kept_up_to_the_reporting_month(wb, date, periods):
    got = wb.as_at(date).kpi_measurements["period"].astype(str).tolist()
    assert got == periods


@pytest.mark.parametrize("date", ["2026-11-01", "2027-01-01"])
def test_reporting_date_after_data_date_is_refused(wb, date):
    with pytest.raises(DataError, match="after the data date 2026-10-31") as info:
        wb.as_at(date)
    assert "extracted" in info.value.hint


@pytest.mark.parametrize("date", ["31/09/2026", "", None])
def test_reporting_date_must_be_a_date(wb, date):
    with pytest.raises(qmsdata.QmsError):
        wb.as_at(date)


def test_as_at_the_data_date_is_the_workbook(wb):
    view = wb.as_at(AS_OF)
    for name in wb.record_types:
        pd.testing.assert_frame_equal(view[name], wb[name].reset_index(drop=True))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.integers(min_value=0, max_value=400))
def test_view_holds_exactly_the_rows_known_at_the_date(wb, days):
    """Invariant: kept + left out = accepted; nothing kept is dated, or closed, after the date."""
    when = pd.Timestamp(AS_OF) - pd.Timedelta(days=days)
    view = wb.as_at(when)
    for name, spec in RECORD_TYPES.items():
        frame, full = view[name], wb[name]
        if spec.event_date and spec.column(spec.event_date).kind == "period":
            later = full[spec.event_date] > when.to_period("M")
            assert (frame[spec.event_date] <= when.to_period("M")).all()
        elif spec.event_date:
            later = full[spec.event_date] > when
            assert (frame[spec.event_date] <= when).all()
        else:
            later = pd.Series(False, index=full.index)
        assert len(frame) + int(later.sum()) == len(full), name
        assert sorted(frame["source_row"]) == sorted(full.loc[~later, "source_row"])
        for fact in spec.later_facts:
            assert not (frame[fact.date] > when).any()
            assert not (frame[fact.date].isna() & frame[fact.status].eq("closed")).any()


# The demo -------------------------------------------------------------------------------------


@pytest.mark.xdist_group("demo")
def test_demo_2026q3_complaints_count_every_valid_row_received_in_q3(demo_dir, demo_wb):
    """The 2026Q3 review counts every valid complaint received in Q3, however late it closed."""
    raw = pd.read_csv(demo_dir / "complaints.csv", dtype=str)
    received = pd.to_datetime(raw["Date Received"], format="%d/%m/%Y", errors="coerce")
    rejected_rows = set(demo_wb.rejects["complaints"]["source_row"])
    valid = ~pd.Series(range(1, len(raw) + 1)).isin(rejected_rows)
    in_q3 = received.between("2026-07-01", "2026-09-30")
    expected = int((in_q3 & valid).sum())

    view = demo_wb.as_at("2026-09-30").complaints
    assert int(view["received_date"].between("2026-07-01", "2026-09-30").sum()) == expected
    assert len(view) == int(((received <= "2026-09-30") & valid).sum())
    closed_later = demo_wb.complaints["closed_date"] > "2026-09-30"
    assert closed_later.sum() > 0, "the demo has Q3 complaints closed in October"
    assert (view.loc[view["received_date"] >= "2026-07-01", "status"] == "open").sum() >= int(
        (closed_later & (demo_wb.complaints["received_date"] <= "2026-09-30")).sum()
    )


def test_plans_after_the_data_date_are_kept_at_the_data_date_only(tmp_path):
    """An audit planned for 2026-12 is in the extract of 2026-10-31 as a plan: a review at the
    data date sees it (9.2 programme, PDCA Plan); a review of an earlier date cannot tell
    whether it had been planned by then, so leaves it out. Before the fix both dropped it, and
    ``wb.as_at(wb.as_of)`` was not ``wb``."""
    frames = {"audit_programme": good_frame("audit_programme")}
    wb = qmsdata.load(write_workbook(tmp_path / "wb", frames))
    planned = set(wb["audit_programme"]["audit_id"])
    assert "A2" in planned  # planned for 2026-12-01, after the data date
    assert set(wb.as_at(AS_OF)["audit_programme"]["audit_id"]) == planned
    earlier = set(wb.as_at(REPORT)["audit_programme"]["audit_id"])
    assert "A2" not in earlier and "A1" in earlier
