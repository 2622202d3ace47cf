"""Did a change work? Before/after phases, the shift rule and the effect size of one change.

:func:`change_effect` judges one documented change on one monitored series (the "Check" of
Plan-Do-Check-Act): the points before the change set a baseline (centre line and control
limits); the points from the change on are judged against that baseline; the after phase also
gets its own centre line and limits (rebasing), as a chart drawn for the board shows them.

The judgement (the board's words)
---------------------------------
Against the *before* centre line and limits, extended over the after points:

- a **shift** is a run of consecutive after points on one side of the before centre line
  longer than the Anhoej limit ``round(log2(N) + 3)``, N the useful points of the whole series
  (points on the centre line are skipped, as in the run-chart rules); ``rules=k`` uses a fixed
  "k or more in a row" instead (6 on a run chart and 8 on a Shewhart chart in Provost & Murray,
  7 in Making Data Count);
- points **beyond the before limits**, the Shewhart rule 1 signal, at least ``min_beyond`` (2)
  on the same side: a lone point beyond is named in the reason but does not decide.

The verdict, first match wins:

======================================  =======================================================
``insufficient data``                   fewer than ``min_baseline`` points before the change
                                        (or the limits cannot be estimated): not assessed
``deterioration``                       a shift on the concern side, or points beyond the
                                        before limit on the concern side (reported at once,
                                        even inside the evaluation window)
``too early to judge``                  fewer points after the change than the evaluation
                                        window (``evaluation``) asks for
``sustained improvement``               a shift on the improvement side
``improvement not yet sustained``       points beyond the before limit on the improvement side
                                        but no shift (yet)
``too early to judge``                  fewer points after the change than the shift rule
                                        needs (stated in ``reason``)
``no detectable change``                otherwise
======================================  =======================================================

The effect size and its interval
--------------------------------
- Counts on a denominator (p, p', u, u' charts): the **rate ratio** after / before of the pooled
  rates (sum of counts over sum of denominators). When the counts are not over-dispersed
  the interval is the exact conditional one: given the total count, the after count is
  binomial with probability ``R n_a / (R n_a + n_b)``; the Clopper-Pearson interval of that
  probability maps to R (Ederer & Mantel 1974). For rare defects on many units inspected the
  binomial proportion is a Poisson rate to within ``1 - p``. When the monthly rates vary more
  than Poisson/binomial counts would (the Pearson chi-square of the counts about each phase's
  pooled rate rejects "no over-dispersion" at 5 %: the case of Laney's p'/u' charts) the exact
  interval is far too narrow, so the Wald interval on the log scale, widened by sqrt(phi) with
  phi = chi-square / df, is given instead (quasi-Poisson; McCullagh & Nelder 1989).
- Measurements (i chart): the **difference in means** after - before with Welch's t interval.
  Monthly points that are autocorrelated make it too narrow; the verdict does not use it.

Conventions
-----------
The change is a 0-based position (the first point of the after phase) or a date: the after
phase then starts at the first point whose period (``freq``, default monthly) is the change's
period or later, so a change made during a month counts from that month.

References
----------
Provost, L. P. and Murray, S. K. (2011). *The Health Care Data Guide: Learning from Data for
Improvement*. Jossey-Bass (shift, trend and limit rules; when to revise limits, ch. 5 and 6).
Anhoej, J. and Olesen, A. V. (2014). Run charts revisited: a simulation study of run chart rules
for detection of non-random variation in health care processes. *PLoS ONE* 9(11): e113825.
NHS England / NHS Improvement, *Making Data Count: Strengthening your decisions* (2019) and
*Making Data Count: Getting started* (2019): recalculate (rebase) the limits only for a
sustained shift with a known reason, i.e. at a documented change.
Ederer, F. and Mantel, N. (1974). Confidence limits on the ratio of two Poisson variables.
*American Journal of Epidemiology* 100(3), 165-167.
Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated in
the case of the binomial. *Biometrika* 26(4), 404-413.
McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., section 4.5
(quasi-likelihood, the Pearson estimate of the dispersion).
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika* 34(1-2), 28-35.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from qmsdata.errors import DataError
from qmsdata.stats import rules as rules_mod
from qmsdata.stats.spc import MIN_POINTS, ControlChart, control_chart

__all__ = [
    "DEFAULT_EVALUATION",
    "MIN_BASELINE",
    "MIN_BEYOND",
    "VERDICTS",
    "ChangeEffect",
    "change_effect",
    "rate_ratio_ci",
]

#: the board's words, best first; "insufficient data" means not assessed
VERDICTS = (
    "sustained improvement",
    "improvement not yet sustained",
    "too early to judge",
    "no detectable change",
    "deterioration",
    "insufficient data",
)

#: fewest points before the change that make a baseline (the engine's MIN_POINTS)
MIN_BASELINE = MIN_POINTS

#: after points beyond the before limit on one side that make a signal (see change_effect)
MIN_BEYOND = 2

#: months after a change before its effect is judged, when the change register says nothing
DEFAULT_EVALUATION = 3

#: the exact interval is replaced by the quasi-Poisson one when the chi-square test of no
#: over-dispersion within the phases rejects at this level
OVERDISPERSION_ALPHA = 0.05

_RATE_CHARTS = {"p": "p", "p_prime": "p", "u": "u", "u_prime": "u"}
_CHARTS = {"i", *_RATE_CHARTS}


@dataclass(frozen=True, eq=False)
class ChangeEffect:
    """The judged effect of one change on one series (see :func:`change_effect`).

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        The verdict in one sentence, with the numbers behind it.
    rule : str or None
        What fired: ``"shift"`` (the run rule), ``"beyond_limits"``, both joined by ``+``, or
        None.
    direction : str or None
        Side of the signal that decided: ``"improvement"``, ``"concern"`` or None.
    improvement : str
        ``"decrease"`` or ``"increase"``.
    chart : str
        Chart type of both phases (``"i"``, ``"p"``, ``"p_prime"``, ``"u"``, ``"u_prime"``).
    change_position : int
        0-based position of the first after point.
    change_x : Any
        The x value of that point (None when the change lies after the last point).
    n_before, n_after : int
        Points in each phase.
    points_needed : int
        Fewest after points with which the shift rule (and the evaluation window) can decide.
    run_limit : int
        A shift is a run longer than this.
    longest_run_improvement, longest_run_concern : int
        Longest run of after points on each side of the before centre line.
    beyond_improvement, beyond_concern : int
        After points beyond the before limits on each side.
    measure : str
        ``"rate_ratio"`` (after / before) or ``"mean_difference"`` (after - before).
    estimate, ci_low, ci_high : float
        The effect size and its confidence interval (NaN when it cannot be estimated).
    level : float
        Confidence level of the interval.
    method : str
        How the interval was computed.
    before, after : dict
        ``{"center", "lcl", "ucl", "value"}`` of each phase (limits at the phase's last point;
        value = pooled rate or mean); empty for an after phase without points.
    dispersion : float
        Pearson dispersion phi of the counts within the phases (1 for measurements).
    data : DataFrame
        One row per point: ``x, value, n, phase`` ("before" | "after"), ``cl, ucl, lcl`` (each
        phase's own), ``before_cl, before_ucl, before_lcl`` (the baseline extended over the
        after points), ``side`` ("improvement" | "concern" | "on centre line" on the after
        points, judged against the before centre line), ``beyond_before`` (after points beyond
        the before limits), ``in_shift`` (the after points of a run that fired) and
        ``variation`` (of the phased chart).
    phased : ControlChart or None
        The chart with a phase from the change on (None when there are no after points).
    """

    verdict: str
    reason: str
    rule: str | None
    direction: str | None
    improvement: str
    chart: str
    change_position: int
    change_x: Any
    n_before: int
    n_after: int
    points_needed: int
    run_limit: int
    longest_run_improvement: int
    longest_run_concern: int
    beyond_improvement: int
    beyond_concern: int
    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    level: float
    method: str
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    dispersion: float = 1.0
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    phased: ControlChart | None = None

    def summary(self) -> dict[str, Any]:
        """Return the judgement as a flat mapping (no frames, no charts)."""
        out: dict[str, Any] = {
            k: getattr(self, k)
            for k in (
                "verdict", "reason", "rule", "direction", "improvement", "chart",
                "change_position", "change_x", "n_before", "n_after", "points_needed",
                "run_limit", "longest_run_improvement", "longest_run_concern",
                "beyond_improvement", "beyond_concern", "measure", "estimate", "ci_low",
                "ci_high", "level", "method", "dispersion",
            )
        }  # fmt: skip
        for phase in ("before", "after"):
            for key in ("value", "center", "lcl", "ucl"):
                out[f"{phase}_{key}"] = getattr(self, phase).get(key, float("nan"))
        return out


# --------------------------------------------------------------------------- effect sizes


def rate_ratio_ci(
    count_after: float,
    exposure_after: float,
    count_before: float,
    exposure_before: float,
    *,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Return the rate ratio (after / before) and its exact conditional confidence interval.

    Given the total ``k = count_after + count_before``, ``count_after`` is Binomial(k, pi) with
    ``pi = R e_a / (R e_a + e_b)``; the Clopper-Pearson limits of pi give the limits of R
    (Ederer & Mantel 1974). Zero counts give a 0 lower or an infinite upper limit.

    Examples
    --------
    >>> r, lo, hi = rate_ratio_ci(30, 1000, 60, 1000)
    >>> round(r, 2), round(lo, 3), round(hi, 3)
    (0.5, 0.311, 0.787)
    """
    ka, kb = int(round(count_after)), int(round(count_before))
    ea, eb = float(exposure_after), float(exposure_before)
    if ea <= 0 or eb <= 0:
        raise DataError("exposures must be positive for a rate ratio")
    k = ka + kb
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (ka / ea) / (kb / eb) if kb > 0 else (np.inf if ka > 0 else np.nan)
    if k == 0:
        return float("nan"), 0.0, float("inf")
    ci = stats.binomtest(ka, k).proportion_ci(confidence_level=level, method="exact")
    scale = eb / ea

    def to_ratio(p: float) -> float:
        return float("inf") if p >= 1 else p / (1 - p) * scale

    return float(ratio), to_ratio(float(ci.low)), to_ratio(float(ci.high))


