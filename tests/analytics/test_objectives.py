"""Objective status: actual vs target, assurance, YTD, forecast, plan completeness."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import objectives as O


def _wb(values, target=95.0, direction="increase", plan=True, fy=1):
    months = pd.period_range(end="2026-10", periods=len(values), freq="M")
    obj = {
        "objective_id": "O1",
        "name": "otd",
        "process": "logistics",
        "owner": "h",
        "unit": "%",
        "direction": direction,
        "target": target,
        "valid_from": pd.Timestamp("2023-01-01"),
        "valid_to": pd.Timestamp("2026-12-31"),
        "frequency": "monthly",
    }
    for f in O.PLAN_FIELDS:
        obj[f] = "x" if plan else None
    kpi = pd.DataFrame({"objective_id": "O1", "period": months, "value": values})
    return {
        "objectives": pd.DataFrame([obj]),
        "kpi_measurements": kpi,
        "config": {"fiscal_year_start": fy},
    }


def test_consistent_fail_when_limits_below_target():
    rng = np.random.default_rng(4)
    row = O.objective_status(_wb(92.8 + rng.normal(0, 0.3, 24)), "2026-10").iloc[0]
    assert row["assurance"] == "consistent_fail" and not row["met"]
    assert row["variation"] == "common_cause"
    assert row["p_meet_target"] < 0.01
    assert row["forecast_low"] < row["forecast"] < row["forecast_high"]


def test_ytd_uses_the_fiscal_year():
    values = np.arange(1.0, 25.0)  # 2024-11 = 1 ... 2026-10 = 24
    jan = O.objective_status(_wb(values, fy=1), "2026-10").iloc[0]
    apr = O.objective_status({**_wb(values), "config": {"fiscal_year_start": 4}}, "2026-10").iloc[0]
    assert jan["ytd"] == pytest.approx(np.mean(values[-10:]))  # Jan..Oct 2026
    assert apr["ytd"] == pytest.approx(np.mean(values[-7:]))  # Apr..Oct 2026
    assert jan["actual"] == 24.0 and jan["trend"] == "increasing"


def test_forecast_known_answer_on_a_straight_line():
    # y = 10 + 0.5 x exactly: the forecast at x = 2 months ahead is on the line, interval 0
    x = np.arange(-11.0, 1.0)
    out = O.forecast_to(x, 10 + 0.5 * x, 2.0, target=10.5, direction="increase")
    assert out["forecast"] == pytest.approx(11.0)
    assert out["forecast_high"] == pytest.approx(11.0)
    assert out["p_meet_target"] == 1.0


def test_forecast_prediction_interval_textbook():
    # Montgomery, Peck & Vining sec. 2.5: yhat +/- t * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx)
    x = np.array([0.0, 1, 2, 3, 4, 5])
    y = np.array([1.0, 3, 2, 5, 4, 6])
    out = O.forecast_to(x, y, 6.0, target=np.nan, direction="increase", level=0.95)
    b = 0.8857142857  # Sxy 15.5 / Sxx 17.5
    a = 3.5 - b * 2.5
    s = np.sqrt(np.sum((y - (a + b * x)) ** 2) / 4)
    half = 2.776445 * s * np.sqrt(1 + 1 / 6 + (6 - 2.5) ** 2 / 17.5)
    assert out["forecast"] == pytest.approx(a + b * 6)
    assert out["forecast_high"] - out["forecast"] == pytest.approx(half, rel=1e-5)


def test_plan_completeness_and_short_history():
    row = O.objective_status(_wb([90.0] * 5, plan=False), "2026-10").iloc[0]
    assert row["plan_complete"] == 0
    assert "action_plan" in row["missing_plan_fields"]
    assert row["note"].startswith("insufficient data") and row["assurance"] is None


def test_objective_outside_validity_is_left_out():
    wb = _wb([90.0] * 24)
    wb["objectives"].loc[0, "valid_to"] = pd.Timestamp("2025-12-31")
    assert O.objective_status(wb, "2026-10").empty


def test_no_objectives():
    assert O.objective_status({}, "2026-10").empty
    assert O.objective_chart({}, "O1", "2026-10").chart is None
