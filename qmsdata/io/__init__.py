"""Record sources: CSV, Excel .xlsx, Parquet and SQL.

Each reader returns the raw DataFrame exactly as read (CSV cells as text; typed cells for xlsx,
Parquet and SQL) with cleaned header names, plus its :class:`Provenance`. Readers never write to
a source; every failure to read is a :class:`~qmsdata.errors.SourceError` naming the file and
record type and saying what to do.

Sources are read-only and contained:

- a file source (and a SQLite database) must resolve, symlinks followed, inside the workbook
  folder unless ``qms.toml`` allows it (``outside = true`` on the source, or ``[workbook]
  allow_outside_sources = true``);
- SQL is read through a read-only connection (see :mod:`qmsdata.io.sql`);
- XLSX reads are bounded (see :mod:`qmsdata.io.excel`).

Rows qmsdata itself adds to a record type (``qms actions import``) live in a file qmsdata owns,
:data:`APPENDED_FILES` (``<workbook>/qms-review-actions.csv``), never in the user's own files:
:func:`read_source` appends that file's rows after the configured source's, and the provenance
lists both (:attr:`Provenance.parts`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.errors import SourceError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from qmsdata.config import RecordSource

__all__ = [
    "APPENDED_FILES",
    "Provenance",
    "RawSource",
    "appended_path",
    "inside_workbook",
    "read_appended",
    "read_sample",
    "read_source",
    "settle",
    "sha256_file",
    "source_column",
]

#: record type -> the file (in the workbook folder) where qmsdata keeps the rows it adds. Written
#: by :mod:`qmsdata.pack.actions` only, with canonical column names, ISO dates and neutralised
#: text cells (:func:`qmsdata.files.write_csv`); read back by :func:`read_source`.
APPENDED_FILES = {"review_actions": "qms-review-actions.csv"}


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
    parts
        When the rows come from more than one file (the configured source, then the rows
        qmsdata appended, :data:`APPENDED_FILES`): the provenance of each, in row order. Then
        ``source``/``format`` are the configured source's, ``rows`` is the total, ``sha256``
        the SHA-256 of the parts' SHA-256s (one hex digest per line), and ``detail`` says
        which rows came from where. Empty for a single source.
    settings
        The reading settings of ``qms.toml`` applied to the rows (header row, number format,
        missing markers, constants, value maps), as short phrases
        (:func:`qmsdata.io.settings.describe_settings`); empty when the defaults were used.
    """

    record_type: str
    source: str
    format: str
    sha256: str
    rows: int
    detail: str = ""
    parts: tuple[Provenance, ...] = ()
    settings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # a provenance read back from JSON (pack snapshots) holds its parts as dicts
        parts = tuple(p if isinstance(p, Provenance) else Provenance(**p) for p in self.parts)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "settings", tuple(self.settings))


@dataclass(frozen=True)
class RawSource:
    """A raw DataFrame as read from its source, and its provenance.

    ``lines`` (CSV and Excel): the line in the file where each row starts, one per row of
    ``frame``, 0 when unknown; None for sources without lines (Parquet, SQL). The one source
    of truth for "the line in the file" (:mod:`qmsdata.io.lines`).
    """

    frame: pd.DataFrame
    provenance: Provenance
    lines: np.ndarray | None = None


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inside_workbook(path: Path, root: Path, rs: RecordSource, *, what: str = "source") -> Path:
    """Return ``path`` resolved (symlinks followed); refuse it outside ``root`` unless allowed.

    Raises
    ------
    SourceError
        ``path`` resolves outside the workbook folder and ``rs.outside`` is False. The message
        names the file as configured, where it leads, and the two settings that allow it.
    """
    try:
        resolved = Path(path).resolve()
        base = Path(root).resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL in the name, too long, a loop
        raise SourceError(
            f"the {what} {rs.source!r} is not a usable path: {exc}",
            file=str(path).replace("\0", "\\0"),
            record_type=rs.record_type,
            hint=f"Check source in [records.{rs.record_type}] of qms.toml.",
        ) from None
    if getattr(rs, "outside", False) or resolved.is_relative_to(base):
        return resolved
    raise SourceError(
        f"the {what} {rs.source!r} resolves to {resolved}, outside the workbook folder {base}",
        file=resolved,
        record_type=rs.record_type,
        hint="qms.toml may only read files inside its own folder, so a shared or copied "
        "workbook cannot read other files of yours. If this source really lives elsewhere, "
        f"set outside = true in [records.{rs.record_type}] (or allow_outside_sources = true "
        "in [workbook]) of qms.toml",
    )


