"""The group pack (``--group``): sites side by side, with each site pack's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from qmsdata.errors import PackError
from qmsdata.pack import build_pack
from qmsdata.pack.sections import SECTIONS, available_sections


def test_fleet_section_only_in_the_group_pack():
    assert "38_fleet" not in {s.id for s in available_sections()}
    assert "38_fleet" in {s.id for s in available_sections(group=True)}


def test_group_pack_is_not_a_site_pack(demo_workbook, tmp_path):
    with pytest.raises(PackError, match="--group"):
        build_pack(demo_workbook, "2026-10", site="Leeds", group=True, out=tmp_path)


def _extract(pack, section: str, name: str) -> pd.DataFrame:
    (path,) = (pack / "data").glob(f"{section}--{name}*.csv")
    return pd.read_csv(path)


@pytest.mark.slow
def test_site_pack_numbers_equal_the_group_table(demo_workbook, tmp_path):
    """Leeds' defect rates and complaint rate: the --site Leeds pack and the group table."""
    opts = dict(out=tmp_path, formats=["html"], progress=False, jobs=1)
    site = build_pack(
        demo_workbook,
        "2026-10",
        site="Leeds",
        sections=[SECTIONS["33_conformity"], SECTIONS["31_customers"]],
        **opts,
    )
    group = build_pack(demo_workbook, "2026-10", sections=[SECTIONS["38_fleet"]], **opts)
    assert not site.failed and not group.failed
    table = _extract(group.path, "38_fleet", "fleet_screen")
    leeds = table[table["site"] == "Leeds"].set_index("series")
    assert set(table["site"]) == {"Leeds", "Brno"}

    rates = _extract(site.path, "33_conformity", "nc_rates")
    now = rates[rates["month"] == "2026-10"]
    assert len(now) and set(now["site"]) == {"Leeds"}
    for process, ppm in zip(now["process"], now["ppm"], strict=True):
        assert leeds.loc[f"Defect rate / {process}", "latest_value"] == pytest.approx(ppm)
    complaints = _extract(site.path, "31_customers", "complaint_rate")
    last = complaints[complaints["month"] == "2026-10"]["rate_per_million"].iloc[0]
    got = leeds.loc["Complaints per million units shipped", "latest_value"]
    assert got == pytest.approx(last)
