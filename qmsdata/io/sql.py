"""Read SQL sources through SQLAlchemy: a whole table, or a query with bound parameters.

Table names are reflected (never pasted into SQL text) and query parameters are always bound
(``:name`` placeholders with values from ``[records.<type>.params]``). A relative SQLite database
path resolves against the workbook folder; a missing SQLite file is an error (SQLite would
otherwise create an empty one).

SQL sources are read-only, in three layers:

1. a ``query`` must be one read statement: a ``SELECT`` (``WITH ... SELECT`` included), with no
   second statement, no data-changing statement inside it (``WITH d AS (DELETE ...)``) and no
   ``INTO`` (``SELECT ... INTO new_table``, ``INTO OUTFILE``). Checked with ``sqlparse`` before
   the database is contacted; ``DROP``, ``VACUUM INTO``, ``ATTACH``, ``PRAGMA`` are refused.
2. SQLite is opened read-only (``file:...?mode=ro`` URI) with an authorizer that allows reading
   only (SQLite's read-only mode alone still lets ``VACUUM INTO`` and ``ATTACH`` create files).
3. other databases run the read in a transaction that is read-only where the dialect can say so
   (PostgreSQL, MySQL/MariaDB, Oracle) and is always rolled back. Give qmsdata a database
   account that may only read: that is the boundary a server enforces.

A read never waits for ever: ``query_timeout`` (seconds, ``[records.<type>]`` or ``[workbook]``,
default 300, 0 = no limit) becomes what each dialect's driver can enforce
(:data:`TIMEOUT_KINDS`), and a read past it is a :class:`~qmsdata.errors.SourceError` naming the
record type, the source and the limit:

- SQLite: the whole read (connect, reflection, query) is interrupted at the limit (a progress
  handler), and a database locked by a writer is waited for at most that long (busy timeout);
- PostgreSQL: a server-side statement timeout for the read's transaction (``set_config(
  'statement_timeout', :ms, true)``, bound) and, for psycopg2/psycopg/pg8000, the driver's
  connect timeout;
- MySQL/MariaDB: the driver's connect and read timeouts (a socket wait for the server's answer,
  not a server-side limit: a query the server keeps running is only abandoned by qmsdata);
- SQL Server through pyodbc: login timeout and the ODBC query timeout; Oracle through oracledb:
  TCP connect timeout and the call timeout of every round trip;
- any other dialect or driver: no timeout (the read can still hang; ``qms check`` says so).

Only SQLite is exercised by the tests here (no server in the test environment); the others set
the documented driver options.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, inside_workbook, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource

#: SQLite authorizer actions a read needs (SELECT, column reads, functions, recursive CTEs)
_SQLITE_READ_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
    sqlite3.SQLITE_TRANSACTION,
}
#: PRAGMAs SQLAlchemy's table reflection uses; each only reads, whatever its argument.
_SQLITE_READ_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "database_list",
}
#: statements that make a transaction read-only, per dialect (PostgreSQL uses an option)
_READ_ONLY_TRANSACTION = {
    "mysql": "SET TRANSACTION READ ONLY",
    "mariadb": "SET TRANSACTION READ ONLY",
    "oracle": "SET TRANSACTION READ ONLY",
}


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in _SQLITE_READ_ACTIONS:
        if action == sqlite3.SQLITE_FUNCTION and (arg1 or "").lower() == "load_extension":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        # SQLAlchemy reads the isolation level when it connects (no value: a read)
        if name in _SQLITE_READ_PRAGMAS or (name == "read_uncommitted" and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _sqlite_read_only(file: Path, timeout: float = 0.0) -> sqlite3.Connection:
    """Open ``file`` read-only (never created) with the read-only authorizer installed.

    ``timeout`` > 0: a lock is waited for at most that long, and any statement still running
    that many seconds after the connection was opened is interrupted (``interrupted``).
    """
    uri = f"file:{urllib.parse.quote(str(file))}?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=timeout or 5.0)
    con.set_authorizer(_sqlite_authorizer)
    if timeout > 0:
        deadline = time.monotonic() + timeout
        # checked every million SQLite VM instructions (a few ms of work): each check has to
        # take the interpreter lock back from the other threads (the GX import runs beside the
        # reads), so fewer checks for the same granularity of a timeout in seconds
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 1_000_000)
    return con


#: the kind of timeout ``query_timeout`` becomes, per dialect (the module docstring explains)
TIMEOUT_KINDS = {
    "sqlite": "the whole read is interrupted; a lock is waited for at most that long",
    "postgresql": "server-side statement timeout; driver connect timeout",
    "mysql": "driver connect and read timeouts (a socket wait, not a server-side limit)",
    "mariadb": "driver connect and read timeouts (a socket wait, not a server-side limit)",
    "mssql": "pyodbc login timeout and ODBC query timeout",
    "oracle": "oracledb TCP connect timeout and call timeout",
}
_CONNECT_TIMEOUT_ARGS = {  # driver -> connect argument names taking seconds
    "psycopg2": ("connect_timeout",),
    "psycopg": ("connect_timeout",),
    "pg8000": ("timeout",),
    "pymysql": ("connect_timeout", "read_timeout"),
    "mysqldb": ("connect_timeout", "read_timeout"),
    "mariadbconnector": ("connect_timeout", "read_timeout"),
    "pyodbc": ("timeout",),
    "oracledb": ("tcp_connect_timeout",),
}


def _driver(url: Any) -> str:
    """Return the URL's DBAPI driver name (the dialect's default when it names none), or ""."""
    try:
        return str(url.get_driver_name())
    except Exception:  # noqa: BLE001 - an unknown dialect: create_engine says so
        return ""


def timeout_kind(url: Any) -> str | None:
    """Return the kind of timeout a SQLAlchemy URL's read gets, or None when it gets none."""
    name, driver = url.get_backend_name(), _driver(url)
    if name in ("postgresql", "sqlite") or driver in _CONNECT_TIMEOUT_ARGS:
        return TIMEOUT_KINDS.get(name)
    return None


