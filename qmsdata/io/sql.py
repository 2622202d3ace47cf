"""Read SQL sources through SQLAlchemy: a whole table, or a query with bound parameters.

Table names are reflected (never pasted into SQL text) and query parameters are always bound
(``:name`` placeholders with values from ``[records.<type>.params]``). A relative SQLite database
path resolves against the workbook folder; a missing SQLite file is an error (SQLite would
otherwise create an empty one).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


def read_sql(rs: RecordSource, root: Path) -> RawSource:
    """Read a SQL table or query."""
    import pandas as pd
    import sqlalchemy as sa

    try:
        url = sa.make_url(rs.source)
    except Exception as exc:  # ArgumentError and friends
        raise SourceError(
            f"bad SQLAlchemy URL: {exc}",
            file=rs.source,
            record_type=rs.record_type,
            hint="Write it like sqlite:///qms.db or postgresql://user@host/db.",
        ) from None
    shown = url.render_as_string(hide_password=True)
    sqlite_file = None
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        sqlite_file = db if db.is_absolute() else (root / db).resolve()
        if not sqlite_file.is_file():
            raise SourceError(
                "SQLite database not found",
                file=sqlite_file,
                record_type=rs.record_type,
                hint="Check the path in source (relative to the workbook folder).",
            )
        url = url.set(database=str(sqlite_file))
        shown = url.render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # unknown dialect, missing driver
        raise SourceError(
            f"cannot use the SQL URL: {exc}",
            file=shown,
            record_type=rs.record_type,
            hint="Check the URL's dialect and that its database driver is installed.",
        ) from None
    try:
        with engine.connect() as conn:
            if rs.table is not None:
                try:
                    schema, _, name = rs.table.rpartition(".")
                    table = sa.Table(name, sa.MetaData(), autoload_with=conn, schema=schema or None)
                except sa.exc.NoSuchTableError:
                    tables = sa.inspect(conn).get_table_names()
                    raise SourceError(
                        f"table {rs.table!r} not found (the database has "
                        f"{', '.join(map(repr, tables)) or 'no tables'})",
                        file=shown,
                        record_type=rs.record_type,
                        hint=f"Set table = one of those in [records.{rs.record_type}].",
                    ) from None
                frame = pd.read_sql_query(sa.select(table), conn)
                detail = f"table {rs.table}"
            else:
                frame = pd.read_sql_query(sa.text(rs.query or ""), conn, params=dict(rs.params))
                detail = f"query {rs.query}"
    except SourceError:
        raise
    except Exception as exc:  # OperationalError, ProgrammingError, ...
        raise SourceError(
            f"cannot read from the database: {exc.__class__.__name__}: {exc}".split("\n")[0],
            file=shown,
            record_type=rs.record_type,
            hint="Check the URL, the table or query and its [params] in qms.toml.",
        ) from None
    finally:
        engine.dispose()
    frame = clean_headers(frame)
    if sqlite_file is not None:
        digest = sha256_file(sqlite_file)
    else:
        hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        digest = hashlib.sha256(hashed).hexdigest()
    prov = Provenance(rs.record_type, shown, "sql", digest, len(frame), detail)
    return RawSource(frame, prov)
