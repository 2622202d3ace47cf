"""Tools for building hostile or unusual files in tests (a plain module: import it by name)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl


def cache_formula_values(path: Path, sheet_part: str, values: dict[str, str]) -> None:
    """Give formula cells cached values, as Excel saves them (openpyxl writes ``<v />``)."""

    def patch(xml: bytes) -> bytes:
        for ref, value in values.items():
            head = f'<c r="{ref}">'.encode()
            start = xml.index(head)
            end = xml.index(b"</c>", start)
            cell = xml[start:end].replace(b"<v />", f"<v>{value}</v>".encode())
            xml = xml[:start] + cell + xml[end:]
        return xml

    rewrite_member(path, sheet_part, patch)


def rewrite_member(path: Path, member: str, fn: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip (an .xlsx) in place."""
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info, fn(data) if info.filename == member else data)


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cell values as a reader sees them (cached values of formulas)."""
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()
