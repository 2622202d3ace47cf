"""Control charts: limits, signals and the board verdict, computed, not drawn.

One entry point, :func:`control_chart`, dispatches through the plain-dict registry
:data:`CHARTS` (chart name -> :class:`ChartType`: its limit function and the facts the engine
needs about it, one row per chart). Every limit function is vectorised over the points of one
phase; the run rules come from :mod:`qmsdata.stats.rules`. A new chart type is one limit
function and one registry row.

Conventions (the same for every chart)
--------------------------------------
- Rows are in time order; positions (``exclude``, ``baseline``) are 0-based like ``iloc``.
- A point signals only when it is *strictly* beyond a limit.
- LCL is truncated at 0 where the statistic cannot be negative (p, np, c, u, p', u', g, t and
  the MR, R and S charts); the p and p' UCL is capped at 1 and the np UCL at n.
- I chart sigma = mean moving range of the baseline points / 1.128; xbar-R sigma = Rbar/d2(n);
  xbar-S sigma = sbar/c4(n). With unequal subgroup sizes the subgroup estimates are pooled with
  Burr's weights, (d2/d3)**2 for R/d2 and c4**2/(1-c4**2) for s/c4: the minimum-variance linear
  unbiased estimators ``std.dev = "MVLUE-R"`` and ``"MVLUE-SD"`` of qcc's ``sd.xbar`` (qcc's
  default, ``"UWAVE-R"``, is the unweighted average; with equal sizes the two coincide).
- ``baseline=N``: limits from the first N points of each phase, frozen for the rest.
- ``exclude``: positions left out of the limit calculation but still plotted and tested against
  the limits (and the Western Electric / Nelson rules); a moving range touching an excluded point
  is left out too. Excluded points also leave the Anhoej runs analysis, as in qicharts2
  (Anhoej's own implementation: ``runs.analysis`` keeps ``y[include]``): they do not count in
  ``n_useful``, and runs and crossings are counted as if they were not there (a run continues
  across an excluded point). The ``anhoej_shift`` rule never flags an excluded point. The
  baseline does not limit the runs analysis: it covers every non-excluded point of the phase.
- ``phase``: a column whose value changes start a new set of limits (rebasing).
- Verdicts need data: when the current (last) phase has fewer than
  :data:`qmsdata.stats.MIN_POINTS` (12) points (:func:`qmsdata.stats.enough_points`),
  or the limits cannot be estimated, the chart is marked ``insufficient`` and ``summary()`` reports
  the variation ``"insufficient data"``; the limits are still given when they can be computed.

References
----------
Montgomery, D. C. *Introduction to Statistical Quality Control*, 7th ed., Wiley 2013: chapter 6
(xbar-R, xbar-S, individuals and MR charts), chapter 7 (p, np, c, u charts), chapter 9 (CUSUM and
EWMA).
NIST/SEMATECH *e-Handbook of Statistical Methods*, sections 6.3.2.1-6.3.2.4.
Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering* 14(4), 531-537.
Benneyan, J. C. (2001). Number-between g-type statistical quality control charts for monitoring
adverse events. *Health Care Management Science* 4, 305-318.
Provost, L. P. and Murray, S. K. (2011). *The Health Care Data Guide* (t chart, x**(1/3.6)).
Anhoej, J. and Olesen, A. V. (2014). Run charts revisited. *PLoS ONE* 9(11): e113825.
Burr, I. W. (1969). Control charts for measurements with varying sample sizes. *Journal of
Quality Technology* 1(3), 163-167.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal as sps
from scipy import special

import qmsdata.stats as _stats
from qmsdata.errors import DataError
from qmsdata.stats import MIN_POINTS, enough_points
from qmsdata.stats import rules as rules_mod

__all__ = [
    "CHARTS",
    "ChartType",
    "D2",
    "D3",
    "MIN_POINTS",
    "ControlChart",
    "c4",
    "control_chart",
]

#: d2(n) = E[range of n standard normals], to 3 decimals as tabulated in Montgomery Appendix VI
#: (and qcc); n = 2..25.
D2: dict[int, float] = {
    2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970, 10: 3.078,
    11: 3.173, 12: 3.258, 13: 3.336, 14: 3.407, 15: 3.472, 16: 3.532, 17: 3.588, 18: 3.640,
    19: 3.689, 20: 3.735, 21: 3.778, 22: 3.819, 23: 3.858, 24: 3.895, 25: 3.931,
}  # fmt: skip

#: d3(n) = standard deviation of the range of n standard normals, computed by numerical
#: integration of the range distribution (d3(2) = sqrt(2 - 4/pi) exactly); n = 2..25.
D3: dict[int, float] = {
    2: 0.8525025, 3: 0.8883680, 4: 0.8798082, 5: 0.8640819, 6: 0.8480397, 7: 0.8332053,
    8: 0.8198315, 9: 0.8078343, 10: 0.7970507, 11: 0.7873146, 12: 0.7784783, 13: 0.7704162,
    14: 0.7630231, 15: 0.7562114, 16: 0.7499081, 17: 0.7440518, 18: 0.7385909, 19: 0.7334815,
    20: 0.7286863, 21: 0.7241733, 22: 0.7199148, 23: 0.7158867, 24: 0.7120682, 25: 0.7084408,
}  # fmt: skip

#: MR chart UCL factor D4 for n = 2 as printed by Montgomery (6.4) and NIST 6.3.2.2
D4_MR = 3.267

_VARIATIONS = ("common_cause", "special_cause_improvement", "special_cause_concern")


def c4(n):
    """Return the bias-correction constant c4(n) = E[s]/sigma for samples of size n.

    ``c4(n) = sqrt(2/(n-1)) * Gamma(n/2) / Gamma((n-1)/2)`` (Montgomery Appendix VI).
    """
    n = np.asarray(n, dtype=float)
    return np.sqrt(2.0 / (n - 1)) * np.exp(special.gammaln(n / 2) - special.gammaln((n - 1) / 2))


def _d_table(table: dict[int, float], n: np.ndarray, chart: str) -> np.ndarray:
    sizes = np.asarray(n, dtype=int)
    bad = sorted(set(sizes.tolist()) - set(table))
    if bad:
        raise DataError(
            f"{chart} chart: no d2/d3 constants for subgroup size {bad[0]}",
            hint="Use subgroups of 2 to 25 observations, or the xbar_s chart for larger ones.",
        )
    return np.array([table[s] for s in sizes.tolist()], dtype=float)


# --------------------------------------------------------------------------- limit functions
#
# Each takes the point arrays of one phase (dict of 1-D arrays), the mask of points used for
# estimation, and the options; it returns a dict with the display arrays "value", "cl", "ucl",
# "lcl", the rule-scale arrays "r_value", "r_cl", "r_se", "r_ucl", "r_lcl", the floats "center"
# and "sigma", optional "extra" columns and an optional "disp" (dispersion chart arrays).


@dataclass
class _Opts:
    nsigmas: float
    center: float | None
    sigma: float | None
    lam: float = 0.2
    limits: str = "exact"
    k: float | None = None
    h: float | None = None
    target: float | None = None


def _mr_sigma(values: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, float]:
    """Return the moving ranges (NaN first) and the mean moving range of the used pairs."""
    mr = np.full(values.shape, np.nan)
    mr[1:] = np.abs(np.diff(values))
    pair = np.zeros(values.shape, dtype=bool)
    pair[1:] = used[1:] & used[:-1]
    mr_bar = float(mr[pair].mean()) if pair.any() else np.nan
    return mr, mr_bar


def _result(value, cl, se, o: _Opts, *, lo=None, hi=None, center, sigma, **more) -> dict:
    """Assemble a limit-function result where display scale = rule scale."""
    value = np.asarray(value, dtype=float)
    cl = np.broadcast_to(np.asarray(cl, dtype=float), value.shape).copy()
    se = np.broadcast_to(np.asarray(se, dtype=float), value.shape).copy()
    ucl = cl + o.nsigmas * se
    lcl = cl - o.nsigmas * se
    if lo is not None:
        lcl = np.maximum(lcl, lo)
    if hi is not None:
        ucl = np.minimum(ucl, hi)
    out = {"value": value, "cl": cl, "ucl": ucl, "lcl": lcl, "center": center, "sigma": sigma}
    out.update(r_value=value, r_cl=cl, r_se=se, r_ucl=ucl, r_lcl=lcl)
    out.update(more)
    return out


def _chart_run(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Run chart: the median of the baseline as centre line, no limits."""
    value = p["value"] / p["n"]
    cl = float(np.median(value[used])) if o.center is None else o.center
    return _result(value, cl, np.nan, o, center=cl, sigma=np.nan)


