"""qms.toml parsing: the typed config and one clear ConfigError per mistake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qmsdata.config import (
    EARLIEST_DATE,
    LATEST_DATE,
    RecordSource,
    WorkbookConfig,
    config_file,
    parse_as_of_date,
    read_config,
)
from qmsdata.errors import ConfigError

GOOD_TOML = """
[workbook]
organisation = "Test Electronics Ltd"
sites = ["Leeds", " Brno "]
fiscal_year_start = 4
as_of = 2026-10-31

[records.complaints]
source = "exports/complaints.csv"
encoding = "cp1252"
delimiter = ";"
date_format = "%d/%m/%Y"
[records.complaints.columns]
complaint_id = "Complaint No."
received_date = "Date Received "

[records.nonconformities]
source = "sqlite:///qms.db"
query = "SELECT * FROM nc WHERE site = :site"
[records.nonconformities.params]
site = "Leeds"

[records.production]
source = "prod.xlsx"
sheet = "Volumes"
"""


def write(tmp_path, text):
    (tmp_path / "qms.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_reads_the_issue_format(tmp_path):
    cfg = read_config(write(tmp_path, GOOD_TOML))
    assert isinstance(cfg, WorkbookConfig)
    assert cfg.organisation == "Test Electronics Ltd"
    assert cfg.sites == ("Leeds", "Brno")
    assert cfg.fiscal_year_start == 4
    assert cfg.as_of == dt.date(2026, 10, 31)
    assert cfg.root == tmp_path.resolve()
    c = cfg.records["complaints"]
    assert isinstance(c, RecordSource)
    assert c.format == "csv" and not c.is_sql
    assert c.path(cfg.root) == (tmp_path / "exports" / "complaints.csv").resolve()
    assert dict(c.columns) == {"complaint_id": "Complaint No.", "received_date": "Date Received"}
    assert (c.encoding, c.delimiter, c.date_format) == ("cp1252", ";", "%d/%m/%Y")
    n = cfg.records["nonconformities"]
    assert n.format == "sql" and n.query and dict(n.params) == {"site": "Leeds"}
    assert cfg.records["production"].format == "xlsx"
    assert cfg.records["production"].sheet == "Volumes"
    assert set(cfg.records) == {"complaints", "nonconformities", "production"}


def test_config_is_frozen(tmp_path):
    cfg = read_config(write(tmp_path, GOOD_TOML))
    with pytest.raises(AttributeError):
        cfg.organisation = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.records["x"] = None  # type: ignore[index]


def test_accepts_the_toml_file_itself_and_defaults(tmp_path):
    write(tmp_path, '[records.risks]\nsource = "risks.csv"\n')
    cfg = read_config(tmp_path / "qms.toml")
    assert cfg.organisation == "" and cfg.sites == () and cfg.fiscal_year_start == 1
    assert cfg.as_of is None
    assert cfg.records["risks"].encoding == "utf-8"


def test_missing_file_says_where_and_what_to_do(tmp_path):
    with pytest.raises(ConfigError) as err:
        read_config(tmp_path / "nowhere")
    msg = str(err.value)
    assert "qms.toml" in msg and "not found" in msg and "qms demo" in msg
    assert err.value.file.endswith("qms.toml")


def test_toml_syntax_error_names_the_line(tmp_path):
    write(tmp_path, '[workbook]\norganisation = "x"\nsites = [Leeds]\n')
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 3") as err:
        read_config(tmp_path)
    assert err.value.file.endswith("qms.toml")


@pytest.mark.parametrize(
    ("text", "pattern", "record_type"),
    [
        (
            '[records.complaint]\nsource = "c.csv"\n',
            r"unknown record type \[records.complaint\]"
            r".*complaints, nonconformities",
            "complaint",
        ),
        ('[workbook]\norganization = "x"\n', r"unknown key 'organization' in \[workbook\]", None),
        (
            '[records.risks]\nsource = "r.csv"\nsheets = "x"\n',
            r"unknown key 'sheets' in \[records.risks\]",
            "risks",
        ),
        ('[records.risks]\nsheet = "x"\n', r"\[records.risks\] has no source", "risks"),
        (
            '[records.risks]\nsource = "r.csv"\n[records.risks.columns]\nrisk = "Risk No"\n',
            r"unknown canonical column 'risk'.*risk_id",
            "risks",
        ),
        (
            '[records.risks]\nsource = "r.csv"\n[records.risks.columns]\nrisk_id = 3\n',
            r"risk_id must be a source column name",
            "risks",
        ),
        (
            '[records.risks]\nsource = "sqlite:///q.db"\n',
            r"needs exactly one of table or query",
            "risks",
        ),
        ('[records.risks]\nsource = "r.csv"\ntable = "t"\n', r"not a SQLAlchemy URL", "risks"),
        (
            '[records.risks]\nsource = "r.csv"\ndelimiter = ";;"\n',
            r"delimiter must be one "
            "character",
            "risks",
        ),
        ("[workbook]\nfiscal_year_start = 13\n", r"fiscal_year_start must be a month", None),
        ('[workbook]\nsites = "Leeds"\n', r"sites must be a list of strings", None),
        (
            '[workbook]\nas_of = "31/10/2026"\n',
            r"as_of '31/10/2026' is not a date.*YYYY-MM-DD",
            None,
        ),
        ("[report]\nx = 1\n", r"unknown section \[report\]", None),
    ],
)
def test_each_mistake_gives_one_clear_error(tmp_path, text, pattern, record_type):
    with pytest.raises(ConfigError, match=pattern) as err:
        read_config(write(tmp_path, text))
    assert err.value.record_type == record_type
    assert "qms.toml" in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2026-10-31", dt.date(2026, 10, 31)),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
        (dt.datetime(2026, 1, 2, 13, 0), dt.date(2026, 1, 2)),
    ],
)
def test_parse_as_of_date(value, expected):
    assert parse_as_of_date(value) == expected


def test_reading_has_no_side_effects(tmp_path):
    write(tmp_path, GOOD_TOML)
    before = sorted(p.name for p in tmp_path.iterdir())
    read_config(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# --- hostile files (issue 16, point 14) and what others read qms.toml for (issue 9) ---------


@pytest.mark.parametrize(
    "text",
    [
        "[workbook]\nsites = " + "[" * 5000 + "]" * 5000 + "\n",
        "[workbook]\norganisation = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    ],
    ids=["arrays", "inline-tables"],
)
def test_deeply_nested_toml_is_a_config_error_not_a_recursion_error(tmp_path, text):
    write(tmp_path, text)
    with pytest.raises(ConfigError, match="nests arrays or tables too deeply") as err:
        read_config(tmp_path)
    assert err.value.file == str(tmp_path / "qms.toml")


def test_deeply_nested_toml_exits_2_from_the_cli(tmp_path, capsys):
    from qmsdata.cli import main

    write(tmp_path, "[workbook]\nsites = " + "[" * 5000 + "]" * 5000 + "\n")
    assert main(["validate", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "too deeply" in err and "Traceback" not in err


def test_huge_toml_is_refused(tmp_path):
    write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(ConfigError, match="more than the 1,048,576 accepted"):
        read_config(tmp_path)


def test_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "qms.toml").write_bytes(b"\xef\xbb\xbf" + GOOD_TOML.encode("utf-8"))
    cfg = read_config(tmp_path)
    assert cfg.organisation == "Test Electronics Ltd" and cfg.fiscal_year_start == 4


def test_source_files_and_server_sources(tmp_path):
    write(
        tmp_path,
        GOOD_TOML
        + '\n[records.risks]\nsource = "postgresql://qms:secret@db.example/qms"\ntable = "risks"\n'
        + '\n[records.objectives]\nsource = "sqlite:////srv/qms/objectives.db"\ntable = "o"\n'
        + '\n[records.review_actions]\nsource = "../shared/actions.csv"\n',
    )
    cfg = read_config(tmp_path)
    root = tmp_path.resolve()
    assert cfg.source_files() == {
        "complaints": root / "exports" / "complaints.csv",
        "nonconformities": root / "qms.db",
        "production": root / "prod.xlsx",
        "objectives": Path("/srv/qms/objectives.db"),
        "review_actions": root.parent / "shared" / "actions.csv",
    }
    assert cfg.server_sources() == {"risks": "postgresql://qms:secret@db.example/qms"}
    assert cfg.records["nonconformities"].file(root) == root / "qms.db"


def test_config_file_locates_qms_toml(tmp_path):
    assert config_file(tmp_path) == tmp_path / "qms.toml"
    assert config_file(tmp_path / "other.toml") == tmp_path / "other.toml"


def test_date_rules_default_and_configured(tmp_path):
    write(
        tmp_path,
        '[workbook]\nmissing_dates = [9999-12-31]\n[records.risks]\nsource = "r.csv"\n'
        '[records.complaints]\nsource = "c.csv"\nmissing_dates = ["1900-01-01"]\n'
        "latest_date = 2100-12-31\n",
    )
    cfg = read_config(tmp_path)
    risks, complaints = cfg.records["risks"], cfg.records["complaints"]
    assert risks.missing_dates == (dt.date(9999, 12, 31),)
    assert (risks.earliest_date, risks.latest_date) == (EARLIEST_DATE, LATEST_DATE)
    assert complaints.missing_dates == (dt.date(1900, 1, 1),)  # the record's list replaces
    assert complaints.latest_date == dt.date(2100, 12, 31)
    assert complaints.date_rules() == {
        "missing_dates": (dt.date(1900, 1, 1),),
        "earliest_date": EARLIEST_DATE,
        "latest_date": dt.date(2100, 12, 31),
    }
