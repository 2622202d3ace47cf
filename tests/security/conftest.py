"""Fixtures for the hostile-input suite (issue 16): small workbooks the tests attack.

Each test here failed on main before the fix it guards; each says which point of issue 16.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import openpyxl
import pytest
from hostile_files import cache_formula_values

HEADER = "action_id,review_date,output_type,description,owner,due_date,status,closed_date\n"


@pytest.fixture
def csv_workbook(tmp_path: Path) -> Path:
    """A workbook whose review_actions source is the user's own CSV file."""
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "Sec"
        sites = ["A"]
        as_of = 2026-11-30

        [records.review_actions]
        source = "review-actions.csv"
        """),
        encoding="utf-8",
    )
    (wb / "review-actions.csv").write_text(
        HEADER + "RA-1,2026-01-15,improvement,Tidy the store,Ann,2026-03-01,open,\n",
        encoding="utf-8",
    )
    return wb


@pytest.fixture
def xlsx_workbook(tmp_path: Path) -> Path:
    """A workbook whose review_actions live in one sheet of a multi-sheet XLSX.

    The other sheet is a risk register whose score is a formula with its cached value (as Excel
    saves it): re-saving the file with openpyxl would drop that value.
    """
    wb = tmp_path / "wbx"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "Sec"
        sites = ["A"]
        as_of = 2026-11-30

        [records.review_actions]
        source = "registers.xlsx"
        sheet = "Review actions"
        """),
        encoding="utf-8",
    )
    book = openpyxl.Workbook()
    risks = book.active
    risks.title = "Risks"
    risks.append(["risk_id", "likelihood", "impact", "score"])
    risks.append(["R1", 2, 3, "=B2*C2"])
    risks.append(["R2", 4, 5, "=B3*C3"])
    actions = book.create_sheet("Review actions")
    actions.append(HEADER.strip().split(","))
    actions.append(["RA-1", "2026-01-15", "improvement", "Tidy the store", "Ann", None, "open"])
    book.save(wb / "registers.xlsx")
    cache_formula_values(wb / "registers.xlsx", "xl/worksheets/sheet1.xml", {"D2": "6", "D3": "20"})
    return wb