def _connect_args(url: Any, seconds: float) -> dict[str, Any]:
    """Return the driver's connect arguments that bound waiting on the server."""
    names = _CONNECT_TIMEOUT_ARGS.get(_driver(url), ())
    whole = max(1, math.ceil(seconds))  # most drivers take whole seconds
    return {n: whole for n in names}


def _bound_session(engine: Any, conn: Any, seconds: float) -> None:
    """Apply the per-connection timeouts that are not connect arguments (bound values only)."""
    import sqlalchemy as sa

    name, driver = engine.dialect.name, engine.dialect.driver
    ms = max(1, math.ceil(seconds * 1000))
    if name == "postgresql":  # this transaction only; value bound, never pasted into SQL
        conn.execute(sa.text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(ms)})
    dbapi = conn.connection.dbapi_connection
    if name == "mssql" and driver == "pyodbc":
        dbapi.timeout = max(1, math.ceil(seconds))  # ODBC query timeout, seconds
    elif name == "oracle" and driver == "oracledb":
        dbapi.call_timeout = ms  # every round trip, milliseconds


def read_statement_problem(query: str) -> str | None:
    """Return why ``query`` is not a single read statement, or None when it is one.

    A read statement is one ``SELECT`` (``WITH ... SELECT`` included) with no data-changing
    statement inside it and no ``INTO``. Comments and a trailing ``;`` are fine.
    """
    import sqlparse
    from sqlparse import tokens as T

    def meaningful(stmt: Any) -> list[Any]:
        return [
            t
            for t in stmt.flatten()
            if not t.is_whitespace and t.ttype not in T.Comment and t.ttype is not T.Punctuation
        ]

    statements = [s for s in sqlparse.parse(query) if meaningful(s)]
    if not statements:
        return "the query is empty"
    if len(statements) > 1:
        kinds = ", ".join(s.get_type() for s in statements)
        return f"the query holds {len(statements)} statements ({kinds}); only one is run"
    stmt = statements[0]
    kind = stmt.get_type()
    if kind != "SELECT":
        first = meaningful(stmt)[0].normalized.upper()
        return f"the query is a {first if kind == 'UNKNOWN' else kind} statement, not a SELECT"
    for tok in stmt.flatten():
        word = tok.normalized.upper()
        if tok.ttype in T.Keyword.DML and word != "SELECT":
            return f"the query contains {word}, which changes data"
        if tok.ttype in T.Keyword.DDL:
            return f"the query contains {word}, which changes the database"
        if tok.ttype in T.Keyword and word == "INTO":
            return "the query contains INTO, which writes a table or a file"
    return None


def _driver_message(exc: BaseException) -> str:
    """Return the database driver's whole message (every line), without SQLAlchemy's links."""
    err: BaseException = exc
    seen: BaseException | None = exc  # pandas wraps SQLAlchemy's error, which wraps the driver's
    for _ in range(8):
        if seen is None:
            break
        orig = getattr(seen, "orig", None)
        if isinstance(orig, BaseException):
            err = orig
            break
        seen = seen.__cause__ or seen.__context__
    lines = [
        line.rstrip()
        for line in str(err).splitlines()
        if line.strip() and not line.lstrip().startswith("(Background on this error at:")
    ]
    return f"{err.__class__.__name__}: " + "\n".join(lines)


