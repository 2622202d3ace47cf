"""Known-answer tests: every published case in tests/data/spc-cases.json.

tests/data/spc-cases.json is a copy of ../shared/reference/spc-cases.json (the tests read the
copy). Each case names its source (Montgomery, NIST/SEMATECH e-Handbook, qcc, qicharts2,
pymannkendall, SixSigma, Minitab, Anhoej & Olesen); the case id is the pytest id and the source
is printed in the failure message.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qmsdata
from qmsdata.stats import rules as R
from qmsdata.stats.capability import capability_indices

CASES = json.loads((Path(__file__).parents[1] / "data" / "spc-cases.json").read_text())["cases"]


def _by_chart(*charts: str) -> list:
    return [pytest.param(c, id=c["id"]) for c in CASES if c["chart"] in charts]


def _approx(expected, tol):
    return pytest.approx(expected, rel=tol.get("rel", 0), abs=tol.get("abs", 0))


def _one_based(mask) -> list[int]:
    return (np.flatnonzero(np.asarray(mask)) + 1).tolist()


def test_every_case_is_covered():
    # a new case in the JSON must get a test: fail loudly when a chart kind is unknown here
    known = {"xbar_r", "xbar_s", "p", "u", "i", "ewma", "cusum", "trend_test", "pareto"}
    known |= {"capability", "sigma_level", "rty", "anhoej_limits", "rules"}
    assert {c["chart"] for c in CASES} <= known
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", _by_chart("xbar_r", "xbar_s"))
def test_xbar_charts(case):
    # Montgomery piston rings (qcc data/pistonrings.txt)
    exp, tol = case["expected"], case["tolerance"]
    cc = qmsdata.control_chart(case["input"]["subgroups"], case["chart"], **case["options"])
    assert cc.sigma == _approx(exp["sigma"], tol), case["source"]
    if "center" in exp:
        assert cc.center == _approx(exp["center"], tol)
        assert cc.data["ucl"].iloc[0] == _approx(exp["ucl"], tol)
        assert cc.data["lcl"].iloc[0] == _approx(exp["lcl"], tol)
        # limits frozen for the monitored subgroups
        assert cc.data["ucl"].nunique() == 1
        assert _one_based(cc.data["sigma_signal"]) == exp["sigma_signals_1based"]
    disp_key = "r_chart" if case["chart"] == "xbar_r" else "s_chart"
    d = cc.dispersion.data.iloc[0]
    assert cc.dispersion.chart == disp_key[0]
    for key in ("center", "ucl", "lcl"):
        col = "cl" if key == "center" else key
        assert d[col] == _approx(exp[disp_key][key], {"rel": tol["rel"], "abs": 1e-12})


def test_xbar_r_chart_accepts_long_frame_with_subgroup_column():
    # same piston-ring case, given one row per observation as the API describes
    case = next(c for c in CASES if c["id"] == "montgomery-pistonrings-xbar-r")
    rows = [(g, v) for g, sub in enumerate(case["input"]["subgroups"]) for v in sub]
    df = pd.DataFrame(rows, columns=["sample", "diameter"])
    cc = qmsdata.control_chart(df, "xbar_r", value="diameter", subgroup="sample", baseline=25)
    assert cc.center == pytest.approx(74.001176, rel=1e-5)
    assert cc.data["x"].tolist() == list(range(40))
    assert (cc.data["n"] == 5).all()


@pytest.mark.parametrize("case", _by_chart("p", "u"))
def test_attribute_charts_variable_n(case):
    # Montgomery Table 7.4 and Example 7.5, qicharts2 reference outputs
    exp, tol = case["expected"], case["tolerance"]
    df = pd.DataFrame(case["input"])
    cc = qmsdata.control_chart(df, case["chart"], value="count", n="n", rules="anhoej")
    assert cc.center == _approx(exp["center"], tol), case["source"]
    for size, (lcl, ucl) in exp["limits_by_n"].items():
        rows = cc.data[cc.data["n"] == float(size)]
        assert len(rows) > 0
        # limits are printed to 8 decimals: allow half a unit in the last place (0.00256506
        # for n = 90 is 0.0025650563 unrounded, 1.7e-6 relative)
        assert rows["lcl"].to_numpy() == pytest.approx(lcl, rel=tol["rel"], abs=5e-9)
        assert rows["ucl"].to_numpy() == pytest.approx(ucl, rel=tol["rel"])
    assert _one_based(cc.data["sigma_signal"]) == exp["sigma_signals_1based"]
    summary = cc.summary()
    for key, val in exp["runs"].items():
        assert summary[key] == val, key


@pytest.mark.parametrize("case", _by_chart("i"))
def test_individuals_charts(case):
    # Montgomery viscosity (qcc) and NIST 6.3.2.2
    exp, tol = case["expected"], case["tolerance"]
    cc = qmsdata.control_chart(case["input"]["values"], "i", **case["options"])
    assert cc.center == _approx(exp["center"], tol), case["source"]
    assert cc.data["ucl"].to_numpy() == _approx(exp["ucl"], tol)
    assert cc.data["lcl"].to_numpy() == _approx(exp["lcl"], tol)
    if "sigma" in exp:
        assert cc.sigma == _approx(exp["sigma"], tol)
    if "mr_bar" in exp:
        assert cc.dispersion.center == _approx(exp["mr_bar"], tol)
    assert _one_based(cc.data["sigma_signal"]) == exp["sigma_signals_1based"]
    if "mr_chart" in exp:
        mr = cc.dispersion.data.iloc[-1]
        # NIST prints the MR UCL from MRbar rounded to 1.8778: compare at rel 1e-3 (case notes)
        rel = 1e-3 if case["id"].startswith("nist") else tol["rel"]
        assert mr["ucl"] == pytest.approx(exp["mr_chart"]["ucl"], rel=rel)
        if "lcl" in exp["mr_chart"]:
            assert mr["lcl"] == 0.0
            assert mr["cl"] == _approx(exp["mr_chart"]["center"], tol)
        assert np.isnan(cc.dispersion.data["value"].iloc[0])


@pytest.mark.parametrize("case", _by_chart("ewma"))
def test_ewma(case):
    # NIST/SEMATECH e-Handbook 6.3.2.4; the case names the option "lambda"
    exp, tol = case["expected"], case["tolerance"]
    cc = qmsdata.control_chart(case["input"]["values"], "ewma", **case["options"])
    assert cc.data["ewma"].to_numpy() == _approx(exp["ewma"], tol), case["source"]
    assert (cc.data["value"] == cc.data["ewma"]).all()
    assert cc.data["ucl"].to_numpy() == _approx(exp["ucl"], tol)
    assert cc.data["lcl"].to_numpy() == _approx(exp["lcl"], tol)
    assert _one_based(cc.data["sigma_signal"]) == exp["sigma_signals_1based"]


@pytest.mark.parametrize("case", _by_chart("cusum"))
def test_cusum(case):
    # NIST/SEMATECH 6.3.2.3 and Montgomery Table 9.1: tabular CUSUM without reset
    exp, tol = case["expected"], case["tolerance"]
    cc = qmsdata.control_chart(case["input"]["values"], "cusum", **case["options"])
    assert cc.data["s_hi"].to_numpy() == _approx(exp["s_hi"], tol), case["source"]
    signals = _one_based(cc.data["sigma_signal"])
    assert signals[0] == exp["first_signal_1based"]
    if "signals_1based" in exp:
        assert signals == exp["signals_1based"]
    assert (cc.data["s_lo"] <= 0).all()


@pytest.mark.parametrize("case", _by_chart("trend_test"))
def test_trend_test(case):
    # pymannkendall.original_test on the daily female births series
    exp, tol = case["expected"], case["tolerance"]
    res = qmsdata.trend_test(case["input"]["values"])
    assert res.trend == exp["trend"], case["source"]
    for key in ("s", "var_s", "z", "p", "tau", "slope", "intercept"):
        assert getattr(res, key) == _approx(exp[key], tol), key


@pytest.mark.parametrize("case", _by_chart("pareto"))
def test_pareto(case):
    # qcc vignette, pareto.chart example
    exp, tol = case["expected"], case["tolerance"]
    df = pd.DataFrame(case["input"])
    out = qmsdata.pareto(df, category="category", weight="count", **case["options"])
    assert out["category"].tolist() == exp["order"], case["source"]
    assert out["cum_share"].to_numpy() == _approx(exp["cum_share"], tol)
    assert out.loc[out["vital_few"], "category"].tolist() == exp["vital_few"]


@pytest.mark.parametrize("case", _by_chart("capability"))
def test_capability(case):
    # NIST 6.1.6 summary values (formula layer) and SixSigma ss.data.ca Volume (raw data)
    exp, tol = case["expected"], case["tolerance"]
    if "mean" in case["input"]:
        got = capability_indices(case["input"]["mean"], case["input"]["sigma"], **case["options"])
        for key, val in exp.items():
            assert got[key] == _approx(val, tol), (key, case["source"])
    else:
        res = qmsdata.capability(case["input"]["values"], **case["options"])
        assert res.pp == _approx(exp["pp"], tol), case["source"]
        assert res.ppk == _approx(exp["ppk"], tol)
        assert res.mean == _approx(exp["mean"], tol)
        assert res.sigma_overall == _approx(exp["s"], tol)


@pytest.mark.parametrize("case", _by_chart("sigma_level"))
def test_sigma_level_both_ways(case):
    # standard normal table with the Motorola 1.5 sigma shift
    exp, tol = case["expected"], case["tolerance"]
    levels = np.array(case["input"]["sigma_levels"], dtype=float)
    got = qmsdata.dpmo_from_sigma(levels, shift=case["options"]["shift"])
    assert got == _approx(exp["dpmo"], tol), case["source"]
    back = qmsdata.sigma_level(np.array(exp["dpmo"]), shift=case["options"]["shift"])
    assert back == pytest.approx(levels, rel=1e-4)


@pytest.mark.parametrize("case", _by_chart("rty"))
def test_rolled_throughput_yield(case):
    # Minitab support page, label process
    got = qmsdata.rolled_throughput_yield(case["input"]["step_yields"])
    assert got == _approx(case["expected"]["rty"], case["tolerance"]), case["source"]


@pytest.mark.parametrize("case", _by_chart("anhoej_limits"))
def test_anhoej_critical_values(case):
    # Anhoej & Olesen critical values (qicharts2 vignette appendix)
    run_max, cross_min = R.anhoej_limits(case["input"]["n_useful"])
    assert run_max.tolist() == case["expected"]["longest_run_max"], case["source"]
    assert cross_min.tolist() == case["expected"]["crossings_min"]


@pytest.mark.parametrize("case", _by_chart("rules"))
def test_rules(case):
    # R package qcc unit tests for run rules (tests/testthat/test-rules.R)
    opts = case["options"]
    prefix = {"western_electric": "we", "nelson": "nelson"}[opts["rule_set"]]
    rule_id = f"{prefix}_{opts['rule']}"
    values = case["input"]["values"]
    expected = case["expected"]["flagged_1based"]
    zn = R.prepare(values, opts["center"], opts["sigma"])
    assert _one_based(R.evaluate(zn, [rule_id])[rule_id][0]) == expected, case["source"]
    # the same through the public API: the rule id appears in the point's rules tuple
    cc = qmsdata.control_chart(
        values, "i", center=opts["center"], sigma=opts["sigma"], rules=opts["rule_set"]
    )
    assert _one_based(cc.data["rules"].map(lambda r: rule_id in r)) == expected
