"""Read Excel .xlsx sources with openpyxl: cells as Excel holds them (dates stay dates)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


def read_excel(rs: RecordSource, path: Path) -> RawSource:
    """Read one worksheet (``sheet`` in qms.toml, default the first) of an .xlsx file."""
    import pandas as pd

    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        raise SourceError(
            f"cannot open the file as an Excel .xlsx workbook: {exc}",
            file=path,
            record_type=rs.record_type,
            hint="Save it as .xlsx from Excel (not .xls or .csv renamed), or fix source in "
            "qms.toml.",
        ) from None
    try:
        names = book.sheetnames
        sheet = 0 if rs.sheet is None else rs.sheet
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            sheet = f"#{sheet}"
        if isinstance(sheet, str) and sheet not in names:
            raise SourceError(
                f"worksheet {sheet!r} not found (the workbook has {', '.join(map(repr, names))})",
                file=path,
                record_type=rs.record_type,
                hint=f"Set sheet = one of those names in [records.{rs.record_type}] of qms.toml.",
            )
        sheet_name = names[sheet] if isinstance(sheet, int) else sheet
        ws = book[sheet_name]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SourceError(
                f"worksheet {sheet_name!r} is empty (no header row)",
                file=path,
                record_type=rs.record_type,
                hint="Put the column names in the first row.",
            )
        width = len(header)
        data = [r[:width] + (None,) * (width - len(r)) for r in rows]
    finally:
        book.close()
    # openpyxl returns trailing rows whose cells are all empty; they are not records.
    while data and all(v is None or (isinstance(v, str) and not v.strip()) for v in data[-1]):
        data.pop()
    names_ = [f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(header)]
    frame = pd.DataFrame.from_records(data, columns=names_, coerce_float=False)
    frame = frame.astype(object) if len(frame) else frame
    frame = clean_headers(frame)
    prov = Provenance(
        rs.record_type, str(path), "xlsx", sha256_file(path), len(frame), f"sheet {sheet_name}"
    )
    return RawSource(frame, prov)
