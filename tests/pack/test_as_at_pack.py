"""A pack for an earlier period shows the records as at its end, validated at the data date.

Uses the tiny workbook (review actions RA-1 reviewed 2026-01-15 and closed 2026-02-20, RA-2
reviewed 2026-04-15, RA-3 reviewed 2026-07-15) and the one good fixture section.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from qmsdata.errors import PackError
from qmsdata.pack import build_pack


@pytest.mark.slow
def test_pack_for_earlier_period_shows_records_as_at_its_end(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-v1")
    folder, sections = tiny_sections
    kw = dict(notebook_dir=folder, sections=sections[:1], formats=["html"], progress=False)
    result = build_pack(
        tiny_workbook, "2026-01", out=tmp_path / "reports", data_as_of="2026-10-31", **kw
    )
    pack = result.path
    assert [r.status for r in result.sections] == ["ok"]
    # as at 2026-01-31: RA-1 is known and still open (closed in February); RA-2, RA-3 not known
    counts = pd.read_csv(pack / "data" / "10_ok--counts.csv")
    assert counts.to_dict("list") == {"status": ["open"], "n": [1]}
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == "2026-01-31" and manifest["data_as_of"] == "2026-10-31"
    # validated at the data date: nothing rejected, every row accepted
    assert manifest["validation"]["review_actions"]["rejected"] == 0
    assert manifest["validation"]["review_actions"]["accepted"] == 3
    page = (pack / "pack.html").read_text(encoding="utf-8")
    assert "Reporting date" in page and "2026-01-31" in page
    assert "Data extracted" in page and "2026-10-31" in page

    # another data date is another snapshot and other section results
    again = build_pack(
        tiny_workbook, "2026-01", out=tmp_path / "reports", data_as_of="2026-10-30", **kw
    )
    assert not again.sections[0].cached


def test_explicit_reporting_date_after_data_date_is_refused_before_building(
    tmp_path, tiny_workbook
):
    with pytest.raises(PackError, match="after the data date 2026-09-30") as info:
        build_pack(
            tiny_workbook,
            "2026-10",
            out=tmp_path / "r",
            as_of="2026-10-31",
            data_as_of="2026-09-30",
        )
    assert "--as-of" in info.value.hint
    assert not (tmp_path / "r" / "2026-10").exists()


def test_data_date_before_the_period_starts_is_refused(tmp_path, tiny_workbook):
    with pytest.raises(PackError, match="before period 2026-10 starts"):
        build_pack(tiny_workbook, "2026-10", out=tmp_path / "r", data_as_of="2026-09-30")
    assert not (tmp_path / "r" / "2026-10").exists()


@pytest.mark.slow
def test_period_in_progress_reports_up_to_the_data_date(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    # a monthly pack run mid-month: the reporting date defaults to the data date, not month end
    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-v1")
    folder, sections = tiny_sections
    result = build_pack(
        tiny_workbook,
        "2026-10",
        out=tmp_path / "reports",
        data_as_of="2026-10-20",
        notebook_dir=folder,
        sections=sections[:1],
        formats=["html"],
        progress=False,
    )
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == "2026-10-20" and manifest["data_as_of"] == "2026-10-20"


def test_bad_data_date_is_refused(tmp_path, tiny_workbook):
    with pytest.raises(PackError, match="YYYY-MM-DD"):
        build_pack(tiny_workbook, "2026-10", out=tmp_path / "r", data_as_of="31/10/2026")
