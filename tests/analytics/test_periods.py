"""Period helpers and shared plumbing of the area analytics."""

import pandas as pd
import pytest

from qmsdata.analytics import periods as P
from qmsdata.errors import DataError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", pd.Period("2026-10", "M")),
        ("2026Q3", pd.Period("2026Q3", "Q-DEC")),
        ("2026q3", pd.Period("2026Q3", "Q-DEC")),
        (pd.Period("2026-02", "M"), pd.Period("2026-02", "M")),
        ("2026-10-15", pd.Period("2026-10", "M")),
    ],
)
def test_parse_period(text, expected):
    assert P.parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "fy_start", "expected"),
    [
        ("2026-Q3", 1, "2026Q3"),
        ("FY2026Q1", 1, "2026Q1"),
        ("fy2027q1", 4, "2026Q2"),  # fiscal year Apr 2026 - Mar 2027 is named FY2027
        ("FY2027Q4", 4, "2027Q1"),
        ("FY2027Q1", 7, "2026Q3"),
        ("FY2027Q3", 10, "2027Q2"),
        ("2026Q3", 4, "2026Q3"),  # calendar quarters ignore the fiscal year
    ],
)
def test_parse_period_fiscal_quarters(text, fy_start, expected):
    p = P.parse_period(text, fiscal_year_start=fy_start)
    assert str(p) == expected and p.freqstr == "Q-DEC"


def test_fiscal_quarter_that_is_not_a_calendar_quarter_is_refused():
    with pytest.raises(DataError, match="not calendar quarters"):
        P.parse_period("FY2027Q1", fiscal_year_start=2)


@pytest.mark.parametrize("bad", ["October", "2026-13", None, pd.Period("2026", "Y"), "FY27Q1"])
def test_parse_period_rejects_clearly(bad):
    with pytest.raises(DataError):
        P.parse_period(bad)


@pytest.mark.parametrize(
    ("period", "start", "end", "prev", "last_year"),
    [
        ("2026-10", "2026-10-01", "2026-10-31", "2026-09", "2025-10"),
        ("2024-02", "2024-02-01", "2024-02-29", "2024-01", "2023-02"),
        ("2026Q1", "2026-01-01", "2026-03-31", "2025Q4", "2025Q1"),
    ],
)
def test_bounds_previous_and_last_year(period, start, end, prev, last_year):
    assert P.period_start(period) == pd.Timestamp(start)
    assert P.period_end(period) == pd.Timestamp(end)
    assert P.resolve_as_of(period) == pd.Timestamp(end)
    assert str(P.previous_period(period)) == prev
    assert str(P.same_period_last_year(period)) == last_year


@pytest.mark.parametrize(
    ("period", "fy_start", "first", "count"),
    [
        ("2026-10", 1, "2026-01", 10),
        ("2026-10", 4, "2026-04", 7),
        ("2026-02", 4, "2025-04", 11),
        ("2026-04", 4, "2026-04", 1),
        ("2026Q3", 7, "2026-07", 3),
    ],
)
def test_fiscal_ytd(period, fy_start, first, count):
    months = P.ytd_months(period, fy_start)
    assert str(months[0]) == first
    assert len(months) == count
    assert months[-1] == P.last_month(period)


def test_fiscal_year_start_must_be_a_month():
    with pytest.raises(DataError):
        P.fiscal_year_start("2026-10", 13)


def test_trailing_months_and_quarter_months():
    assert [str(m) for m in P.period_months("2026Q2")] == ["2026-04", "2026-05", "2026-06"]
    window = P.trailing_months("2026Q2", 12)
    assert str(window[0]) == "2025-07" and str(window[-1]) == "2026-06"


def test_records_of_unconfigured_type_is_empty():
    class Wb:
        complaints = pd.DataFrame({"a": [1]})

    assert P.records(Wb(), "risks").empty
    assert len(P.records(Wb(), "complaints")) == 1
    assert P.records({"risks": None}, "risks").empty
