"""XLSX sources with a lying <dimension> or built to exhaust the reader (issue 16 point 4)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hostile_files import rewrite_member

from qmsdata.config import RecordSource
from qmsdata.errors import SourceError
from qmsdata.io import read_source

SHEET = "xl/worksheets/sheet1.xml"


def _rs(source: str = "c.xlsx") -> RecordSource:
    return RecordSource(record_type="complaints", source=source)


def _xlsx(path: Path, rows: int = 5) -> Path:
    pd.DataFrame(
        {"complaint_id": [f"C{i}" for i in range(rows)], "site": "A", "cost": range(rows)}
    ).to_excel(path, index=False)
    return path


def _set_dimension(path: Path, ref: str) -> None:
    def patch(xml: bytes) -> bytes:
        new, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml)
        assert n == 1
        return new

    rewrite_member(path, SHEET, patch)


@pytest.mark.parametrize("ref", ["A1", "A1:A1", "B2:C3"])
def test_a_stale_dimension_does_not_hide_rows(tmp_path: Path, ref: str) -> None:
    _set_dimension(_xlsx(tmp_path / "c.xlsx"), ref)
    raw = read_source(_rs(), tmp_path)
    assert raw.frame["complaint_id"].tolist() == [f"C{i}" for i in range(5)]
    assert list(raw.frame.columns) == ["complaint_id", "site", "cost"]


def test_a_huge_declared_dimension_costs_nothing(tmp_path: Path) -> None:
    _set_dimension(_xlsx(tmp_path / "c.xlsx"), "A1:XFD1048576")
    t = time.perf_counter()
    raw = read_source(_rs(), tmp_path)
    assert time.perf_counter() - t < 10
    assert raw.frame.shape == (5, 3)


def test_a_workbook_loads_all_rows_despite_a_stale_dimension(tmp_path: Path) -> None:
    from workbooks import good_frame, write_workbook

    import qmsdata

    wb = write_workbook(
        tmp_path / "wb", {"complaints": good_frame("complaints")}, formats={"complaints": "xlsx"}
    )
    (book,) = wb.glob("*.xlsx")
    _set_dimension(book, "A1")
    loaded = qmsdata.load(wb, as_of="2026-10-31", progress=False)
    assert loaded.validation.loc["complaints", "rows"] == 2
    assert len(loaded.complaints) == 2


def _bomb(path: Path, rows: int) -> Path:
    """An .xlsx whose one sheet holds ``rows`` rows: a few MB zipped, ~30 bytes a row inflated."""
    _xlsx(path, rows=1)
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist() if i.filename != SHEET]
        head = zf.read(SHEET).split(b"<sheetData>")[0]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in parts:
            zf.writestr(info, data)
        with zf.open(SHEET, "w", force_zip64=True) as fh:
            fh.write(head.replace(b'<dimension ref="A1:C2"/>', b"") + b"<sheetData>")
            fh.write(b'<row><c t="inlineStr"><is><t>complaint_id</t></is></c></row>')
            block = b'<row><c t="n"><v>1</v></c></row>' * 10_000
            for _ in range(rows // 10_000):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def test_a_two_million_row_bomb_is_refused_quickly_naming_the_file(tmp_path: Path) -> None:
    book = _bomb(tmp_path / "c.xlsx", 2_000_000)
    assert book.stat().st_size < 5_000_000
    t = time.perf_counter()
    with pytest.raises(SourceError, match=r"2,000,001 rows, more than Excel allows") as err:
        read_source(_rs(), tmp_path)
    assert time.perf_counter() - t < 30
    assert str(book) in str(err.value)


def test_decompressed_size_is_bounded(tmp_path: Path, monkeypatch) -> None:
    import qmsdata.io.excel as excel

    _xlsx(tmp_path / "c.xlsx", rows=2_000)
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 20_000)
    with pytest.raises(SourceError, match="decompresses to .* zip bomb"):
        read_source(_rs(), tmp_path)


def test_rows_and_columns_are_bounded_while_reading(tmp_path: Path, monkeypatch) -> None:
    import qmsdata.io.excel as excel

    _xlsx(tmp_path / "c.xlsx", rows=10)
    monkeypatch.setattr(excel, "MAX_COLUMNS", 2)
    with pytest.raises(SourceError, match="3 columns, more than Excel allows"):
        read_source(_rs(), tmp_path)
    monkeypatch.setattr(excel, "MAX_COLUMNS", 16_384)
    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    with pytest.raises(SourceError, match="rows, more than Excel allows"):
        read_source(_rs(), tmp_path)


def test_a_sparse_far_row_is_bounded(tmp_path: Path) -> None:
    """One cell at row 2,000,000 (openpyxl fills the gap with empty rows) is refused too."""
    _xlsx(tmp_path / "c.xlsx", rows=1)

    def patch(xml: bytes) -> bytes:
        far = b'<row r="2000000"><c r="A2000000" t="n"><v>1</v></c></row></sheetData>'
        return xml.replace(b"</sheetData>", far)

    rewrite_member(tmp_path / "c.xlsx", SHEET, patch)
    with pytest.raises(SourceError, match="more than 1,048,576 rows"):
        read_source(_rs(), tmp_path)
