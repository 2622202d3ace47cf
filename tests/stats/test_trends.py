"""Mann-Kendall trend test and Sen's slope (qmsdata.stats.trends)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import qmsdata
from qmsdata.errors import DataError
from qmsdata.stats.trends import mann_kendall


def _reference(x):
    """Textbook Mann-Kendall by explicit loops (Mann 1945, Kendall 1975, Sen 1968)."""
    idx = [i for i, v in enumerate(x) if not np.isnan(v)]
    v = [x[i] for i in idx]
    n = len(v)
    s = sum(np.sign(v[j] - v[i]) for i, j in itertools.combinations(range(n), 2))
    ties = pd.Series(v).value_counts()
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    z = (s - np.sign(s)) / np.sqrt(var) if s else 0.0
    slopes = [(x[j] - x[i]) / (j - i) for i, j in itertools.combinations(idx, 2)]
    slope = np.median(slopes)
    return s, var, z, 2 * stats.norm.sf(abs(z)), slope, np.median(v) - np.median(idx) * slope


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 30), nan_share=st.floats(0, 0.3))
def test_equals_a_loop_reference_with_ties_and_gaps(seed, n, nan_share):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, n).astype(float) + 0.3 * np.arange(n) * rng.choice([-1, 0, 1])
    x[rng.random(n) < nan_share] = np.nan
    if np.count_nonzero(~np.isnan(x)) < 4:
        return
    res = qmsdata.trend_test(x)
    s, var, z, p, slope, intercept = _reference(list(x))
    assert (res.s, res.var_s) == (s, pytest.approx(var))
    assert res.z == pytest.approx(z) and res.p == pytest.approx(p)
    assert res.slope == pytest.approx(slope) and res.intercept == pytest.approx(intercept)


def test_short_series_give_insufficient_data_not_an_exception():
    for x in ([], [1.0], [1.0, 2.0, 3.0], [1.0, np.nan, 2.0, 3.0, np.nan]):
        res = qmsdata.trend_test(x)
        assert res.trend == "insufficient data"
        assert np.isnan(res.p)


def test_series_with_period_index_and_gaps_keeps_spacing():
    idx = pd.period_range("2024-01", periods=8, freq="M")
    x = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, np.nan, 7.0, 8.0], index=idx)
    res = qmsdata.trend_test(x)
    assert res.slope == pytest.approx(1.0)  # per month, gaps kept
    assert res.intercept == pytest.approx(1.0)
    assert res.n == 6 and res.trend == "increasing"


@pytest.mark.parametrize(
    ("x", "trend"),
    [
        (np.arange(10.0), "increasing"),
        (-np.arange(10.0), "decreasing"),
        ([1.0, 2.0] * 5, "no trend"),
    ],
)
def test_verdicts(x, trend):
    assert qmsdata.trend_test(x).trend == trend


def test_constant_series_has_no_trend():
    res = qmsdata.trend_test([3.0] * 10)
    assert res.trend == "no trend" and res.s == 0 and res.slope == 0


def test_many_rows_at_once_equal_one_by_one():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(25, 12)).cumsum(axis=1)
    x[3, 9:] = np.nan
    out = mann_kendall(x)
    for r in range(25):
        one = qmsdata.trend_test(x[r])
        assert out["trend"][r] == one.trend
        assert out["p"][r] == pytest.approx(one.p)


def test_bad_input():
    with pytest.raises(DataError, match="numeric"):
        qmsdata.trend_test(["a", "b", "c", "d"])
    with pytest.raises(DataError, match="alpha"):
        qmsdata.trend_test([1, 2, 3, 4], alpha=2)
