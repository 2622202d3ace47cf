"""``qms check``: the structural pass over a workbook, every problem at once, in seconds.

Reads ``qms.toml`` and, per configured source, only what structure needs: the file (or
database) exists and may be read, its sheet, its encoding (a CSV is decoded whole, in chunks),
its header and a sample of rows, with the source's reading settings applied
(:mod:`qmsdata.io.settings`). It reports:

- errors (the workbook cannot load as configured): every mistake in ``qms.toml`` (unknown keys,
  record types and columns with "did you mean" suggestions, bad values, value maps to values
  that are not allowed), a missing or unreadable file, a wrong sheet or encoding, a likely
  wrong delimiter, a required or mapped column the header lacks (with the closest header), a
  constant for a column the source has, a value map for a column it lacks;
- warnings (the workbook loads, but rows of the sample would be quarantined): codes neither
  allowed nor in a value map, numbers written with another decimal separator, dates that do
  not match ``date_format``, placeholder cells (``N/A``, ``-``) that ``missing`` would read as
  empty.

:func:`check_workbook` returns the problems; ``qms check`` prints them and exits 0 (no error)
or 2. ``qms validate`` and ``qms pack`` are meant to call :func:`check_workbook` first.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from qmsdata.errors import QmsError

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.config import RecordSource

__all__ = ["Problem", "check_command", "check_workbook", "ensure_loadable"]

#: data rows read per source (after the header) to look at values
SAMPLE_ROWS = 200
#: cells that usually mean "no value" in exports
PLACEHOLDERS = ("N/A", "n/a", "NA", "-", "--", "—", "null", "NULL", "none", "None", "?", "#N/A")
_ENUM_SEP = re.compile(r"[\s\-]+")  # as validation normalises codes


@dataclass(frozen=True)
class Problem:
    """One structural problem of a workbook.

    Attributes
    ----------
    message
        What is wrong.
    severity
        ``error`` (the workbook cannot load as configured) or ``warning`` (it loads, but rows
        would be quarantined).
    record_type, file, column
        Where, when known.
    hint
        What to do.
    """

    message: str
    severity: Literal["error", "warning"] = "error"
    record_type: str | None = None
    file: str | None = None
    column: str | None = None
    hint: str | None = None

    @classmethod
    def from_error(cls, exc: QmsError) -> Problem:
        """Return the problem a :class:`~qmsdata.errors.QmsError` describes."""
        return cls(
            message=getattr(exc, "message", None) or str(exc),
            record_type=getattr(exc, "record_type", None),
            file=None if getattr(exc, "file", None) is None else str(exc.file),
            column=getattr(exc, "column", None),
            hint=getattr(exc, "hint", None),
        )

    def __str__(self) -> str:
        where = " ".join(
            p
            for p in (
                f"[{self.record_type}]" if self.record_type else "",
                Path(self.file).name if self.file and "://" not in self.file else "",
                f"column {self.column}" if self.column else "",
            )
            if p
        )
        text = f"{self.severity}: {where + ': ' if where else ''}{self.message}"
        return text + (f"\n    -> {self.hint}" if self.hint else "")


def check_workbook(
    path: str | os.PathLike[str], *, sample_rows: int = SAMPLE_ROWS
) -> list[Problem]:
    """Return every structural problem of a workbook (empty: it loads as configured).

    Parameters
    ----------
    path
        The workbook folder (or its ``qms.toml``).
    sample_rows
        Data rows read per source to look at values (warnings only).

    Returns
    -------
    list[Problem]
        Errors first (config, then per record type in registry order), then warnings.
    """
    from qmsdata.config import config_problems
    from qmsdata.records import RECORD_TYPES

    config, records, errors = config_problems(path)
    problems = [Problem.from_error(e) for e in errors]
    p = Path(path)
    root = (p.parent if p.suffix == ".toml" else p).resolve()
    sites = tuple(config.sites) if config is not None else ()
    for name in RECORD_TYPES:
        if name in records:
            problems += _todos(records[name])
            problems += _check_source(records[name], root, sites, sample_rows)
    return sorted(problems, key=lambda q: q.severity != "error")


def _todos(rs: RecordSource) -> list[Problem]:
    """Return the ``"TODO"`` values ``qms init`` left in a source's tables."""
    where = f"[records.{rs.record_type}"
    found = [(f"{where}.columns] {k}", k) for k, v in rs.columns.items() if v == "TODO"]
    found += [(f"{where}.constants] {k}", k) for k, v in rs.constants.items() if v == "TODO"]
    found += [
        (f"{where}.values.{c}] {k!r}", c)
        for c, vmap in rs.values.items()
        for k, v in vmap.items()
        if v == "TODO"
    ]
    return [
        Problem(
            f'{key} is still "TODO"',
            "error",
            rs.record_type,
            None,
            column,
            hint="Fill it in (see the comment beside it in qms.toml), or delete the line.",
        )
        for key, column in found
    ]


