"""Per-source reading settings of qms.toml (issue 10 part 3): header row below a title block,
trailing separator-only lines, decimal comma, missing markers, constants, value maps, one site;
"did you mean" for keys, record types, columns, files and sheets; a wrong delimiter said so."""

from __future__ import annotations

from pathlib import Path

import exports_kit
import pandas as pd
import pytest
from exports_kit import write_complaints, write_ncrs

import qmsdata
from qmsdata.config import read_config
from qmsdata.errors import ConfigError, SourceError
from qmsdata.files import csv_text, write_csv
from qmsdata.io import read_source
from qmsdata.io.settings import plain_number

AS_OF = "2026-04-30"

COMPLAINTS = """\
[workbook]
organisation = "Calderbrook"
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
"""


def _workbook(folder: Path, toml: str, *, writer=write_complaints) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    writer(folder)
    (folder / "qms.toml").write_text(toml, encoding="utf-8")
    return folder


def test_a_crm_export_loads_with_settings_not_scripts(tmp_path):
    wb = qmsdata.load(_workbook(tmp_path, COMPLAINTS), as_of=AS_OF)
    assert wb.validation.loc["complaints", "rows"] == 5  # title, blank, ;;;; lines are not rows
    assert wb.validation.loc["complaints", "rejected"] == 0, wb.rejects["complaints"]["reasons"]
    c = wb.complaints.set_index("complaint_id")
    assert c["cost"].tolist() == [1234.5, 250.0, 99.9, 12000.0, 0.5]
    assert c["capa_id"].isna().all()  # N/A and - are missing, not ids
    assert pd.isna(c.loc["CMP-0002", "customer"])  # a customer called "-" is no customer
    assert set(c["site"]) == {"Leeds"}
    assert c["severity"].tolist() == ["minor", "critical", "major", "minor", "critical"]
    assert c.loc["CMP-0001", "customer"] == "Peñalara SA"  # cp1252 read right
    settings = wb.provenance["complaints"].settings
    assert "header row 4" in settings and "constant site = 'Leeds'" in settings
    assert any(s.startswith("value map severity: 'Low' -> 'minor'") for s in settings)


def test_source_row_counts_data_rows_below_the_header(tmp_path):
    toml = COMPLAINTS.replace('Medium = "major"\n', "")  # Medium is now unmapped
    wb = qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)
    rej = wb.rejects["complaints"]
    assert rej["source_row"].tolist() == [3]  # CMP-0003, spreadsheet line 3 + header_row 4
    assert rej["Severity"].tolist() == ["Medium"]  # the value as the export holds it
    assert "'Medium'" in rej["reasons"].iloc[0]


def test_unmapped_codes_are_still_quarantined(tmp_path):
    toml = COMPLAINTS.replace("[records.complaints.values.severity]", "[records.complaints.x]")
    toml = toml.replace('Low = "minor"\nMedium = "major"\nHigh = "critical"\n', "")
    with pytest.raises(ConfigError, match="unknown key 'x'"):
        read_config(_workbook(tmp_path, toml))
    toml = COMPLAINTS.split("[records.complaints.values.severity]")[0]
    wb = qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)
    assert wb.validation.loc["complaints", "rejected"] == 5
    assert wb.failures["check"].eq("allowed_values").all()


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "plain"),
    [
        ("1.234,50", ",", ".", "1234.50"),
        ("-12,5", ",", ".", "-12.5"),
        ("1234,5", ",", ".", "1234.5"),
        (",5", ",", None, ".5"),
        ("1 234,50", ",", " ", "1234.50"),
        ("1,234.50", ".", ",", "1234.50"),
        ("1.23,4", ",", ".", None),  # not a grouping: left for validation to reject
        ("12 pcs", ",", ".", None),
        ("1,2,3", ",", None, None),
    ],
)
def test_number_formats(text, decimal, thousands, plain):
    assert plain_number(text, decimal, thousands) == plain