def read_source(rs: RecordSource, root: Path) -> RawSource:
    """Read the source of one record type (and the rows qmsdata appended to it).

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
        Missing or unreadable file, wrong sheet, bad encoding, bad SQL URL, table or query; a
        file outside the workbook folder that ``qms.toml`` does not allow; a query that is not
        a single read statement.
    """
    raw = _settle(_read_one(rs, root), rs)
    extra = appended_path(rs.record_type, root)
    if extra is None or not extra.exists() or (not rs.is_sql and rs.path(root) == extra):
        return raw
    both = _concat(raw, read_appended(rs, root, like=raw.frame.columns))
    for canonical, value in rs.constants.items():  # rows qmsdata added carry it too
        if canonical in both.frame.columns:
            both.frame[canonical] = both.frame[canonical].fillna(value)
    return both


def _settle(raw: RawSource, rs: RecordSource) -> RawSource:
    """Apply the source's reading settings (:mod:`qmsdata.io.settings`) to a raw frame."""
    from dataclasses import replace

    from qmsdata.io.settings import apply_settings, describe_settings

    settings = describe_settings(rs)
    if not settings:
        return raw
    frame = apply_settings(raw.frame, rs, file=raw.provenance.source)
    return RawSource(frame, replace(raw.provenance, settings=settings), raw.lines)


def read_sample(
    rs: RecordSource, root: Path, nrows: int = 200, *, settle: bool = True
) -> RawSource:
    """Read the header and the first ``nrows`` data rows of a source, settings applied.

    The same path checks, readers and settings as :func:`read_source`, reading only what
    ``qms check`` needs (the rows qmsdata appended are not read; nothing is hashed).
    ``settle=False`` leaves the missing markers, constants, value maps and number format
    unapplied (:func:`settle` applies them).

    Raises
    ------
    SourceError
        As :func:`read_source`.
    """
    raw = _read_one(rs, root, nrows=nrows)
    return _settle(raw, rs) if settle else raw


def settle(raw: RawSource, rs: RecordSource) -> RawSource:
    """Return ``raw`` with the reading settings of ``rs`` applied (:mod:`qmsdata.io.settings`).

    Raises
    ------
    SourceError
        A constant for a column the source has, a value map for a column it lacks.
    """
    return _settle(raw, rs)


def _read_one(rs: RecordSource, root: Path, *, nrows: int | None = None) -> RawSource:
    if rs.format == "sql":
        from qmsdata.io.sql import read_sql

        return read_sql(rs, root, nrows=nrows)
    path = inside_workbook(root / rs.source, root, rs)
    try:
        found = path.is_file()
    except OSError:  # a name too long for the file system
        found = False
    if not found:
        raise SourceError(
            f"source file not found{similar_file(path)}",
            file=path,
            record_type=rs.record_type,
            hint=f"Check source = {rs.source!r} in qms.toml (paths are relative to the "
            "workbook folder), or remove the record type's section.",
        )
    return _file_reader(rs.format)(rs, path, nrows=nrows)


def _file_reader(fmt: str) -> Callable[..., RawSource]:
    """Return the reader of a file format (``reader(rs, path, *, nrows=None)``)."""
    if fmt == "xlsx":
        from qmsdata.io.excel import read_excel

        return read_excel
    if fmt == "parquet":
        from qmsdata.io.parquet import read_parquet

        return read_parquet
    from qmsdata.io.csv import read_csv

    return read_csv


def similar_file(path: Path) -> str:
    """Return ``" (did you mean 'x'?)"`` for a file beside ``path`` with a similar name."""
    from qmsdata.errors import did_you_mean

    try:
        names = [p.name for p in path.parent.iterdir() if p.is_file()][:2000]
    except OSError:
        return ""
    return did_you_mean(path.name, names)


def clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip byte-order marks and surrounding spaces from column names; reset to a RangeIndex."""
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def appended_path(record_type: str, root: Path) -> Path | None:
    """Return the file where qmsdata keeps the rows it adds to ``record_type``, if any."""
    name = APPENDED_FILES.get(record_type)
    return None if name is None else Path(root).resolve() / name


def read_appended(rs: RecordSource, root: Path, *, like: Iterable[Any] = ()) -> RawSource:
    """Read the rows qmsdata appended to ``rs.record_type`` (:data:`APPENDED_FILES`).

    The file holds canonical column names, ISO dates and neutralised text. Text is returned
    as it was meant (:func:`~qmsdata.files.unneutralise_cell`); ISO dates that parse become
    Timestamps (so they validate whatever ``date_format`` the configured source uses; any other
    text is left for validation to reject); each canonical column is renamed to the configured
    source's name for it (``[records.<type>.columns]``, matched in ``like`` as the loader does:
    exactly, then ignoring case and surrounding spaces).

    Raises
    ------
    SourceError
        The file is missing, unreadable, or a symlink leading outside the workbook folder.
    """
    import pandas as pd

    from qmsdata.config import RecordSource as _RS
    from qmsdata.files import unneutralise_cell
    from qmsdata.io.csv import read_csv
    from qmsdata.records import RECORD_TYPES

    path = appended_path(rs.record_type, root)
    assert path is not None, rs.record_type  # noqa: S101 - callers check APPENDED_FILES
    own = _RS(record_type=rs.record_type, source=path.name)  # never outside, whatever rs says
    inside_workbook(root / path.name, root, own, what="file qmsdata keeps its rows in")
    raw = read_csv(own, path)
    frame = raw.frame.map(unneutralise_cell)
    frame.columns = [unneutralise_cell(c) for c in frame.columns]
    spec = RECORD_TYPES[rs.record_type]
    for col in spec.columns:
        if col.kind == "date" and col.name in frame.columns:
            text = frame[col.name]
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
            frame[col.name] = text.astype(object).where(parsed.isna(), parsed.astype(object))
    present = list(like)
    rename = {
        col.name: source_column(rs, col.name, present) or rs.columns.get(col.name, col.name)
        for col in spec.columns
    }
    frame = frame.rename(columns=rename)
    return RawSource(frame, raw.provenance, raw.lines)


def source_column(rs: RecordSource, canonical: str, available: Iterable[Any]) -> str | None:
    """Return the column of ``available`` holding ``canonical``, as the loader matches it.

    The name mapped in ``[records.<type>.columns]`` (else the canonical name itself), matched
    exactly, then ignoring case and surrounding spaces; None when absent or ambiguous.
    """
    names = [str(a) for a in available]
    wanted = rs.columns.get(canonical, canonical)
    if wanted in names:
        return wanted
    hits = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    return hits[0] if len(hits) == 1 else None


def _concat(first: RawSource, second: RawSource) -> RawSource:
    """Return ``first``'s rows then ``second``'s, with both provenances as parts."""
    import pandas as pd

    a, b = first.provenance, second.provenance
    frames = [f for f in (first.frame, second.frame) if len(f.columns)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    lo, hi = a.rows + 1, a.rows + b.rows
    detail = "; ".join(
        d
        for d in (
            a.detail,
            f"rows {lo}-{hi} from {Path(b.source).name} (added by qms actions import)"
            if b.rows
            else f"no rows yet in {Path(b.source).name}",
        )
        if d
    )
    digest = hashlib.sha256(f"{a.sha256}\n{b.sha256}\n".encode()).hexdigest()
    prov = Provenance(
        a.record_type, a.source, a.format, digest, a.rows + b.rows, detail, (a, b), a.settings
    )
    import numpy as np

    lines = None
    if first.lines is not None or second.lines is not None:  # each row: a line of its own file
        lines = np.concatenate(
            [
                np.zeros(len(r.frame), np.int64) if r.lines is None else r.lines
                for r in (first, second)
            ]
        )
    return RawSource(frame.reset_index(drop=True), prov, lines)