def _check_source(
    rs: RecordSource, root: Path, sites: tuple[str, ...], sample_rows: int
) -> list[Problem]:
    from qmsdata.errors import SourceError
    from qmsdata.io import read_sample, settle

    found = _check_timeout(rs)  # before the read, which may be the one that hangs
    try:
        raw = read_sample(rs, root, sample_rows, settle=False)
    except SourceError as exc:
        return [*found, Problem.from_error(exc)]
    file = raw.provenance.source
    if rs.format == "csv":
        found += _check_encoding(rs, Path(file))
    try:
        frame = settle(raw, rs).frame
    except SourceError as exc:  # a constant or value map that does not fit the header
        found.append(Problem.from_error(exc))
        frame = raw.frame.copy(deep=False)
        for name, value in rs.constants.items():
            if name not in frame.columns:
                frame[name] = value
    found += _check_headers(rs, frame, file)
    if rs.header_row != 1 and rs.format in ("parquet", "sql"):
        found.append(
            Problem(
                f"header_row = {rs.header_row} is ignored for a {rs.format} source",
                "warning",
                rs.record_type,
                file,
                hint="Remove header_row: only CSV and Excel sources have a title block.",
            )
        )
    found += _check_values(rs, frame, file, sites)
    return found


def _check_timeout(rs: RecordSource) -> list[Problem]:
    """Warn when a SQL source's driver gets no query_timeout (its read could hang for ever)."""
    if not rs.is_sql or rs.query_timeout <= 0:
        return []  # before importing SQLAlchemy (0.3 s): most workbooks have no SQL source
    import sqlalchemy as sa

    from qmsdata.io.sql import timeout_kind

    try:
        url = sa.make_url(rs.source)
    except Exception:  # noqa: BLE001 - the reader says what is wrong with the URL
        return []
    if timeout_kind(url):
        return []
    return [
        Problem(
            f"query_timeout = {rs.query_timeout:g} s cannot be applied to this database's "
            "driver: a hung server would block the read",
            "warning",
            rs.record_type,
            url.render_as_string(hide_password=True),
            hint="Use a driver qmsdata bounds (see qmsdata.io.sql: SQLite, PostgreSQL, "
            "MySQL/MariaDB, SQL Server via pyodbc, Oracle via oracledb), or a timeout of the "
            "database account itself.",
        )
    ]


def _check_encoding(rs: RecordSource, path: Path) -> list[Problem]:
    """Decode the whole file in chunks; return the first undecodable byte as a problem."""
    enc = "utf-8-sig" if rs.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else rs.encoding
    try:
        decoder = codecs.getincrementaldecoder(enc)()
    except LookupError:
        return []  # the reader already said so
    offset = 0
    line = 1
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    line += block[: exc.start].count(b"\n")
                    return [
                        Problem(
                            f"cannot decode the file as {rs.encoding} at byte "
                            f"{offset + exc.start:,} (line {line:,})",
                            "error",
                            rs.record_type,
                            str(path),
                            hint='Set encoding = "cp1252" (Excel on Windows) or the file\'s real '
                            f"encoding in [records.{rs.record_type}] of qms.toml.",
                        )
                    ]
                offset += len(block)
                line += block.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return [
            Problem(
                f"the file ends inside a character ({exc.reason})",
                "error",
                rs.record_type,
                str(path),
            )
        ]
    except OSError as exc:
        return [Problem(f"cannot read the file: {exc}", "error", rs.record_type, str(path))]
    return []


