"""Quality rates (qmsdata.stats.rates)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qmsdata
from qmsdata.errors import DataError
from qmsdata.stats.rates import LONG_TERM_SHIFT


def test_ppm_and_dpmo():
    assert qmsdata.ppm(5, 20_000) == 250.0
    # 3 defects on 100 units with 10 opportunities each: 3000 DPMO
    assert qmsdata.dpmo(3, 100, 10) == pytest.approx(3000.0)
    assert qmsdata.ppm(np.array([1, 2]), np.array([10, 10])).tolist() == [1e5, 2e5]


def test_six_sigma_is_3_4_dpmo_with_the_named_shift():
    # the Motorola convention: 6 sigma short term, 1.5 sigma long-term shift -> 3.4 DPMO
    assert LONG_TERM_SHIFT == 1.5
    assert qmsdata.dpmo_from_sigma(6) == pytest.approx(3.4, abs=0.01)
    assert qmsdata.sigma_level(3.4) == pytest.approx(6.0, abs=1e-3)
    assert qmsdata.sigma_level(3.4, shift=0) == pytest.approx(4.5, abs=1e-3)


@settings(max_examples=50, deadline=None)
@given(sigma=st.floats(0.5, 7.5))
def test_sigma_level_round_trip(sigma):
    assert qmsdata.sigma_level(qmsdata.dpmo_from_sigma(sigma)) == pytest.approx(sigma, rel=1e-9)


def test_yields():
    assert qmsdata.first_pass_yield(90, 100) == 0.9
    assert qmsdata.rolled_throughput_yield([0.9, 0.9]) == pytest.approx(0.81)


def test_funnel_limits_narrow_with_size():
    out = qmsdata.funnel_limits([50, 200, 800], center=0.1)
    assert list(out.columns) == ["n", "center", "lower_95", "upper_95", "lower_998", "upper_998"]
    assert out["upper_95"].iloc[0] == pytest.approx(0.1 + 1.959964 * np.sqrt(0.09 / 50))
    assert (np.diff(out["upper_998"]) < 0).all() and (out["upper_998"] > out["upper_95"]).all()
    rate = qmsdata.funnel_limits([1.0, 4.0], center=2.0, kind="rate")
    assert rate["upper_95"].iloc[1] == pytest.approx(2 + 1.959964 * np.sqrt(2 / 4))
    assert (rate["lower_998"] >= 0).all()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: qmsdata.ppm(1, 0), "denominator"),
        (lambda: qmsdata.ppm(-1, 10), "negative"),
        (lambda: qmsdata.first_pass_yield(11, 10), "exceeds"),
        (lambda: qmsdata.sigma_level(0), "strictly between"),
        (lambda: qmsdata.rolled_throughput_yield([0.9, 1.2]), "between 0 and 1"),
        (lambda: qmsdata.rolled_throughput_yield([]), "at least one"),
        (lambda: qmsdata.funnel_limits([10], center=1.5), "proportion"),
        (lambda: qmsdata.funnel_limits([0], center=0.5), "positive"),
        (lambda: qmsdata.ppm(np.nan, 10), "NaN"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DataError, match=match):
        call()
