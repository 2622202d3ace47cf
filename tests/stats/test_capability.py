"""Process capability (qmsdata.stats.capability)."""

from __future__ import annotations

import numpy as np
import pytest

import qmsdata
from qmsdata.errors import DataError
from qmsdata.stats.capability import capability_indices
from qmsdata.stats.spc import c4


def test_within_sigma_from_moving_range_and_subgroups():
    rng = np.random.default_rng(12)
    x = rng.normal(100, 2, 50)
    res = qmsdata.capability(x, lsl=94, usl=106)
    assert res.sigma_within == pytest.approx(np.abs(np.diff(x)).mean() / 1.128)
    assert res.cp == pytest.approx(12 / (6 * res.sigma_within))
    assert res.pp == pytest.approx(12 / (6 * x.std(ddof=1)))
    groups = np.repeat(np.arange(10), 5)
    sub = qmsdata.capability(x, lsl=94, usl=106, subgroup=groups)
    sbar = np.mean([x[groups == g].std(ddof=1) for g in range(10)])
    assert sub.sigma_within == pytest.approx(sbar / c4(5))


def test_one_sided_spec_and_cpm():
    x = np.array([9.8, 10.1, 10.0, 9.9, 10.2, 10.0, 10.1, 9.9, 10.0, 10.3])
    upper_only = qmsdata.capability(x, usl=11)
    assert np.isnan(upper_only.cp) and upper_only.cpk == upper_only.cpu
    with_target = qmsdata.capability(x, lsl=9, usl=11, target=10)
    s = x.std(ddof=1)
    assert with_target.cpm == pytest.approx(2 / (6 * np.sqrt(s**2 + (x.mean() - 10) ** 2)))


def test_normality_note():
    rng = np.random.default_rng(1)
    normal = qmsdata.capability(rng.normal(size=200), lsl=-4, usl=4)
    skewed = qmsdata.capability(rng.exponential(size=200), lsl=0, usl=8)
    assert "does not reject" in normal.normality
    assert "rejects normality" in skewed.normality and skewed.normality_p < 0.05
    assert "too few" in qmsdata.capability([1.0, 2.0, 1.5], lsl=0, usl=3).normality


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "at least one specification"),
        ({"lsl": 5, "usl": 1}, "below usl"),
    ],
)
def test_bad_limits(kwargs, match):
    with pytest.raises(DataError, match=match):
        qmsdata.capability([1.0, 2.0, 3.0], **kwargs)


def test_bad_values():
    with pytest.raises(DataError, match=r"\[1\]"):
        qmsdata.capability([1.0, np.nan, 3.0], lsl=0, usl=4)
    with pytest.raises(DataError, match="no spread"):
        qmsdata.capability([2.0, 2.0, 2.0], lsl=0, usl=4)
    with pytest.raises(DataError, match="sigma"):
        capability_indices(1.0, 0.0, lsl=0, usl=2)