def _check_headers(rs: RecordSource, frame: pd.DataFrame, file: str) -> list[Problem]:
    """Return every required or mapped column the header lacks, and ambiguous headers."""
    from qmsdata.errors import did_you_mean
    from qmsdata.io import source_column
    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES[rs.record_type]
    headers = [str(c) for c in frame.columns]
    found = []
    unnamed = sum(h.startswith("Unnamed: ") for h in headers)
    if headers and unnamed * 2 > len(headers):
        found.append(
            Problem(
                f"{unnamed} of {len(headers)} header cells are empty on row {rs.header_row}: "
                "the column names seem to be on another row",
                "error",
                rs.record_type,
                file,
                hint=f"Set header_row = <row of the column names> in [records.{rs.record_type}].",
            )
        )
    for col in spec.columns:
        wanted = rs.columns.get(col.name, col.name)
        if source_column(rs, col.name, headers) is not None:
            continue
        folded = [h for h in headers if h.strip().casefold() == wanted.strip().casefold()]
        if len(folded) > 1:
            found.append(
                Problem(
                    f"{len(folded)} columns match {wanted!r} ignoring case: "
                    + ", ".join(map(repr, folded)),
                    "error",
                    rs.record_type,
                    file,
                    col.name,
                    hint=f"Map {col.name} to the exact header in "
                    f"[records.{rs.record_type}.columns].",
                )
            )
            continue
        if not (col.required or col.name in rs.columns):
            continue
        kind = "required" if col.required else "mapped"
        how = (
            f"mapped from {wanted!r}"
            if col.name in rs.columns
            else "not mapped, so looked up by its own name"
        )
        guess = did_you_mean(wanted, headers) or _label_guess(col, headers)
        found.append(
            Problem(
                f"{kind} column {col.name!r} is missing ({how}){guess}; the header has: "
                + (", ".join(map(repr, headers[:30])) or "no columns"),
                "error",
                rs.record_type,
                file,
                col.name,
                hint=f'Map it in [records.{rs.record_type}.columns], e.g. {col.name} = "<header>"'
                + (
                    ", or check header_row (the line of the column names)."
                    if len(headers) < 3
                    else "."
                ),
            )
        )
    return found


def _label_guess(col: Any, headers: Iterable[str]) -> str:
    """Return a did-you-mean from the column's description (``complaint number`` ~ ``No.``)."""
    from qmsdata.errors import did_you_mean

    return did_you_mean(col.description, headers) if col.description else ""


