"""Sources: CSV, xlsx, Parquet, SQL read as-is with provenance; every failure a SourceError."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import pandas as pd
import pytest

from qmsdata.config import RecordSource
from qmsdata.errors import SourceError
from qmsdata.io import read_source


def rs(source, **kw):
    return RecordSource(record_type="complaints", source=source, **kw)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_cells_are_text_and_only_empty_cells_missing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeff Complaint No. ,Cost,Note\nC1,001,NA\nC2,,null\n".encode())
    raw = read_source(rs("c.csv"), tmp_path)
    f = raw.frame
    assert list(f.columns) == ["Complaint No.", "Cost", "Note"]  # BOM and spaces removed
    assert f["Cost"].tolist()[0] == "001"  # text kept as written
    assert pd.isna(f["Cost"][1])
    assert f["Note"].tolist() == ["NA", "null"]  # not guessed as missing
    assert list(f.index) == [0, 1]
    p = raw.provenance
    assert (p.format, p.rows, p.record_type) == ("csv", 2, "complaints")
    assert p.sha256 == sha(path) and p.source == str(path.resolve())


def test_csv_read_in_chunks_gives_the_same_frame(tmp_path, monkeypatch):
    """Rows parsed a few at a time (CHUNK_ROWS) give the cells, index and errors of one parse."""
    import qmsdata.io.csv as csv_mod

    lines = ["Complaint No.;Cost;Closed;Note"]
    for i in range(11):  # a column empty in a whole chunk, a multi-line quoted cell, a BOM'd header
        note = "two\nlines" if i == 6 else "NA"
        lines.append(f'C{i};{"" if i < 4 else f"0{i}"};;"{note}"')
    lines += [";;;", ";;;"]  # trailing delimiter-only lines: not records
    path = tmp_path / "c.csv"
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode())
    whole = read_source(rs("c.csv", delimiter=";"), tmp_path).frame
    monkeypatch.setattr(csv_mod, "CHUNK_ROWS", 3)
    raw = read_source(rs("c.csv", delimiter=";"), tmp_path)
    pd.testing.assert_frame_equal(raw.frame, whole)
    assert list(raw.frame.index) == list(range(11)) and raw.provenance.rows == 11
    assert raw.frame["Note"][6] == "two\nlines" and raw.frame["Cost"][:4].isna().all()
    assert str(raw.frame["Closed"].dtype) == "str"
    (tmp_path / "b.csv").write_text("a;b\n" + "1;2\n" * 7 + "1;2;3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 9"):  # counted from the file's start
        read_source(rs("b.csv", delimiter=";"), tmp_path)


def test_csv_encoding_and_delimiter_from_config(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("id;Kunde\nC1;Müller\n".encode("cp1252"))
    f = read_source(rs("c.csv", encoding="cp1252", delimiter=";"), tmp_path).frame
    assert f["Kunde"].tolist() == ["Müller"]


def test_bad_encoding_says_which_setting_to_use(tmp_path):
    (tmp_path / "c.csv").write_bytes("id,Kunde\nC1,M\xfcller\n".encode("latin-1"))
    with pytest.raises(SourceError, match=r"cannot decode.*utf-8.*encoding = \"cp1252\"") as err:
        read_source(rs("c.csv"), tmp_path)
    assert err.value.record_type == "complaints" and err.value.file.endswith("c.csv")


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match=r"source file not found.*nope.csv.*complaints.*relative"):
        read_source(rs("nope.csv"), tmp_path)


def test_empty_csv(tmp_path):
    (tmp_path / "c.csv").write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        read_source(rs("c.csv"), tmp_path)


def test_unreadable_csv(tmp_path):
    (tmp_path / "c.csv").write_text('a,b\n1,"unterminated\n', encoding="utf-8")
    with pytest.raises(SourceError, match="cannot read the file as CSV"):
        read_source(rs("c.csv"), tmp_path)


def test_xlsx_sheet_dates_stay_dates(tmp_path):
    path = tmp_path / "c.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="Notes", index=False)
        pd.DataFrame(
            {
                "Complaint No.": ["C1", "C2"],
                "Received": [dt.datetime(2026, 1, 5), "2026-02-01"],
                "Qty": [3, None],
            }
        ).to_excel(xw, sheet_name="Complaints", index=False)
    raw = read_source(rs("c.xlsx", sheet="Complaints"), tmp_path)
    f = raw.frame
    assert list(f.columns) == ["Complaint No.", "Received", "Qty"]
    assert f["Received"][0] == dt.datetime(2026, 1, 5)
    assert f["Received"][1] == "2026-02-01"
    assert raw.provenance.format == "xlsx" and raw.provenance.rows == 2
    assert raw.provenance.detail == "sheet Complaints" and raw.provenance.sha256 == sha(path)
    first = read_source(rs("c.xlsx"), tmp_path).frame  # default: first sheet
    assert list(first.columns) == ["x"]


def test_xlsx_wrong_sheet_lists_the_sheets(tmp_path):
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "c.xlsx", sheet_name="Data", index=False)
    with pytest.raises(SourceError, match=r"worksheet 'Complaints' not found.*'Data'.*sheet ="):
        read_source(rs("c.xlsx", sheet="Complaints"), tmp_path)


def test_unreadable_xlsx(tmp_path):
    (tmp_path / "c.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(SourceError, match="cannot open the file as an Excel .xlsx"):
        read_source(rs("c.xlsx"), tmp_path)


def test_parquet_keeps_stored_types(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"id ": ["C1"], "cost": [1.5], "d": pd.to_datetime(["2026-01-01"])}).to_parquet(
        path
    )
    raw = read_source(rs("c.parquet"), tmp_path)
    assert list(raw.frame.columns) == ["id", "cost", "d"]
    assert raw.frame["cost"].dtype == "float64"
    assert raw.provenance.format == "parquet" and raw.provenance.sha256 == sha(path)


def test_parquet_file_reads_as_pandas_does_without_arrow_datasets(tmp_path):
    """A Parquet file is read with ParquetFile (the frame pd.read_parquet gives: index from the
    pandas metadata, attrs, categories, time zones), without importing pyarrow.dataset (~5 MiB
    resident for a process's first read)."""
    import subprocess
    import sys

    frame = pd.DataFrame(
        {
            "id": ["C1", "C2", None],
            "kind": pd.Categorical(["a", "b", "a"]),
            "at": pd.to_datetime(["2026-01-01 10:00", None, "2026-02-01 00:00"]).tz_localize("UTC"),
            "n": [1, 2, 3],
        },
        index=pd.Index([10, 11, 12], name="row"),
    )
    frame.attrs = {"exported_by": "MES 4.2"}
    frame.to_parquet(tmp_path / "c.parquet")
    code = (
        "import sys; from pathlib import Path; from qmsdata.config import RecordSource; "
        "from qmsdata.io import clean_headers, read_source; import pandas as pd; "
        f"p = Path({str(tmp_path)!r}); "
        "raw = read_source(RecordSource('complaints', 'c.parquet'), p).frame; "
        "datasets = 'pyarrow.dataset' in sys.modules; "
        "pd.testing.assert_frame_equal(raw, clean_headers(pd.read_parquet(p / 'c.parquet'))); "
        "assert raw.attrs == {'exported_by': 'MES 4.2'}, raw.attrs; "
        "print(datasets)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unreadable_parquet(tmp_path):
    (tmp_path / "c.parquet").write_bytes(b"PAR1 nonsense")
    with pytest.raises(SourceError, match="cannot read the file as Parquet"):
        read_source(rs("c.parquet"), tmp_path)


@pytest.fixture
def sqlite_db(tmp_path):
    db = tmp_path / "qms.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE complaints (complaint_id TEXT, site TEXT, cost REAL)")
    con.executemany(
        "INSERT INTO complaints VALUES (?, ?, ?)",
        [("C1", "Leeds", 1.0), ("C2", "Brno", 2.0), ("C3", "Leeds; DROP TABLE x", 3.0)],
    )
    con.commit()
    con.close()
    return db


def test_sql_table_relative_to_workbook(tmp_path, sqlite_db):
    raw = read_source(rs("sqlite:///qms.db", table="complaints"), tmp_path)
    assert raw.frame["complaint_id"].tolist() == ["C1", "C2", "C3"]
    p = raw.provenance
    assert p.format == "sql" and p.rows == 3 and p.sha256 == sha(sqlite_db)
    assert p.detail == "table complaints"


def test_sql_query_uses_bound_parameters(tmp_path, sqlite_db):
    query = "SELECT * FROM complaints WHERE site = :site"
    raw = read_source(rs("sqlite:///qms.db", query=query, params={"site": "Leeds"}), tmp_path)
    assert raw.frame["complaint_id"].tolist() == ["C1"]
    # a value that would break string formatting is just a value
    hostile = {"site": "Leeds; DROP TABLE x"}
    raw = read_source(rs("sqlite:///qms.db", query=query, params=hostile), tmp_path)
    assert raw.frame["complaint_id"].tolist() == ["C3"]


def test_sql_missing_table_lists_tables(tmp_path, sqlite_db):
    with pytest.raises(SourceError, match=r"table 'complaint' not found.*'complaints'"):
        read_source(rs("sqlite:///qms.db", table="complaint"), tmp_path)


def test_sql_missing_sqlite_file_is_not_created(tmp_path):
    with pytest.raises(SourceError, match="SQLite database not found"):
        read_source(rs("sqlite:///missing.db", table="t"), tmp_path)
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("nosuchdialect://host/db", "cannot use the SQL URL"),
        ("sqlite://:bad", "bad SQLAlchemy URL|cannot"),
    ],
)
def test_bad_sql_url(tmp_path, url, pattern):
    with pytest.raises(SourceError, match=pattern):
        read_source(rs(url, table="t"), tmp_path)


def test_bad_sql_query(tmp_path, sqlite_db):
    with pytest.raises(SourceError, match="cannot read from the database"):
        read_source(rs("sqlite:///qms.db", query="SELECT * FROM nowhere"), tmp_path)


def test_sql_password_hidden_in_provenance(tmp_path):
    with pytest.raises(SourceError) as err:
        read_source(rs("postgresql://user:secret@127.0.0.1:1/db", table="t"), tmp_path)
    assert "secret" not in str(err.value)
