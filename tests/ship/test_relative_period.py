"""--period last / last-quarter: counted back from the data date, read by the one period parser."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qmsdata.errors import PackError
from qmsdata.pack.request import PackRequest, resolve_period


@pytest.mark.parametrize(
    ("data_date", "expected"),
    [
        ("2026-11-02", ("2026-10", "2026-10-01", "2026-10-31")),
        ("2026-10-31", ("2026-10", "2026-10-01", "2026-10-31")),  # the month's last day: complete
        ("2026-10-30", ("2026-09", "2026-09-01", "2026-09-30")),
        ("2026-01-15", ("2025-12", "2025-12-01", "2025-12-31")),  # across the year end
        ("2024-03-01", ("2024-02", "2024-02-01", "2024-02-29")),  # leap year
    ],
)
def test_last_is_the_last_complete_month(data_date: str, expected: tuple[str, str, str]) -> None:
    assert resolve_period("last", 1, data_date) == expected
    assert resolve_period(" LAST ", 1, data_date) == expected


@pytest.mark.parametrize(
    ("data_date", "fy", "expected"),
    [
        ("2026-11-02", 1, "2026Q3"),
        ("2026-09-30", 1, "2026Q3"),  # Q3 ends that day: complete
        ("2026-09-29", 1, "2026Q2"),
        ("2026-01-10", 1, "2025Q4"),
        ("2026-11-02", 4, "2026Q3"),  # April year: FY2027Q2 = Jul-Sep 2026, the calendar 2026Q3
        ("2026-07-01", 10, "2026Q2"),
    ],
)
def test_last_quarter_is_the_last_complete_fiscal_quarter(
    data_date: str, fy: int, expected: str
) -> None:
    assert resolve_period("last-quarter", fy, data_date)[0] == expected


def test_last_quarter_matches_the_fiscal_quarter_it_names() -> None:
    # FY2027Q2 with an April start is the quarter last-quarter gives on 2026-10-15
    assert resolve_period("last-quarter", 4, "2026-10-15") == resolve_period("FY2027Q2", 4)


def test_last_quarter_refuses_a_fiscal_year_off_calendar_quarters() -> None:
    with pytest.raises(PackError, match="not calendar quarters"):
        resolve_period("last-quarter", 2, "2026-10-15")


def test_relative_period_needs_a_data_date() -> None:
    with pytest.raises(PackError, match="needs the data date"):
        resolve_period("last")


def test_request_resolves_last_against_the_workbook_data_date(tmp_path: Path) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent(
            """
            [workbook]
            fiscal_year_start = 4
            as_of = 2026-11-03
            """
        ),
        encoding="utf-8",
    )
    req = PackRequest.create(wb, "last", out=tmp_path / "r")
    assert (req.period, req.as_of, req.data_as_of) == ("2026-10", "2026-10-31", "2026-11-03")
    req = PackRequest.create(wb, "last-quarter", out=tmp_path / "r")
    assert (req.period, req.start, req.end) == ("2026Q3", "2026-07-01", "2026-09-30")
    req = PackRequest.create(wb, "last", out=tmp_path / "r", data_as_of="2026-08-15")
    assert req.period == "2026-07"