def _dispersion(
    count: np.ndarray, n: np.ndarray, after: np.ndarray, kind: str
) -> tuple[float, float]:
    """Return the Pearson dispersion phi (>= 1) of the counts about each phase's pooled rate
    and the p value of the chi-square test of no over-dispersion."""
    chi2, df = 0.0, 0
    for mask in (~after, after):
        if mask.sum() < 2:
            continue
        c, m = count[mask], n[mask]
        rate = c.sum() / m.sum()
        var = m * rate * (1 - rate) if kind == "p" else m * rate
        ok = var > 0
        chi2 += float(np.sum((c[ok] - m[ok] * rate) ** 2 / var[ok]))
        df += int(mask.sum()) - 1
    if df == 0:
        return 1.0, 1.0
    return max(1.0, chi2 / df), float(stats.chi2.sf(chi2, df))


def _rate_effect(
    count: np.ndarray, n: np.ndarray, after: np.ndarray, kind: str, level: float
) -> tuple[float, float, float, str, float]:
    ka, kb = float(count[after].sum()), float(count[~after].sum())
    ea, eb = float(n[after].sum()), float(n[~after].sum())
    phi, p_over = _dispersion(count, n, after, kind)
    ratio, lo, hi = rate_ratio_ci(ka, ea, kb, eb, level=level)
    if p_over >= OVERDISPERSION_ALPHA or ka == 0 or kb == 0:
        method = (
            "exact conditional binomial interval for a ratio of Poisson rates "
            "(Ederer & Mantel 1974; Clopper-Pearson)"
        )
        return ratio, lo, hi, method, phi
    z = stats.norm.ppf(0.5 + level / 2)
    se = np.sqrt(phi * (1 / ka + 1 / kb))
    method = (
        f"Wald interval of the log rate ratio widened for over-dispersion (quasi-Poisson, "
        f"Pearson phi = {phi:.2f}; McCullagh & Nelder 1989)"
    )
    return ratio, float(ratio * np.exp(-z * se)), float(ratio * np.exp(z * se)), method, phi