def _check_values(
    rs: RecordSource, frame: pd.DataFrame, file: str, sites: tuple[str, ...]
) -> list[Problem]:
    """Return warnings for sample values that validation would quarantine."""
    import pandas as pd

    from qmsdata.io import source_column
    from qmsdata.io.settings import value_map_text
    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES[rs.record_type]
    found = []
    placeholders: dict[str, set[str]] = {}
    for col in spec.columns:
        have = source_column(rs, col.name, frame.columns)
        if have is None:
            continue
        s = frame[have]
        text = s[s.map(lambda v: isinstance(v, str)).astype(bool)]
        text = text.astype(str).str.strip()
        text = text[text != ""]
        for v in set(text) & set(PLACEHOLDERS):
            placeholders.setdefault(v, set()).add(col.name)
        allowed: tuple[str, ...] | None = col.allowed
        if col.kind == "site" and sites:
            allowed = tuple(x.strip() for x in sites)
        if allowed:
            fold = col.kind == "site"
            ok = {a.casefold() for a in allowed} if fold else set(allowed)
            bad = sorted(
                {
                    v
                    for v in text.unique()
                    if (v.casefold() if fold else _ENUM_SEP.sub("_", v.lower())) not in ok
                    and v not in PLACEHOLDERS
                }
            )
            if bad:
                vmap = rs.values.get(col.name)
                shown = f"; value map: {value_map_text(vmap)}" if vmap else ""
                found.append(
                    Problem(
                        f"{len(bad)} value(s) of {col.name} in the first {len(frame)} rows are "
                        f"neither allowed nor mapped: {', '.join(map(repr, bad[:8]))} "
                        f"(allowed: {', '.join(allowed)}{shown})",
                        "warning",
                        rs.record_type,
                        file,
                        col.name,
                        hint=f"Add them to [records.{rs.record_type}.values.{col.name}], e.g. "
                        f'"{bad[0]}" = "{allowed[0]}".',
                    )
                )
        if col.kind in ("number", "count") and len(text):
            bad_num = text[pd.to_numeric(text, errors="coerce").isna()]
            bad_num = bad_num[~bad_num.isin(PLACEHOLDERS)]
            if len(bad_num):
                comma = bad_num.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})*,\d+|[+-]?\d+,\d+").any()
                hint = (
                    'They look written with a decimal comma: set decimal = "," (and thousands '
                    f'= ".") in [records.{rs.record_type}].'
                    if comma and rs.decimal == "."
                    else "Check decimal and thousands in qms.toml, or the export."
                )
                found.append(
                    Problem(
                        f"{len(bad_num)} value(s) of {col.name} in the sample are not numbers as "
                        f"configured: {', '.join(map(repr, bad_num.unique()[:5]))}",
                        "warning",
                        rs.record_type,
                        file,
                        col.name,
                        hint=hint,
                    )
                )
        if col.kind == "date" and len(text):
            fmt = rs.date_format or "ISO8601"
            bad_d = text[pd.to_datetime(text, format=fmt, errors="coerce").isna()]
            bad_d = bad_d[~bad_d.isin(PLACEHOLDERS)]
            if len(bad_d):
                guess = guess_date_format(bad_d.unique()[:50])
                found.append(
                    Problem(
                        f"{len(bad_d)} date(s) of {col.name} in the sample do not read as "
                        f"{rs.date_format or 'ISO 8601'}: "
                        + ", ".join(map(repr, bad_d.unique()[:5])),
                        "warning",
                        rs.record_type,
                        file,
                        col.name,
                        hint=(
                            f'Set date_format = "{guess}" in [records.{rs.record_type}].'
                            if guess
                            else "Set date_format in qms.toml to the export's format."
                        ),
                    )
                )
    if placeholders:
        words = sorted(placeholders)
        found.append(
            Problem(
                "placeholder cells that would be read as values: "
                + "; ".join(f"{w!r} in {', '.join(sorted(placeholders[w]))}" for w in words),
                "warning",
                rs.record_type,
                file,
                hint=f"If they mean 'no value', add missing = {_toml_list(words)} to "
                f"[records.{rs.record_type}].",
            )
        )
    return found


DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%d.%m.%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
)


def guess_date_format(values: Iterable[str]) -> str | None:
    """Return the first of :data:`DATE_FORMATS` reading every value, or None.

    Day-first formats come before ``%m/%d/%Y``: with only days <= 12 in the sample the
    order is a guess (``qms init`` says so in a TODO).
    """
    import datetime as dt

    vals = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if not vals:
        return None
    for fmt in DATE_FORMATS:
        try:
            for v in vals:
                dt.datetime.strptime(v, fmt)
        except ValueError:
            continue
        return fmt
    return None


def _toml_list(words: Iterable[str]) -> str:
    return (
        "["
        + ", ".join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in words)
        + "]"
    )


def ensure_loadable(path: str | os.PathLike[str]) -> list[Problem]:
    """Run :func:`check_workbook`; raise if it found an error, else return the warnings.

    For ``qms validate`` and ``qms pack``: call it before loading, so every structural problem
    is told at once instead of the first one the loader meets.

    Raises
    ------
    ConfigError
        One error naming every structural problem (the CLI prints it and exits 2).
    """
    from qmsdata.errors import ConfigError

    problems = check_workbook(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listed = "\n".join(
            f"  {i}. {str(p).removeprefix('error: ')}" for i, p in enumerate(errors, 1)
        )
        raise ConfigError(
            f"the workbook cannot be loaded as configured ({len(errors)} problem(s)):\n{listed}\n",
            file=Path(path),
            hint="Fix them, then run qms check again",
        )
    return problems


def check_command(path: str | os.PathLike[str]) -> int:
    """Run ``qms check``: print every problem; return 0 (no error) or 2."""
    problems = check_workbook(path)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        print(p)
    warnings = len(problems) - len(errors)
    if errors:
        print(
            f"\n{len(errors)} error(s), {warnings} warning(s): fix the errors, then run "
            "qms check again"
        )
        return 2
    print(f"structure ok ({warnings} warning(s))" if warnings else "structure ok")
    return 0
