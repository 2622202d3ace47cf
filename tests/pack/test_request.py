"""PackRequest and SectionContext: arguments validated once; qms.toml read only through config."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from qmsdata.errors import PackError
from qmsdata.pack.cache import input_fingerprint
from qmsdata.pack.context import SectionContext, section_context
from qmsdata.pack.manifest import pack_facts
from qmsdata.pack.request import PackRequest, resolve_period

BOM = "\ufeff"


def _bom_workbook(tmp_path: Path) -> Path:
    """A workbook whose qms.toml starts with a byte-order mark (as Windows Notepad saves it),
    with an April fiscal year, an organisation, and a source outside the folder."""
    outside = tmp_path / "exports" / "review-actions.csv"
    outside.parent.mkdir()
    outside.write_text(
        "action_id,review_date,output_type,description,owner,due_date,status,closed_date\n"
        "RA-1,2026-01-15,improvement,x,Ann,2026-03-01,closed,2026-02-20\n",
        encoding="utf-8",
    )
    wb = tmp_path / "wb"
    wb.mkdir()
    toml = textwrap.dedent(
        """
        [workbook]
        organisation = "Northwind Sensors"
        fiscal_year_start = 4
        as_of = 2026-11-30

        [records.review_actions]
        source = "../exports/review-actions.csv"
        """
    )
    (wb / "qms.toml").write_bytes((BOM + toml).encode("utf-8"))
    return wb


def test_bom_qms_toml_keeps_fiscal_year_start(tmp_path: Path) -> None:
    wb = _bom_workbook(tmp_path)
    req = PackRequest.create(wb, "FY2027Q1", out=tmp_path / "r")
    assert (req.period, req.start, req.end) == ("2026Q2", "2026-04-01", "2026-06-30")


def test_bom_qms_toml_keeps_the_organisation(tmp_path: Path) -> None:
    from qmsdata.config import read_config

    wb = _bom_workbook(tmp_path)
    req = PackRequest.create(wb, "2026-10", out=tmp_path / "r")
    facts = dict(pack_facts(req, read_config(wb).organisation))
    assert facts["Organisation"] == "Northwind Sensors"


def test_bom_qms_toml_sources_outside_the_folder_are_in_the_cache_key(tmp_path: Path) -> None:
    wb = _bom_workbook(tmp_path)
    before = input_fingerprint(wb)
    outside = tmp_path / "exports" / "review-actions.csv"
    outside.write_text(outside.read_text(encoding="utf-8").replace("x,Ann", "y,Ann"))
    assert input_fingerprint(wb) != before, "a changed external source must not be served stale"


def test_bom_qms_toml_database_source_is_never_cached(tmp_path: Path) -> None:
    wb = _bom_workbook(tmp_path)
    text = (wb / "qms.toml").read_text(encoding="utf-8-sig")
    text = text.replace('"../exports/review-actions.csv"', '"postgresql://db/qms"\ntable = "ra"')
    (wb / "qms.toml").write_bytes((BOM + text).encode("utf-8"))
    assert input_fingerprint(wb) is None


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-10", ("2026-10", "2026-10-01", "2026-10-31")),
        ("2026Q3", ("2026Q3", "2026-07-01", "2026-09-30")),
        ("2026-q4", ("2026Q4", "2026-10-01", "2026-12-31")),
    ],
)
def test_resolve_period_uses_the_one_parser(period: str, expected) -> None:
    assert resolve_period(period) == expected


def test_request_is_frozen_and_names_the_folder(tmp_path: Path) -> None:
    wb = _bom_workbook(tmp_path)
    req = PackRequest.create(wb, "2026-10", site="North Hall", product="SEN 080", redact=True)
    assert req.name == "2026-10-North_Hall-SEN_080-redacted"
    with pytest.raises(AttributeError):
        req.period = "2026-09"  # type: ignore[misc]
    with pytest.raises(PackError, match="cannot name a folder"):
        PackRequest.create(wb, "2026-10", site="../x")


def test_context_round_trips_and_the_pack_values_win(tmp_path: Path) -> None:
    ctx = SectionContext(
        workbook="/w",
        period="2026-10",
        start="2026-10-01",
        end="2026-10-31",
        as_of="2026-10-31",
        data_as_of="2026-11-30",
        site="Leeds",
        product=None,
        baseline_months=6,
        rules="nelson",
        out_dir="/build/work",
        organisation="Org",
        fiscal_year_start=4,
        snapshot="/snap",
        signals=None,
    )
    path = tmp_path / "context.json"
    path.write_text(ctx.to_json(), encoding="utf-8")
    assert json.loads(path.read_text())["baseline_months"] == 6
    got = section_context(path, out_dir="/build/work/10_x", period="1999-01", baseline_months=12)
    assert got == ctx.replace(out_dir="/build/work/10_x")


def test_interactive_context_reads_config(tmp_path: Path) -> None:
    wb = _bom_workbook(tmp_path)
    ctx = section_context(None, workbook=wb, period="2026Q3", site="A", baseline_months=9)
    assert (ctx.start, ctx.end, ctx.site, ctx.baseline_months) == (
        "2026-07-01",
        "2026-09-30",
        "A",
        9,
    )
    assert (ctx.organisation, ctx.fiscal_year_start, ctx.out_dir) == ("Northwind Sensors", 4, None)
