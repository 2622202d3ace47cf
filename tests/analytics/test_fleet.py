"""Fleet screening: every site's series in one run, equal to the site's own analytics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qmsdata
from qmsdata.analytics.fleet import FLEET_COLUMNS, FUNNEL_COLUMNS

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def demo_wb(tmp_path_factory):
    root = tmp_path_factory.mktemp("fleet_demo") / "demo"
    qmsdata.write_demo(root, seed=9001, end="2026-10")
    return qmsdata.load(root)


@pytest.fixture(scope="module")
def fleet(demo_wb):
    return qmsdata.fleet_screen(demo_wb, PERIOD, targets={"Defect rate, all processes": 30_000})


def test_every_site_and_series_ranked(fleet, demo_wb):
    t = fleet.table
    assert list(t.columns) == FLEET_COLUMNS and list(fleet.funnel.columns) == FUNNEL_COLUMNS
    assert set(t["site"]) == set(demo_wb.config.sites)
    assert list(t["rank"]) == list(range(1, len(t) + 1))
    assert not t.duplicated(["site", "series"]).any()
    # concerns first
    v = t["variation"].tolist()
    if "special_cause_concern" in v:
        assert v[0] == "special_cause_concern"
    # the demo plants a deterioration at Leeds (reflow soldering)
    assert t.iloc[0]["site"] == "Leeds"


def test_site_numbers_equal_the_site_analytics(fleet, demo_wb):
    for site in demo_wb.config.sites:
        view = demo_wb.for_site(site)
        rates = qmsdata.nc_rates(view, PERIOD)
        now = rates[rates["month"] == pd.Period(PERIOD, freq="M")].set_index("process")["ppm"]
        mine = fleet.for_site(site).set_index("series")
        for process, ppm in now.items():
            assert mine.loc[f"Defect rate / {process}", "latest_value"] == pytest.approx(ppm)
        counts = qmsdata.complaint_rate(view, PERIOD).table
        last = counts[counts["month"] == pd.Period(PERIOD, freq="M")]["rate_per_million"]
        got = mine.loc["Complaints per million units shipped", "latest_value"]
        assert got == pytest.approx(float(last.iloc[0]))


def test_funnel_pools_the_sites(fleet):
    f = fleet.funnel[fleet.funnel["series"] == "Defect rate, all processes"]
    assert len(f) == 2
    centre = f["events"].sum() / f["n"].sum() * 1e6
    assert np.allclose(f["center"], centre)
    assert (f["lower_998"] <= f["lower_95"]).all() and (f["upper_95"] <= f["upper_998"]).all()


def test_assurance_only_with_a_target(fleet):
    t = fleet.table
    targeted = t["series"] == "Defect rate, all processes"
    assert set(t.loc[~targeted, "assurance"]) == {"no target"}
    assert set(t.loc[targeted, "assurance"]) <= {
        "consistent_pass",
        "consistent_fail",
        "inconsistent",
    }


def test_figures_escape_and_facet(fleet):
    import qmsdata.figures as qf

    fig = qf.fleet_funnel_figure(fleet.funnel, "Defect rate, all processes", unit="ppm")
    assert {tr.name for tr in fig.data} >= {"site", "overall rate"}
    small = qf.fleet_small_multiples(fleet.monthly, fleet.table)
    assert len(small.layout.annotations) == len(fleet.table)
    odd = fleet.table.assign(site="<b>x</b>")
    fig = qf.fleet_small_multiples(fleet.monthly.assign(site="<b>x</b>"), odd.head(1))
    assert "<b>" not in fig.layout.annotations[0].text


def test_unknown_unit_refused(demo_wb):
    with pytest.raises(qmsdata.DataError):
        qmsdata.fleet_screen(demo_wb, PERIOD, by="process")
