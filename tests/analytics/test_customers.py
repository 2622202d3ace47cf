"""Survey analytics: NPS and mean with interval (known answers)."""

import numpy as np
import pandas as pd
import pytest

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
    wb = {"customer_surveys": pd.DataFrame({
        "response_id": ["r1", "r2", "r3"], "customer": ["a", "b", "c"],
        "response_date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-09-01"]),
        "score": [10, 6, 9]})}
    t = S.survey_distribution(wb, "2026-10")
    assert list(t["score"]) == list(range(11))
    assert t["responses"].sum() == 2
    assert t.set_index("score").loc[6, "group"] == "detractor"
    assert t.set_index("score").loc[8, "group"] == "passive"


def test_summary_of_empty_register_is_a_note():
    res = S.survey_summary({}, "2026-10")
    assert res.table.empty and res.note
    assert np.isnan(res.period["mean"])
