"""Supplier scorecard on hand-made receipts."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import suppliers as S

RECEIPTS = pd.DataFrame(
    {
        "receipt_id": ["r1", "r2", "r3", "r4", "r5"],
        "supplier_id": ["S1", "S1", "S2", "S2", "S3"],
        "received_date": pd.to_datetime(
            ["2026-10-01", "2026-09-10", "2026-10-05", "2026-10-06", "2024-01-01"]
        ),
        "due_date": pd.to_datetime(["2026-10-02", "2026-09-05", "2026-10-05", None, "2024-01-01"]),
        "quantity_received": [1000, 3000, 500, 500, 100],
        "quantity_rejected": [4, 0, 10, 0, 0],
    }
)
WB = {
    "supplier_receipts": RECEIPTS,
    "nonconformities": pd.DataFrame(
        {"nc_id": ["n"], "supplier_id": ["S2"], "detected_date": pd.to_datetime(["2026-10-06"])}
    ),
}


def test_scorecard():
    t = S.supplier_scorecard(WB, "2026-10").set_index("supplier_id")
    assert list(t.index) == ["S2", "S1"]  # worst ppm first; S3 outside the window
    assert t.loc["S1", "ppm"] == pytest.approx(1000)
    assert t.loc["S2", "ppm"] == pytest.approx(10_000)
    assert t.loc["S1", "on_time_rate"] == pytest.approx(0.5)
    assert t.loc["S2", "on_time_rate"] == pytest.approx(1.0)  # only receipts with a due date
    assert t.loc["S2", "ncs"] == 1


def test_monthly_drops_months_without_receipts():
    t = S.supplier_monthly(WB, "2026-10", months=2)
    assert list(zip(t["supplier_id"], t["month"].astype(str), strict=True)) == [
        ("S1", "2026-09"),
        ("S1", "2026-10"),
        ("S2", "2026-10"),
    ]


def test_unknown_supplier_chart_is_a_note():
    res = S.supplier_rejection_chart(WB, "S9", "2026-10")
    assert res.chart is None and "S9" in res.note


def test_empty_register():
    assert S.supplier_scorecard({}, "2026-10").empty
    assert S.supplier_funnel({}, "2026-10").empty


def _receipts(rates, n=10_000):
    return pd.DataFrame(
        {
            "receipt_id": [f"r{i}" for i in range(len(rates))],
            "supplier_id": [f"S{i}" for i in range(len(rates))],
            "received_date": pd.Timestamp("2026-10-01"),
            "due_date": pd.Timestamp("2026-10-01"),
            "quantity_received": n,
            "quantity_rejected": [round(r * n) for r in rates],
        }
    )


def test_funnel_binomial_limits_known_answer():
    # centre (100 + 100 + 400) / 30000 = 0.02; se = sqrt(0.02 * 0.98 / 10000) = 0.0014
    # 99.8% limits 0.02 +/- 3.0902 * 0.0014 = [0.015674, 0.024326] (Spiegelhalter 2005, sec. 3)
    f = S.supplier_funnel(
        {"supplier_receipts": _receipts([0.01, 0.01, 0.04])}, "2026-10", overdispersion=False
    ).set_index("supplier_id")
    assert f.loc["S0", "center"] == pytest.approx(0.02)
    assert f.loc["S0", "upper_998"] == pytest.approx(0.024326, abs=1e-5)
    assert f.loc["S2", "position"] == "above" and f.loc["S0", "position"] == "below"


def test_funnel_widens_for_overdispersion():
    rng = np.random.default_rng(11)
    rates = rng.uniform(0.005, 0.03, 20)
    wb = {"supplier_receipts": _receipts(rates, n=1_000_000)}
    plain = S.supplier_funnel(wb, "2026-10", overdispersion=False)
    wide = S.supplier_funnel(wb, "2026-10")
    assert wide.attrs["phi"] > 10
    outside = {"above", "below"}
    assert plain["position"].isin(outside).sum() > wide["position"].isin(outside).sum()
