"""Record sources: CSV, Excel .xlsx, Parquet and SQL.

Each reader returns the raw DataFrame exactly as read (CSV cells as text; typed cells for xlsx,
Parquet and SQL) with cleaned header names, plus its :class:`Provenance`. Readers never write to
a source; every failure to read is a :class:`~qmsdata.errors.SourceError` naming the file and
record type and saying what to do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.config import RecordSource

__all__ = ["Provenance", "RawSource", "read_source", "sha256_file"]


@dataclass(frozen=True)
class Provenance:
    """Where a record type's rows came from.

    Attributes
    ----------
    record_type
        Record type name.
    source
        Absolute file path, or the SQLAlchemy URL with its password hidden.
    format
        ``csv``, ``xlsx``, ``parquet`` or ``sql``.
    sha256
        SHA-256 of the source file (for SQL: of the SQLite file, else of the rows read).
    rows
        Data rows read.
    detail
        Sheet, table or query, when relevant.
    """

    record_type: str
    source: str
    format: str
    sha256: str
    rows: int
    detail: str = ""


@dataclass(frozen=True)
class RawSource:
    """A raw DataFrame as read from its source, and its provenance."""

    frame: pd.DataFrame
    provenance: Provenance


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_source(rs: RecordSource, root: Path) -> RawSource:
    """Read the source of one record type.

    Parameters
    ----------
    rs
        The record type's configuration from ``qms.toml``.
    root
        The workbook folder; relative paths (and relative SQLite databases) resolve against it.

    Returns
    -------
    RawSource
        The raw frame (0-based RangeIndex, cleaned headers) and its provenance.

    Raises
    ------
    SourceError
        Missing or unreadable file, wrong sheet, bad encoding, bad SQL URL, table or query.
    """
    if rs.format == "sql":
        from qmsdata.io.sql import read_sql

        return read_sql(rs, root)
    path = rs.path(root)
    if not path.is_file():
        raise SourceError(
            "source file not found",
            file=path,
            record_type=rs.record_type,
            hint=f"Check source = {rs.source!r} in qms.toml (paths are relative to the "
            "workbook folder), or remove the record type's section.",
        )
    if rs.format == "xlsx":
        from qmsdata.io.excel import read_excel as reader
    elif rs.format == "parquet":
        from qmsdata.io.parquet import read_parquet as reader
    else:
        from qmsdata.io.csv import read_csv as reader
    return reader(rs, path)


def clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip byte-order marks and surrounding spaces from column names; reset to a RangeIndex."""
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    return frame.reset_index(drop=True)
