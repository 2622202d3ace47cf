"""pdca_analysis / objective_evidence on the demo: the functions the PDCA notebooks call return
the planted verdicts (PLANTED_CHANGES), their Plan / Do / Check / Act pieces and conclusions."""

from __future__ import annotations

import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401

import qmsdata
from qmsdata.demo import PLANTED_CHANGES

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def analyses(demo_wb):  # noqa: F811
    return {
        p["change_id"]: qmsdata.pdca_analysis(
            demo_wb, DEMO_END, process=p["process"], site=p["site"]
        )
        for p in PLANTED_CHANGES
    }


@pytest.mark.parametrize("planted", PLANTED_CHANGES, ids=[p["change_id"] for p in PLANTED_CHANGES])
def test_analysis_returns_the_planted_verdict(analyses, planted):
    a = analyses[planted["change_id"]]
    eff = a.effects.set_index("change_id")
    assert eff.loc[planted["change_id"], "verdict"] == planted["verdict"]
    summary = a.summary()
    assert summary["latest_change_id"] == planted["change_id"]
    assert summary["latest_verdict"] == planted["verdict"]
    assert planted["change_id"] in a.conclusions["check"]
    # Do: the planted change is on the timeline, documented; Check: a phased chart
    assert planted["change_id"] in set(a.timeline["change_id"])
    assert a.chart is not None and a.baseline["months"] >= 6
    assert list(a.trends["window"]) == ["last 12 months", "last 24 months"]
    # Act: one decision per documented change with a verdict, in the review_actions schema
    cols = [c.name for c in qmsdata.RECORD_TYPES["review_actions"].columns]
    assert list(a.decisions.columns) == cols
    assert any(planted["change_id"] in d for d in a.decisions["description"])
    for key in ("plan", "do", "check", "act"):
        assert a.conclusions[key]


def test_pareto_before_after_the_latest_change(analyses):
    a = analyses["CHG-001"]
    assert len(a.pareto) and {"before", "after", "share_change"} <= set(a.pareto.columns)
    assert a.pareto["before_share"].sum() == pytest.approx(1.0)


def test_ranking_puts_concerns_first(analyses):
    ranked = qmsdata.rank_subjects([a.summary() for a in analyses.values()])
    verdicts = list(ranked["latest_verdict"])
    assert verdicts[0] == "deterioration"
    assert verdicts[-1] == "sustained improvement"
    assert verdicts.index("no detectable change") < verdicts.index("too early to judge")


def test_objective_evidence_lists_every_measurement_with_its_source_row(demo_wb):  # noqa: F811
    oid = str(demo_wb.objectives["objective_id"].iloc[0])
    ev = qmsdata.objective_evidence(demo_wb, oid, DEMO_END)
    assert len(ev.measurements) and ev.measurements["source_row"].notna().all()
    assert (ev.measurements["objective_id"] == oid).all()
    assert len(ev.achievement) == ev.measurements["period"].nunique()
    assert "plan_complete (6.2.2 a-e)" in set(ev.plan["field"])
    assert ev.status.get("objective_id") == oid
    a = qmsdata.pdca_analysis(demo_wb, DEMO_END, objective_id=oid)
    assert a.subject_type == "objective" and a.pareto.attrs["note"].startswith("not assessed")


def test_a_process_without_records_says_insufficient_data(demo_wb):  # noqa: F811
    a = qmsdata.pdca_analysis(demo_wb, DEMO_END, process="No such process", site="Brno")
    assert a.effects.empty and a.chart is None
    assert "insufficient data" in a.conclusions["plan"]
    assert a.conclusions["check"].startswith("Not assessed")
    assert isinstance(a.series, pd.DataFrame)
