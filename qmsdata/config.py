"""Read a workbook's ``qms.toml`` into typed, frozen configuration objects.

A workbook is a folder holding ``qms.toml``::

    [workbook]
    organisation = "Example Electronics Ltd"
    sites = ["Leeds", "Brno"]
    fiscal_year_start = 1          # month the fiscal year starts (1-12)
    as_of = 2026-10-31             # optional reporting date (TOML date or "YYYY-MM-DD")
    standard = "ISO 9001:2015+A1:2024"  # optional clause profile (default: edition in force)
    # allow_outside_sources = true # let every source resolve outside this folder (default false)
    # missing_dates, earliest_date, latest_date: defaults for every record type (see below)

    [records.complaints]
    source = "complaints.csv"      # relative to the workbook folder, or a SQLAlchemy URL
    # sheet = "Sheet1" (xlsx); table = "..." or query = "..." (SQL, parameters in [..params]);
    # encoding = "utf-8"; delimiter = ","; date_format = "%d/%m/%Y"
    # outside = true               # this source may resolve outside the workbook folder
    # header_row = 4               # the header is line 4 (a title block above it)
    # decimal = ","; thousands = "."   # numbers written 1.234,50
    # missing = ["N/A", "-"]       # cells that mean "no value", in every column
    # missing_dates = ["9999-12-31"]  dates that mean "no date" in this export: read as missing
    # earliest_date = 1950-01-01; latest_date = 2199-12-31  plausible dates (check plausible_date)
    # query_timeout = 600          # SQL sources: seconds before the read is abandoned (0 = none)
    [records.complaints.columns]   # canonical name = column name in the source
    complaint_id = "Complaint No."
    [records.complaints.constants] # a column the export lacks, the same on every row
    site = "Leeds"
    [records.complaints.values.severity]  # source code = canonical value
    High = "critical"

Sources are read only from inside the workbook folder (after following symlinks) unless
``[workbook] allow_outside_sources = true`` or the source's own ``outside = true`` says otherwise.

Every mistake raises :class:`~qmsdata.errors.ConfigError` naming the file, the record type and
the key. Reading the file has no other side effect.

This module is the only reader of ``qms.toml``: everything else asks :func:`read_config` (the
organisation, sites, fiscal year, data date and every source, with
:meth:`WorkbookConfig.source_files` and :meth:`WorkbookConfig.server_sources` for what a source
is read from).
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

from qmsdata.errors import ConfigError, did_you_mean

CONFIG_NAME = "qms.toml"

#: default window of plausible dates; a date outside it fails check ``plausible_date``.
EARLIEST_DATE = dt.date(1950, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
#: the widest window a qms.toml may configure: the analytics compute dates in nanoseconds,
#: whose range is 1677-09-21 .. 2262-04-11.
DATE_LIMITS = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))

#: seconds a SQL source may take to answer unless qms.toml says otherwise (query_timeout)
QUERY_TIMEOUT = 300.0
#: a qms.toml larger than this is refused (a real one is a few kilobytes).
MAX_CONFIG_BYTES = 1 << 20

_DATE_KEYS = {"missing_dates", "earliest_date", "latest_date"}
_WORKBOOK_KEYS = {
    "organisation",
    "sites",
    "fiscal_year_start",
    "as_of",
    "standard",
    "allow_outside_sources",
    "query_timeout",
    *_DATE_KEYS,
}
_RECORD_KEYS = {
    *_DATE_KEYS,
    "query_timeout",
    "source",
    "sheet",
    "table",
    "query",
    "params",
    "encoding",
    "delimiter",
    "date_format",
    "columns",
    "outside",
    "header_row",
    "decimal",
    "thousands",
    "missing",
    "constants",
    "values",
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
    outside
        The source file (or SQLite database) may resolve outside the workbook folder:
        ``outside = true``, or ``[workbook] allow_outside_sources = true`` unless the source
        says ``outside = false``. Default False: a path that leaves the folder, directly, by
        ``..`` or through a symlink, is refused.
    header_row
        1-based line (row, for .xlsx) holding the column names; the lines above it (a title,
        an "Exported ..." line, blank lines) are skipped. Default 1.
    decimal, thousands
        Decimal and thousands separators of the number and count columns (``decimal = ","``,
        ``thousands = "."`` reads ``1.234,50`` as 1234.5). Default ``"."`` and none.
    missing
        Cell values that mean "no value" in this source (``["N/A", "-"]``), in every column:
        read as empty. Compared after trimming spaces, exactly as written.
    constants
        Canonical column -> value for columns the source lacks (``site = "Leeds"``).
    values
        Canonical column -> {source value: canonical value}: value maps for coded columns
        (``Low = "minor"``). Source values are matched ignoring case and surrounding spaces;
        values not in the map are read as they are (and validated as such).
    missing_dates
        Dates that mean "no date" in this source (``9999-12-31``): read as missing.
    earliest_date, latest_date
        Inclusive window of plausible dates; dates outside it fail check ``plausible_date``.
    query_timeout
        SQL sources: seconds before the read is abandoned (``[records.<type>]``, else
        ``[workbook]``, else 300; 0: none). Per dialect: :mod:`qmsdata.io.sql`.
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
    outside: bool = False
    header_row: int = 1
    decimal: str = "."
    thousands: str | None = None
    missing: tuple[str, ...] = ()
    constants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    values: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    missing_dates: tuple[dt.date, ...] = ()
    earliest_date: dt.date = EARLIEST_DATE
    latest_date: dt.date = LATEST_DATE
    query_timeout: float = 300.0

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

    def date_rules(self) -> dict[str, Any]:
        """Return this source's date rules as keywords of :func:`qmsdata.validation.validate`."""
        return {
            "missing_dates": self.missing_dates,
            "earliest_date": self.earliest_date,
            "latest_date": self.latest_date,
        }

    def file(self, root: Path) -> Path | None:
        """Return the file the rows are read from, resolved against ``root``; None for a server.

        A file source gives its path; a SQLite URL its database file (relative to ``root``
        unless absolute); a database server (or an in-memory SQLite database) None: it has no
        file whose bytes could be hashed. The path may not exist.
        """
        if not self.is_sql:
            return self.path(root)
        database = _sqlite_database(self.source)
        if database is None:
            return None
        db = Path(database)
        return db if db.is_absolute() else (root / db).resolve()