def _mean_effect(
    values: np.ndarray, after: np.ndarray, level: float
) -> tuple[float, float, float, str]:
    a, b = values[after], values[~after]
    diff = float(a.mean() - b.mean()) if len(a) and len(b) else float("nan")
    method = "Welch t interval for a difference in means (Welch 1947)"
    if len(a) < 2 or len(b) < 2 or (a.var(ddof=1) == 0 and b.var(ddof=1) == 0):
        return diff, float("nan"), float("nan"), method
    with warnings.catch_warnings():  # a constant phase: scipy warns, the interval is still right
        warnings.simplefilter("ignore", RuntimeWarning)
        test = stats.ttest_ind(a, b, equal_var=False)
        ci = test.confidence_interval(confidence_level=level)
    return diff, float(ci.low), float(ci.high), method


# --------------------------------------------------------------------------- the rule


def _longest_run(side: np.ndarray, want: float) -> tuple[int, np.ndarray]:
    """Longest run of useful points on side ``want`` (points on the line skipped)."""
    useful = side != 0
    best, current = 0, 0
    members: list[int] = []
    best_members: list[int] = []
    for i in np.flatnonzero(useful):
        if side[i] == want:
            current += 1
            members.append(int(i))
            if current > best:
                best, best_members = current, list(members)
        else:
            current, members = 0, []
    mask = np.zeros(side.shape, dtype=bool)
    mask[best_members] = True
    return best, mask


