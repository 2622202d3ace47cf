"""Read CSV sources: every cell as text, only empty cells missing.

The header is line ``header_row`` (qms.toml, default 1): the lines above it are skipped. Lines
after the last record that hold nothing but delimiters and spaces (``;;;;;;``, blank lines) are
not records and are skipped (blank lines anywhere are skipped, as before; delimiter-only lines
between records are kept as empty rows).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file
from qmsdata.io.lines import csv_lines

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


#: rows parsed at a time. Parsing a whole file at once holds the parser's working memory for
#: every row until the end (measured on the demo's 98,299-row, 15 MB nonconformity export: peak
#: 84 MiB above the start for a 25 MiB frame; in chunks of 20,000 rows 44 MiB, same frame).
CHUNK_ROWS = 20_000


def read_csv(rs: RecordSource, path: Path, *, nrows: int | None = None) -> RawSource:
    """Read a CSV file as text cells (``NA`` and ``null`` stay text; empty cells are missing).

    The default encoding ``utf-8`` is read as ``utf-8-sig`` so a byte-order mark is dropped.
    ``nrows`` reads only the first data rows (``qms check``). Rows are parsed
    :data:`CHUNK_ROWS` at a time (the same cells; less working memory).
    """
    import pandas as pd

    encoding = (
        "utf-8-sig" if rs.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else (rs.encoding)
    )
    source: Any = path
    end = None
    try:
        end = _records_end(path, rs.delimiter, encoding)
        if end is not None:
            source = _Prefix(path, end)
        with pd.read_csv(
            source,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            sep=rs.delimiter,
            encoding=encoding,
            skiprows=range(rs.header_row - 1) if rs.header_row > 1 else None,
            nrows=nrows,
            chunksize=CHUNK_ROWS,
        ) as reader:
            chunks = list(reader)
        # Arrow-backed text columns concatenate as chunked arrays, without a copy
        frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        del chunks
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"cannot decode the file as {rs.encoding} ({exc.reason} at byte {exc.start})",
            file=path,
            record_type=rs.record_type,
            hint='Set encoding = "cp1252" (Excel on Windows) or the file\'s real encoding in '
            f"[records.{rs.record_type}] of qms.toml.",
        ) from None
    except LookupError:
        raise SourceError(
            f"unknown encoding {rs.encoding!r}",
            file=path,
            record_type=rs.record_type,
            hint="Use a Python codec name such as utf-8, cp1252 or latin-1.",
        ) from None
    except pd.errors.EmptyDataError:
        raise SourceError(
            "the file is empty (no header row)",
            file=path,
            record_type=rs.record_type,
            hint="Export the records again with a header row.",
        ) from None
    except (pd.errors.ParserError, OSError, ValueError) as exc:
        raise SourceError(
            f"cannot read the file as CSV: {str(exc).strip()}{_layout_hint(rs, path, encoding)}",
            file=path,
            record_type=rs.record_type,
            hint='Check the delimiter (delimiter = ";" in qms.toml), header_row (the line of '
            "the column names) and quoting, or export the records again.",
        ) from None
    finally:
        if isinstance(source, _Prefix):
            source.close()
    frame = clean_headers(frame)
    _check_delimiter(frame, rs, path)
    lines = csv_lines(path, encoding, rs.delimiter, rs.header_row, len(frame), end)
    frame = _drop_trailing_empty(frame)
    digest = sha256_file(path) if nrows is None else ""  # a sample is not hashed
    prov = Provenance(rs.record_type, str(path), "csv", digest, len(frame))
    return RawSource(frame, prov, lines[: len(frame)])


def guess_layout(lines: list[str]) -> tuple[str, int]:
    """Return (delimiter, 1-based header line) guessed from the first lines of a CSV.

    The delimiter is the one of :data:`DELIMITERS` splitting most lines into the same number
    of fields (two or more); the header is the first line with that many fields, most filled
    (a title block above it has fewer).
    """
    import csv

    def fields(line: str, d: str) -> list[str]:
        return next(csv.reader([line], delimiter=d), [])

    best = (",", 1, -1.0)
    for d in DELIMITERS:
        counts = [len(fields(ln, d)) for ln in lines if ln.strip()]
        if not counts:
            continue
        width = max(set(counts), key=lambda n: (counts.count(n), n))
        if width < 2:
            continue
        score = counts.count(width) + width / 100
        if score > best[2]:
            best = (d, width, score)
    d, width = best[0], best[1]
    for i, ln in enumerate(lines, start=1):
        cells = fields(ln, d)
        if len(cells) >= width and sum(bool(c.strip()) for c in cells) >= max(2, int(0.6 * width)):
            return d, i
    return d, 1


def _layout_hint(rs: RecordSource, path: Path, encoding: str) -> str:
    """Return " (the header looks like line 4 ...)" when the settings seem to be wrong."""
    try:
        with open(path, encoding=encoding, errors="replace") as fh:
            lines = [fh.readline() for _ in range(60)]
    except (OSError, LookupError):
        return ""
    d, line = guess_layout([ln.rstrip("\r\n") for ln in lines if ln])
    said = []
    if line != rs.header_row:
        said.append(f"header_row = {line}")
    if d != rs.delimiter:
        said.append(f'delimiter = "{d}"'.replace("\t", "\\t"))
    if not said:
        return ""
    return f" (the column names look like line {line}: try {' and '.join(said)})"


#: delimiters a one-column header is searched for (the file was exported with another one)
DELIMITERS = (",", ";", "\t", "|")


def _check_delimiter(frame: Any, rs: RecordSource, path: Path) -> None:
    """Refuse a file read as one column whose header holds another delimiter."""
    if len(frame.columns) != 1:
        return
    header = str(frame.columns[0])
    for d in DELIMITERS:
        if d != rs.delimiter and d in header:
            shown = {"\t": "\\t"}.get(d, d)
            raise SourceError(
                f"the file was read as one column {header[:80]!r}, which holds {d!r}: it looks "
                f"delimited by {d!r}, not {rs.delimiter!r}",
                file=path,
                record_type=rs.record_type,
                hint=f'Set delimiter = "{shown}" in [records.{rs.record_type}] of qms.toml'
                + (
                    " (and header_row if a title block is above the header)."
                    if rs.header_row == 1
                    else "."
                ),
            )


def _drop_trailing_empty(frame: Any) -> Any:
    """Drop the all-empty rows after the last row holding a value."""
    if not len(frame):
        return frame
    filled = frame.notna().any(axis=1).to_numpy()
    if filled[-1]:
        return frame
    last = int(filled.nonzero()[0][-1]) + 1 if filled.any() else 0
    return frame.iloc[:last]


_TAIL = 1 << 16


def _records_end(path: Path, delimiter: str, encoding: str) -> int | None:
    """Return the byte offset where only delimiter-only or blank lines remain, or None.

    Such trailing lines may hold more delimiters than the header has columns, which the CSV
    parser would refuse; they are cut before parsing. Only for encodings where the delimiter
    and line ends are single ASCII bytes (not UTF-16/32).
    """
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if "16" in name or "32" in name:
        return None
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(size - _TAIL, 0))
        tail = fh.read()
    junk = set(b" \t\r\n" + delimiter.encode("ascii", "ignore"))
    cut = len(tail)
    while cut > 0 and tail[cut - 1] in junk:
        cut -= 1
    # cut is just after the last meaningful byte; keep through the end of its line
    nl = tail.find(b"\n", cut)
    end = size - len(tail) + (len(tail) if nl < 0 else nl + 1)
    return None if end >= size else end


class _Prefix(io.RawIOBase):
    """The first ``end`` bytes of a file, as a readable binary stream."""

    def __init__(self, path: Path, end: int) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._left = end

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(b)[: self._left]
        n = self._fh.readinto(view)
        self._left -= n or 0
        return n or 0

    def close(self) -> None:
        self._fh.close()
        super().close()
