"""Run rules (qmsdata.stats.rules): definitions, conventions, 2-D vectorisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsdata.errors import DataError
from qmsdata.stats import rules as R


def _flags(values, rule, cl=0.0, sigma=1.0):
    zn = R.prepare(values, cl, sigma)
    return (np.flatnonzero(R.evaluate(zn, [rule])[rule][0]) + 1).tolist()


def test_registry_is_a_plain_dict_of_rule_sets():
    assert set(R.RULE_SETS) == {"western_electric", "nelson", "anhoej"}
    assert list(R.RULE_SETS["western_electric"]) == [f"we_{i}" for i in range(1, 5)]
    assert list(R.RULE_SETS["nelson"]) == [f"nelson_{i}" for i in range(1, 9)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, ()),
        ("none", ()),
        ("anhoej", ("anhoej_shift",)),
        ("western_electric+anhoej", ("anhoej_shift", "we_1", "we_2", "we_3", "we_4")),
        (["nelson_2", "we_1"], ("nelson_2", "we_1")),
    ],
)
def test_resolve_rules(spec, expected):
    assert R.resolve_rules(spec) == expected


def test_unknown_rule_is_a_data_error():
    with pytest.raises(DataError, match="'nelson_9'"):
        R.resolve_rules("nelson+nelson_9")


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        # a point exactly on a limit is not beyond it
        ([0, 3.0, -3.0, 3.01], "we_1", [4]),
        # k-of-m: the latest point must be in the zone; sides do not mix
        ([2.5, 1.0, 2.6], "we_2", [3]),
        ([2.5, 2.6, 1.0], "we_2", [2]),
        ([2.5, -2.6, 2.4], "we_2", [3]),
        ([-2.5, 2.6, -1.0], "we_2", []),
        # points exactly on the centre line break a run of same-side points
        ([1] * 4 + [0] + [1] * 4, "we_4", []),
        ([1] * 10, "we_4", [8, 9, 10]),
        # trend: ties break it
        ([1, 2, 3, 3, 4, 5, 6, 7], "nelson_3", []),
        ([1, 2, 3, 4, 5, 6, 7, 8], "nelson_3", [6, 7, 8]),
        ([0.5] * 14 + [2.0], "nelson_7", []),
        ([0.5] * 15, "nelson_7", [15]),
        ([1.5, -1.5] * 4 + [1.5], "nelson_8", [8, 9]),
    ],
)
def test_rule_conventions(values, rule, expected):
    assert _flags(values, rule) == expected


def test_rules_use_the_chart_limits_for_rule_one_and_standard_errors_for_zones():
    # a p chart with truncated LCL: a point at 0 is not beyond LCL = 0
    zn = R.prepare([0.0, 0.05, 0.0], cl=0.05, sigma=0.03, lcl=0.0, ucl=0.14)
    out = R.evaluate(zn, "western_electric")
    assert not out["we_1"].any()
    # ... but it is 1.67 standard errors below the centre: zone rules still see it
    assert zn.z[0, 0] == pytest.approx(-5 / 3)


def test_anhoej_runs_skip_points_on_the_centre_line():
    # sides: + + 0 + - - | crossings 1, longest run 3 (the centre point neither breaks nor counts)
    zn = R.prepare([1, 2, 0, 3, -1, -2], 0.0)
    out = {k: int(v[0]) for k, v in R.runs_analysis(zn).items()}
    assert out["n_useful"] == 5
    assert out["longest_run"] == 3
    assert out["crossings"] == 1


def test_anhoej_shift_flags_the_run_from_the_point_that_makes_it_too_long():
    values = [1, -1] * 6 + [1] * 9  # n_useful 21 -> longest_run_max 7
    flags = _flags(values, "anhoej_shift")
    run_max, _ = R.anhoej_limits([21])
    assert run_max[0] == 7
    # the run starts at position 13 (1-based); its 8th point (position 20) makes it too long
    assert flags == [20, 21]


def test_too_few_crossings_signal():
    values = [1] * 6 + [-1] * 6 + [1] * 6 + [-1] * 6  # 24 useful, 3 crossings < 8
    r = R.runs_analysis(R.prepare(values, 0.0))
    assert r["crossings"][0] == 3 and r["crossings_min"][0] == 8
    assert r["runs_signal"][0]


def test_run_length_and_window_count_helpers():
    cond = np.array([[True, True, False, True, True, True]])
    assert R.run_length(cond).tolist() == [[1, 2, 0, 1, 2, 3]]
    assert R.window_count(cond, 3).tolist() == [[1, 2, 2, 2, 2, 3]]


def _loop_rule(values, k, m, zone):
    """Reference implementation of a k-of-m rule by an explicit loop."""
    out = []
    for i, v in enumerate(values):
        win = values[max(0, i - m + 1) : i + 1]
        hi = v > zone and sum(w > zone for w in win) >= k
        lo = v < -zone and sum(w < -zone for w in win) >= k
        out.append(hi or lo)
    return out


def _loop_same_side(values, k):
    out, run, side = [], 0, 0
    for v in values:
        s = np.sign(v)
        run = run + 1 if (s == side and s != 0) else (1 if s != 0 else 0)
        side = s
        out.append(run >= k)
    return out


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 6), width=st.integers(1, 40))
def test_vectorised_rules_equal_a_loop_row_by_row(seed, rows, width):
    rng = np.random.default_rng(seed)
    values = rng.normal(rng.normal(0, 1, (rows, 1)), 1.2, (rows, width)).round(1)
    zn = R.prepare(values, 0.0, 1.0)
    out = R.evaluate(zn, "western_electric+nelson")
    for r in range(rows):
        row = values[r].tolist()
        assert out["we_2"][r].tolist() == _loop_rule(row, 2, 3, 2.0)
        assert out["we_3"][r].tolist() == _loop_rule(row, 4, 5, 1.0)
        assert out["we_4"][r].tolist() == _loop_same_side(row, 8)
        assert out["nelson_2"][r].tolist() == _loop_same_side(row, 9)
        # each row alone gives the same answer as inside the 2-D array
        single = R.evaluate(R.prepare(row, 0.0, 1.0), "western_electric+nelson+anhoej")
        both = R.evaluate(zn, "anhoej")
        for rid in ("we_1", "nelson_3", "nelson_4", "nelson_7", "nelson_8"):
            assert (single[rid][0] == out[rid][r]).all()
        assert (single["anhoej_shift"][0] == both["anhoej_shift"][r]).all()


def test_trailing_nan_padding_never_fires():
    values = np.array([[3.5, 3.5, np.nan, np.nan], [0.1, 0.2, 0.3, 0.4]])
    out = R.evaluate(R.prepare(values, 0.0, 1.0), "western_electric+nelson+anhoej")
    for flags in out.values():
        assert not flags[0, 2:].any()


def test_include_mask_skips_points_in_the_runs_analysis():
    # excluded points are skipped like points on the centre line (qicharts2 y[include])
    zn = R.prepare([1, 1, -1, 1, 1], cl=0.0, sigma=1.0, include=[True, True, False, True, True])
    out = R.runs_analysis(zn)
    assert out["n_useful"].tolist() == [4]
    assert out["longest_run"].tolist() == [4] and out["crossings"].tolist() == [0]
    full = R.runs_analysis(R.prepare([1, 1, -1, 1, 1], cl=0.0, sigma=1.0))
    assert full["longest_run"].tolist() == [2] and full["crossings"].tolist() == [2]
