"""The README's "Bring your own exports" walkthrough runs as written (issue 10 part 3)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd

import qmsdata
from qmsdata.check import check_workbook
from qmsdata.init import init_workbook

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> tuple[str, str]:
    text = README.read_text(encoding="utf-8")
    part = text.split("## Bring your own exports", 1)[1].split("\n## ", 1)[0]
    export = re.findall(r"```text\n(.*?)```", part, re.S)[0]
    toml = re.findall(r"```toml\n(.*?)```", part, re.S)[0]
    return export, toml


def test_readme_walkthrough_runs_as_written(tmp_path):
    export, toml = _section()
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "CRM_Complaints.csv").write_bytes(export.replace("\n", "\r\n").encode("cp1252"))

    proposed = tomllib.loads(init_workbook(folder).read_text(encoding="utf-8"))
    finished = tomllib.loads(toml)
    got, want = proposed["records"]["complaints"], finished["records"]["complaints"]
    for key in ("source", "encoding", "delimiter", "header_row", "date_format", "decimal"):
        assert got[key] == want[key], key
    assert set(got["missing"]) == set(want["missing"])
    assert set(got["values"]["severity"].values()) == {"TODO"}  # what the README says

    (folder / "qms.toml").write_text(toml, encoding="utf-8")
    assert [p for p in check_workbook(folder) if p.severity == "error"] == []
    wb = qmsdata.load(folder, as_of="2026-04-02")
    assert wb.validation.loc["complaints", "rejected"] == 0, wb.rejects["complaints"]
    c = wb.complaints
    assert c["cost"].tolist() == [1234.5, 250.0, 99.9]
    assert c["severity"].tolist() == ["minor", "critical", "major"]
    assert c["site"].eq("Leeds").all() and pd.isna(c["customer"].iloc[1])
    assert c["customer"].iloc[0] == "Peñalara SA"
    assert c["capa_id"].tolist()[2] == "CA-7" and c["capa_id"].isna().sum() == 2
    assert "header row 4" in wb.provenance["complaints"].settings