@dataclass(frozen=True)
class QualityConfig:
    """``[quality]``: when the records are fit to report (see the README, "Data quality").

    Attributes
    ----------
    max_quarantined_share
        A record type with more than this share of its rows quarantined (or with no accepted
        rows at all) makes the review inputs it feeds "not fit to report" and ``qms pack``
        exit 1. Default 0.05 (5 %).
    few_quarantined_rows
        A record type with at most this many quarantined rows stays fit to report (with
        reservations) whatever its share (a small register with one bad row). Default 5.
    """

    max_quarantined_share: float = 0.05
    few_quarantined_rows: int = 5


def _quality(value: Any, file: Path) -> QualityConfig:
    """Parse the ``[quality]`` table (isolated: nothing else in qms.toml depends on it)."""
    table = _table(value, "[quality]", file)
    keys = {"max_quarantined_share", "few_quarantined_rows"}
    _no_unknown_keys(table, keys, "[quality]", file, None)
    share = table.get("max_quarantined_share", QualityConfig.max_quarantined_share)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _type_error(
            "[quality] max_quarantined_share", "a share between 0 and 1, e.g. 0.05", file
        )
    few = table.get("few_quarantined_rows", QualityConfig.few_quarantined_rows)
    if isinstance(few, bool) or not isinstance(few, int) or few < 0:
        raise _type_error("[quality] few_quarantined_rows", "a whole number of rows, e.g. 5", file)
    return QualityConfig(max_quarantined_share=float(share), few_quarantined_rows=few)


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
    standard
        ``[workbook] standard``: the clause profile's name (``"ISO 9001:2015+A1:2024"``), or
        None for the edition in force on the data date (resolved by :mod:`qmsdata.standards`).
    allow_outside_sources
        ``[workbook] allow_outside_sources``: every source may resolve outside the folder.
    quality
        ``[quality]``: the thresholds of the data-quality verdict (:class:`QualityConfig`).
    """

    root: Path
    file: Path
    organisation: str
    sites: tuple[str, ...]
    fiscal_year_start: int
    as_of: dt.date | None
    records: Mapping[str, RecordSource]
    standard: str | None = None
    allow_outside_sources: bool = False
    engine: EngineConfig = field(default_factory=lambda: EngineConfig())
    #: the sections read by their own functions (``[reports]``, ``[notify]``), as parsed once
    sections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    quality: QualityConfig = field(default_factory=QualityConfig)

    def source_files(self) -> dict[str, Path]:
        """Return ``{record type: file read}`` for sources held in files (SQLite included).

        Paths are absolute and resolved; they may lie outside the workbook folder or not exist.
        """
        files = {}
        for name, rs in self.records.items():
            path = rs.file(self.root)
            if path is not None:
                files[name] = path
        return files

    def server_sources(self) -> dict[str, str]:
        """Return ``{record type: SQLAlchemy URL}`` for sources on a database server.

        Their data cannot be hashed, so nothing built from them can be served from a cache.
        The URLs are as written in ``qms.toml`` (passwords included: do not print them).
        """
        return {n: rs.source for n, rs in self.records.items() if rs.file(self.root) is None}


def config_file(path: str | os.PathLike[str]) -> Path:
    """Return the ``qms.toml`` of a workbook folder (or ``path`` itself when it is a .toml)."""
    path = Path(path)
    return path if path.suffix == ".toml" else path / CONFIG_NAME


def _sqlite_database(url: str) -> str | None:
    """Return the database of a SQLite URL (None: not SQLite, in memory, or not a URL)."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+")[0].lower() != "sqlite":
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        database = make_url(url).database
    except (ArgumentError, ValueError):
        return None
    return None if database in (None, "", ":memory:") else database


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

    file = config_file(path)
    if not file.is_file():
        raise ConfigError(
            "workbook configuration not found",
            file=file,
            hint=f"Give the folder that holds {CONFIG_NAME} (see docs/data-dictionary.md), "
            "or create one with `qms demo DIR`.",
        )
    try:
        size = file.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{CONFIG_NAME} is {size:,} bytes, more than the {MAX_CONFIG_BYTES:,} accepted",
                file=file,
                hint="A workbook configuration is a few kilobytes: check this is the right file.",
            )
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise ConfigError(
            f"{CONFIG_NAME} nests arrays or tables too deeply to read",
            file=file,
            hint="A workbook configuration needs at most a few levels ([records.<type>.columns]).",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{CONFIG_NAME} is not valid TOML: {exc}",
            file=file,
            hint="Fix the syntax at the line shown (strings need quotes, tables [brackets]).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc}", file=file) from None

    unknown = sorted(set(data) - {"workbook", "records", "engine", "quality", *_OTHER_SECTIONS})
    if unknown:
        raise ConfigError(
            f"unknown section [{unknown[0]}]",
            file=file,
            hint="Only [workbook], [records.<record type>], [engine], [quality], [reports] and "
            "[notify] are allowed.",
        )
    quality = _quality(data.get("quality", {}), file)
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
    standard = wb.get("standard")  # the name is checked against the profiles when used
    if standard is not None and (not isinstance(standard, str) or not standard.strip()):
        raise _type_error("[workbook] standard", 'a profile name such as "ISO 9001:2015"', file)
    outside = wb.get("allow_outside_sources", False)
    if not isinstance(outside, bool):
        raise _type_error("[workbook] allow_outside_sources", "true or false", file)
    defaults = _date_rules(wb, "[workbook]", file, None, _DEFAULT_DATE_RULES)
    timeout = _query_timeout(wb.get("query_timeout", QUERY_TIMEOUT), "[workbook]", file, None)

    records: dict[str, RecordSource] = {}
    for name, table in _table(data.get("records", {}), "[records]", file).items():
        if name not in RECORD_TYPES:
            raise ConfigError(
                f"unknown record type [records.{name}]{did_you_mean(name, RECORD_TYPES)}",
                file=file,
                record_type=name,
                hint=f"Use one of: {', '.join(RECORD_TYPES)}.",
            )
        records[name] = _record_source(
            name,
            _table(table, f"[records.{name}]", file),
            file,
            defaults,
            allow_outside=outside,
            query_timeout=timeout,
        )

    root = file.parent.resolve()
    return WorkbookConfig(
        root=root,
        file=file.resolve(),
        organisation=organisation,
        sites=tuple(s.strip() for s in sites),
        fiscal_year_start=fys,
        as_of=as_of,
        records=MappingProxyType(records),
        standard=standard.strip() if standard else None,
        allow_outside_sources=outside,
        engine=_engine(data.get("engine", {}), file),
        sections=MappingProxyType({k: data[k] for k in _OTHER_SECTIONS if k in data}),
        quality=quality,
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
    day = _config_date(value)
    if day is not None:
        return day
    raise ConfigError(
        f"as_of {value!r} is not a date",
        file=file,
        hint="Write the reporting date as YYYY-MM-DD, e.g. 2026-10-31.",
    )


_DEFAULT_DATE_RULES: dict[str, Any] = {
    "missing_dates": (),
    "earliest_date": EARLIEST_DATE,
    "latest_date": LATEST_DATE,
}


def _date_rules(
    table: Mapping[str, Any],
    where: str,
    file: Path,
    record_type: str | None,
    defaults: Mapping[str, Any],
) -> dict[str, Any]:
    """Return ``missing_dates``, ``earliest_date``, ``latest_date`` of ``table`` or ``defaults``."""
    rules = dict(defaults)
    if "missing_dates" in table:
        value = table["missing_dates"]
        days = [_config_date(v) for v in value] if isinstance(value, list) else [None]
        if any(d is None for d in days):
            raise _type_error(
                f"{where} missing_dates",
                'a list of dates such as ["9999-12-31", 1900-01-01]',
                file,
                record_type,
            )
        rules["missing_dates"] = tuple(dict.fromkeys(days))
    lo, hi = DATE_LIMITS
    for key in ("earliest_date", "latest_date"):
        if key not in table:
            continue
        day = _config_date(table[key])
        if day is None or not lo <= day <= hi:
            raise _type_error(
                f"{where} {key}",
                f"a date between {lo} and {hi} (dates are computed in nanoseconds)",
                file,
                record_type,
            )
        rules[key] = day
    if rules["earliest_date"] > rules["latest_date"]:
        raise ConfigError(
            f"{where} earliest_date {rules['earliest_date']} is after latest_date "
            f"{rules['latest_date']}",
            file=file,
            record_type=record_type,
            hint="The plausible dates run from earliest_date to latest_date.",
        )
    return rules


def _config_date(value: Any) -> dt.date | None:
    """Return a TOML date or ``YYYY-MM-DD`` text as a date; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _record_source(
    name: str,
    table: dict[str, Any],
    file: Path,
    defaults: Mapping[str, Any],
    *,
    allow_outside: bool = False,
    query_timeout: float = QUERY_TIMEOUT,
) -> RecordSource:
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
    outside = table.get("outside", allow_outside)
    if not isinstance(outside, bool):
        raise _type_error(f"{where} outside", "true or false", file, name)
    timeout = _query_timeout(table.get("query_timeout", query_timeout), where, file, name)
    if "query_timeout" in table and not is_sql:
        raise _type_error(
            f"{where} query_timeout", "left out: only SQL sources have one", file, name
        )
    delimiter = table.get("delimiter", ",")
    if len(delimiter) != 1:
        raise _type_error(f"{where} delimiter", "one character", file, name)

    columns = _table(table.get("columns", {}), f"[records.{name}.columns]", file)
    spec = RECORD_TYPES[name]
    for canonical, source_name in columns.items():
        if canonical not in spec.names:
            raise _unknown_column(
                f"[records.{name}.columns] maps unknown canonical column",
                canonical,
                spec,
                file,
                ' Write canonical = "Source column".',
            )
        if not isinstance(source_name, str) or not source_name.strip():
            raise _type_error(
                f"[records.{name}.columns] {canonical}", "a source column name", file, name
            )
    from qmsdata.config_settings import source_settings

    settings = source_settings(name, table, file, {k.strip() for k in columns})
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
        outside=outside,
        query_timeout=timeout,
        **settings,
        **_date_rules(table, where, file, name, defaults),
    )


def _query_timeout(value: Any, where: str, file: Path, record_type: str | None) -> float:
    """Return a ``query_timeout`` in seconds (0: no limit), or raise naming the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e7:
        raise _type_error(f"{where} query_timeout", "seconds (0 = no limit)", file, record_type)
    return float(value)


def _table(value: Any, where: str, file: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(where, "a table", file)
    return value


def _no_unknown_keys(
    table: dict[str, Any], allowed: set[str], where: str, file: Path, record_type: str | None
) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        each = [f"unknown key {k!r} in {where}{did_you_mean(k, allowed)}" for k in unknown]
        raise ConfigError(
            "; ".join(each),
            file=file,
            record_type=record_type,
            hint=f"Allowed keys: {', '.join(sorted(allowed))}.",
        )


def _type_error(where: str, expected: str, file: Path, record_type: str | None = None):
    return ConfigError(f"{where} must be {expected}", file=file, record_type=record_type)


def _unknown_column(
    what: str, canonical: str, spec: Any, file: Path, hint_tail: str = ""
) -> ConfigError:
    """A ``[records.<type>...]`` table naming a canonical column the record type lacks."""
    return ConfigError(
        f"{what} {canonical!r}{did_you_mean(canonical, spec.names)}",
        file=file,
        record_type=spec.name,
        column=canonical,
        hint=f"Canonical columns of {spec.name}: {', '.join(spec.names)}.{hint_tail}",
    )


def config_problems(
    path: str | os.PathLike[str],
) -> tuple[WorkbookConfig | None, dict[str, RecordSource], list[ConfigError]]:
    """Return every mistake in ``qms.toml`` at once (for ``qms check``), not only the first.

    :func:`read_config` stops at the first mistake; here each ``[records.<type>]`` table, and
    each of its keys and mapping entries, is parsed on its own so one run lists them all.

    Returns
    -------
    config, records, problems
        The parsed configuration when there is no mistake (else None); per record type, the
        source its keys without a mistake describe (so files and headers can still be
        checked); and the mistakes.
    """
    from qmsdata.records import RECORD_TYPES

    try:
        config = read_config(path)
        return config, dict(config.records), []
    except ConfigError as exc:
        first = exc
    p = Path(path)
    file = p if p.suffix == ".toml" else p / CONFIG_NAME
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None, {}, [first]  # nothing more can be read
    problems: list[ConfigError] = [] if first.record_type is not None else [first]
    wb = data.get("workbook", {})
    allow = isinstance(wb, dict) and wb.get("allow_outside_sources") is True
    try:
        defaults = _date_rules(wb, "[workbook]", file, None, _DEFAULT_DATE_RULES)
    except (ConfigError, AttributeError, TypeError):  # told by read_config's first error
        defaults = dict(_DEFAULT_DATE_RULES)
    tables = data.get("records", {})
    if not isinstance(tables, dict):
        return None, {}, problems or [first]
    records: dict[str, RecordSource] = {}
    for name, table in tables.items():
        if name not in RECORD_TYPES:
            problems.append(
                ConfigError(
                    f"unknown record type [records.{name}]{did_you_mean(name, RECORD_TYPES)}",
                    file=file,
                    record_type=name,
                    hint=f"Use one of: {', '.join(RECORD_TYPES)}.",
                )
            )
            continue
        if not isinstance(table, dict):
            problems.append(_type_error(f"[records.{name}]", "a table", file, name))
            continue
        found, rs = _probe_record(name, table, file, allow, defaults)
        problems += found
        if rs is not None:
            records[name] = rs
    if not problems:  # a mistake only the whole file shows
        problems.append(first)
    return None, records, problems


def _probe_record(
    name: str, table: dict[str, Any], file: Path, allow: bool, defaults: Mapping[str, Any]
) -> tuple[list[ConfigError], RecordSource | None]:
    """Return the mistakes of one ``[records.<name>]`` table, each key parsed on its own, and
    the source the keys without a mistake describe (None when even that does not parse)."""

    def attempt(part: dict[str, Any]) -> tuple[ConfigError | None, RecordSource | None]:
        try:
            return None, _record_source(name, part, file, defaults, allow_outside=allow)
        except ConfigError as exc:
            return exc, None

    whole, rs = attempt(table)
    if whole is None:
        return [], rs
    base: dict[str, Any] = {
        k: table[k] for k in ("source", "table", "query", "params") if k in table
    }
    err, _ = attempt(base)
    if err is not None:
        return [err], None
    found: list[ConfigError] = []
    seen: set[str] = set()
    good: dict[str, Any] = dict(base)
    for key, value in table.items():
        if key in base or (key == "thousands" and "decimal" in table):  # parsed with decimal
            continue
        if key == "decimal" or (key == "thousands" and "decimal" not in table):
            pair: dict[str, Any] = {k: table[k] for k in ("decimal", "thousands") if k in table}
            e, _ = attempt({**base, **pair})
            if e is None:
                good.update(pair)
            elif str(e) not in seen:
                seen.add(str(e))
                found.append(e)
            continue
        if key in ("columns", "constants", "values") and isinstance(value, dict) and value:
            for k, v in value.items():
                e, _ = attempt({**base, key: {k: v}})
                if e is None:
                    good.setdefault(key, {})[k] = v
                elif str(e) not in seen:
                    seen.add(str(e))
                    found.append(e)
        else:
            e, _ = attempt({**base, key: value})
            if e is None:
                good[key] = value
            elif str(e) not in seen:
                seen.add(str(e))
                found.append(e)
    if not found:
        found = [whole]
    _, partial = attempt(good)
    return found, partial


# --- [reports] and [notify]: read apart from the records (read_reports, read_notify) ---------
#: sections read by their own functions below; read_config only lets them through
_OTHER_SECTIONS = {"reports", "notify"}
_NOTIFY_KEYS = {"smtp_host", "smtp_port", "from", "to", "starttls", "username_env", "password_env"}


@dataclass(frozen=True)
class ReportsConfig:
    """``[reports]``: ``keep`` = packs kept in the reports folder (None: keep all)."""

    keep: int | None = None


@dataclass(frozen=True)
class NotifyConfig:
    """``[notify]``: where the digest is e-mailed after each build.

    Credentials are never in the file: ``username_env`` / ``password_env`` name the environment
    variables that hold them (both or neither).
    """

    smtp_host: str
    smtp_port: int
    sender: str
    to: tuple[str, ...]
    starttls: bool = True
    username_env: str | None = None
    password_env: str | None = None


def _other_section(path: str | os.PathLike[str], name: str) -> tuple[dict[str, Any], Path]:
    cfg = read_config(path)  # the whole file is valid (and [name] an allowed section), read once
    return _table(cfg.sections.get(name, {}), f"[{name}]", cfg.file), cfg.file


def read_reports(path: str | os.PathLike[str]) -> ReportsConfig:
    """Return ``[reports]`` of the workbook's ``qms.toml`` (``keep = N``)."""
    table, file = _other_section(path, "reports")
    _no_unknown_keys(table, {"keep"}, "[reports]", file, None)
    keep = table.get("keep")
    if keep is not None and (not isinstance(keep, int) or isinstance(keep, bool) or keep < 1):
        raise _type_error("[reports] keep", "a whole number of packs, at least 1", file)
    return ReportsConfig(keep=keep)


def read_notify(path: str | os.PathLike[str]) -> NotifyConfig | None:
    """Return ``[notify]`` of the workbook's ``qms.toml``, or None when there is none.

    Raises
    ------
    ConfigError
        A password (or any credential) written in the file, an unknown key, a missing or
        mistyped ``smtp_host``, ``smtp_port``, ``from`` or ``to``.
    """
    table, file = _other_section(path, "notify")
    if not table:
        return None
    for secret in ("password", "username", "user", "pass", "secret", "token"):
        if secret in table:
            raise ConfigError(
                f"[notify] {secret} is refused: credentials are never read from {CONFIG_NAME}",
                file=file,
                hint="Remove it; set username_env / password_env to the NAMES of environment "
                'variables that hold them (e.g. password_env = "QMS_SMTP_PASSWORD").',
            )
    _no_unknown_keys(table, _NOTIFY_KEYS, "[notify]", file, None)
    host = table.get("smtp_host")
    if not isinstance(host, str) or not host.strip():
        raise _type_error("[notify] smtp_host", 'a host name such as "smtp.example.com"', file)
    port = table.get("smtp_port", 587)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise _type_error("[notify] smtp_port", "a port number such as 587", file)
    sender = table.get("from")
    if not isinstance(sender, str) or "@" not in sender:
        raise _type_error("[notify] from", 'an address such as "qms@example.com"', file)
    to = table.get("to")
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
        raise _type_error("[notify] to", 'a list of addresses such as ["qm@example.com"]', file)
    starttls = table.get("starttls", True)
    if not isinstance(starttls, bool):
        raise _type_error("[notify] starttls", "true or false", file)
    envs = {k: table.get(k) for k in ("username_env", "password_env")}
    for k, v in envs.items():
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise _type_error(f"[notify] {k}", "the name of an environment variable", file)
    if (envs["username_env"] is None) != (envs["password_env"] is None):
        raise ConfigError(
            "[notify] username_env and password_env go together",
            file=file,
            hint="Give both (names of environment variables), or neither for no login.",
        )
    return NotifyConfig(
        smtp_host=host.strip(),
        smtp_port=port,
        sender=sender.strip(),
        to=tuple(a.strip() for a in to),
        starttls=starttls,
        username_env=envs["username_env"],
        password_env=envs["password_env"],
    )
