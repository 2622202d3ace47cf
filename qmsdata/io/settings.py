"""Apply a source's reading settings from ``qms.toml`` to its raw frame.

The settings of ``[records.<type>]`` that say how an export writes its values (the header row
is applied by the readers themselves):

- ``missing = ["N/A", "-"]``: cells holding one of these (after trimming) become empty, in every
  column, so a supplier called ``-`` or a CAPA ``N/A`` is missing, not a value;
- ``[records.<type>.constants]``: a column the export lacks, the same value on every row (a
  one-site company's ``site``);
- ``[records.<type>.values.<column>]``: value maps for coded columns (``Low = "minor"``),
  matched ignoring case and surrounding spaces; a value the map does not know is left as read,
  so validation rejects it showing the value the export holds;
- ``decimal`` / ``thousands``: number and count cells written ``1.234,50`` are rewritten as plain
  decimals (``1234.50``); a cell that does not have that form is left as read (and validation
  rejects it as it stands).

They are applied in that order, to the configured source's rows only (the rows qmsdata appends,
:data:`qmsdata.io.APPENDED_FILES`, are canonical already), and listed in
:attr:`qmsdata.io.Provenance.settings` so reports can say how the rows were read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qmsdata.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.config import RecordSource

__all__ = ["apply_settings", "describe_settings", "number_pattern", "plain_number"]


def describe_settings(rs: RecordSource) -> tuple[str, ...]:
    """Return the non-default reading settings of ``rs`` as short readable phrases."""
    out = []
    if rs.header_row != 1:
        out.append(f"header row {rs.header_row}")
    if rs.decimal != "." or rs.thousands:
        out.append(f"decimal {rs.decimal!r}, thousands {rs.thousands or 'none'!r}")
    if rs.missing:
        out.append("missing markers " + ", ".join(map(repr, rs.missing)))
    for col, value in rs.constants.items():
        out.append(f"constant {col} = {value!r}")
    for col, vmap in rs.values.items():
        out.append(f"value map {col}: " + value_map_text(vmap))
    return tuple(out)


def value_map_text(vmap: Any) -> str:
    """Return a value map as ``'Low' -> 'minor', 'High' -> 'major'``."""
    return ", ".join(f"{k!r} -> {v!r}" for k, v in vmap.items())


def number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    """Return the regex a number written with these separators matches (whole cell)."""
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        whole = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)"
    else:
        whole = r"\d+"
    return re.compile(rf"^[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+)$")


def plain_number(text: str, decimal: str, thousands: str | None) -> str | None:
    """Return ``text`` as a plain decimal (``1.234,50`` -> ``1234.50``), or None if not one."""
    t = text.strip()
    if not number_pattern(decimal, thousands).match(t):
        return None
    if thousands:
        t = t.replace(thousands, "")
    return t.replace(decimal, ".") if decimal != "." else t


def apply_settings(frame: pd.DataFrame, rs: RecordSource, *, file: Any = None) -> pd.DataFrame:
    """Return ``frame`` with the missing markers, constants, value maps and number format of
    ``rs`` applied (see the module docstring).

    Raises
    ------
    SourceError
        A constant names a column the source already has, or a value map a column it lacks.
    """
    from qmsdata.io import source_column
    from qmsdata.records import RECORD_TYPES

    if not (rs.missing or rs.constants or rs.values or rs.decimal != "." or rs.thousands):
        return frame
    spec = RECORD_TYPES[rs.record_type]
    frame = frame.copy(deep=False)  # columns are replaced, never changed in place
    if rs.missing:
        markers = set(rs.missing)
        for name in frame.columns:
            frame[name] = _blank_markers(frame[name], markers)
    for canonical, value in rs.constants.items():
        have = source_column(rs, canonical, frame.columns)
        if have is not None:
            raise SourceError(
                f"the source has a column {have!r} for {canonical}, and qms.toml also sets it "
                f"as a constant ({canonical} = {value!r})",
                file=file,
                record_type=rs.record_type,
                column=canonical,
                hint=f"Remove {canonical} from [records.{rs.record_type}.constants] to read the "
                "column, or drop the column from the export.",
            )
        frame[canonical] = value
    for canonical, vmap in rs.values.items():
        have = source_column(rs, canonical, frame.columns)
        if have is None:
            raise SourceError(
                f"[records.{rs.record_type}.values.{canonical}] maps values of {canonical}, but "
                f"the source has no {canonical} column ({rs.columns.get(canonical, canonical)!r})",
                file=file,
                record_type=rs.record_type,
                column=canonical,
                hint=f"Map the column in [records.{rs.record_type}.columns], or remove the "
                "value map.",
            )
        frame[have] = map_values(frame[have], vmap)
    if rs.decimal != "." or rs.thousands:
        for col in spec.columns:
            if col.kind not in ("number", "count"):
                continue
            have = source_column(rs, col.name, frame.columns)
            if have is not None:
                frame[have] = _numbers(frame[have], rs.decimal, rs.thousands)
    return frame


def map_values(s: pd.Series, vmap: Any) -> pd.Series:
    """Return ``s`` with the values ``vmap`` knows (ignoring case and spaces) replaced."""
    import pandas as pd

    folded = {str(k).strip().casefold(): v for k, v in vmap.items()}
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if not len(uniques):
        return s
    new = [folded.get(str(u).strip().casefold(), u) if isinstance(u, str) else u for u in uniques]
    if all(a is b for a, b in zip(new, uniques, strict=True)):
        return s
    values = pd.Series(new, dtype=object).take(codes).to_numpy()
    return pd.Series(values, index=s.index, dtype=object).where(codes >= 0)


def _blank_markers(s: pd.Series, markers: set[str]) -> pd.Series:
    """Return ``s`` with the text cells that are a marker (after trimming) made missing."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return s
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    hit = np.array([isinstance(u, str) and u.strip() in markers for u in uniques], dtype=bool)
    if not hit.any():
        return s
    blank = np.zeros(len(s), dtype=bool)
    found = codes >= 0
    blank[found] = hit[codes[found]]
    return s.mask(blank)


