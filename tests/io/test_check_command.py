"""qms check: the structural pass reports every problem at once, in seconds (issue 10 part 4)."""

from __future__ import annotations

import time

import pandas as pd
from exports_kit import write_complaints, write_ncrs, write_production

from qmsdata.check import check_workbook
from qmsdata.cli import main

GOOD = """\
[workbook]
sites = ["Leeds"]

[records.complaints]
source = "CRM_Complaints.csv"
encoding = "cp1252"
delimiter = ";"
header_row = 4
date_format = "%d.%m.%Y"
decimal = ","
thousands = "."
missing = ["N/A", "-"]
[records.complaints.columns]
complaint_id = "Complaint No."
received_date = "Received"
closed_date = "Closed"
capa_id = "CAPA ref"
[records.complaints.constants]
site = "Leeds"
[records.complaints.values.severity]
Low = "minor"
Medium = "major"
High = "critical"

[records.nonconformities]
source = "ncr_register.xlsx"
header_row = 3
missing = ["-"]
[records.nonconformities.columns]
nc_id = "NCR No"
detected_date = "Date Raised"
source = "Detected At"
quantity = "Qty"
[records.nonconformities.constants]
site = "Leeds"
[records.nonconformities.values.source]
"Final Inspection" = "final"
"Customer Return" = "customer"
"Incoming Inspection" = "incoming"

[records.production]
source = "production.csv"
[records.production.columns]
units_produced = "Units Produced"
[records.production.constants]
site = "Leeds"
"""


def _folder(tmp_path, toml):
    write_complaints(tmp_path)
    write_ncrs(tmp_path)
    write_production(tmp_path)
    (tmp_path / "qms.toml").write_text(toml, encoding="utf-8")
    return tmp_path


def test_a_good_workbook_passes(tmp_path, capsys):
    folder = _folder(tmp_path, GOOD)
    assert [p for p in check_workbook(folder) if p.severity == "error"] == []
    assert main(["check", str(folder)]) == 0
    assert "structure ok" in capsys.readouterr().out


def test_every_problem_at_once(tmp_path, capsys):
    bad = (
        GOOD.replace("decimal = ", "decimel = ")  # unknown key (and thousands alone)
        .replace('High = "critical"', 'High = "critcal"')  # map to a value not allowed
        .replace('closed_date = "Closed"', 'closed_date = "Closed on"')  # header missing
        .replace('source = "ncr_register.xlsx"', 'source = "ncr_registers.xlsx"')  # file
        .replace('units_produced = "Units Produced"', 'units_produced = "Units Produce"')
        .replace("[records.production]", "[records.productions]\n[records.production]")
    )
    folder = _folder(tmp_path, bad)
    problems = check_workbook(folder)
    errors = "\n".join(str(p) for p in problems if p.severity == "error")
    for said in (
        "'decimel' in [records.complaints] (did you mean 'decimal'?)",
        "'High' to 'critcal' (did you mean 'critical'?)",
        "mapped column 'closed_date' is missing (mapped from 'Closed on') (did you mean 'Closed'?)",
        "source file not found (did you mean 'ncr_register.xlsx'?)",
        "(did you mean 'Units Produced'?)",
        "unknown record type [records.productions] (did you mean 'production'?)",
    ):
        assert said in errors, errors
    assert main(["check", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "6 error(s)" in out or "7 error(s)" in out, out


def test_sample_warnings_name_the_setting(tmp_path):
    bad = GOOD.replace('decimal = ","\nthousands = "."\n', "").replace(
        'missing = ["N/A", "-"]\n', ""
    )
    bad = bad.replace('date_format = "%d.%m.%Y"\n', "")
    problems = check_workbook(_folder(tmp_path, bad))
    assert not [p for p in problems if p.severity == "error"]
    warned = "\n".join(str(p) for p in problems)
    assert 'set decimal = ","' in warned
    assert 'date_format = "%d.%m.%Y"' in warned
    assert "missing = [" in warned and "'N/A' in capa_id" in warned


def test_a_wrong_delimiter_and_encoding_are_errors(tmp_path):
    folder = _folder(tmp_path, GOOD.replace('encoding = "cp1252"\ndelimiter = ";"\n', ""))
    said = "\n".join(str(p) for p in check_workbook(folder))
    assert "looks delimited by ';'" in said or "cannot decode" in said
    folder2 = tmp_path / "b"
    folder2.mkdir()
    folder2 = _folder(folder2, GOOD.replace('encoding = "cp1252"\n', ""))
    said = "\n".join(str(p) for p in check_workbook(folder2))
    assert "cannot decode the file as utf-8" in said and "cp1252" in said


def test_check_reads_only_a_sample_in_seconds(tmp_path):
    rows = 300_000
    pd.DataFrame(
        {
            "complaint_id": [f"C{i}" for i in range(rows)],
            "received_date": "2026-01-05",
            "status": "open",
        }
    ).to_csv(tmp_path / "big.csv", index=False)
    (tmp_path / "qms.toml").write_text(
        '[records.complaints]\nsource = "big.csv"\n', encoding="utf-8"
    )
    start = time.perf_counter()
    problems = check_workbook(tmp_path)
    took = time.perf_counter() - start
    assert problems == []
    assert took < 10, took  # a load would validate 300k rows; check reads 200 and decodes


def test_an_xlsx_header_below_a_title_block_needs_header_row(tmp_path):
    folder = _folder(tmp_path, GOOD.replace("header_row = 3\n", ""))
    said = "\n".join(str(p) for p in check_workbook(folder) if p.severity == "error")
    assert "[nonconformities]" in said and "header_row" in said


def test_ensure_loadable_raises_once_with_every_error(tmp_path):
    import pytest

    from qmsdata.check import ensure_loadable
    from qmsdata.errors import ConfigError

    assert all(p.severity == "warning" for p in ensure_loadable(_folder(tmp_path, GOOD)))
    bad = GOOD.replace("decimal = ", "decimel = ").replace('"production.csv"', '"prod.csv"')
    with pytest.raises(ConfigError) as info:
        ensure_loadable(_folder(tmp_path, bad))
    said = str(info.value)
    assert "decimel" in said and "prod.csv" in said