def _chart_i(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Individuals chart with its moving-range chart (Montgomery 6.4, NIST 6.3.2.2)."""
    x = p["value"]
    mr, mr_bar = _mr_sigma(x, used)
    center = float(x[used].mean()) if o.center is None else o.center
    sigma = mr_bar / D2[2] if o.sigma is None else o.sigma
    mr_cl = mr_bar if o.sigma is None else D2[2] * o.sigma
    d4 = D4_MR if o.nsigmas == 3 else 1 + o.nsigmas * D3[2] / D2[2]
    disp = {
        "value": mr,
        "cl": np.full(x.shape, mr_cl),
        "ucl": np.full(x.shape, d4 * mr_cl),
        "lcl": np.full(x.shape, max(0.0, (2 - d4) * mr_cl)),
        "center": mr_cl,
        "sigma": D3[2] * sigma,
        "chart": "mr",
    }
    return _result(x, center, sigma, o, center=center, sigma=sigma, disp=disp)


def _chart_xbar(p: dict, used: np.ndarray, o: _Opts, kind: str) -> dict:
    """Shared xbar-R / xbar-S limits (Montgomery 6.2-6.3; Burr 1969 for unequal sizes)."""
    size, mean = p["n"], p["value"]
    if kind == "r":
        d2 = _d_table(D2, size, "xbar_r")
        d3 = _d_table(D3, size, "xbar_r")
        w = (d2 / d3) ** 2
        est = p["range"] / d2
        disp_cl, disp_sd = d2, d3
        stat = p["range"]
    else:
        cc = c4(size)
        w = cc**2 / (1 - cc**2)
        est = p["sd"] / cc
        disp_cl, disp_sd = cc, np.sqrt(1 - cc**2)
        stat = p["sd"]
    sizes_used = size[used]
    if o.sigma is not None:
        sigma = o.sigma
    elif np.all(sizes_used == sizes_used[0]):
        sigma = float(stat[used].mean() / (disp_cl[used][0]))
    else:
        sigma = float(np.sum(w[used] * est[used]) / np.sum(w[used]))
    center = float(np.sum(size[used] * mean[used]) / np.sum(size[used]))
    if o.center is not None:
        center = o.center
    dcl = disp_cl * sigma
    disp = {
        "value": stat,
        "cl": dcl,
        "ucl": dcl + o.nsigmas * disp_sd * sigma,
        "lcl": np.maximum(0.0, dcl - o.nsigmas * disp_sd * sigma),
        "center": float(dcl[-1]),
        "sigma": float(disp_sd[-1] * sigma),
        "chart": kind,
    }
    return _result(mean, center, sigma / np.sqrt(size), o, center=center, sigma=sigma, disp=disp)


def _chart_xbar_r(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Xbar chart with the R chart; sigma = Rbar / d2(n)."""
    return _chart_xbar(p, used, o, "r")


def _chart_xbar_s(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Xbar chart with the S chart; sigma = sbar / c4(n)."""
    return _chart_xbar(p, used, o, "s")


def _rate_center(p: dict, used: np.ndarray, o: _Opts) -> float:
    if o.center is not None:
        return o.center
    return float(p["value"][used].sum() / p["n"][used].sum())


def _chart_p(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Proportion chart, limits per sample size (Montgomery 7.2)."""
    pbar = _rate_center(p, used, o)
    unit = np.sqrt(pbar * (1 - pbar)) if o.sigma is None else o.sigma
    value = p["value"] / p["n"]
    return _result(value, pbar, unit / np.sqrt(p["n"]), o, lo=0.0, hi=1.0, center=pbar, sigma=unit)


def _chart_np(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Number-nonconforming chart (Montgomery 7.2.2)."""
    pbar = _rate_center(p, used, o)
    unit = np.sqrt(pbar * (1 - pbar)) if o.sigma is None else o.sigma
    n = p["n"]
    return _result(
        p["value"], n * pbar, unit * np.sqrt(n), o, lo=0.0, hi=n, center=pbar, sigma=unit
    )


def _chart_c(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Count-of-defects chart (Montgomery 7.3.1)."""
    cbar = float(p["value"][used].mean()) if o.center is None else o.center
    sigma = np.sqrt(cbar) if o.sigma is None else o.sigma
    return _result(p["value"], cbar, sigma, o, lo=0.0, center=cbar, sigma=sigma)


def _chart_u(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Defects-per-unit chart, limits per number of inspection units (Montgomery 7.3.2)."""
    ubar = _rate_center(p, used, o)
    unit = np.sqrt(ubar) if o.sigma is None else o.sigma
    value = p["value"] / p["n"]
    return _result(value, ubar, unit / np.sqrt(p["n"]), o, lo=0.0, center=ubar, sigma=unit)


def _laney(base: dict, used: np.ndarray, o: _Opts, hi: float | None) -> dict:
    """Widen a p or u chart by the moving-range sigma of its z-scores (Laney 2002)."""
    z = (base["value"] - base["cl"]) / base["r_se"]
    _, mr_bar = _mr_sigma(z, used)
    sigma_z = mr_bar / D2[2]
    se = base["r_se"] * sigma_z
    return _result(
        base["value"], base["cl"], se, o, lo=0.0, hi=hi,
        center=base["center"], sigma=base["sigma"] * sigma_z, sigma_z=sigma_z,
    )  # fmt: skip


def _chart_p_prime(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Laney p' chart for large samples with overdispersion (Laney 2002)."""
    base = _chart_p(p, used, _Opts(nsigmas=o.nsigmas, center=o.center, sigma=None))
    return _laney(base, used, o, 1.0)


def _chart_u_prime(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Laney u' chart for large areas of opportunity with overdispersion (Laney 2002)."""
    base = _chart_u(p, used, _Opts(nsigmas=o.nsigmas, center=o.center, sigma=None))
    return _laney(base, used, o, None)


def _chart_g(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """G chart of the number of units between events, geometric limits (Benneyan 2001)."""
    gbar = float(p["value"][used].mean()) if o.center is None else o.center
    sigma = np.sqrt(gbar * (gbar + 1)) if o.sigma is None else o.sigma
    return _result(p["value"], gbar, sigma, o, lo=0.0, center=gbar, sigma=sigma)


def _chart_t(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """T chart of time between events: I chart of t**(1/3.6), back-transformed."""
    y = p["value"] ** (1 / 3.6)
    yo = _Opts(
        nsigmas=o.nsigmas,
        center=None if o.center is None else o.center ** (1 / 3.6),
        sigma=o.sigma,
    )
    base = _chart_i({"value": y}, used, yo)
    back = {k: np.maximum(base[k], 0.0) ** 3.6 for k in ("cl", "ucl", "lcl")}
    return {
        **{k: base[k] for k in ("r_value", "r_cl", "r_se", "r_ucl", "r_lcl")},
        "value": p["value"],
        **back,
        "center": float(back["cl"][0]),
        "sigma": base["sigma"],
    }


def _sigma_from_mr(x: np.ndarray, used: np.ndarray) -> float:
    return _mr_sigma(x, used)[1] / D2[2]


def _chart_ewma(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """EWMA chart, z_i = lam x_i + (1 - lam) z_(i-1), z_0 = centre (Montgomery 9.2, NIST 6.3.2.4).

    ``limits="exact"`` uses the time-varying factor sqrt(lam/(2-lam) (1-(1-lam)**(2i)));
    ``"asymptotic"`` the steady-state sqrt(lam/(2-lam)). Sigma defaults to the I-chart estimate.
    """
    x = p["value"]
    lam = o.lam
    center = float(x[used].mean()) if o.center is None else o.center
    sigma = _sigma_from_mr(x, used) if o.sigma is None else o.sigma
    z, _ = sps.lfilter([lam], [1.0, -(1.0 - lam)], x, zi=[(1.0 - lam) * center])
    i = np.arange(1, len(x) + 1)
    factor = np.full(len(x), lam / (2 - lam))
    if o.limits == "exact":
        factor = factor * (1 - (1 - lam) ** (2 * i))
    se = sigma * np.sqrt(factor)
    extra = {"observation": x, "ewma": z}
    return _result(z, center, se, o, center=center, sigma=sigma, extra=extra)


def _chart_cusum(p: dict, used: np.ndarray, o: _Opts) -> dict:
    """Tabular CUSUM, upper and lower sums, no reset after a signal (Montgomery 9.1, NIST 6.3.2.3).

    ``s_hi(i) = max(0, s_hi(i-1) + x_i - (mu0 + k))`` and ``s_lo(i) = min(0, s_lo(i-1) + x_i -
    (mu0 - k))`` (the lower sum is reported as a negative number, as qcc draws it). mu0 is
    ``center``, else ``target``, else the baseline mean; ``k`` and ``h`` are in data units and
    default to 0.5 and 5 sigma (sigma from the moving range). Computed in closed form with the
    Lindley identity ``S_i = C_i - min(0, C_1..C_i)`` on the cumulative sums C.
    """
    x = p["value"]
    mu0 = o.center if o.center is not None else o.target
    mu0 = float(x[used].mean()) if mu0 is None else float(mu0)
    if o.sigma is not None:
        sigma = float(o.sigma)
    elif o.k is None or o.h is None:
        sigma = _sigma_from_mr(x, used)
    else:
        sigma = np.nan  # not needed: k and h given in data units
    k = 0.5 * sigma if o.k is None else o.k
    h = 5.0 * sigma if o.h is None else o.h
    c_hi = np.cumsum(x - (mu0 + k))
    s_hi = c_hi - np.minimum.accumulate(np.minimum(c_hi, 0.0))
    c_lo = np.cumsum((mu0 - k) - x)
    s_lo = -(c_lo - np.minimum.accumulate(np.minimum(c_lo, 0.0)))
    n = len(x)
    out = {
        "value": x,
        "cl": np.zeros(n),
        "ucl": np.full(n, float(h)),
        "lcl": np.full(n, -float(h)),
        "center": mu0,
        "sigma": sigma,
        "extra": {"s_hi": s_hi, "s_lo": s_lo},
        "beyond": (s_hi > h) | (s_lo < -h),
        "direction": np.where(s_hi > h, 1.0, np.where(s_lo < -h, -1.0, 0.0)),
    }
    out.update(r_value=x, r_cl=np.full(n, mu0), r_se=np.full(n, np.nan))
    out.update(r_ucl=out["ucl"], r_lcl=out["lcl"])
    return out


@dataclass(frozen=True)
class ChartType:
    """One row of the chart registry: the limit function and what the engine must know.

    Attributes
    ----------
    limits : callable
        ``limits(points, used, opts) -> dict`` for the points of one phase (see the limit
        functions above).
    nonneg : bool
        The charted values cannot be negative (counts, units between events, times): a negative
        value is a DataError.
    proportion : bool
        The value is a count out of ``n`` (p, np, p'): a count above ``n`` is a DataError.
    needs_n : bool
        ``n=`` (sample size or inspection units) is required.
    subgrouped : bool
        Points are subgroups of observations (one row per observation plus ``subgroup=``, or a
        list of lists): the xbar charts.
    rules : {"all", "sigma_free", "none"}
        Which run rules apply: all requested ones; only those that need no standard error plus
        Anhoej's shift rule (run chart: no sigma); none (EWMA, CUSUM: their points are
        autocorrelated, they are judged by their own limits only).
    has_limits : bool
        The chart has control limits (False for the run chart).
    own_signals : bool
        The chart signals on its own statistic (CUSUM sums against h), not on the centre line
        and limits of the values: no centre-line or limit check for the verdict, no assurance.
    options : frozenset of str
        Chart-specific keyword options accepted by :func:`control_chart`.
    """

    limits: Callable[[dict, np.ndarray, _Opts], dict]
    nonneg: bool = False
    proportion: bool = False
    needs_n: bool = False
    subgrouped: bool = False
    rules: str = "all"
    has_limits: bool = True
    own_signals: bool = False
    options: frozenset[str] = frozenset()


#: chart name -> :class:`ChartType`. A plain dict: a new chart is a new row.
CHARTS: dict[str, ChartType] = {
    "run": ChartType(_chart_run, rules="sigma_free", has_limits=False),
    "i": ChartType(_chart_i),
    "xbar_r": ChartType(_chart_xbar_r, subgrouped=True),
    "xbar_s": ChartType(_chart_xbar_s, subgrouped=True),
    "p": ChartType(_chart_p, nonneg=True, needs_n=True, proportion=True),
    "np": ChartType(_chart_np, nonneg=True, needs_n=True, proportion=True),
    "c": ChartType(_chart_c, nonneg=True),
    "u": ChartType(_chart_u, nonneg=True, needs_n=True),
    "p_prime": ChartType(_chart_p_prime, nonneg=True, needs_n=True, proportion=True),
    "u_prime": ChartType(_chart_u_prime, nonneg=True, needs_n=True),
    "g": ChartType(_chart_g, nonneg=True),
    "t": ChartType(_chart_t, nonneg=True),
    "ewma": ChartType(_chart_ewma, rules="none", options=frozenset({"lam", "limits"})),
    "cusum": ChartType(_chart_cusum, rules="none", own_signals=True, options=frozenset({"k", "h"})),
}


# --------------------------------------------------------------------------- the result


@dataclass(eq=False)
class ControlChart:
    """A computed control chart: one row per point plus the verdict.

    Attributes
    ----------
    chart : str
        Chart name (``"i"``, ``"p"``, ..., or ``"mr"``, ``"r"``, ``"s"`` for a dispersion chart).
    data : DataFrame
        Columns ``x, value, n, cl, ucl, lcl, sigma_signal, rules, phase, excluded, variation``;
        EWMA adds ``observation, ewma``, CUSUM adds ``s_hi, s_lo``.
    center, sigma : float
        Centre line and process sigma of the current (last) phase. For p/np charts sigma is
        sqrt(pbar(1 - pbar)), for u charts sqrt(ubar) (per unit; the standard error of a point
        is sigma / sqrt(n)); for t charts it is on the transformed scale.
    rules : tuple of str
        Rule ids that were applied.
    runs : dict
        Anhoej run analysis of the current phase (see :func:`rules.runs_analysis`).
    insufficient : bool
        True when there are too few points for a verdict (see :data:`qmsdata.stats.MIN_POINTS`).
    message : str or None
        Why the verdict is "insufficient data".
    dispersion : ControlChart or None
        The MR (for ``"i"``), R (``"xbar_r"``) or S (``"xbar_s"``) chart.
    """

    chart: str
    data: pd.DataFrame
    center: float
    sigma: float
    rules: tuple[str, ...] = ()
    improvement: str | None = None
    target: float | None = None
    runs: dict = field(default_factory=dict)
    insufficient: bool = False
    message: str | None = None
    dispersion: ControlChart | None = None

    @property
    def signals(self) -> pd.DataFrame:
        """Rows where a limit was crossed or a rule fired."""
        d = self.data
        return d[d["sigma_signal"] | (d["rules"].map(len) > 0)]

    @property
    def variation(self) -> str:
        """Verdict of the chart: the variation of its last point, or ``"insufficient data"``."""
        if self.insufficient:
            return "insufficient data"
        return str(self.data["variation"].iloc[-1])

    @property
    def assurance(self) -> str | None:
        """Can the process be relied on to meet the target? (NHSRplotthedots' definition).

        With a target and an improvement direction, from the limits of the last point:
        ``"consistent_pass"`` when both limits are on the passing side of the target (a limit
        equal to the target counts as passing), ``"consistent_fail"`` when both are on the
        failing side, ``"inconsistent"`` when the target lies between them; None otherwise
        (no target, no direction, no limits, or a CUSUM chart).
        """
        kind = CHARTS.get(self.chart)
        if self.target is None or self.improvement is None or (kind and kind.own_signals):
            return None
        last = self.data.iloc[-1]
        lcl, ucl, t = float(last["lcl"]), float(last["ucl"]), float(self.target)
        if np.isnan(lcl) or np.isnan(ucl):
            return None
        if self.improvement == "increase":
            good, bad = lcl >= t, ucl < t
        else:
            good, bad = ucl <= t, lcl > t
        return "consistent_pass" if good else "consistent_fail" if bad else "inconsistent"

    def summary(self) -> dict[str, Any]:
        """Return the chart's verdict as a mapping.

        Keys: chart, center, sigma, n_points (current phase), n_useful, longest_run,
        longest_run_max, crossings, crossings_min, runs_signal (Anhoej, current phase),
        sigma_signals (points beyond a limit, whole chart), variation (the variation of the last
        point, or ``"insufficient data"``), assurance, insufficient, message.
        """
        last_phase = self.data["phase"].iloc[-1]
        cur = self.data[self.data["phase"] == last_phase] if last_phase is not None else self.data
        out: dict[str, Any] = {
            "chart": self.chart,
            "center": self.center,
            "sigma": self.sigma,
            "n_points": len(cur),
        }
        for key in ("n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"):
            out[key] = int(self.runs[key]) if key in self.runs else None
        out["runs_signal"] = bool(self.runs["runs_signal"]) if self.runs else None
        out["sigma_signals"] = int(self.data["sigma_signal"].sum())
        out["variation"] = self.variation
        out["assurance"] = self.assurance
        out["insufficient"] = self.insufficient
        out["message"] = self.message
        return out


# --------------------------------------------------------------------------- input handling


def _numeric(values: Any, what: str, column: str | None) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be numeric", column=column) from exc
    bad = np.flatnonzero(np.isnan(arr)) if arr.ndim == 1 else np.array([], dtype=int)
    if bad.size:
        raise DataError(
            f"{what} is missing (NaN) at 0-based position(s) {bad[:10].tolist()}",
            column=column,
            hint="Drop or fill those rows before charting.",
        )
    return arr


def _column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in data.columns:
        raise DataError(
            f"{role} column {name!r} not found; columns are {list(data.columns)}",
            column=name,
        )
    return data[name]


def _read(
    data: Any, chart: str, value: str | None, n: str | None, subgroup: str | None,
    x: str | None, phase: str | None,
) -> tuple[dict, np.ndarray, np.ndarray | None]:  # fmt: skip
    """Return (point arrays, x, phase labels) for the chart's points."""
    is_frame = isinstance(data, pd.DataFrame)
    if is_frame and value is None:
        raise DataError("pass value= naming the column to chart", hint="e.g. value='complaints'")
    kind = CHARTS[chart]
    if kind.subgrouped:
        return _read_xbar(data, chart, value, subgroup, x, phase)
    if is_frame:
        raw = _column(data, str(value), "value")
        n_raw = _column(data, n, "n") if n is not None else None
        xs = _column(data, x, "x").to_numpy() if x is not None else np.arange(len(data))
        ph = _column(data, phase, "phase").to_numpy() if phase is not None else None
    else:
        if n is not None or x is not None or phase is not None or subgroup is not None:
            raise DataError("n, x, phase and subgroup name columns: pass a DataFrame as data")
        if np.ndim(data) != 1:
            raise DataError(
                "data must be a DataFrame or a flat sequence of numbers for this chart",
                hint="Subgroups (a list of lists) are for the xbar_r and xbar_s charts.",
            )
        raw = pd.Series(np.asarray(data, dtype=object))
        n_raw, ph = None, None
        xs = np.arange(len(raw))
    if len(raw) == 0:
        raise DataError("no data points to chart", column=value)
    vals = _numeric(raw, "value", value)
    if vals.ndim != 1:
        raise DataError("value must be one-dimensional for this chart", column=value)
    if kind.needs_n and n_raw is None:
        raise DataError(f"the {chart} chart needs n= (sample size or inspection units)")
    if n_raw is not None:
        nn = _numeric(n_raw, "n (denominator)", n)
        bad = np.flatnonzero(nn <= 0)
        if bad.size:
            raise DataError(
                f"n must be positive; zero or negative at 0-based position(s) {bad[:10].tolist()}",
                column=n,
            )
    else:
        nn = np.ones(len(vals))
    if kind.nonneg:
        bad = np.flatnonzero(vals < 0)
        if bad.size:
            raise DataError(
                f"negative values for a {chart} chart at 0-based position(s) {bad[:10].tolist()}",
                column=value,
            )
    if kind.proportion:
        bad = np.flatnonzero(vals > nn)
        if bad.size:
            raise DataError(
                f"count exceeds n at 0-based position(s) {bad[:10].tolist()} "
                "(a proportion above 1)",
                column=value,
            )
    return {"value": vals, "n": nn}, np.asarray(xs), ph


def _read_xbar(data, chart, value, subgroup, x, phase):
    if isinstance(data, pd.DataFrame):
        if subgroup is None:
            raise DataError(f"the {chart} chart needs subgroup= naming the subgroup column")
        frame = pd.DataFrame(
            {
                "g": _column(data, subgroup, "subgroup").to_numpy(),
                "v": _numeric(_column(data, value, "value"), "value", value),
            }
        )
        if x is not None:
            frame["x"] = _column(data, x, "x").to_numpy()
        if phase is not None:
            frame["ph"] = _column(data, phase, "phase").to_numpy()
    else:
        rows = [np.asarray(r, dtype=float).ravel() for r in data]
        if not rows:
            raise DataError("no data points to chart")
        frame = pd.DataFrame(
            {
                "g": np.repeat(np.arange(len(rows)), [len(r) for r in rows]),
                "v": np.concatenate(rows),
            }
        )
        _numeric(frame["v"], "value", value)
    if frame.empty:
        raise DataError("no data points to chart", column=value)
    grp = frame.groupby("g", sort=False)
    stats = grp["v"].agg(["mean", "std", "max", "min", "count"])
    small = stats.index[stats["count"] < 2]
    if len(small):
        pos = stats.index.get_loc(small[0])
        raise DataError(
            f"{chart} chart: subgroup {small[0]!r} (0-based subgroup {pos}) has a single "
            "observation",
            column=subgroup,
            hint="Use the 'i' chart for individual values, or merge subgroups.",
        )
    pts = {
        "value": stats["mean"].to_numpy(),
        "n": stats["count"].to_numpy(dtype=float),
        "sd": stats["std"].to_numpy(),
        "range": (stats["max"] - stats["min"]).to_numpy(),
    }
    xs = grp["x"].first().to_numpy() if "x" in frame else stats.index.to_numpy()
    ph = grp["ph"].first().to_numpy() if "ph" in frame else None
    return pts, xs, ph


def _segments(ph: np.ndarray | None, n: int) -> list[tuple[int, int]]:
    if ph is None:
        return [(0, n)]
    labels = pd.Series(ph)
    change = np.flatnonzero((labels != labels.shift()).to_numpy()[1:]) + 1
    bounds = [0, *change.tolist(), n]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _chart_options(chart: str, options: dict, target: float | None, o: _Opts) -> _Opts:
    opts = dict(options)
    if "lambda" in opts:
        opts["lam"] = opts.pop("lambda")
    allowed = set(CHARTS[chart].options)
    unknown = sorted(set(opts) - allowed)
    if unknown:
        raise DataError(
            f"unknown option(s) {unknown} for the {chart} chart",
            hint=f"Allowed: {sorted(allowed) or 'none'}.",
        )
    for key, val in opts.items():
        setattr(o, key, val)
    if chart == "ewma":
        if not 0 < float(o.lam) <= 1:
            raise DataError(f"EWMA lam must be in (0, 1], got {o.lam!r}")
        if o.limits not in ("exact", "asymptotic"):
            raise DataError(f"EWMA limits must be 'exact' or 'asymptotic', got {o.limits!r}")
    if chart == "cusum":
        o.target = target
    return o


def _variation(flag: np.ndarray, direction: np.ndarray, improvement: str | None) -> np.ndarray:
    out = np.full(flag.shape, "common_cause", dtype=object)
    if improvement is None:
        out[flag] = "special_cause"
        return out
    good = direction > 0 if improvement == "increase" else direction < 0
    bad = direction < 0 if improvement == "increase" else direction > 0
    out[flag & good] = "special_cause_improvement"
    out[flag & bad] = "special_cause_concern"
    out[flag & ~good & ~bad] = "special_cause"
    return out


def _positions(exclude: Any, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    if exclude is None:
        return mask
    pos = np.atleast_1d(np.asarray(exclude))
    if pos.size and (pos.dtype.kind not in "iu" or pos.min() < -n or pos.max() >= n):
        raise DataError(f"exclude must hold 0-based positions in [0, {n}); got {pos.tolist()}")
    mask[pos] = True
    return mask


def control_chart(
    data: pd.DataFrame | Sequence[float] | np.ndarray,
    chart: str,
    *,
    value: str | None = None,
    n: str | None = None,
    subgroup: str | None = None,
    x: str | None = None,
    baseline: int | None = None,
    exclude: Sequence[int] | None = None,
    phase: str | None = None,
    rules: str | Sequence[str] | None = "western_electric",
    improvement: str | None = None,
    target: float | None = None,
    center: float | None = None,
    sigma: float | None = None,
    nsigmas: float = 3,
    **chart_options: Any,
) -> ControlChart:
    """Compute a control chart: limits, signals and the board verdict.

    Parameters
    ----------
    data : DataFrame or sequence of float
        Rows in time order. A plain sequence is accepted for value-only charts (run, i, c, g,
        t, ewma, cusum); for xbar charts a sequence of subgroups (one list per subgroup).
    chart : str
        One of :data:`CHARTS`: ``"run", "i", "xbar_r", "xbar_s", "p", "np", "c", "u",
        "p_prime", "u_prime", "g", "t", "ewma", "cusum"``.
    value : str
        Column charted: the measurement (run, i, xbar, ewma, cusum), the count (p, np, c, u,
        p', u'), the units between events (g) or the time between events (t).
    n : str, optional
        Column with the sample size (p, np, p') or inspection units (u, u'); for a run chart it
        turns counts into rates.
    subgroup : str, optional
        Subgroup label column for xbar charts (one row per observation).
    x : str, optional
        Time-axis column; default the 0-based position.
    baseline : int, optional
        Limits from the first `baseline` points of each phase, frozen for the rest.
    exclude : sequence of int, optional
        0-based positions left out of the limit calculation, still plotted and tested.
    phase : str, optional
        Column whose changes of value start a new set of limits.
    rules : str, sequence of str or None
        Rule sets or rule ids, combinable (``"western_electric+anhoej"``); None for none. Run
        charts always get the Anhoej rules and skip rules that need a sigma; EWMA and CUSUM
        charts use only their own limits (their points are autocorrelated).
    improvement : {"increase", "decrease", None}
        Direction of improvement: a signal on that side of the centre line is
        ``special_cause_improvement``, on the other ``special_cause_concern``; without a
        direction it is ``special_cause`` (also for a signal exactly on the centre line).
    target : float, optional
        Target for the assurance verdict; for a CUSUM chart it is the reference value mu0
        (unless `center` is given).
    center, sigma : float, optional
        Known standard values used instead of the estimates (sigma per unit: the standard
        error of a point is sigma / sqrt(n) on xbar, p and u charts).
    nsigmas : float
        Width of the limits in standard errors.
    **chart_options
        ``lam`` (or ``lambda``) and ``limits="exact"|"asymptotic"`` for EWMA; ``k`` and ``h``
        (data units) for CUSUM.

    Returns
    -------
    ControlChart

    Raises
    ------
    DataError
        Empty data, NaN values, zero or missing denominators, negative counts, counts above n
        on a p chart, single-observation subgroups on an xbar chart, unknown chart, rule or
        option names, bad positions.

    References
    ----------
    Montgomery, *Introduction to Statistical Quality Control*, chapters 6, 7 and 9;
    NIST/SEMATECH e-Handbook 6.3.2; Laney (2002); Benneyan (2001); Anhoej & Olesen (2014);
    Nelson (1984).

    Examples
    --------
    >>> cc = control_chart([49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1], "i")
    >>> round(cc.center, 2), round(float(cc.data["ucl"].iloc[0]), 3)
    (50.81, 55.804)
    """
    if chart not in CHARTS:
        raise DataError(f"unknown chart {chart!r}", hint=f"Use one of {sorted(CHARTS)}.")
    if improvement not in (None, "increase", "decrease"):
        raise DataError(f"improvement must be 'increase', 'decrease' or None, not {improvement!r}")
    kind = CHARTS[chart]
    rule_ids = rules_mod.resolve_rules(rules)
    if kind.rules == "sigma_free":
        rule_ids = tuple(sorted({*rule_ids, "anhoej_shift"} & rules_mod.SIGMA_FREE))
    elif kind.rules == "none":
        rule_ids = ()
    opts = _chart_options(chart, chart_options, target, _Opts(nsigmas, center, sigma))
    pts, xs, ph = _read(data, chart, value, n, subgroup, x, phase)
    npts = len(pts["value"])
    if baseline is not None and (not isinstance(baseline, int | np.integer) or baseline < 1):
        raise DataError(f"baseline must be a positive number of points, got {baseline!r}")
    excluded = _positions(exclude, npts)

    cols = {k: np.full(npts, np.nan) for k in ("value", "cl", "ucl", "lcl")}
    sig = np.zeros(npts, dtype=bool)
    direction = np.zeros(npts)
    flags = {rid: np.zeros(npts, dtype=bool) for rid in rule_ids}
    extra: dict[str, np.ndarray] = {}
    disp_cols: dict[str, np.ndarray] = {}
    res: dict = {}
    runs: dict = {}
    for start, stop in _segments(ph, npts):
        seg = {k: v[start:stop] for k, v in pts.items()}
        used = ~excluded[start:stop]
        if baseline is not None:
            used &= np.arange(stop - start) < baseline
        if not used.any():
            raise DataError(
                f"no points left to estimate the limits of the phase starting at 0-based "
                f"position {start}",
                hint="Check baseline= and exclude=.",
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            res = kind.limits(seg, used, opts)
            for k in cols:
                cols[k][start:stop] = res[k]
            # excluded points leave the Anhoej runs analysis (qicharts2); see the module notes
            zn = rules_mod.prepare(
                res["r_value"],
                res["r_cl"],
                res["r_se"],
                ucl=res["r_ucl"],
                lcl=res["r_lcl"],
                include=~excluded[start:stop],
            )
            seg_flags = rules_mod.evaluate(zn, rule_ids) if rule_ids else {}
            runs = {k: v[0] for k, v in rules_mod.runs_analysis(zn).items()}
            v, u, lo = res["value"], res["ucl"], res["lcl"]
            sig[start:stop] = res.get("beyond", (v > u) | (v < lo))
            d = res.get("direction", zn.side[0])
            if "nelson_3" in seg_flags:
                trend = np.sign(np.diff(res["r_value"], prepend=np.nan))
                d = np.where(seg_flags["nelson_3"][0], trend, d)
            direction[start:stop] = d
        for rid, f in seg_flags.items():
            flags[rid][start:stop] = f[0]
        for k, col in res.get("extra", {}).items():
            extra.setdefault(k, np.full(npts, np.nan))[start:stop] = col
        if "disp" in res:
            for k in ("value", "cl", "ucl", "lcl"):
                disp_cols.setdefault(k, np.full(npts, np.nan))[start:stop] = res["disp"][k]

    any_rule = np.zeros(npts, dtype=bool)
    for f in flags.values():
        any_rule |= f
    flagged = sig | any_rule
    rule_tuples: list[tuple[str, ...]] = [()] * npts
    for i in np.flatnonzero(any_rule):
        rule_tuples[i] = tuple(rid for rid in rule_ids if flags[rid][i])
    phase_col = ph if ph is not None else np.full(npts, None, dtype=object)
    frame = pd.DataFrame(
        {
            "x": xs,
            "value": cols["value"],
            "n": pts["n"],
            "cl": cols["cl"],
            "ucl": cols["ucl"],
            "lcl": cols["lcl"],
            "sigma_signal": sig,
            "rules": pd.Series(rule_tuples, dtype=object),
            "phase": phase_col,
            "excluded": excluded,
            "variation": _variation(flagged, direction, improvement),
            **extra,
        }
    )
    last_stop = _segments(ph, npts)[-1]
    n_last = last_stop[1] - last_stop[0]
    message = None
    if not kind.own_signals and not np.isfinite(res["center"]):
        message = "insufficient data: the centre line cannot be estimated"
    elif (
        kind.has_limits
        and not kind.own_signals
        and not np.all(np.isfinite(cols["ucl"][last_stop[0] :]))
    ):
        message = "insufficient data: the limits cannot be estimated from the baseline"
    elif not enough_points(n_last):
        message = (
            f"insufficient data: {n_last} point(s) in the current phase; a verdict needs at "
            f"least {_stats.MIN_POINTS}"
        )
    dispersion = None
    if disp_cols:
        dframe = pd.DataFrame(
            {
                "x": xs,
                "value": disp_cols["value"],
                "n": pts["n"],
                "cl": disp_cols["cl"],
                "ucl": disp_cols["ucl"],
                "lcl": disp_cols["lcl"],
            }
        )
        dsig = (dframe["value"] > dframe["ucl"]) | (dframe["value"] < dframe["lcl"])
        dframe["sigma_signal"] = dsig.to_numpy()
        dframe["rules"] = pd.Series([()] * npts, dtype=object)
        dframe["phase"] = phase_col
        dframe["excluded"] = excluded
        dframe["variation"] = np.where(dsig, "special_cause", "common_cause")
        dispersion = ControlChart(
            chart=res["disp"]["chart"],
            data=dframe,
            center=float(res["disp"]["center"]),
            sigma=float(res["disp"]["sigma"]),
            insufficient=message is not None,
            message=message,
        )
    return ControlChart(
        chart=chart,
        data=frame,
        center=float(res["center"]),
        sigma=float(res["sigma"]),
        rules=rule_ids,
        improvement=improvement,
        target=target,
        runs=runs,
        insufficient=message is not None,
        message=message,
        dispersion=dispersion,
    )