def test_a_number_in_another_format_is_rejected_as_read(tmp_path):
    folder = _workbook(tmp_path, COMPLAINTS)
    path = folder / "CRM_Complaints.csv"
    path.write_bytes(path.read_bytes().replace(b"99,90", b"99,9,0"))
    wb = qmsdata.load(folder, as_of=AS_OF)
    f = wb.failures
    assert f[["column", "check", "failure_case"]].values.tolist() == [["cost", "type", "99,9,0"]]


def test_an_xlsx_title_block_and_value_maps(tmp_path):
    toml = """\
[workbook]
sites = ["Leeds"]
[records.nonconformities]
source = "ncr_register.xlsx"
sheet = "NCR export"
header_row = 3
missing = ["-"]
[records.nonconformities.columns]
nc_id = "NCR No"
detected_date = "Date Raised"
source = "Detected At"
quantity = "Qty"
defect_code = "Defect Code"
[records.nonconformities.constants]
site = "Leeds"
[records.nonconformities.values.source]
"final inspection" = "final"
"Customer Return" = "customer"
"Incoming Inspection" = "incoming"
"""
    wb = qmsdata.load(_workbook(tmp_path, toml, writer=write_ncrs), as_of=AS_OF)
    assert wb.validation.loc["nonconformities", "rejected"] == 0, wb.rejects["nonconformities"]
    nc = wb.nonconformities
    assert nc["source"].tolist() == ["final", "customer", "incoming", "final"]  # case ignored
    assert nc["defect_code"].isna().tolist() == [False, True, False, False]
    assert nc["disposition"].tolist() == ["rework", "scrap", "return_to_supplier", "use_as_is"]


def test_a_constant_for_a_column_the_source_has_is_refused(tmp_path):
    toml = COMPLAINTS.replace('site = "Leeds"', 'customer = "Acme"')
    with pytest.raises(SourceError, match="also sets it as a constant"):
        qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)


def test_a_constant_and_a_mapping_of_the_same_column_is_refused(tmp_path):
    toml = COMPLAINTS.replace('capa_id = "CAPA ref"', 'capa_id = "CAPA ref"\nsite = "Site"')
    with pytest.raises(ConfigError, match="both mapped"):
        read_config(_workbook(tmp_path, toml))


def test_a_value_map_for_a_missing_column_is_refused(tmp_path):
    toml = COMPLAINTS + '[records.complaints.values.category]\nQ = "quality"\n'
    with pytest.raises(SourceError, match="no category column"):
        qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)


@pytest.mark.parametrize(
    ("change", "error", "said"),
    [
        (("decimal = ", "decimel = "), ConfigError, "did you mean 'decimal'"),
        (("[records.complaints]", "[records.complaint]"), ConfigError, "did you mean 'complaints'"),
        (('capa_id = "CAPA ref"', 'capa = "CAPA ref"'), ConfigError, "did you mean 'capa_id'"),
        (('High = "critical"', 'High = "critcal"'), ConfigError, "did you mean 'critical'"),
        (('decimal = ","', 'decimal = "."'), ConfigError, "both '.'"),
        (("header_row = 4", "header_row = 0"), ConfigError, "header_row must be"),
        (('missing = ["N/A", "-"]', 'missing = "N/A"'), ConfigError, "missing must be"),
        (
            ('source = "CRM_Complaints.csv"', 'source = "CRM_Complaint.csv"'),
            SourceError,
            "did you mean 'CRM_Complaints.csv'",
        ),
        (('delimiter = ";"\n', ""), SourceError, "looks delimited by ';'"),
    ],
)
def test_mistakes_say_what_was_meant(tmp_path, change, error, said):
    toml = COMPLAINTS.replace(*change)
    if change[0].startswith("[records.complaints]"):
        toml = toml.replace("[records.complaints.", "[records.complaint.")
    with pytest.raises(error) as info:
        qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)
    assert said in str(info.value)


def test_a_wrong_sheet_says_what_was_meant(tmp_path):
    toml = '[records.nonconformities]\nsource = "ncr_register.xlsx"\nsheet = "NCR exports"\n'
    with pytest.raises(SourceError, match="did you mean 'NCR export'"):
        read_source(
            read_config(_workbook(tmp_path, toml, writer=write_ncrs)).records["nonconformities"],
            tmp_path,
        )


