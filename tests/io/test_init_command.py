"""qms init on a folder of real-looking exports, then filling its TODOs, gives a workbook that
qms check accepts and qmsdata.load loads (issue 10 part 4)."""

from __future__ import annotations

import re
import tomllib

import pytest
from exports_kit import FILLED, write_exports

import qmsdata
from qmsdata.check import check_workbook
from qmsdata.cli import main
from qmsdata.errors import ConfigError
from qmsdata.init import init_workbook


def _fill(text: str) -> str:
    """Answer the TODOs as a user would."""
    text = text.replace('organisation = ""', f'organisation = "{FILLED["organisation"]}"')
    text = re.sub(r'^site = "TODO".*$', f'site = "{FILLED["site"]}"', text, flags=re.M)
    for code, value in FILLED["severity"].items():
        text = re.sub(rf'^{code} = "TODO".*$', f'{code} = "{value}"', text, flags=re.M)
    return text


@pytest.fixture
def exports(tmp_path):
    return write_exports(tmp_path / "exports")


def test_init_proposes_types_settings_and_mappings(exports):
    path = init_workbook(exports)
    text = path.read_text(encoding="utf-8")
    conf = tomllib.loads(text)  # valid TOML as written
    rec = conf["records"]
    assert set(rec) == {"complaints", "nonconformities", "production"}
    c = rec["complaints"]
    assert (c["source"], c["encoding"], c["delimiter"], c["header_row"]) == (
        "CRM_Complaints.csv",
        "cp1252",
        ";",
        4,
    )
    assert (c["date_format"], c["decimal"], c["thousands"]) == ("%d.%m.%Y", ",", ".")
    assert set(c["missing"]) == {"N/A", "-"}
    assert c["columns"]["complaint_id"] == "Complaint No."
    assert c["columns"]["capa_id"] == "CAPA ref"
    assert set(c["values"]["severity"]) == {"Low", "Medium", "High"}  # TODOs: not guessable
    n = rec["nonconformities"]
    assert (n["sheet"], n["header_row"]) == ("NCR export", 3)
    assert (
        n["columns"]["source"] == "Detected At" and n["columns"]["detected_date"] == "Date Raised"
    )
    assert n["values"]["source"] == {
        "Final Inspection": "final",
        "Customer Return": "customer",
        "Incoming Inspection": "incoming",
    }
    assert rec["production"]["constants"]["site"] == "TODO"  # required, no column
    assert "TODO" in text


def test_check_refuses_the_todos_then_accepts_them_filled(exports):
    path = init_workbook(exports)
    problems = [p for p in check_workbook(exports) if p.severity == "error"]
    said = "\n".join(map(str, problems))
    assert "TODO" in said and "severity" in said and "[production]" in said
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert [p for p in check_workbook(exports) if p.severity == "error"] == []
    wb = qmsdata.load(exports, as_of="2026-04-30")
    v = wb.validation
    assert v.loc["complaints", "rejected"] == 0, wb.rejects["complaints"].to_dict("records")
    assert v.loc["nonconformities", "rejected"] == 0, wb.rejects["nonconformities"].to_dict(
        "records"
    )
    assert v.loc["production", "rejected"] == 0
    c = wb.complaints.set_index("complaint_id")
    assert c.loc["CMP-0001", "cost"] == 1234.5 and c.loc["CMP-0004", "cost"] == 12000.0
    assert c.loc["CMP-0001", "customer"] == "Peñalara SA"
    assert c["capa_id"].isna().all() and c.loc["CMP-0002", "customer"] != "-"
    assert set(c["severity"]) == {"minor", "major", "critical"}
    assert set(wb.nonconformities["source"]) == {"final", "customer", "incoming"}
    assert wb.nonconformities["defect_code"].isna().sum() == 1  # "-" is no defect code
    assert set(wb.production["site"]) == {"Leeds"}


def test_init_never_overwrites_without_force(exports, capsys):
    path = init_workbook(exports)
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists"):
        init_workbook(exports)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(exports)]) == 2
    assert main(["init", str(exports), "--force"]) == 0
    assert "TODO" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") != "# mine\n"


def test_an_unrecognised_export_is_a_todo(tmp_path):
    (tmp_path / "notes.csv").write_text("alpha,beta\nx,y\n", encoding="utf-8")
    text = init_workbook(tmp_path).read_text(encoding="utf-8")
    assert "no record type recognised" in text and "[records." not in text.replace(
        "# [records.", ""
    )
    tomllib.loads(text)