def _change_position(change: Any, xs: np.ndarray, freq: str) -> int:
    if isinstance(change, int | np.integer) and not isinstance(change, bool):
        pos = int(change)
        if not 0 <= pos <= len(xs):
            raise DataError(f"change position {pos} is outside 0..{len(xs)}")
        return pos
    try:
        when = pd.Period(change, freq=freq) if not isinstance(change, pd.Period) else change
        when = when.asfreq(freq)
        periods = pd.PeriodIndex([pd.Period(v, freq=freq) for v in xs])
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"cannot place the change {change!r} on the series' x values",
            hint="Pass x= naming a date or period column, or the change as a 0-based position.",
        ) from exc
    later = np.flatnonzero(np.asarray(periods >= when))
    return int(later[0]) if later.size else len(xs)


def _frame(
    data: pd.DataFrame | Sequence[float] | np.ndarray,
    value: str | None,
    n: str | None,
    x: str | None,
) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        if value is None:
            raise DataError("pass value= naming the column to judge")
        for col in (value, n, x):
            if col is not None and col not in data.columns:
                raise DataError(f"column {col!r} not found; columns are {list(data.columns)}")
        out = pd.DataFrame({"value": data[value].to_numpy()})
        out["n"] = data[n].to_numpy() if n is not None else 1.0
        out["x"] = data[x].to_numpy() if x is not None else np.arange(len(data))
    else:
        if n is not None or x is not None:
            raise DataError("n and x name columns: pass a DataFrame as data")
        out = pd.DataFrame({"value": np.asarray(data, dtype=float)})
        out["n"] = 1.0
        out["x"] = np.arange(len(out))
    if len(out) == 0:
        raise DataError("no data points to judge")
    if isinstance(out["x"].dtype, pd.PeriodDtype):
        out["x"] = out["x"].dt.to_timestamp()
    return out.reset_index(drop=True)


