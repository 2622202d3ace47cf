"""The line in the file where each row of a CSV or Excel source starts: the one source of truth.

``source_row`` counts data rows from 1 in source order (format-independent, so rows in =
accepted + rejected can be checked anywhere). What a person opens is a file, so every row number
shown to a person is the line in the file (``source_line``): the readers record it here, once,
and :func:`attach_lines` copies it onto the rejects and the failures table.

- **Excel**: the worksheet row (as Excel numbers it) of each record, from the reader's own loop.
- **CSV**: the line where each record starts, counting the title block above ``header_row``,
  blank lines (which are not records) and records whose quoted cells hold line breaks (which
  take more than one line). When the file has exactly one line per record below its header
  (counted in bytes, fast), ``line = header_row + source_row``; otherwise the file is read once
  more with Python's ``csv`` module to find where each record starts. When that reading does not
  find the same number of records as the parser did, the lines are unknown (0) rather than
  guessed.
- **Parquet, SQL**: no lines (``None``); ``source_line`` is then missing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: the column holding the line in the file in rejects and failures (nullable: no line for
#: Parquet and SQL sources, 0 never shown as a line)
LINE_COLUMN = "source_line"


def csv_lines(
    path: Path,
    encoding: str,
    delimiter: str,
    header_row: int,
    rows: int,
    end: int | None = None,
) -> np.ndarray:
    """Return the 1-based line where each of the first ``rows`` records of a CSV starts.

    ``rows`` is the number of records the parser read below the header (trailing empty rows
    included); ``end`` the byte offset where the parser stopped reading (None: the end of the
    file). Unknown lines are 0.
    """
    if rows == 0:
        return np.zeros(0, dtype=np.int64)
    if _one_line_per_record(path, header_row, rows, end):
        return np.arange(header_row + 1, header_row + rows + 1, dtype=np.int64)
    out = np.zeros(rows, dtype=np.int64)
    n = 0
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            for _ in range(header_row - 1):  # the title block: raw lines, as the parser skips
                fh.readline()
            reader = csv.reader(fh, delimiter=delimiter)
            if next(reader, None) is None:
                return out
            offset, end = header_row - 1, reader.line_num  # lines read so far
            for record in reader:
                start, end = offset + end + 1, reader.line_num
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # a blank line is not a record (nor for the parser)
                if n == rows:
                    break
                out[n] = start
                n += 1
    except (OSError, csv.Error, LookupError):
        return np.zeros(rows, dtype=np.int64)
    return out if n == rows else np.zeros(rows, dtype=np.int64)


def _one_line_per_record(path: Path, header_row: int, rows: int, end: int | None) -> bool:
    """Whether the first ``end`` bytes of the file hold exactly ``header_row + rows`` lines.

    Every record takes at least one line, so as many lines as records means one each: no blank
    line and no line break inside a cell. The trailing blank and delimiter-only lines the
    reader cut before parsing (after ``end``) are not counted.
    """
    needed = header_row + rows
    left = path.stat().st_size if end is None else end
    lines = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while left > 0 and lines <= needed:
            block = fh.read(min(left, 1 << 20))
            if not block:
                break
            left -= len(block)
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # the last line has no line end
    return lines == needed


def attach_lines(frame: pd.DataFrame, lines: np.ndarray | None) -> pd.DataFrame:
    """Return ``frame`` (with ``source_row``) with :data:`LINE_COLUMN` after ``source_row``.

    ``lines[i]`` is the line of data row ``i + 1``; 0 and rows past its end are missing, as is
    every line of a source that has none (``lines is None``).
    """
    import pandas as pd

    out = frame.drop(columns=LINE_COLUMN, errors="ignore")
    rows = out["source_row"].to_numpy(dtype=np.int64) if len(out) else np.zeros(0, np.int64)
    values = np.zeros(len(out), dtype=np.int64)
    if lines is not None and len(out):
        ok = (rows >= 1) & (rows <= len(lines))
        values[ok] = lines[rows[ok] - 1]
    line = pd.array(values, dtype="Int64")
    line[values == 0] = pd.NA
    where = list(out.columns).index("source_row") + 1
    out.insert(where, LINE_COLUMN, line)
    return out


def shown_line(value: object) -> str:
    """Return a line for a person: ``"12"``, or ``""`` when the source has no line for it."""
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(int(value))  # type: ignore[call-overload]