def test_trailing_separator_lines_with_more_fields_than_the_header(tmp_path):
    (tmp_path / "c.csv").write_text(
        "complaint_id;received_date;status\nC1;2026-01-02;open\n;;;;;;;;\n \n;;\n",
        encoding="utf-8",
    )
    (tmp_path / "qms.toml").write_text(
        '[records.complaints]\nsource = "c.csv"\ndelimiter = ";"\n', encoding="utf-8"
    )
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    assert (wb.validation.loc["complaints", "rows"], len(wb.complaints)) == (1, 1)


def test_csvs_qmsdata_writes_open_in_excel(tmp_path):
    frame = pd.DataFrame({"customer": ["Peñalara SA", "=cmd"], "n": [1, 2]})
    path = write_csv(frame, tmp_path / "x.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Peñalara".encode() in data
    assert csv_text(frame).startswith("\ufeff")
    back = pd.read_csv(path, dtype=str)  # pandas drops the mark by itself
    assert back.columns.tolist() == ["customer", "n"]
    assert back["customer"].tolist() == ["Peñalara SA", "'=cmd"]


def test_a_date_format_mismatch_adds_no_false_duplicates(tmp_path):
    (tmp_path / "p.csv").write_text(
        "date,site,product,units_produced\n31/01/2026,Leeds,A,10\n28/02/2026,Leeds,A,12\n",
        encoding="utf-8",
    )
    (tmp_path / "qms.toml").write_text(
        '[records.production]\nsource = "p.csv"\n', encoding="utf-8"
    )  # no date_format: every date fails check type
    wb = qmsdata.load(tmp_path, as_of=AS_OF)
    assert set(wb.failures["check"]) == {"type"}, wb.failures[["check", "message"]]


def test_a_title_block_without_header_row_says_which_line(tmp_path):
    toml = COMPLAINTS.replace("header_row = 4\n", "")
    with pytest.raises(SourceError, match="try header_row = 4"):
        qmsdata.load(_workbook(tmp_path, toml), as_of=AS_OF)


# --- reasons name the settings a value was read with (decimal, thousands, value maps) ---------


def _load_rows(tmp_path: Path, monkeypatch, rows) -> qmsdata.Workbook:
    monkeypatch.setattr(exports_kit, "COMPLAINTS", rows)
    return qmsdata.load(_workbook(tmp_path, COMPLAINTS), as_of=AS_OF)


def test_a_bad_number_is_explained_with_the_sources_decimal_setting(tmp_path, monkeypatch):
    rows = list(exports_kit.COMPLAINTS)
    rows[1] = (*rows[1][:6], "250,00,1", rows[1][7])  # two decimal commas
    wb = _load_rows(tmp_path, monkeypatch, rows)
    reason = wb.rejects["complaints"]["reasons"].tolist()
    assert reason == [
        "cost: cannot read '250,00,1' as a number (decimal ',', thousands '.', as set in qms.toml)"
    ]
    assert "plain decimal with '.'" not in wb.failures["message"].str.cat()


def test_a_value_outside_the_value_map_names_the_map(tmp_path, monkeypatch):
    rows = list(exports_kit.COMPLAINTS)
    rows[2] = (*rows[2][:3], "Urgent", *rows[2][4:])
    wb = _load_rows(tmp_path, monkeypatch, rows)
    (reason,) = wb.rejects["complaints"]["reasons"].tolist()
    assert reason.startswith("severity: value 'Urgent'")
    assert "not in the value map of severity in qms.toml" in reason
    assert "'Low' -> 'minor', 'Medium' -> 'major', 'High' -> 'critical'" in reason


def test_without_settings_the_reasons_are_unchanged():
    from qmsdata.validation import validate

    frame = pd.DataFrame(
        {
            "complaint_id": ["C1"],
            "received_date": ["2026-01-05"],
            "customer": ["Acme"],
            "severity": ["urgent"],
            "status": ["open"],
            "cost": ["1.234,5"],
        }
    )
    _, rej, _ = validate(frame, "complaints", as_of=AS_OF)
    reasons = rej["reasons"].iloc[0]
    assert "(plain decimal with '.', no thousands separators)" in reasons
    assert "value map" not in reasons
