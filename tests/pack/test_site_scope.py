"""A site's pack keeps organisation-wide objectives, labelled as such (qmsdata.workbook.filters).

A two-site company's exports: one Leeds objective, one Brno objective and one organisation-wide
objective (no site: "complaints per million shipped, whole company"), with 14 months of KPI
values each; complaints, one of which has no site recorded. Before the fix the Leeds view
dropped the organisation-wide objective (its site is empty), so the Leeds pack judged one
objective and never showed the company-wide one that applies to Leeds too. A complaint without
a site is not organisation-wide: its site is unknown, and it stays out of both sites' views.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_content import run_section

import qmsdata
from qmsdata.pack.notebook import section_workbook

TOML = """\
[workbook]
organisation = "Calderbrook Electronics Ltd"
sites = ["Leeds", "Brno"]
as_of = 2026-10-31

[records.objectives]
source = "Objectives register.csv"
[records.objectives.columns]
objective_id = "Objective"
name = "Title"
site = "Site"
owner = "Owner"
target = "Target"
direction = "Direction"
unit = "Unit"

[records.kpi_measurements]
source = "KPI values.csv"
[records.kpi_measurements.columns]
objective_id = "Objective"
period = "Month"
value = "Value"

[records.complaints]
source = "complaints.csv"
"""


def _exports(folder: Path) -> Path:
    folder.mkdir()
    (folder / "qms.toml").write_text(TOML, encoding="utf-8")
    (folder / "Objectives register.csv").write_text(
        "Objective,Title,Site,Owner,Target,Direction,Unit\n"
        "OBJ-L1,First-pass yield Leeds,Leeds,A. Patel,97,increase,%\n"
        "OBJ-B1,First-pass yield Brno,Brno,J. Novak,97,increase,%\n"
        "OBJ-ORG,Complaints per million shipped,,M. Director,150,decrease,ppm\n",
        encoding="utf-8",
    )
    months = pd.period_range("2025-09", "2026-10", freq="M")
    rows = ["Objective,Month,Value"]
    for i, m in enumerate(months):
        rows += [f"OBJ-L1,{m},{98 + i % 2}", f"OBJ-B1,{m},{95 + i % 2}", f"OBJ-ORG,{m},{140 + i}"]
    (folder / "KPI values.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "complaints.csv").write_text(
        "complaint_id,received_date,site,customer,severity,status\n"
        "C-1,2026-10-02,Leeds,Acme Ltd,minor,open\n"
        "C-2,2026-10-05,Brno,Müller GmbH,major,open\n"
        "C-3,2026-10-09,,Peñalara SA,minor,open\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    return qmsdata.load(_exports(tmp_path_factory.mktemp("site") / "wb"))


def _pack_view(wb, site=None, product=None):
    """The view a section's qmsdata.section_workbook gives of ``wb`` (the pack's path)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(qmsdata, "load", lambda path: wb)
        return section_workbook(wb.path, site=site, product=product)


def test_a_site_view_of_a_spark_workbook_filters_its_aggregates_too(wb):
    """A Spark workbook's monthly aggregates stand in for its large record types: a site's
    view through the pack's helper showed every site's (the fleet's) aggregates."""
    aggregates = {
        "nc_site_process": pd.DataFrame(
            {"site": ["Leeds", "Brno", "Leeds"], "month": ["2026-09", "2026-10", "2026-10"]}
        ),
        "receipts_supplier": pd.DataFrame({"supplier_id": ["S1"], "received": [3]}),
    }
    spark = wb.with_frames(wb._frames, aggregates=aggregates)
    view = _pack_view(spark, "Leeds")
    assert view.aggregates["nc_site_process"]["site"].tolist() == ["Leeds", "Leeds"]
    assert len(view.aggregates["receipts_supplier"]) == 1, "no site column: kept whole"
    assert sorted(view.objectives["objective_id"]) == ["OBJ-L1", "OBJ-ORG"]
    assert len(spark.aggregates["nc_site_process"]) == 3, "the workbook itself is untouched"


def test_a_site_view_keeps_organisation_wide_objectives_only(wb):
    assert wb.validation["rejected"].sum() == 0, wb.failures
    for view in (wb.for_site("Leeds"), _pack_view(wb, "Leeds")):  # one rule for both
        assert sorted(view.objectives["objective_id"]) == ["OBJ-L1", "OBJ-ORG"]
        assert len(view.kpi_measurements) == len(wb.kpi_measurements)  # no site column
        # a complaint without a site has an unknown site, not every site
        assert view.complaints["complaint_id"].tolist() == ["C-1"]
    assert sorted(wb.for_site("Brno").objectives["objective_id"]) == ["OBJ-B1", "OBJ-ORG"]


def test_objective_status_names_each_objectives_scope(wb):
    obj = qmsdata.objective_status(wb.for_site("Leeds"), "2026-10")
    assert dict(zip(obj["objective_id"], obj["scope"], strict=True)) == {
        "OBJ-L1": "Leeds",
        "OBJ-ORG": "organisation-wide",
    }
    # the company's October value (153 ppm against 150), not a Leeds figure
    assert obj.set_index("objective_id").loc["OBJ-ORG", "actual"] == 153
    matrix = qmsdata.objective_matrix(wb, obj, "2026-10", site="Leeds")
    labels = matrix["objective"].tolist()
    assert [x.endswith("(organisation-wide)") for x in labels] == [False, True]
    # the organisation's own pack has no site to tell apart: no label
    plain = qmsdata.objective_matrix(wb, obj, "2026-10")
    assert not plain["objective"].str.contains("organisation-wide").any()


def test_the_site_pack_section_says_which_objectives_are_organisation_wide(
    wb, monkeypatch, tmp_path
):
    leeds = _pack_view(wb, "Leeds")
    said = run_section(
        "32_objectives", leeds, monkeypatch, tmp_path, period="2026-10", site="Leeds"
    )
    text = " ".join(said)
    assert "1 of the 2 objectives shown are organisation-wide (OBJ-ORG)" in text, said
    assert "not Leeds's own" in text
    conclusion = [s for s in said if s.startswith("conclusion:")]
    assert len(conclusion) == 1, said
    assert "1 of 2 objectives met in 2026-10 (1 of the 2 organisation-wide" in conclusion[0]
    extract = pd.read_csv(tmp_path / "data" / "objective_status.csv")
    assert set(extract["scope"]) == {"Leeds", "organisation-wide"}
