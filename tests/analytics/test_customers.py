"""Survey analytics: NPS and mean with interval (known answers)."""

import numpy as np
import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401

from qmsdata.analytics import customers as S


def test_score_summary_known_answer():
    # 10 responses: promoters 9, 10, 10 (3), passives 7, 8 (2), detractors 0, 3, 5, 6, 6 (5)
    scores = pd.Series([9, 10, 10, 7, 8, 0, 3, 5, 6, 6])
    out = S.score_summary(scores)
    assert out["responses"] == 10
    assert out["mean"] == pytest.approx(6.4)
    assert out["nps"] == pytest.approx(-20.0)  # 30% - 50%
    # t interval: sum of squares 90.4, sd = 3.1693, t(0.975, 9) = 2.2622 -> half width 2.2672
    assert out["ci_high"] - out["mean"] == pytest.approx(2.2672, abs=1e-3)


def test_distribution_lists_every_score():
    wb = {
        "customer_surveys": pd.DataFrame(
            {
                "response_id": ["r1", "r2", "r3"],
                "customer": ["a", "b", "c"],
                "response_date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-09-01"]),
                "score": [10, 6, 9],
            }
        )
    }
    t = S.survey_distribution(wb, "2026-10")
    assert list(t["score"]) == list(range(11))
    assert t["responses"].sum() == 2
    assert t.set_index("score").loc[6, "group"] == "detractor"
    assert t.set_index("score").loc[8, "group"] == "passive"


def test_summary_of_empty_register_is_a_note():
    res = S.survey_summary({}, "2026-10")
    assert res.table.empty and res.note
    assert np.isnan(res.period["mean"])


def _monthly_surveys(months: int, per_month: int = 5, seed: int = 31) -> dict:
    """Return a workbook mapping with ``per_month`` responses in each of ``months`` months."""
    rng = np.random.default_rng(seed)
    ends = pd.period_range(end="2026-10", periods=months, freq="M")
    dates = [
        m.start_time + pd.Timedelta(days=int(d))
        for m in ends
        for d in rng.integers(0, 28, per_month)
    ]
    n = len(dates)
    return {
        "customer_surveys": pd.DataFrame(
            {
                "response_id": [f"r{i}" for i in range(n)],
                "customer": ["c"] * n,
                "response_date": pd.to_datetime(dates),
                "score": rng.integers(5, 11, n),
            }
        )
    }


@pytest.mark.parametrize(("months", "has_chart"), [(24, True), (12, True), (11, False)])
def test_summary_charts_the_monthly_mean_when_enough_months(months, has_chart):
    # the review-map threshold: an I chart of the monthly mean from 12 months on, else a note
    res = S.survey_summary(_monthly_surveys(months), "2026-10")
    assert len(res.table) == months
    assert res.ok is has_chart
    if has_chart:
        assert res.chart.chart == "i"
        assert res.chart.center == pytest.approx(res.table["mean"].mean())
        assert res.note is None
    else:
        assert res.chart is None and "insufficient data: 11 months" in res.note


def test_summary_notes_an_empty_period_next_to_the_chart():
    wb = _monthly_surveys(14)
    last = wb["customer_surveys"]["response_date"] >= "2026-10-01"
    wb["customer_surveys"] = wb["customer_surveys"][~last]
    res = S.survey_summary(wb, "2026-10")
    assert res.ok and res.note == "no survey responses in the period"
    assert res.period["responses"] == 0


@pytest.mark.xdist_group("demo")
def test_demo_survey_summary_has_a_chart(demo_wb):  # noqa: F811
    # the demo has 36 months of survey responses: the 24-month window must be charted
    res = S.survey_summary(demo_wb, DEMO_END)
    assert len(res.table) == 24
    assert res.ok and res.chart.chart == "i" and res.note is None
