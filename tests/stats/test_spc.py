"""Control charts: formulas, options, verdicts, bad input and invariants (qmsdata.stats.spc)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import qmsdata
from qmsdata.errors import DataError, QmsError
from qmsdata.stats.spc import CHARTS, D2, D3, MIN_POINTS, c4

# --------------------------------------------------------------------------- constants


def test_d2_table_is_the_expected_range_to_three_decimals():
    # d2(n) = integral of 1 - F^n - (1-F)^n (Montgomery Appendix VI tabulates it to 3 decimals)
    for n in (2, 5, 10, 25):
        f = lambda x, n=n: 1 - stats.norm.cdf(x) ** n - stats.norm.sf(x) ** n  # noqa: E731
        exact = integrate.quad(f, -np.inf, np.inf)[0]
        assert D2[n] == pytest.approx(exact, abs=5e-4)


def test_d3_of_two_has_its_closed_form():
    # the range of two normals is |X1 - X2| ~ half-normal with scale sqrt(2): var = 2 - 4/pi
    assert D3[2] == pytest.approx(np.sqrt(2 - 4 / np.pi), abs=1e-7)


@pytest.mark.parametrize(("n", "expected"), [(2, 0.7979), (5, 0.9400), (10, 0.9727), (25, 0.9896)])
def test_c4_matches_montgomery_appendix(n, expected):
    # Montgomery Appendix VI, c4 to 4 decimals
    assert c4(n) == pytest.approx(expected, abs=5e-5)


# --------------------------------------------------------------------------- chart formulas


def _counts(rng, n_points=24, size=200, p=0.1):
    n = rng.integers(size // 2, size * 2, n_points)
    return pd.DataFrame({"d": rng.binomial(n, p), "n": n, "month": np.arange(n_points)})


def test_c_chart_limits():
    # Montgomery 7.3.1: cbar +/- 3 sqrt(cbar), LCL truncated at 0
    cc = qmsdata.control_chart([1, 4, 2, 0, 3, 2, 5, 1, 2, 0, 3, 1], "c")
    cbar = 24 / 12
    assert cc.center == cbar
    assert cc.data["ucl"].iloc[0] == pytest.approx(cbar + 3 * np.sqrt(cbar))
    assert cc.data["lcl"].iloc[0] == 0.0


def test_np_chart_is_the_p_chart_times_n():
    rng = np.random.default_rng(7)
    df = _counts(rng).assign(n=150)
    p = qmsdata.control_chart(df, "p", value="d", n="n")
    np_ = qmsdata.control_chart(df, "np", value="d", n="n")
    assert np_.data["cl"].to_numpy() == pytest.approx(150 * p.data["cl"].to_numpy())
    assert np_.data["ucl"].to_numpy() == pytest.approx(150 * p.data["ucl"].to_numpy())
    assert (np_.data["sigma_signal"] == p.data["sigma_signal"]).all()


def test_p_chart_ucl_capped_at_one():
    df = pd.DataFrame({"d": [1, 2, 1, 0, 2, 1], "n": [2, 2, 2, 2, 2, 2]})
    cc = qmsdata.control_chart(df, "p", value="d", n="n")
    assert (cc.data["ucl"] == 1.0).all()
    assert (cc.data["lcl"] == 0.0).all()
    assert not cc.data["sigma_signal"].any()  # a point on a limit does not signal


def test_laney_p_prime_widens_by_the_moving_range_of_z():
    # Laney (2002): sigma_z = mean |z_i - z_(i-1)| / 1.128; limits pbar +/- 3 sigma_p sigma_z
    rng = np.random.default_rng(3)
    n = rng.integers(5000, 20000, 30)
    p_true = np.clip(rng.normal(0.05, 0.01, 30), 0.01, None)  # overdispersed
    df = pd.DataFrame({"d": rng.binomial(n, p_true), "n": n})
    p = qmsdata.control_chart(df, "p", value="d", n="n")
    pp = qmsdata.control_chart(df, "p_prime", value="d", n="n")
    pbar = df["d"].sum() / df["n"].sum()
    se = np.sqrt(pbar * (1 - pbar) / df["n"])
    z = (df["d"] / df["n"] - pbar) / se
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    assert pp.center == pytest.approx(pbar)
    assert pp.data["ucl"].to_numpy() == pytest.approx((pbar + 3 * se * sigma_z).to_numpy())
    assert sigma_z > 1  # overdispersed data: p' is wider, fewer false alarms
    assert pp.data["sigma_signal"].sum() <= p.data["sigma_signal"].sum()


def test_u_prime_equals_u_when_sigma_z_is_one():
    df = pd.DataFrame({"d": [3, 5, 4, 6], "n": [1.0, 1.0, 1.0, 1.0]})
    u = qmsdata.control_chart(df, "u", value="d", n="n")
    up = qmsdata.control_chart(df, "u_prime", value="d", n="n")
    z = (df["d"] - 4.5) / np.sqrt(4.5)
    ratio = np.abs(np.diff(z)).mean() / 1.128
    assert up.data["ucl"].iloc[0] - 4.5 == pytest.approx((u.data["ucl"].iloc[0] - 4.5) * ratio)


def test_g_chart_geometric_limits():
    # Benneyan (2001): sigma = sqrt(gbar (gbar + 1))
    g = [12, 30, 5, 44, 18, 9, 60, 21, 3, 15, 27, 8]
    cc = qmsdata.control_chart(g, "g")
    gbar = np.mean(g)
    assert cc.data["ucl"].iloc[0] == pytest.approx(gbar + 3 * np.sqrt(gbar * (gbar + 1)))
    assert cc.data["lcl"].iloc[0] == 0.0


def test_t_chart_back_transforms_an_i_chart_of_t_to_the_power_1_over_3_6():
    t = np.array([3.0, 10, 7, 1, 25, 14, 6, 2, 9, 30, 11, 5])
    cc = qmsdata.control_chart(t, "t")
    y = t ** (1 / 3.6)
    ic = qmsdata.control_chart(y, "i")
    assert cc.data["value"].to_numpy() == pytest.approx(t)
    assert cc.data["ucl"].iloc[0] == pytest.approx(ic.data["ucl"].iloc[0] ** 3.6)
    assert cc.data["cl"].iloc[0] == pytest.approx(ic.center**3.6)
    assert cc.data["lcl"].iloc[0] == pytest.approx(max(ic.data["lcl"].iloc[0], 0) ** 3.6)


def test_run_chart_uses_the_median_and_anhoej_rules():
    values = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    cc = qmsdata.control_chart(values, "run", baseline=10)
    assert cc.center == 6.0  # median of the first 10
    assert cc.data["ucl"].isna().all()
    assert cc.rules == ("anhoej_shift",)
    s = cc.summary()
    assert s["n_useful"] == sum(v != 6 for v in values)
    assert s["runs_signal"]
    assert cc.data["rules"].iloc[-1] == ("anhoej_shift",)


def test_ewma_exact_limits_widen_to_the_asymptotic_ones():
    # Montgomery 9.2: L sigma sqrt(lam/(2-lam) (1 - (1-lam)^(2i)))
    rng = np.random.default_rng(11)
    x = rng.normal(10, 1, 40)
    exact = qmsdata.control_chart(x, "ewma", lam=0.2, center=10, sigma=1)
    asym = qmsdata.control_chart(x, "ewma", lam=0.2, center=10, sigma=1, limits="asymptotic")
    width = exact.data["ucl"] - 10
    assert width.iloc[0] == pytest.approx(3 * np.sqrt(0.2 / 1.8 * (1 - 0.8**2)))
    assert (np.diff(width) > 0).all()
    assert width.iloc[-1] == pytest.approx(asym.data["ucl"].iloc[-1] - 10, rel=1e-3)
    assert exact.rules == ()


def test_cusum_matches_the_recursion_and_detects_a_downward_shift():
    rng = np.random.default_rng(5)
    x = np.r_[rng.normal(10, 1, 20), rng.normal(8.5, 1, 15)]
    cc = qmsdata.control_chart(x, "cusum", target=10, k=0.5, h=4, improvement="increase")
    hi = lo = 0.0
    for i, xi in enumerate(x):
        hi = max(0.0, hi + xi - 10.5)
        lo = min(0.0, lo + xi - 9.5)
        assert cc.data["s_hi"].iloc[i] == pytest.approx(hi, abs=1e-9)
        assert cc.data["s_lo"].iloc[i] == pytest.approx(lo, abs=1e-9)
    assert cc.data["sigma_signal"].iloc[-1]
    assert cc.data["variation"].iloc[-1] == "special_cause_concern"
    assert cc.summary()["assurance"] is None


def test_xbar_s_with_unequal_subgroups_pools_with_burr_weights():
    rng = np.random.default_rng(2)
    sizes = [3, 5, 4, 6, 5, 3, 4, 5]
    subgroups = [rng.normal(50, 2, k) for k in sizes]
    cc = qmsdata.control_chart(subgroups, "xbar_s")
    s = np.array([np.std(g, ddof=1) for g in subgroups])
    cc4 = c4(np.array(sizes))
    w = cc4**2 / (1 - cc4**2)
    assert cc.sigma == pytest.approx(np.sum(w * s / cc4) / np.sum(w))
    assert cc.center == pytest.approx(np.concatenate(subgroups).mean())
    se = cc.sigma / np.sqrt(np.array(sizes))
    assert cc.data["ucl"].to_numpy() == pytest.approx(cc.center + 3 * se)


# --------------------------------------------------------------------------- options


def test_baseline_freezes_limits_and_exclude_drops_points_from_them():
    x = np.array([10.0, 11, 9, 10, 12, 10, 9, 11, 10, 30, 10, 11])
    base = qmsdata.control_chart(x, "i", baseline=9)
    ref = qmsdata.control_chart(x[:9], "i")
    assert base.center == pytest.approx(ref.center)
    assert base.sigma == pytest.approx(ref.sigma)
    excl = qmsdata.control_chart(x, "i", exclude=[9])
    kept = np.delete(x, 9)
    assert excl.center == pytest.approx(kept.mean())
    mr = np.abs(np.diff(x))
    mr_used = np.delete(mr, [8, 9])  # both moving ranges touching position 9
    assert excl.sigma == pytest.approx(mr_used.mean() / 1.128)
    assert excl.data["excluded"].tolist() == [i == 9 for i in range(12)]
    assert excl.data["sigma_signal"].iloc[9]  # excluded points are still tested


def test_excluded_points_leave_the_runs_analysis_as_in_qicharts2():
    # qicharts2 runs.analysis() keeps y[include]: excluded points do not count as useful and a
    # run continues across them. Constructed so that the answer changes: 16 points above the
    # centre line except positions 5 and 10 (below). Known centre and sigma, so the limits do
    # not depend on the exclusion.
    x = np.ones(16)
    x[[5, 10]] = -1.0
    kept = qmsdata.control_chart(x, "i", center=0.0, sigma=1.0, rules="anhoej")
    # all 16 useful: runs 5, 1, 4, 1, 5 -> longest 5 <= round(log2 16) + 3 = 7; 4 crossings
    # >= qbinom(0.05, 15, 0.5) = 4: no runs signal
    assert kept.summary()["n_useful"] == 16
    assert kept.summary()["longest_run"] == 5 and kept.summary()["crossings"] == 4
    assert not kept.summary()["runs_signal"]
    assert kept.signals.empty
    excl = qmsdata.control_chart(x, "i", center=0.0, sigma=1.0, rules="anhoej", exclude=[5, 10])
    # 14 useful points, one run of 14 > round(log2 14) + 3 = 7, no crossing: a shift
    s = excl.summary()
    assert s["n_useful"] == 14 and s["longest_run"] == 14 and s["crossings"] == 0
    assert s["longest_run_max"] == 7 and s["runs_signal"]
    flagged = [i for i, r in enumerate(excl.data["rules"]) if "anhoej_shift" in r]
    # from the 8th useful point on (position 8, as position 5 is skipped), never an excluded one
    assert flagged == [8, 9, 11, 12, 13, 14, 15]
    # the limits themselves are the same, and excluded points are still tested against them
    assert excl.data["ucl"].tolist() == kept.data["ucl"].tolist()


def test_baseline_does_not_limit_the_runs_analysis():
    # qicharts2: freeze= sets the limits only; the runs analysis covers the whole part
    x = np.r_[np.tile([1.0, -1.0], 6), np.ones(10)]
    cc = qmsdata.control_chart(x, "i", center=0.0, sigma=1.0, rules="anhoej", baseline=12)
    assert cc.summary()["n_useful"] == 22


def test_phase_column_rebases_the_limits():
    df = pd.DataFrame(
        {"v": [10, 11, 9, 10, 11, 20, 21, 19, 20, 22], "stage": ["a"] * 5 + ["b"] * 5}
    )
    cc = qmsdata.control_chart(df, "i", value="v", phase="stage")
    assert cc.data["cl"].iloc[0] == pytest.approx(10.2)
    assert cc.data["cl"].iloc[-1] == pytest.approx(20.4)
    assert cc.center == pytest.approx(20.4)
    assert np.isnan(cc.dispersion.data["value"].iloc[5])  # no moving range across phases
    assert cc.summary()["n_points"] == 5


def test_known_center_and_sigma_override_estimates():
    cc = qmsdata.control_chart([1.0, 2, 3, 4], "i", center=0.0, sigma=2.0)
    assert cc.data["ucl"].iloc[0] == 6.0 and cc.data["lcl"].iloc[0] == -6.0
    assert qmsdata.control_chart([1.0, 2, 3, 4], "i", nsigmas=2).data["ucl"].iloc[0] == (
        pytest.approx(2.5 + 2 * 1 / 1.128)
    )


def test_x_column_is_carried_through():
    df = pd.DataFrame({"month": pd.period_range("2024-01", periods=4, freq="M"), "v": [1, 2, 3, 2]})
    cc = qmsdata.control_chart(df, "i", value="v", x="month")
    assert cc.data["x"].tolist() == df["month"].tolist()


# --------------------------------------------------------------------------- verdicts


def _shifted(direction: float, n: int = 24) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.r_[rng.normal(10, 1, n), 10 + direction * 6]


@pytest.mark.parametrize(
    ("direction", "improvement", "expected"),
    [
        (1, "increase", "special_cause_improvement"),
        (1, "decrease", "special_cause_concern"),
        (-1, "decrease", "special_cause_improvement"),
        (-1, "increase", "special_cause_concern"),
        (1, None, "special_cause"),
    ],
)
def test_variation_by_side_and_improvement(direction, improvement, expected):
    cc = qmsdata.control_chart(_shifted(direction), "i", baseline=24, improvement=improvement)
    assert cc.data["variation"].iloc[-1] == expected
    assert cc.summary()["variation"] == expected
    assert cc.data["variation"].iloc[:24].eq("common_cause").sum() >= 20
    assert len(cc.signals) >= 1


def test_run_below_centre_with_decrease_is_improvement():
    values = [10, 11, 9, 10, 11, 10, 9, 11, 10, 9, 8, 8, 8, 8, 8, 8, 8, 8, 8]
    cc = qmsdata.control_chart(values, "i", baseline=10, improvement="decrease")
    assert cc.data["rules"].iloc[-1] == ("we_4",) or "we_4" in cc.data["rules"].iloc[-1]
    assert cc.data["variation"].iloc[-1] == "special_cause_improvement"


@pytest.mark.parametrize(
    ("target", "improvement", "expected"),
    [
        (5.0, "increase", "consistent_pass"),
        (15.0, "increase", "consistent_fail"),
        (10.0, "increase", "inconsistent"),
        (15.0, "decrease", "consistent_pass"),
        (5.0, "decrease", "consistent_fail"),
        (10.0, None, None),
        (None, "increase", None),
    ],
)
def test_assurance_follows_nhsrplotthedots(target, improvement, expected):
    rng = np.random.default_rng(4)
    x = rng.normal(10, 0.5, 20)  # limits near 8.5 .. 11.5
    cc = qmsdata.control_chart(x, "i", target=target, improvement=improvement)
    assert cc.summary()["assurance"] == expected


def test_too_few_points_give_insufficient_data_not_garbage():
    cc = qmsdata.control_chart([3.0, 4.0, 5.0], "i")
    s = cc.summary()
    assert s["variation"] == "insufficient data" and cc.insufficient
    assert "3 point" in cc.message and str(MIN_POINTS) in cc.message
    assert np.isfinite(cc.data["ucl"]).all()  # limits still computed when possible
    single = qmsdata.control_chart([3.0], "i")
    assert single.insufficient and np.isnan(single.data["ucl"]).all()
    assert not single.data["sigma_signal"].any()
    enough = qmsdata.control_chart(np.arange(12.0) % 3, "i")
    assert not enough.insufficient and enough.summary()["variation"] == "common_cause"


def test_summary_has_the_contract_keys():
    keys = {"chart", "center", "sigma", "n_points", "n_useful", "longest_run", "longest_run_max"}
    keys |= {"crossings", "crossings_min", "runs_signal", "sigma_signals", "variation"}
    keys |= {"assurance"}
    cc = qmsdata.control_chart(np.arange(15.0) % 4, "i", rules="western_electric+anhoej")
    assert keys <= set(cc.summary())
    cols = ["x", "value", "n", "cl", "ucl", "lcl", "sigma_signal", "rules", "phase"]
    assert list(cc.data.columns[:9]) == cols
    assert {"excluded", "variation"} <= set(cc.data.columns)
    assert cc.rules == ("anhoej_shift", "we_1", "we_2", "we_3", "we_4")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: qmsdata.control_chart([], "i"), "no data"),
        (lambda: qmsdata.control_chart([1.0, np.nan, 2.0], "i"), r"position\(s\) \[1\]"),
        (lambda: qmsdata.control_chart([1, 2], "pp"), "unknown chart"),
        (lambda: qmsdata.control_chart([1, 2], "i", rules="westen"), "unknown rule"),
        (lambda: qmsdata.control_chart([1, 2], "ewma", lam=0), "lam"),
        (lambda: qmsdata.control_chart([1, 2], "i", foo=1), "unknown option"),
        (lambda: qmsdata.control_chart([1, 2], "i", improvement="up"), "improvement"),
        (lambda: qmsdata.control_chart([1, 2, 3], "i", exclude=[5]), "exclude"),
        (lambda: qmsdata.control_chart([1, 2, 3], "i", exclude=[0, 1, 2]), "no points left"),
        (lambda: qmsdata.control_chart([1, -2, 3], "c"), r"negative.*\[1\]"),
        (lambda: qmsdata.control_chart([[1, 2], [3]], "xbar_r"), "single observation"),
        (lambda: qmsdata.control_chart([[1.0, 2.0], [3.0, 4.0]], "i"), "flat sequence"),
        (lambda: qmsdata.control_chart(5.0, "i"), "flat sequence"),
        (lambda: qmsdata.control_chart(pd.DataFrame({"a": [1]}), "i"), "value="),
        (lambda: qmsdata.control_chart(pd.DataFrame({"a": [1]}), "i", value="b"), "'b'"),
        (lambda: qmsdata.control_chart(pd.DataFrame({"a": ["x"]}), "i", value="a"), "numeric"),
    ],
)
def test_bad_input_raises_a_data_error_saying_what_and_where(call, match):
    with pytest.raises(DataError, match=match) as err:
        call()
    assert isinstance(err.value, QmsError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("frame", "chart", "match"),
    [
        (pd.DataFrame({"d": [1, 2], "n": [10, 0]}), "p", r"positive.*\[1\]"),
        (pd.DataFrame({"d": [1, 2], "n": [10, np.nan]}), "u", r"NaN.*\[1\]"),
        (pd.DataFrame({"d": [1, 12], "n": [10, 10]}), "p", r"exceeds n.*\[1\]"),
        (pd.DataFrame({"d": [1, 2], "n": [10, 10]}), "u", "n="),
    ],
)
def test_bad_denominators(frame, chart, match):
    n = None if match == "n=" else "n"
    with pytest.raises(DataError, match=match) as err:
        qmsdata.control_chart(frame, chart, value="d", n=n)
    assert err.value.column in ("d", "n", None)


def test_every_registered_chart_runs_on_a_frame():
    rng = np.random.default_rng(9)
    df = _counts(rng).assign(v=lambda d: rng.normal(5, 1, len(d)).round(2))
    for chart in CHARTS:
        if chart in ("xbar_r", "xbar_s"):
            long = pd.DataFrame({"g": np.repeat(np.arange(12), 4), "v": rng.normal(size=48)})
            cc = qmsdata.control_chart(long, chart, value="v", subgroup="g")
        elif chart in ("p", "np", "u", "p_prime", "u_prime"):
            cc = qmsdata.control_chart(df, chart, value="d", n="n", x="month")
        else:
            cc = qmsdata.control_chart(df.assign(v=df["v"].abs()), chart, value="v")
        assert len(cc.data) in (12, 24), chart
        assert cc.data["variation"].isin(["common_cause", "special_cause"]).all(), chart


# --------------------------------------------------------------------------- invariants

_series = st.integers(0, 2**32 - 1).map(lambda s: np.random.default_rng(s).normal(50, 5, 30))


@settings(max_examples=40, deadline=None)
@given(x=_series, c=st.floats(-1e3, 1e3))
def test_i_limits_shift_with_the_data(x, c):
    a = qmsdata.control_chart(x, "i", rules="nelson")
    b = qmsdata.control_chart(x + c, "i", rules="nelson")
    assert b.center == pytest.approx(a.center + c, abs=1e-9)
    assert b.sigma == pytest.approx(a.sigma, rel=1e-6, abs=1e-9)
    assert b.data["ucl"].iloc[0] == pytest.approx(a.data["ucl"].iloc[0] + c, abs=1e-8)
    assert (a.data["sigma_signal"] == b.data["sigma_signal"]).all()


@settings(max_examples=40, deadline=None)
@given(x=_series, k=st.floats(0.01, 100))
def test_xbar_and_i_limits_scale_with_the_data(x, k):
    for chart, data in (("i", x), ("xbar_r", x.reshape(10, 3)), ("xbar_s", x.reshape(6, 5))):
        a = qmsdata.control_chart(data, chart)
        b = qmsdata.control_chart(data * k, chart)
        assert b.center == pytest.approx(a.center * k, rel=1e-9)
        assert b.sigma == pytest.approx(a.sigma * k, rel=1e-9)
        assert b.data["lcl"].to_numpy() == pytest.approx(a.data["lcl"].to_numpy() * k, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(x=_series, tail=_series)
def test_i_limits_from_a_baseline_ignore_later_points_and_its_order_reversed(x, tail):
    a = qmsdata.control_chart(np.r_[x, tail[:10]], "i", baseline=30)
    b = qmsdata.control_chart(np.r_[x, tail[10:20] * 3], "i", baseline=30)
    assert a.center == b.center and a.sigma == b.sigma
    # reversing the baseline keeps the same set of moving ranges: same limits
    r = qmsdata.control_chart(x[::-1], "i")
    f = qmsdata.control_chart(x, "i")
    assert r.center == pytest.approx(f.center) and r.sigma == pytest.approx(f.sigma)


@settings(max_examples=30, deadline=None)
@given(x=_series, chart=st.sampled_from(["i", "run", "c", "g", "ewma", "cusum", "t"]))
def test_frame_and_plain_sequence_give_the_same_answer(x, chart):
    x = np.abs(x)
    a = qmsdata.control_chart(list(x), chart)
    b = qmsdata.control_chart(pd.DataFrame({"kpi": x}), chart, value="kpi")
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.summary() == b.summary() or np.isnan(a.sigma)


def test_chart_registry_has_one_row_per_chart():
    from qmsdata.stats.spc import ChartType

    assert sorted(CHARTS) == sorted(
        ["run", "i", "xbar_r", "xbar_s", "p", "np", "c", "u", "p_prime", "u_prime", "g", "t"]
        + ["ewma", "cusum"]
    )
    assert all(isinstance(row, ChartType) for row in CHARTS.values())
    assert {k for k, r in CHARTS.items() if r.needs_n} == {"p", "np", "u", "p_prime", "u_prime"}
    assert {k for k, r in CHARTS.items() if r.subgrouped} == {"xbar_r", "xbar_s"}
    assert {k for k, r in CHARTS.items() if r.rules == "none"} == {"ewma", "cusum"}