def change_effect(
    data: pd.DataFrame | Sequence[float] | np.ndarray,
    change: Any,
    *,
    value: str | None = None,
    n: str | None = None,
    x: str | None = None,
    chart: str | None = None,
    improvement: str = "decrease",
    evaluation: int = DEFAULT_EVALUATION,
    rules: str | int | None = None,
    min_baseline: int = MIN_BASELINE,
    min_beyond: int = MIN_BEYOND,
    level: float = 0.95,
    freq: str = "M",
) -> ChangeEffect:
    """Judge whether a change moved a monitored series, and by how much.

    Parameters
    ----------
    data : DataFrame or sequence of float
        The series in time order, one row per period (monthly). A plain sequence is a
        measurement series with positions as x.
    change : int, date or Period
        The change: a 0-based position (the first point of the after phase) or its date (the
        after phase starts at the first point in the change's period or later; needs ``x``).
    value : str
        The measurement (i chart) or the count (p, p', u, u' charts).
    n : str, optional
        The denominator (units inspected, units shipped): required for p and u charts.
    x : str, optional
        Date or period column of the points.
    chart : {"i", "p", "p_prime", "u", "u_prime"}, optional
        Default ``"i"`` without ``n``, ``"p"`` with it. The caller chooses the Laney chart
        when the counts are over-dispersed.
    improvement : {"decrease", "increase"}
        Which way is better.
    evaluation : int
        Points after the change before an improvement is judged (the register's
        evaluation_months); a deterioration is reported at once.
    rules : "anhoej", int or None
        The shift rule: None or ``"anhoej"`` for a run longer than ``round(log2(N) + 3)``
        (Anhoej & Olesen 2014); an integer k for "k or more in a row" (Provost & Murray).
    min_baseline : int
        Fewest points before the change that make a baseline.
    min_beyond : int
        After points beyond the before limit on one side that make a signal (default 2; 1 is
        the plain Shewhart rule 1). A lone point beyond is named in ``reason`` but does not
        decide: over 12-24 months after a change, against limits estimated from a short
        baseline, one point beyond a 3-sigma limit happens by chance in about one series in
        twenty (see the false-alarm test).
    level : float
        Confidence level of the effect-size interval.
    freq : str
        Period of the points, used to place a dated change (default monthly).

    Returns
    -------
    ChangeEffect

    Raises
    ------
    DataError
        Unknown chart or direction, missing columns, NaN values or non-positive denominators
        (from the control chart), a change that cannot be placed on the x values.

    References
    ----------
    Provost & Murray (2011) *The Health Care Data Guide*; Anhoej & Olesen (2014) PLoS ONE
    9(11): e113825; NHS England *Making Data Count* (2019) on rebasing at documented changes;
    Ederer & Mantel (1974) for the rate-ratio interval; Welch (1947). See the module docstring.

    Examples
    --------
    >>> before = [10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10.0, 10.2, 9.9, 10.1, 9.8, 10.0]
    >>> after = [9.1, 8.9, 9.2, 9.0, 8.8, 9.1, 9.0, 8.9, 9.2]
    >>> eff = change_effect(before + after, 12, improvement="decrease")
    >>> eff.verdict, round(eff.estimate, 2)
    ('sustained improvement', -0.98)
    """
    if improvement not in ("decrease", "increase"):
        raise DataError(f"improvement must be 'decrease' or 'increase', not {improvement!r}")
    chart = chart or ("i" if n is None else "p")
    if chart not in _CHARTS:
        raise DataError(f"change_effect charts are {sorted(_CHARTS)}, not {chart!r}")
    if chart in _RATE_CHARTS and n is None:
        raise DataError(f"the {chart} chart needs n= (the denominator)")
    if rules not in (None, "anhoej") and not (isinstance(rules, int) and rules >= 2):
        raise DataError(f"rules must be 'anhoej' or a run length of at least 2, not {rules!r}")
    frame = _frame(data, value, n, x)
    npts = len(frame)
    pos = _change_position(change, frame["x"].to_numpy(), freq)
    after = np.arange(npts) >= pos
    n_before, n_after = int(pos), int(npts - pos)
    frame["phase"] = np.where(after, "after", "before")
    good = 1.0 if improvement == "increase" else -1.0
    change_x = frame["x"].iloc[pos] if pos < npts else None
    if isinstance(change_x, np.generic):
        change_x = change_x.item()
    base: dict[str, Any] = dict(
        improvement=improvement, chart=chart, change_position=n_before, change_x=change_x,
        n_before=n_before, n_after=n_after, level=level,
    )  # fmt: skip
    measure = "rate_ratio" if chart in _RATE_CHARTS else "mean_difference"

    def not_assessed(reason: str, **more: Any) -> ChangeEffect:
        return ChangeEffect(
            verdict="insufficient data", reason=reason, rule=None, direction=None,
            points_needed=max(evaluation, 0), run_limit=0, longest_run_improvement=0,
            longest_run_concern=0, beyond_improvement=0, beyond_concern=0, measure=measure,
            estimate=float("nan"), ci_low=float("nan"), ci_high=float("nan"), method="",
            data=frame, **base, **more,
        )  # fmt: skip

    if n_before < min_baseline:
        return not_assessed(
            f"insufficient data: {n_before} point(s) before the change; a baseline needs at "
            f"least {min_baseline}"
        )

    # the baseline, frozen and extended over the after points
    frozen = control_chart(
        frame, chart, value="value", n="n", x="x", baseline=n_before, rules=None,
        improvement=improvement,
    )  # fmt: skip
    fd = frozen.data
    b_cl, b_ucl, b_lcl = (fd[c].to_numpy(float) for c in ("cl", "ucl", "lcl"))
    if not (np.isfinite(b_cl[:n_before]).all() and np.isfinite(b_ucl[:n_before]).all()):
        return not_assessed("insufficient data: the baseline limits cannot be estimated")
    val = fd["value"].to_numpy(float)
    # a point equal to the centre line up to rounding (a pooled rate vs its months) is on it
    on_line = np.isclose(val, b_cl, rtol=1e-9, atol=0.0)
    whole = np.where(on_line, 0.0, np.sign(val - b_cl))
    side = np.where(after, whole, 0.0)
    beyond_hi = after & (val > b_ucl)
    beyond_lo = after & (val < b_lcl)
    beyond_good = beyond_hi if good > 0 else beyond_lo
    beyond_bad = beyond_lo if good > 0 else beyond_hi

    # the shift rule: runs of after points on one side of the before centre line
    run_good, in_good = _longest_run(side, good)
    run_bad, in_bad = _longest_run(side, -good)
    if rules in (None, "anhoej"):
        n_useful = int(np.count_nonzero(whole))
        run_limit = int(rules_mod.anhoej_limits(max(n_useful, 1))[0])
        rule_text = f"a run longer than round(log2({n_useful}) + 3) = {run_limit}"
    else:
        run_limit = int(rules) - 1
        rule_text = f"a run of {int(rules)} or more"
    shift_good, shift_bad = run_good > run_limit, run_bad > run_limit
    needed = max(run_limit + 1, evaluation)

    # the after phase with its own centre and limits (rebased at the documented change)
    phased = None
    variation = fd["variation"].to_numpy(object)
    cl, ucl, lcl = b_cl.copy(), b_ucl.copy(), b_lcl.copy()
    after_info: dict[str, float] = {}
    if n_after:
        phased = control_chart(
            frame, chart, value="value", n="n", x="x", phase="phase", rules="anhoej",
            improvement=improvement,
        )  # fmt: skip
        pdat = phased.data
        cl, ucl, lcl = (pdat[c].to_numpy(float) for c in ("cl", "ucl", "lcl"))
        variation = pdat["variation"].to_numpy(object)
    count = frame["value"].to_numpy(float)
    den = frame["n"].to_numpy(float)

    def phase_info(mask: np.ndarray) -> dict[str, float]:
        last = int(np.flatnonzero(mask)[-1])
        pooled = count[mask].sum() / den[mask].sum()
        return {
            "value": float(pooled),
            "center": float(cl[last]),
            "lcl": float(lcl[last]),
            "ucl": float(ucl[last]),
        }

    before_info = phase_info(~after)
    before_info.update(center=float(b_cl[0]), lcl=float(b_lcl[0]), ucl=float(b_ucl[0]))
    if n_after:
        after_info = phase_info(after)

    # effect size
    phi = 1.0
    if n_after == 0:
        est, lo, hi, method = float("nan"), float("nan"), float("nan"), ""
    elif measure == "rate_ratio":
        est, lo, hi, method, phi = _rate_effect(count, den, after, _RATE_CHARTS[chart], level)
    else:
        est, lo, hi, method = _mean_effect(count, after, level)

    # the verdict
    def fired(shift: bool, beyond: np.ndarray) -> str | None:
        parts = (["shift"] if shift else []) + (["beyond_limits"] if beyond.any() else [])
        return "+".join(parts) or None

    n_bg, n_bb = int(beyond_good.sum()), int(beyond_bad.sum())
    sig_bg, sig_bb = n_bg >= min_beyond, n_bb >= min_beyond
    lone = []  # points beyond the limits too few to signal: reported, not judged
    if 0 < n_bg < min_beyond:
        lone.append(f"{n_bg} after point(s) beyond the before limit on the improvement side")
    if 0 < n_bb < min_beyond:
        lone.append(f"{n_bb} after point(s) beyond the before limit on the concern side")
    if shift_bad or sig_bb:
        verdict, direction, rule = "deterioration", "concern", fired(shift_bad, beyond_bad & sig_bb)
        why = []
        if shift_bad:
            why.append(f"{run_bad} after points in a row on the concern side ({rule_text})")
        if sig_bb:
            why.append(f"{n_bb} after point(s) beyond the before limit on the concern side")
        reason = "deterioration: " + " and ".join(why)
        in_shift = in_bad if shift_bad else np.zeros(npts, dtype=bool)
    elif n_after < evaluation:
        verdict, direction, rule = "too early to judge", None, None
        reason = (
            f"too early to judge: {n_after} point(s) after the change; the evaluation window "
            f"is {evaluation} and the shift rule needs {run_limit + 1} ({rule_text})"
        )
        in_shift = np.zeros(npts, dtype=bool)
    elif shift_good:
        verdict, direction, rule = (
            "sustained improvement",
            "improvement",
            fired(True, beyond_good & sig_bg),
        )
        lone = []
        reason = (
            f"sustained improvement: {run_good} after points in a row on the improvement side "
            f"of the before centre line ({rule_text})"
        )
        if n_bg:
            reason += f"; {n_bg} beyond the before limit"
        in_shift = in_good
    elif sig_bg:
        verdict, direction, rule = "improvement not yet sustained", "improvement", "beyond_limits"
        reason = (
            f"improvement not yet sustained: {n_bg} after point(s) beyond the before limit on "
            f"the improvement side, longest run {run_good} (a shift needs {rule_text})"
        )
        in_shift = np.zeros(npts, dtype=bool)
    elif n_after < needed:
        verdict, direction, rule = "too early to judge", None, None
        reason = (
            f"too early to judge: {n_after} point(s) after the change; the shift rule needs "
            f"{run_limit + 1} ({rule_text})"
        )
        in_shift = np.zeros(npts, dtype=bool)
    else:
        verdict, direction, rule = "no detectable change", None, None
        reason = (
            f"no detectable change: longest run {run_good} on the improvement side in "
            f"{n_after} points after the change (a shift needs {rule_text})"
        )
        in_shift = np.zeros(npts, dtype=bool)

    if lone and verdict != "deterioration":
        reason += "; " + " and ".join(lone) + f" (a signal needs {min_beyond})"

    side_text = np.full(npts, None, dtype=object)
    side_text[after & (side == good)] = "improvement"
    side_text[after & (side == -good)] = "concern"
    side_text[after & (side == 0)] = "on centre line"
    out = pd.DataFrame(
        {
            "x": frame["x"],
            "value": val,
            "n": den,
            "phase": frame["phase"],
            "cl": cl,
            "ucl": ucl,
            "lcl": lcl,
            "before_cl": b_cl,
            "before_ucl": b_ucl,
            "before_lcl": b_lcl,
            "side": side_text,
            "beyond_before": beyond_hi | beyond_lo,
            "in_shift": in_shift,
            "variation": variation,
        }
    )
    return ChangeEffect(
        verdict=verdict, reason=reason, rule=rule, direction=direction,
        points_needed=needed, run_limit=run_limit, longest_run_improvement=run_good,
        longest_run_concern=run_bad, beyond_improvement=n_bg, beyond_concern=n_bb,
        measure=measure, estimate=est, ci_low=lo, ci_high=hi, method=method,
        before=before_info, after=after_info, dispersion=phi, data=out, phased=phased, **base,
    )  # fmt: skip
