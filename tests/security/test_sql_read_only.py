"""SQL sources are read-only (issue 16 point 5) and keep the driver's whole message (issue 10)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from qmsdata.config import RecordSource
from qmsdata.errors import SourceError
from qmsdata.io import read_source


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "qms.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE complaints (complaint_id TEXT, site TEXT)")
    con.executemany("INSERT INTO complaints VALUES (?, ?)", [("C1", "A"), ("C2", "B")])
    con.commit()
    con.close()
    return path


def _query(q: str) -> RecordSource:
    return RecordSource(record_type="complaints", source="sqlite:///qms.db", query=q)


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _tables(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        con.close()


HOSTILE = [
    ("DROP TABLE complaints", "DROP statement"),
    ("VACUUM INTO 'copy.db'", "VACUUM statement"),
    ("ATTACH 'made.db' AS made", "ATTACH statement"),
    ("SELECT * FROM complaints; DROP TABLE complaints", "2 statements"),
    ("SELECT 1;\nDELETE FROM complaints", "2 statements"),
    ("WITH d AS (DELETE FROM complaints RETURNING *) SELECT * FROM d", "DELETE"),
    ("SELECT * INTO stolen FROM complaints", "INTO"),
    ("PRAGMA journal_mode = WAL", "PRAGMA statement"),
    ("CREATE TABLE x AS SELECT * FROM complaints", "CREATE"),
    ("INSERT INTO complaints VALUES ('C9', 'Z')", "INSERT"),
    ("", "empty"),
]


@pytest.mark.parametrize(("query", "reason"), HOSTILE)
def test_a_query_that_writes_is_refused_and_writes_nothing(
    tmp_path: Path, db: Path, query: str, reason: str
) -> None:
    before = _digest(db)
    with pytest.raises(SourceError, match=f"{reason}.*SQL sources are read-only"):
        read_source(_query(query), tmp_path)
    assert _digest(db) == before
    assert _tables(db) == ["complaints"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qms.db"]  # no copy, journal, WAL


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM complaints",
        "select complaint_id from complaints -- a comment; DROP TABLE complaints\n",
        "/* header */ WITH a AS (SELECT * FROM complaints) SELECT * FROM a;",
        "SELECT replace(site, 'A', 'drop') AS site, complaint_id FROM complaints",
        "SELECT *\nFROM complaints\nWHERE site IN ('A', 'B')",
    ],
)
def test_read_statements_still_read(tmp_path: Path, db: Path, query: str) -> None:
    from qmsdata.io.sql import read_statement_problem

    assert read_statement_problem(query) is None
    raw = read_source(_query(query), tmp_path)
    assert len(raw.frame) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qms.db"]


@pytest.mark.parametrize(
    "statement",
    ["VACUUM INTO '{dir}/copy.db'", "ATTACH '{dir}/made.db' AS made", "DROP TABLE complaints"],
)
def test_the_sqlite_connection_itself_refuses_writes(tmp_path: Path, db: Path, statement: str):
    """Second layer: even a statement that got past the check cannot write or create a file."""
    from qmsdata.io.sql import _sqlite_read_only

    con = _sqlite_read_only(db)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            con.execute(statement.format(dir=tmp_path))
    finally:
        con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qms.db"]
    assert _tables(db) == ["complaints"]


def test_a_table_source_reads_through_the_read_only_connection(tmp_path: Path, db: Path):
    before = _digest(db)
    rs = RecordSource(record_type="complaints", source="sqlite:///qms.db", table="complaints")
    assert read_source(rs, tmp_path).frame["complaint_id"].tolist() == ["C1", "C2"]
    assert _digest(db) == before


def test_a_driver_message_is_kept_whole(tmp_path: Path, db: Path, monkeypatch) -> None:
    """A multi-line driver message (PostgreSQL's LINE/caret lines) is not cut to its first line."""
    import pandas as pd
    import sqlalchemy as sa

    driver = Exception('syntax error at or near "FORM"\nLINE 2: FORM complaints\n        ^')

    def fail(*_a, **_kw):
        raise sa.exc.ProgrammingError("SELECT *\nFORM complaints", {}, driver)

    monkeypatch.setattr(pd, "read_sql_query", fail)
    with pytest.raises(SourceError) as err:
        read_source(_query("SELECT *\nFROM complaints"), tmp_path)
    text = str(err.value)
    assert 'syntax error at or near "FORM"' in text and "LINE 2: FORM complaints" in text
    assert "sqlalche.me" not in text


def test_sqlite_error_message_is_the_drivers(tmp_path: Path, db: Path) -> None:
    with pytest.raises(SourceError, match="OperationalError: no such table: nowhere"):
        read_source(_query("SELECT *\nFROM nowhere\nWHERE 1 = 1"), tmp_path)


def test_a_server_database_query_is_checked_before_connecting(tmp_path: Path) -> None:
    """No connection is even tried for a writing query (the port here has no server)."""
    rs = RecordSource(
        record_type="complaints",
        source="postgresql://user:secret@127.0.0.1:1/db",
        query="SELECT 1; DROP TABLE complaints",
    )
    with pytest.raises(SourceError, match="2 statements.*SQL sources are read-only") as err:
        read_source(rs, tmp_path)
    assert "secret" not in str(err.value)