def _numbers(s: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s):
        return s
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if not len(uniques):
        return s
    new = []
    for u in uniques:
        plain = plain_number(u, decimal, thousands) if isinstance(u, str) else None
        new.append(u if plain is None else plain)
    values = pd.Series(new, dtype=object).take(codes).to_numpy()
    out = pd.Series(values, index=s.index, dtype=object)
    return out.where(codes >= 0)


#: the "Reading settings" section of the data dictionary (``qms dictionary``).
SETTINGS_DOC = """\
## Reading settings per source

Each `[records.<type>]` table of `qms.toml` may say how its export is written, so real exports
load as they are (`qms init DIR` proposes these for a folder of exports; `qms check` tests them):

- `source = "complaints.csv"`: a file relative to the workbook folder (CSV, .xlsx, Parquet), or
  a SQLAlchemy URL; `outside = true` lets it resolve outside the workbook folder.
- `sheet = "NCR export"`: the worksheet of an .xlsx (name or 0-based number; default the first).
- `encoding = "cp1252"`, `delimiter = ";"`: CSV text encoding (default UTF-8, a byte-order mark
  accepted) and delimiter.
- `header_row = 4`: the line (CSV) or row (.xlsx) holding the column names; the title block
  above it (a title, an "Exported ..." line, blank lines) is skipped. `source_row` still counts
  data rows from 1; `source_line` in rejects and failures is the line in the file (title block,
  blank lines and line breaks inside cells counted), the line every report shows.
- `date_format = "%d.%m.%Y"`: `strftime` format of text dates (default ISO 8601).
- `decimal = ","`, `thousands = "."`: separators of the number and count columns (`1.234,50`
  reads as 1234.5). A cell not written that way is left as it is, and rejected with check `type`
  unless it is a plain number.
- `missing = ["N/A", "-", "n/a"]`: cells meaning "no value", in every column (ids and text too,
  so a supplier called `-` or a CAPA `N/A` is missing): read as empty. Compared after trimming,
  exactly as written.
- `[records.<type>.columns]`: `complaint_id = "Complaint No."`, canonical column = source column.
- `[records.<type>.constants]`: `site = "Leeds"`, a column the export lacks, the same on every
  row (a one-site company). Refused when the source has that column or it is also mapped.
- `[records.<type>.values.<column>]`: `Low = "minor"`, a value map for a coded column (enum,
  site, text or id): source value = canonical value, matched ignoring case and surrounding
  spaces (quote keys with spaces: `"Final Inspection" = "final"`). Targets must be allowed
  values. A value the map does not know is read as it is, and quarantined if it is not allowed.
- SQL sources: `table = "ncr"`, or `query = "SELECT * FROM ncr WHERE site = :site AND raised >=
  :since"` (one `SELECT`) with `[records.<type>.params]` `site = "Leeds"`, `since = "2025-01-01"`:
  each `:name` in the query is a bound parameter taken from `params`, never pasted into the SQL.
- `query_timeout = 600` (SQL sources; also under `[workbook]` for every SQL source; default 300
  seconds, 0 = no limit): a read still running after that long is abandoned with an error naming
  the record type, the source and the limit, instead of blocking `qms validate` or a scheduled
  pack. What each database gets: SQLite, the whole read is interrupted and a lock held by a
  writer is waited for at most that long; PostgreSQL, a server-side statement timeout for the
  read (`set_config('statement_timeout', ...)`, bound) and the driver's connect timeout
  (psycopg2, psycopg, pg8000); MySQL/MariaDB, the driver's connect and read timeouts (pymysql,
  mysqlclient, mariadb: the wait for an answer, the server may keep running the query); SQL
  Server via pyodbc, login and query timeouts; Oracle via oracledb, connect and call timeouts;
  any other driver, none (`qms check` warns). Only SQLite is tested here.

Missing markers apply first, then constants, value maps and the number format; blank lines and
lines holding only delimiters (`;;;;;;`) after the last record are not rows. The settings used
are listed in each source's provenance (`wb.provenance[type].settings`). Unknown keys, record
types, canonical columns, files, sheets and headers are reported with the closest known name
("did you mean ..."); a CSV read as one column whose header holds another delimiter says so.
"""
