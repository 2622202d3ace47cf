"""A SQL source that does not answer is abandoned after query_timeout (qmsdata.io.sql).

Before query_timeout a hung server or a runaway query blocked ``qms validate`` and a scheduled
pack for ever. SQLite stands in for a server here: a query that runs for seconds (a recursive
count, its bound from a bound parameter) and a database a writer holds locked.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import qmsdata
from qmsdata.config import QUERY_TIMEOUT, read_config
from qmsdata.errors import ConfigError, SourceError
from qmsdata.io.sql import _connect_args, timeout_kind

#: a read-only query that takes many seconds on SQLite (50 million recursive steps)
SLOW = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :stop) "
    "SELECT c.* FROM complaints c WHERE (SELECT count(*) FROM n) > 0"
)


def _workbook(folder: Path, records: str, workbook: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    con = sqlite3.connect(folder / "qms.db")
    con.execute(
        "CREATE TABLE complaints (complaint_id TEXT, received_date TEXT, site TEXT, "
        "customer TEXT, severity TEXT, status TEXT)"
    )
    con.executemany(
        "INSERT INTO complaints VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("C-1", "2026-10-02", "Leeds", "Acme Ltd", "minor", "open"),
            ("C-2", "2026-10-05", "Leeds", "Müller GmbH", "major", "open"),
        ],
    )
    con.commit()
    con.close()
    (folder / "qms.toml").write_text(
        f'[workbook]\nsites = ["Leeds"]\nas_of = 2026-10-31\n{workbook}\n'
        f'[records.complaints]\nsource = "sqlite:///qms.db"\n{records}',
        encoding="utf-8",
    )
    return folder


def test_a_slow_query_is_abandoned_naming_the_record_type_and_source(tmp_path):
    folder = _workbook(
        tmp_path / "wb",
        f'query = "{SLOW}"\nquery_timeout = 0.5\n[records.complaints.params]\nstop = 50000000\n',
    )
    t0 = time.monotonic()
    with pytest.raises(SourceError) as info:
        qmsdata.load(folder)
    took = time.monotonic() - t0
    text = str(info.value)
    assert "no answer from the database within query_timeout = 0.5 s" in text
    assert "record type 'complaints'" in text and "qms.db" in text
    assert "interrupted" in text  # the driver's own word
    assert took < 10, took  # the query alone runs far longer than 0.5 s


def test_the_same_query_under_its_limit_reads_every_row(tmp_path):
    folder = _workbook(
        tmp_path / "wb", f'query = "{SLOW}"\n[records.complaints.params]\nstop = 1000\n'
    )
    wb = qmsdata.load(folder)
    assert wb.validation.loc["complaints", "accepted"] == 2


def test_a_database_locked_by_a_writer_is_waited_for_only_query_timeout(tmp_path):
    folder = _workbook(tmp_path / "wb", 'table = "complaints"\n', "query_timeout = 0.5\n")
    writer = sqlite3.connect(folder / "qms.db", isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # a writer in the middle of a long transaction
    try:
        t0 = time.monotonic()
        with pytest.raises(SourceError) as info:
            qmsdata.load(folder)
        took = time.monotonic() - t0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    text = str(info.value)
    assert "query_timeout = 0.5 s" in text and "database is locked" in text
    assert "[records.complaints] or [workbook]" in text  # where to raise it
    assert took < 4, took  # sqlite3's own default wait is 5 s


def test_query_timeout_in_qms_toml(tmp_path):
    one = read_config(_workbook(tmp_path / "a", 'table = "complaints"\n'))
    assert one.records["complaints"].query_timeout == QUERY_TIMEOUT == 300
    every = read_config(_workbook(tmp_path / "b", 'table = "complaints"\n', "query_timeout = 60"))
    assert every.records["complaints"].query_timeout == 60
    own = read_config(
        _workbook(tmp_path / "c", 'table = "complaints"\nquery_timeout = 0\n', "query_timeout = 60")
    )
    assert own.records["complaints"].query_timeout == 0  # 0: no limit, for this source only
    for i, bad in enumerate(("-1", "true", '"5 minutes"')):
        folder = _workbook(tmp_path / f"d{i}", f'table = "complaints"\nquery_timeout = {bad}\n')
        with pytest.raises(ConfigError, match="query_timeout must be seconds"):
            read_config(folder)
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "qms.toml").write_text(
        '[records.complaints]\nsource = "c.csv"\nquery_timeout = 30\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="only SQL sources have one"):
        read_config(tmp_path / "e")


@pytest.mark.parametrize(
    ("url", "args", "kind"),
    [
        ("postgresql+psycopg2://qms@db/quality", {"connect_timeout": 300}, "statement timeout"),
        ("postgresql+pg8000://qms@db/quality", {"timeout": 300}, "statement timeout"),
        ("mysql+pymysql://qms@db/quality", {"connect_timeout": 300, "read_timeout": 300}, "read"),
        ("mssql+pyodbc://qms@dsn", {"timeout": 300}, "query timeout"),
        ("oracle+oracledb://qms@db/q", {"tcp_connect_timeout": 300}, "call timeout"),
        ("firebird+fdb://qms@db/q", {}, None),
    ],
)
def test_each_dialect_gets_the_timeout_its_driver_has(url, args, kind):
    u = sa.make_url(url)
    assert _connect_args(u, 300.0) == args
    got = timeout_kind(u)
    assert got is None if kind is None else kind in got


def test_qms_check_warns_when_the_driver_gets_no_timeout(tmp_path):
    from qmsdata.check import check_workbook

    (tmp_path / "qms.toml").write_text(
        '[records.complaints]\nsource = "firebird+fdb://qms:secret@db/quality"\n'
        'table = "complaints"\n',
        encoding="utf-8",
    )
    problems = check_workbook(tmp_path)
    warned = [p for p in problems if "cannot be applied" in p.message]
    assert len(warned) == 1 and warned[0].severity == "warning"
    assert "query_timeout = 300 s" in warned[0].message
    assert "secret" not in str(warned[0])  # the password is never shown
