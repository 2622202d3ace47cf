"""change_effect: known answers on constructed series, the effect-size intervals, false alarms.

The constructed baseline alternates 10.5, 9.5 (24 points): centre 10, mean moving range 1, so
sigma = 1 / 1.128 and the I-chart limits are 10 +/- 2.66 (7.34 to 12.66). With N useful points
the shift rule needs a run longer than round(log2(N) + 3): 8 for N = 29 .. 45.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import qmsdata
from qmsdata.errors import DataError
from qmsdata.stats.effect import VERDICTS, change_effect, rate_ratio_ci

BEFORE = [10.5, 9.5] * 12
FLAT = [10.5, 9.5] * 5


def judge(after, **kw):
    return change_effect(BEFORE + list(after), len(BEFORE), **kw)


def test_sustained_improvement_by_the_run_rule():
    eff = judge([9.0] * 10)
    assert eff.verdict == "sustained improvement"
    assert eff.rule == "shift" and eff.direction == "improvement"
    assert eff.run_limit == 8 and eff.longest_run_improvement == 10
    assert eff.beyond_improvement == 0
    assert eff.measure == "mean_difference"
    assert eff.estimate == pytest.approx(-1.0)
    assert eff.ci_low < -1.0 < eff.ci_high < 0
    assert eff.data["in_shift"].sum() == 10
    # the after phase has its own centre line; the before limits stay on the after points
    assert eff.after["center"] == pytest.approx(9.0)
    assert eff.before["center"] == pytest.approx(10.0)
    assert eff.data["before_cl"].iloc[-1] == pytest.approx(10.0)
    assert eff.before["lcl"] == pytest.approx(10 - 3 / 1.128)


def test_improvement_not_yet_sustained_beyond_the_limit_without_a_run():
    eff = judge([7.0, 10.5, 7.0, *FLAT[3:]])
    assert eff.before["lcl"] > 7.0
    assert eff.verdict == "improvement not yet sustained"
    assert eff.rule == "beyond_limits" and eff.beyond_improvement == 2


def test_a_lone_point_beyond_is_named_not_judged():
    eff = judge([7.0, *FLAT[1:]])
    assert eff.verdict == "no detectable change" and eff.beyond_improvement == 1
    assert "1 after point(s) beyond the before limit on the improvement side" in eff.reason
    # the plain Shewhart rule 1
    assert judge([7.0, *FLAT[1:]], min_beyond=1).verdict == "improvement not yet sustained"
    assert judge([13.0, *FLAT[1:]], min_beyond=1).verdict == "deterioration"
    assert judge([13.0, *FLAT[1:]]).verdict == "no detectable change"


def test_no_detectable_change():
    eff = judge(FLAT + FLAT)
    assert eff.verdict == "no detectable change"
    assert eff.rule is None and eff.direction is None
    assert eff.estimate == pytest.approx(0.0)


def test_deterioration_beyond_the_limit_and_by_a_run():
    eff = judge([13.0, 9.5, 13.0, *FLAT[3:]])
    assert eff.verdict == "deterioration" and eff.rule == "beyond_limits"
    eff = judge([11.0] * 10)
    assert eff.verdict == "deterioration" and eff.rule == "shift"
    assert eff.longest_run_concern == 10


def test_deterioration_is_reported_inside_the_evaluation_window():
    eff = judge([13.0, 13.5], evaluation=3)
    assert eff.verdict == "deterioration"


def test_too_early_to_judge_states_the_points_the_rule_needs():
    eff = judge([9.0] * 5)
    assert eff.verdict == "too early to judge"
    assert eff.points_needed == 9
    assert "5 point(s) after the change; the shift rule needs 9" in eff.reason
    eff = judge([9.0] * 2, evaluation=3)
    assert eff.verdict == "too early to judge"
    assert "the evaluation window is 3" in eff.reason
    # no point after the change at all
    eff = change_effect(BEFORE, len(BEFORE))
    assert eff.verdict == "too early to judge" and eff.n_after == 0


def test_insufficient_baseline_is_not_assessed():
    eff = change_effect(BEFORE[:8] + [9.0] * 10, 8)
    assert eff.verdict == "insufficient data"
    assert "8 point(s) before the change" in eff.reason


def test_increase_is_the_mirror_image():
    eff = judge([11.0] * 10, improvement="increase")
    assert eff.verdict == "sustained improvement"
    eff = judge([9.0] * 10, improvement="increase")
    assert eff.verdict == "deterioration"


def test_fixed_run_length_rule():
    # Making Data Count's 7 in a row instead of Anhoej's limit
    assert judge([9.0] * 7, rules=7).verdict == "sustained improvement"
    assert judge([9.0] * 7).verdict == "too early to judge"


def test_every_verdict_is_a_board_word():
    for after in ([9.0] * 10, [7.0, *FLAT[1:]], FLAT, [13.0], [9.0] * 3):
        assert judge(after).verdict in VERDICTS


def test_a_dated_change_starts_at_its_month():
    months = pd.period_range("2024-01", periods=34, freq="M")
    frame = pd.DataFrame({"month": months, "y": BEFORE + [9.0] * 10})
    eff = change_effect(frame, "2026-01-12", value="y", x="month")
    assert eff.change_position == 24
    assert eff.change_x == pd.Timestamp("2026-01-01")
    assert eff.verdict == "sustained improvement"
    assert list(eff.data["phase"].unique()) == ["before", "after"]


# --------------------------------------------------------------------------- rates


def test_rate_ratio_ci_is_the_conditional_binomial_interval():
    ratio, lo, hi = rate_ratio_ci(30, 1000, 60, 2000)
    assert ratio == pytest.approx(1.0)
    # defining property of the Clopper-Pearson limits of pi = R e_a / (R e_a + e_b)
    pi_lo, pi_hi = lo * 1000 / (lo * 1000 + 2000), hi * 1000 / (hi * 1000 + 2000)
    assert stats.binom.sf(29, 90, pi_lo) == pytest.approx(0.025, rel=1e-6)
    assert stats.binom.cdf(30, 90, pi_hi) == pytest.approx(0.025, rel=1e-6)
    # R: poisson.test(c(30, 60), c(1000, 1000))$conf.int = 0.3113592 0.7874679
    assert rate_ratio_ci(30, 1000, 60, 1000)[1:] == pytest.approx((0.3113592, 0.7874679), 1e-6)
    assert rate_ratio_ci(0, 1000, 5, 1000)[1] == 0.0


def test_rate_series_gives_a_rate_ratio_with_the_exact_interval():
    n = np.full(36, 10_000.0)
    count = np.array([20, 21] * 12 + [12] * 12, dtype=float)  # under-dispersed: exact interval
    frame = pd.DataFrame({"c": count, "n": n})
    eff = change_effect(frame, 24, value="c", n="n", chart="u")
    assert eff.verdict == "sustained improvement"
    assert eff.measure == "rate_ratio"
    expected = rate_ratio_ci(144, 120_000, 492, 240_000)
    assert (eff.estimate, eff.ci_low, eff.ci_high) == pytest.approx(expected)
    assert "Ederer & Mantel" in eff.method
    assert eff.before["value"] == pytest.approx(492 / 240_000)


def test_over_dispersed_counts_get_the_wider_quasi_poisson_interval():
    rng = np.random.default_rng(7)
    n = np.full(36, 100_000.0)
    rate = 0.002 * rng.gamma(25, 1 / 25, 36)  # month-to-month variation, ~20 %
    count = rng.poisson(n * rate).astype(float)
    frame = pd.DataFrame({"c": count, "n": n})
    eff = change_effect(frame, 24, value="c", n="n", chart="p_prime")
    assert eff.dispersion > 2
    assert "quasi-Poisson" in eff.method
    exact = rate_ratio_ci(count[24:].sum(), n[24:].sum(), count[:24].sum(), n[:24].sum())
    assert eff.ci_high - eff.ci_low > 1.5 * (exact[2] - exact[1])


def test_errors():
    with pytest.raises(DataError):
        change_effect(BEFORE, 3, improvement="up")
    with pytest.raises(DataError):
        change_effect(pd.DataFrame({"c": [1, 2]}), 1, value="c", chart="p")
    with pytest.raises(DataError):
        change_effect(BEFORE, 99)
    with pytest.raises(DataError):
        change_effect(BEFORE, 12, rules="nelson")


def test_summary_is_flat_and_exported():
    s = qmsdata.change_effect(BEFORE + [9.0] * 10, 24).summary()
    assert s["verdict"] == "sustained improvement"
    assert {"before_center", "after_center", "estimate", "ci_low", "ci_high"} <= set(s)
    assert not any(isinstance(v, pd.DataFrame) for v in s.values())


# --------------------------------------------------------------------------- false alarms


def test_stationary_series_are_rarely_called_sustained_improvement():
    """Stationary series, 24 points before and 12 after a 'change' that did nothing.

    150 normal (I chart) and 150 binomial (p chart, n = 2000, p = 2 %) series, seed 20261201.
    Measured here: 1 of 300 (0.33 %) called "sustained improvement", 3 (1 %) "deterioration",
    1 "improvement not yet sustained". A larger run of the same design (2000 + 2000 series,
    same seed) measured "sustained improvement" 0.70 % (I chart) and 0.95 % (p chart),
    "deterioration" 1.15 % and 0.35 %, "improvement not yet sustained" 0.45 % and 0 %. With
    ``min_beyond=1`` (a lone point beyond the limits decides) "deterioration" was 5.2 % and
    3.3 %: limits estimated from 24 points are often a little too tight.
    """
    rng = np.random.default_rng(20261201)
    verdicts = []
    for _ in range(150):
        verdicts.append(change_effect(rng.normal(50, 5, 36), 24).verdict)
        frame = pd.DataFrame({"c": rng.binomial(2000, 0.02, 36), "n": np.full(36, 2000.0)})
        verdicts.append(change_effect(frame, 24, value="c", n="n", chart="p").verdict)
    rate = verdicts.count("sustained improvement") / len(verdicts)
    assert rate <= 0.02, rate
    assert verdicts.count("deterioration") / len(verdicts) <= 0.03
    assert verdicts.count("no detectable change") / len(verdicts) > 0.8


def test_points_on_the_centre_line_up_to_rounding_are_on_it():
    # 2 / 0.01 differs from 48 / 0.24 in the last bit: neither side of the line
    frame = pd.DataFrame({"c": np.full(24, 2.0), "n": np.full(24, 0.01)})
    eff = change_effect(frame, 14, value="c", n="n", chart="u")
    assert eff.longest_run_improvement == 0 and eff.longest_run_concern == 0
    assert eff.verdict == "no detectable change"
    assert eff.estimate == pytest.approx(1.0)
