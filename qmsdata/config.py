"""Read a workbook's ``qms.toml`` into typed, frozen configuration objects.

A workbook is a folder holding ``qms.toml``::

    [workbook]
    organisation = "Example Electronics Ltd"
    sites = ["Leeds", "Brno"]
    fiscal_year_start = 1          # month the fiscal year starts (1-12)
    as_of = 2026-10-31             # optional reporting date (TOML date or "YYYY-MM-DD")

    [records.complaints]
    source = "complaints.csv"      # relative to the workbook folder, or a SQLAlchemy URL
    # sheet = "Sheet1" (xlsx); table = "..." or query = "..." (SQL, parameters in [..params]);
    # encoding = "utf-8"; delimiter = ","; date_format = "%d/%m/%Y"
    [records.complaints.columns]   # canonical name = column name in the source
    complaint_id = "Complaint No."

Every mistake raises :class:`~qmsdata.errors.ConfigError` naming the file, the record type and
the key. Reading the file has no other side effect.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qmsdata.errors import ConfigError

CONFIG_NAME = "qms.toml"

_WORKBOOK_KEYS = {"organisation", "sites", "fiscal_year_start", "as_of"}
_RECORD_KEYS = {
    "source",
    "sheet",
    "table",
    "query",
    "params",
    "encoding",
    "delimiter",
    "date_format",
    "columns",
}


@dataclass(frozen=True)
class RecordSource:
    """Where one record type comes from and how its columns are named there.

    Attributes
    ----------
    record_type
        Canonical record type name.
    source
        Path relative to the workbook folder, or a SQLAlchemy URL (contains ``://``).
    sheet
        Worksheet name (or 0-based index) for .xlsx sources; default the first sheet.
    table, query, params
        For SQL sources: a table name, or a query with bound parameters ``params``.
    encoding, delimiter
        For CSV sources. The default encoding ``utf-8`` also accepts a byte-order mark.
    date_format
        ``strftime`` format of text dates; default ISO 8601.
    columns
        Mapping canonical column name -> source column name.
    """

    record_type: str
    source: str
    sheet: str | int | None = None
    table: str | None = None
    query: str | None = None
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    encoding: str = "utf-8"
    delimiter: str = ","
    date_format: str | None = None
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_sql(self) -> bool:
        """Return True when the source is a SQLAlchemy URL."""
        return "://" in self.source

    @property
    def format(self) -> str:
        """Return the source format: ``csv``, ``xlsx``, ``parquet`` or ``sql``."""
        if self.is_sql:
            return "sql"
        suffix = Path(self.source).suffix.lower()
        return {".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}.get(
            suffix, "csv"
        )

    def path(self, root: Path) -> Path:
        """Return the source file resolved against the workbook folder ``root``."""
        return (root / self.source).resolve()


@dataclass(frozen=True)
class WorkbookConfig:
    """The parsed ``qms.toml`` of a workbook.

    Attributes
    ----------
    root
        The workbook folder (absolute).
    file
        The ``qms.toml`` file.
    organisation, sites, fiscal_year_start
        From ``[workbook]``.
    as_of
        Optional reporting date from ``[workbook] as_of``.
    records
        Record type -> :class:`RecordSource`, for the configured record types only.
    """

    root: Path
    file: Path
    organisation: str
    sites: tuple[str, ...]
    fiscal_year_start: int
    as_of: dt.date | None
    records: Mapping[str, RecordSource]
    engine: EngineConfig = field(default_factory=lambda: EngineConfig())


def read_config(path: str | os.PathLike[str]) -> WorkbookConfig:
    """Read the workbook configuration from a folder (or its ``qms.toml``).

    Parameters
    ----------
    path
        The workbook folder, or the ``qms.toml`` file itself.

    Returns
    -------
    WorkbookConfig

    Raises
    ------
    ConfigError
        Missing or unreadable file, TOML syntax error (with its line), unknown section, key or
        record type, wrong value type, unknown canonical column in a mapping.
    """
    from qmsdata.records import RECORD_TYPES

    path = Path(path)
    file = path if path.suffix == ".toml" else path / CONFIG_NAME
    if not file.is_file():
        raise ConfigError(
            "workbook configuration not found",
            file=file,
            hint=f"Give the folder that holds {CONFIG_NAME} (see docs/data-dictionary.md), "
            "or create one with `qms demo DIR`.",
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{CONFIG_NAME} is not valid TOML: {exc}",
            file=file,
            hint="Fix the syntax at the line shown (strings need quotes, tables [brackets]).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc}", file=file) from None

    unknown = sorted(set(data) - {"workbook", "records", "engine"})
    if unknown:
        raise ConfigError(
            f"unknown section [{unknown[0]}]",
            file=file,
            hint="Only [workbook], [records.<record type>] and [engine] are allowed.",
        )
    wb = _table(data.get("workbook", {}), "[workbook]", file)
    _no_unknown_keys(wb, _WORKBOOK_KEYS, "[workbook]", file, None)

    organisation = wb.get("organisation", "")
    if not isinstance(organisation, str):
        raise _type_error("[workbook] organisation", "a string", file)
    sites = wb.get("sites", [])
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        raise _type_error("[workbook] sites", 'a list of strings such as ["Leeds"]', file)
    fys = wb.get("fiscal_year_start", 1)
    if not isinstance(fys, int) or isinstance(fys, bool) or not 1 <= fys <= 12:
        raise _type_error("[workbook] fiscal_year_start", "a month number 1-12", file)
    as_of = parse_as_of_date(wb.get("as_of"), file=file)

    records: dict[str, RecordSource] = {}
    for name, table in _table(data.get("records", {}), "[records]", file).items():
        if name not in RECORD_TYPES:
            raise ConfigError(
                f"unknown record type [records.{name}]",
                file=file,
                record_type=name,
                hint=f"Use one of: {', '.join(RECORD_TYPES)}.",
            )
        records[name] = _record_source(name, _table(table, f"[records.{name}]", file), file)

    root = file.parent.resolve()
    return WorkbookConfig(
        root=root,
        file=file.resolve(),
        organisation=organisation,
        sites=tuple(s.strip() for s in sites),
        fiscal_year_start=fys,
        as_of=as_of,
        records=MappingProxyType(records),
        engine=_engine(data.get("engine", {}), file),
    )


# --- [engine] (issue 14) ---------------------------------------------------------------------

ENGINES = ("pandas", "spark")


@dataclass(frozen=True)
class EngineConfig:
    """Where the large record types are read, validated and aggregated (``[engine]``).

    ``name = "pandas"`` (default): everything in this process. ``name = "spark"``: by Spark at
    ``master`` (``local[2]``, ``spark://host:7077``, ``yarn``, ...) with the extra Spark
    ``options`` (``spark.*`` settings, as text), see :mod:`qmsdata.engine.spark`.
    """

    name: str = "pandas"
    master: str = "local[2]"
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _engine(value: Any, file: Path) -> EngineConfig:
    table = _table(value, "[engine]", file)
    _no_unknown_keys(table, {"name", "master", "options"}, "[engine]", file, None)
    name = table.get("name", "pandas")
    if name not in ENGINES:
        raise _type_error("[engine] name", " or ".join(f'"{e}"' for e in ENGINES), file)
    master = table.get("master", "local[2]")
    if not isinstance(master, str) or not master.strip():
        raise _type_error("[engine] master", 'a Spark master URL such as "local[2]"', file)
    options = _table(table.get("options", {}), "[engine.options]", file)
    if not all(isinstance(v, str | int | float | bool) for v in options.values()):
        raise _type_error("[engine.options]", "a table of Spark settings (text or numbers)", file)
    text = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in options.items()}
    return EngineConfig(name=name, master=master.strip(), options=MappingProxyType(text))


def parse_as_of_date(value: Any, *, file: Path | None = None) -> dt.date | None:
    """Return ``value`` (None, a date, or ``YYYY-MM-DD`` text) as a date; raise ConfigError."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(
        f"as_of {value!r} is not a date",
        file=file,
        hint="Write the reporting date as YYYY-MM-DD, e.g. 2026-10-31.",
    )


def _record_source(name: str, table: dict[str, Any], file: Path) -> RecordSource:
    from qmsdata.records import RECORD_TYPES

    where = f"[records.{name}]"
    _no_unknown_keys(table, _RECORD_KEYS, where, file, name)
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(
            f"{where} has no source",
            file=file,
            record_type=name,
            hint='Add source = "file.csv" (relative to the workbook) or a SQLAlchemy URL.',
        )
    for key in ("table", "query", "encoding", "delimiter", "date_format"):
        if key in table and not isinstance(table[key], str):
            raise _type_error(f"{where} {key}", "a string", file, name)
    sheet = table.get("sheet")
    if sheet is not None and (not isinstance(sheet, str | int) or isinstance(sheet, bool)):
        raise _type_error(f"{where} sheet", "a sheet name or 0-based number", file, name)
    params = table.get("params", {})
    if not isinstance(params, dict):
        raise _type_error(f"{where} params", "a table of bound query parameters", file, name)
    is_sql = "://" in source
    if is_sql and ("table" in table) == ("query" in table):
        raise ConfigError(
            f"{where} is a SQL source and needs exactly one of table or query",
            file=file,
            record_type=name,
            hint='Add table = "complaints" or query = "SELECT ... WHERE site = :site" '
            f"with the parameters in [records.{name}.params].",
        )
    if not is_sql and ("table" in table or "query" in table):
        raise ConfigError(
            f"{where} has table/query but its source is not a SQLAlchemy URL",
            file=file,
            record_type=name,
            hint="Use a URL such as sqlite:///qms.db, or drop table/query for a file source.",
        )
    delimiter = table.get("delimiter", ",")
    if len(delimiter) != 1:
        raise _type_error(f"{where} delimiter", "one character", file, name)

    columns = _table(table.get("columns", {}), f"[records.{name}.columns]", file)
    spec = RECORD_TYPES[name]
    for canonical, source_name in columns.items():
        if canonical not in spec.names:
            raise ConfigError(
                f"[records.{name}.columns] maps unknown canonical column {canonical!r}",
                file=file,
                record_type=name,
                column=canonical,
                hint=f"Canonical columns of {name}: {', '.join(spec.names)}. "
                'Write canonical = "Source column".',
            )
        if not isinstance(source_name, str) or not source_name.strip():
            raise _type_error(
                f"[records.{name}.columns] {canonical}", "a source column name", file, name
            )
    return RecordSource(
        record_type=name,
        source=source.strip(),
        sheet=sheet,
        table=table.get("table"),
        query=table.get("query"),
        params=MappingProxyType(dict(params)),
        encoding=table.get("encoding", "utf-8"),
        delimiter=delimiter,
        date_format=table.get("date_format"),
        columns=MappingProxyType({k: v.strip() for k, v in columns.items()}),
    )


def _table(value: Any, where: str, file: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(where, "a table", file)
    return value


def _no_unknown_keys(
    table: dict[str, Any], allowed: set[str], where: str, file: Path, record_type: str | None
) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {where}",
            file=file,
            record_type=record_type,
            hint=f"Allowed keys: {', '.join(sorted(allowed))}.",
        )


def _type_error(where: str, expected: str, file: Path, record_type: str | None = None):
    return ConfigError(f"{where} must be {expected}", file=file, record_type=record_type)
