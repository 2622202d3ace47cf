"""Read Excel .xlsx sources with openpyxl: cells as Excel holds them (dates stay dates).

Every row is read whatever the sheet's declared ``<dimension>`` says (some exporters write a
stale one, which openpyxl's read-only mode would trust and read as 0 rows), and the work is
bounded before openpyxl parses anything: the archive's XML may not decompress to more than
:data:`MAX_UNCOMPRESSED` bytes, and a sheet may not hold more rows or columns than Excel itself
allows (:data:`MAX_ROWS`, :data:`MAX_COLUMNS`). A file past a bound is a
:class:`~qmsdata.errors.SourceError` naming it, not a hang or an out-of-memory kill.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource

#: Excel's own limits for one worksheet: a sheet past them was not written by Excel.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: bound on the XML an .xlsx may decompress to (all its XML parts together), in bytes.
MAX_UNCOMPRESSED = 1 << 30

_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>]")
_OVERLAP = 40  # longer than any _ROW match, so one split across two chunks is counted once
_CHUNK = 1 << 20


def _scan(path: Path, rs: RecordSource) -> dict[str, int]:
    """Decompress the archive's XML once, bounded; return ``{worksheet part: <row> count}``.

    Raises
    ------
    SourceError
        The XML decompresses past :data:`MAX_UNCOMPRESSED` (declared or actual size).
    zipfile.BadZipFile
        Not a zip archive (the caller reports it like any unreadable workbook).
    """

    def too_big(size: str) -> SourceError:
        return SourceError(
            f"the workbook's XML decompresses to {size}, more than qmsdata reads from one "
            f"Excel file ({MAX_UNCOMPRESSED:,} bytes): it looks damaged or built to exhaust "
            "memory (a zip bomb)",
            file=path,
            record_type=rs.record_type,
            hint="Export the records again (as CSV or Parquet for very large tables).",
        )

    rows: dict[str, int] = {}
    with zipfile.ZipFile(path) as zf:
        parts = [i for i in zf.infolist() if i.filename.lower().endswith((".xml", ".rels"))]
        declared = sum(i.file_size for i in parts)
        if declared > MAX_UNCOMPRESSED:
            raise too_big(f"{declared:,} bytes")
        total = 0
        for info in parts:
            is_sheet = info.filename.startswith("xl/worksheets/")
            n = 0
            tail = b""
            with zf.open(info) as fh:
                while block := fh.read(_CHUNK):
                    total += len(block)
                    if total > MAX_UNCOMPRESSED:  # the declared sizes lied
                        raise too_big(f"more than {MAX_UNCOMPRESSED:,} bytes")
                    if is_sheet:
                        buf = tail + block
                        cut = max(len(buf) - _OVERLAP, 0)
                        n += len(_ROW.findall(buf)) - len(_ROW.findall(buf, cut))
                        tail = buf[cut:]
            if is_sheet:
                rows[info.filename] = n + len(_ROW.findall(tail))
    return rows


def _limit(path: Path, rs: RecordSource, sheet: str, what: str) -> SourceError:
    return SourceError(
        f"worksheet {sheet!r} has {what}, more than Excel allows "
        f"({MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns): the file looks damaged or built to "
        "exhaust memory",
        file=path,
        record_type=rs.record_type,
        hint="Export the records again (as CSV or Parquet for very large tables).",
    )


def read_excel(rs: RecordSource, path: Path, *, nrows: int | None = None) -> RawSource:
    """Read one worksheet (``sheet`` in qms.toml, default the first) of an .xlsx file.

    The header is row ``header_row`` (default 1); the rows above it are skipped. ``nrows``
    reads only the first data rows (``qms check``).
    """
    import numpy as np
    import pandas as pd

    from qmsdata.errors import did_you_mean

    try:
        import openpyxl

        row_counts = _scan(path, rs)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except SourceError:
        raise
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
                f"worksheet {sheet!r} not found{did_you_mean(str(sheet), names)} (the workbook "
                f"has {', '.join(map(repr, names))})",
                file=path,
                record_type=rs.record_type,
                hint=f"Set sheet = one of those names in [records.{rs.record_type}] of qms.toml.",
            )
        sheet_name = names[sheet] if isinstance(sheet, int) else sheet
        ws = book[sheet_name]
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        if row_counts.get(part, 0) > MAX_ROWS:
            raise _limit(path, rs, sheet_name, f"{row_counts[part]:,} rows")
        # A stale or wrong <dimension> element would bound the rows and columns read.
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        for _ in range(rs.header_row - 1):  # a title block above the header
            if next(rows, None) is None:
                break
        header = next(rows, None)
        if header is None:
            raise SourceError(
                f"worksheet {sheet_name!r} is empty (no header row"
                + (f" at row {rs.header_row})" if rs.header_row > 1 else ")"),
                file=path,
                record_type=rs.record_type,
                hint="Put the column names in the first row, or set header_row = <row> in "
                f"[records.{rs.record_type}] of qms.toml.",
            )
        width = len(header)
        if width > MAX_COLUMNS:
            raise _limit(path, rs, sheet_name, f"{width:,} columns")
        data: list[tuple] = []
        lines: list[int] = []  # the worksheet row of each record (qmsdata.io.lines)
        blank = 0  # all-empty rows not yet kept: kept only when a record follows them
        for n, r in enumerate(rows, start=rs.header_row + 1):
            if nrows is not None and len(data) >= nrows:
                break
            if n > MAX_ROWS:
                raise _limit(path, rs, sheet_name, f"more than {MAX_ROWS:,} rows")
            if len(r) > MAX_COLUMNS:
                raise _limit(path, rs, sheet_name, f"{len(r):,} columns in row {n}")
            cells = tuple(r[:width]) + (None,) * (width - len(r))  # a gap row is []
            # openpyxl returns rows whose cells are all empty; trailing ones are not records.
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                blank += 1
                continue
            if blank:
                data.extend([(None,) * width] * blank)
                lines.extend(range(n - blank, n))
                blank = 0
            data.append(cells)
            lines.append(n)
    finally:
        book.close()
    names_ = [f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(header)]
    frame = pd.DataFrame.from_records(data, columns=names_, coerce_float=False)
    frame = frame.astype(object) if len(frame) else frame
    frame = clean_headers(frame)
    digest = sha256_file(path) if nrows is None else ""  # a sample is not hashed
    prov = Provenance(rs.record_type, str(path), "xlsx", digest, len(frame), f"sheet {sheet_name}")
    return RawSource(frame, prov, np.asarray(lines, dtype=np.int64))
