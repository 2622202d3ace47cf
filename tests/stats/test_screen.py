"""Vectorised screening of many series (qmsdata.stats.screen)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qmsdata
from qmsdata.errors import DataError


def _frame(seed: int, n_series: int, max_len: int, chart: str) -> pd.DataFrame:
    """Long-format KPI frame: series of unequal length, some with a planted shift."""
    rng = np.random.default_rng(seed)
    parts = []
    for s in range(n_series):
        length = int(rng.integers(1, max_len + 1))
        shift = rng.choice([0.0, 0.0, 3.0, -3.0]) * (np.arange(length) >= length // 2)
        if chart in ("c", "p", "u"):
            n = rng.integers(50, 150, length)
            p = np.clip(0.1 + 0.03 * shift, 0.01, 0.9)
            v = rng.binomial(n, p)
        else:
            n = np.ones(length)
            v = rng.normal(10, 1, length) + shift
        parts.append(pd.DataFrame({"site": f"s{s % 3}", "kpi": f"k{s:03d}", "v": v, "n": n}))
    df = pd.concat(parts, ignore_index=True)
    df["month"] = df.groupby(["site", "kpi"]).cumcount()
    return df.sample(frac=1.0, random_state=seed)  # row order must not matter with x=


def _single(sub: pd.DataFrame, chart: str, rules, improvement, baseline) -> dict:
    sub = sub.sort_values("month")
    n = "n" if chart in ("p", "u") else None
    cc = qmsdata.control_chart(
        sub, chart, value="v", n=n, x="month", rules=rules, improvement=improvement,
        baseline=baseline,
    )  # fmt: skip
    s = cc.summary()
    flagged = cc.data[cc.data["sigma_signal"] | (cc.data["rules"].map(len) > 0)]
    tt = qmsdata.trend_test(cc.data["value"].to_numpy())
    return {
        "n_points": s["n_points"],
        "center": s["center"],
        "sigma": s["sigma"],
        "ucl": cc.data["ucl"].iloc[-1],
        "lcl": cc.data["lcl"].iloc[-1],
        "last_value": cc.data["value"].iloc[-1],
        "sigma_signals": s["sigma_signals"],
        "rules": tuple(sorted(set().union(*cc.data["rules"]))),
        "since": flagged["x"].iloc[0] if len(flagged) else None,
        "runs_signal": s["runs_signal"],
        "longest_run": s["longest_run"],
        "crossings": s["crossings"],
        "variation": s["variation"],
        "trend": tt.trend,
        "trend_p": tt.p,
        "trend_slope": tt.slope,
    }


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    chart=st.sampled_from(["i", "i", "run", "c", "p", "u"]),
    rules=st.sampled_from(["western_electric", ("western_electric", "anhoej"), "nelson", None]),
    improvement=st.sampled_from([None, "increase", "decrease"]),
    baseline=st.sampled_from([None, 12]),
)
def test_screen_equals_control_chart_and_trend_test_per_series(
    seed, chart, rules, improvement, baseline
):
    df = _frame(seed, n_series=12, max_len=30, chart=chart)
    out = qmsdata.screen(
        df, series=["site", "kpi"], value="v", x="month", n="n" if chart in "pu" else None,
        chart=chart, rules=rules, improvement=improvement, baseline=baseline,
    )  # fmt: skip
    assert len(out) == df.groupby(["site", "kpi"]).ngroups
    for row in out.itertuples(index=False):
        sub = df[(df["site"] == row.site) & (df["kpi"] == row.kpi)]
        want = _single(sub, chart, rules, improvement, baseline)
        for key, val in want.items():
            got = getattr(row, key)
            if isinstance(val, float):
                assert got == pytest.approx(val, rel=1e-9, abs=1e-12, nan_ok=True), key
            else:
                assert got == val, (key, row.kpi)


def test_output_columns_and_sorting():
    df = _frame(3, n_series=5, max_len=20, chart="i")
    out = qmsdata.screen(df, series="kpi", value="v", x="month")
    assert out["kpi"].tolist() == sorted(out["kpi"])
    expected = ["kpi", "n_points", "center", "sigma", "ucl", "lcl", "last_x", "last_value"]
    expected += ["sigma_signals", "rules", "since", "runs_signal", "longest_run", "crossings"]
    expected += ["variation", "trend", "trend_p", "trend_slope"]
    assert list(out.columns) == expected


def test_a_planted_shift_is_found():
    rng = np.random.default_rng(0)
    v = np.r_[rng.normal(10, 1, 24), rng.normal(14, 1, 12)]
    df = pd.DataFrame(
        {"kpi": "a", "v": v, "month": pd.period_range("2023-01", periods=36, freq="M")}
    )
    df = pd.concat([df, df.assign(kpi="b", v=rng.normal(10, 1, 36))])
    out = qmsdata.screen(
        df, series="kpi", value="v", x="month", baseline=24, improvement="increase"
    )
    a, b = out.iloc[0], out.iloc[1]
    assert a["variation"] == "special_cause_improvement" and a["trend"] == "increasing"
    assert a["since"] >= pd.Period("2025-01", freq="M")
    assert b["sigma_signals"] == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"chart": "xbar_r"}, "supports"),
        ({"value": "nope"}, "'nope'"),
        ({"rules": "wrong"}, "unknown rule"),
        ({"chart": "p"}, "n="),
    ],
)
def test_bad_input(kwargs, match):
    df = pd.DataFrame({"kpi": ["a", "a"], "v": [1.0, 2.0]})
    with pytest.raises(DataError, match=match):
        qmsdata.screen(df, **{"series": "kpi", "value": "v", **kwargs})


def test_nan_values_are_reported_by_row():
    df = pd.DataFrame({"kpi": ["a", "a", "b"], "v": [1.0, np.nan, 2.0]})
    with pytest.raises(DataError, match=r"row\(s\) \[1\]"):
        qmsdata.screen(df, series="kpi", value="v")