def read_sql(rs: RecordSource, root: Path, *, nrows: int | None = None) -> RawSource:
    """Read a SQL table or query, read-only (``nrows``: only the first rows, fetched in one
    chunk, for ``qms check``)."""
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
    if rs.table is None:
        problem = read_statement_problem(rs.query or "")
        if problem is not None:
            raise SourceError(
                f"{problem}: SQL sources are read-only",
                file=shown,
                record_type=rs.record_type,
                hint=f"Set query in [records.{rs.record_type}] to a single SELECT (or use "
                "table = ...); qmsdata never writes to a database",
            )
    sqlite_file = None
    seconds = float(rs.query_timeout)
    engine_args: dict[str, Any] = {}
    if seconds > 0 and not url.get_backend_name().startswith("sqlite"):
        engine_args["connect_args"] = _connect_args(url, seconds)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        sqlite_file = inside_workbook(
            db if db.is_absolute() else root / db, root, rs, what="SQLite database"
        )
        if not sqlite_file.is_file():
            raise SourceError(
                "SQLite database not found",
                file=sqlite_file,
                record_type=rs.record_type,
                hint="Check the path in source (relative to the workbook folder).",
            )
        url = url.set(database=str(sqlite_file))
        shown = url.render_as_string(hide_password=True)
        if url.drivername in ("sqlite", "sqlite+pysqlite"):
            engine_args["creator"] = lambda: _sqlite_read_only(sqlite_file, seconds)
        else:  # another SQLite driver: at least open the file read-only
            quoted = urllib.parse.quote(str(sqlite_file))
            url = url.set(database=f"file:{quoted}", query={"mode": "ro", "uri": "true"})
    try:
        engine = sa.create_engine(url, **engine_args)
    except Exception as exc:  # unknown dialect, missing driver
        raise SourceError(
            f"cannot use the SQL URL: {exc}",
            file=shown,
            record_type=rs.record_type,
            hint="Check the URL's dialect and that its database driver is installed.",
        ) from None
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            try:
                conn = conn.execution_options(postgresql_readonly=True)
                setup = _READ_ONLY_TRANSACTION.get(engine.dialect.name)
                if setup is not None:
                    conn.exec_driver_sql(setup)
                if seconds > 0:
                    _bound_session(engine, conn, seconds)
                if rs.table is not None:
                    frame, detail = _read_table(conn, rs, shown, nrows)
                else:
                    query = sa.text(rs.query or "")
                    frame = _first(pd.read_sql_query, query, conn, dict(rs.params), nrows)
                    detail = f"query {rs.query}"
            finally:
                conn.rollback()  # nothing a read did is ever committed
    except SourceError:
        raise
    except Exception as exc:  # OperationalError, ProgrammingError, ...
        if seconds > 0 and _timed_out(exc, time.monotonic() - started, seconds):
            raise SourceError(
                f"no answer from the database within query_timeout = {seconds:g} s (the read "
                f"was abandoned after {time.monotonic() - started:.1f} s; "
                f"{timeout_kind(url) or 'timeout'}): {_driver_message(exc)}",
                file=shown,
                record_type=rs.record_type,
                hint="The server is busy, a writer holds a lock, or the query is slow: try "
                "again later, ask the database's owner, or raise query_timeout (seconds; 0 = no "
                f"limit) in [records.{rs.record_type}] or [workbook] of qms.toml.",
            ) from None
        raise SourceError(
            f"cannot read from the database: {_driver_message(exc)}",
            file=shown,
            record_type=rs.record_type,
            hint="Check the URL, the table or query and its [params] in qms.toml.",
        ) from None
    finally:
        engine.dispose()
    frame = clean_headers(frame)
    if nrows is not None:
        digest = ""  # a sample is not hashed
    elif sqlite_file is not None:
        digest = sha256_file(sqlite_file)
    else:
        hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        digest = hashlib.sha256(hashed).hexdigest()
    prov = Provenance(rs.record_type, shown, "sql", digest, len(frame), detail)
    return RawSource(frame, prov)


def _timed_out(exc: BaseException, elapsed: float, seconds: float) -> bool:
    """Whether a read failed because it ran into ``query_timeout``."""
    text = _driver_message(exc).lower()
    said = ("interrupted", "statement timeout", "timed out", "timeout", "database is locked")
    return elapsed >= 0.9 * seconds or any(w in text for w in said)


def _first(read: Any, query: Any, conn: Any, params: dict[str, Any], nrows: int | None) -> Any:
    """Return the rows of ``query`` (only the first ``nrows`` when given)."""
    if nrows is None:
        return read(query, conn, params=params)
    chunk = next(iter(read(query, conn, params=params, chunksize=max(nrows, 1))), None)
    return read(query, conn, params=params) if chunk is None else chunk  # no rows: columns


def _read_table(
    conn: Any, rs: RecordSource, shown: str, nrows: int | None = None
) -> tuple[Any, str]:
    import pandas as pd
    import sqlalchemy as sa

    assert rs.table is not None  # noqa: S101 - the caller checked
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
    return _first(pd.read_sql_query, sa.select(table), conn, {}, nrows), f"table {rs.table}"
