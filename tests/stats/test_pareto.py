"""Pareto analysis (qmsdata.stats.pareto)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qmsdata
from qmsdata.errors import DataError


def test_raw_records_are_counted_and_ties_sorted_by_name():
    df = pd.DataFrame({"cause": ["b", "a", "c", "a", "b", "d", "c"]})
    out = qmsdata.pareto(df, category="cause")
    assert out["category"].tolist() == ["a", "b", "c", "d"]
    assert out["count"].tolist() == [2, 2, 2, 1]
    assert list(out.columns) == ["category", "count", "share", "cum_share", "vital_few"]
    assert out["cum_share"].iloc[-1] == 1.0


def test_weight_column_is_summed():
    df = pd.DataFrame({"cause": ["x", "y", "x"], "cost": [10.0, 50.0, 5.0]})
    out = qmsdata.pareto(df, category="cause", weight="cost")
    assert out["category"].tolist() == ["y", "x"]
    assert out["count"].tolist() == [50.0, 15.0]


def test_vital_few_is_the_smallest_set_reaching_the_share():
    df = pd.DataFrame({"c": list("abc"), "n": [50, 35, 15]})
    out = qmsdata.pareto(df, category="c", weight="n")
    assert out["vital_few"].tolist() == [True, True, False]  # 50 % then 85 % >= 80 %


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 12))
def test_conservation_and_order(seed, k):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"c": rng.choice([f"cat{i}" for i in range(k)], 200)})
    out = qmsdata.pareto(df, category="c")
    assert out["count"].sum() == 200
    assert (np.diff(out["count"]) <= 0).all()
    assert out["share"].sum() == pytest.approx(1.0)
    assert out["vital_few"].iloc[0]
    assert (out["vital_few"].astype(int).diff().fillna(0) <= 0).all()  # a leading block


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"c": ["a", None]}), {}, r"position\(s\) \[1\]"),
        (pd.DataFrame({"c": ["a"], "w": [-1]}), {"weight": "w"}, "negative"),
        (pd.DataFrame({"c": ["a"]}), {"weight": "w"}, "'w'"),
        (pd.DataFrame({"c": ["a"]}), {"vital_share": 0}, "vital_share"),
    ],
)
def test_bad_input(frame, kwargs, match):
    with pytest.raises(DataError, match=match):
        qmsdata.pareto(frame, category="c", **kwargs)
