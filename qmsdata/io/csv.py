"""Read CSV sources: every cell as text, only empty cells missing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


def read_csv(rs: RecordSource, path: Path) -> RawSource:
    """Read a CSV file as text cells (``NA`` and ``null`` stay text; empty cells are missing).

    The default encoding ``utf-8`` is read as ``utf-8-sig`` so a byte-order mark is dropped.
    """
    import pandas as pd

    encoding = (
        "utf-8-sig" if rs.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else (rs.encoding)
    )
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            sep=rs.delimiter,
            encoding=encoding,
        )
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
            f"cannot read the file as CSV: {exc}",
            file=path,
            record_type=rs.record_type,
            hint='Check the delimiter (delimiter = ";" in qms.toml) and quoting, or export '
            "the records again.",
        ) from None
    frame = clean_headers(frame)
    prov = Provenance(rs.record_type, str(path), "csv", sha256_file(path), len(frame))
    return RawSource(frame, prov)
