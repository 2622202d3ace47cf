"""Quality rates: ppm, DPMO, sigma level, yields and funnel-plot limits.

References
----------
Harry, M. J. (1988). *The Nature of Six Sigma Quality*, Motorola (the 1.5 sigma long-term shift).
Montgomery, D. C. *Introduction to Statistical Quality Control*, section 1.4 (six sigma, DPMO).
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. *Statistics
in Medicine* 24, 1185-1202.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from qmsdata.errors import DataError

__all__ = [
    "LONG_TERM_SHIFT",
    "dpmo",
    "dpmo_from_sigma",
    "first_pass_yield",
    "funnel_limits",
    "ppm",
    "rolled_throughput_yield",
    "sigma_level",
]

#: the Motorola convention: a process drifts 1.5 sigma in the long term, so a "six sigma"
#: process yields 3.4 DPMO (one-sided)
LONG_TERM_SHIFT = 1.5


def _arr(values: Any, what: str) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be numeric") from exc
    if np.isnan(a).any():
        raise DataError(f"{what} is missing (NaN)")
    return a


def _out(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a


def _ratio(num: Any, den: Any, what: str, *, at_most_one: bool = True) -> np.ndarray:
    num_a, den_a = _arr(num, what), _arr(den, "denominator")
    if (den_a <= 0).any():
        raise DataError(f"{what}: denominator must be positive (zero or negative found)")
    if (num_a < 0).any():
        raise DataError(f"{what}: counts must not be negative")
    if at_most_one and (num_a > den_a).any():
        raise DataError(f"{what}: count exceeds its denominator")
    return num_a / den_a


def ppm(defective: Any, units: Any) -> Any:
    """Return defective parts per million: 1e6 * defective / units.

    Examples
    --------
    >>> ppm(3, 10_000)
    300.0
    """
    return _out(1e6 * _ratio(defective, units, "ppm"))


def dpmo(defects: Any, units: Any, opportunities: Any = 1) -> Any:
    """Return defects per million opportunities: 1e6 * defects / (units * opportunities).

    References
    ----------
    Montgomery section 1.4.
    """
    den = _arr(units, "units") * _arr(opportunities, "opportunities")
    return _out(1e6 * _ratio(defects, den, "dpmo"))


def sigma_level(dpmo_value: Any, *, shift: float = LONG_TERM_SHIFT) -> Any:
    """Return the (short-term) sigma level of a DPMO: Phi^-1(1 - DPMO/1e6) + shift.

    Parameters
    ----------
    dpmo_value : float or array
        Defects per million opportunities, in (0, 1e6).
    shift : float
        The long-term shift, :data:`LONG_TERM_SHIFT` (1.5) by the Motorola convention; 0 for
        the plain normal quantile.

    Examples
    --------
    >>> round(sigma_level(3.4), 2)
    6.0
    """
    d = _arr(dpmo_value, "dpmo")
    if ((d <= 0) | (d >= 1e6)).any():
        raise DataError("dpmo must be strictly between 0 and 1,000,000 for a sigma level")
    return _out(stats.norm.isf(d / 1e6) + shift)


def dpmo_from_sigma(sigma: Any, *, shift: float = LONG_TERM_SHIFT) -> Any:
    """Return the DPMO of a sigma level: 1e6 * (1 - Phi(sigma - shift)), one-sided.

    Examples
    --------
    >>> round(dpmo_from_sigma(6), 1)
    3.4
    """
    return _out(1e6 * stats.norm.sf(_arr(sigma, "sigma level") - shift))


def first_pass_yield(passed_first_time: Any, entered: Any) -> Any:
    """Return first-pass yield: units passing a step without rework or scrap / units entering."""
    return _out(_ratio(passed_first_time, entered, "first_pass_yield"))


def rolled_throughput_yield(step_yields: Any) -> float:
    """Return rolled throughput yield, the product of the steps' first-pass yields.

    Examples
    --------
    >>> round(rolled_throughput_yield([0.95, 0.84, 0.88]), 5)
    0.70224
    """
    y = _arr(step_yields, "step yields").ravel()
    if y.size == 0:
        raise DataError("rolled_throughput_yield needs at least one step yield")
    if ((y < 0) | (y > 1)).any():
        raise DataError("step yields must be between 0 and 1")
    return float(np.prod(y))


def funnel_limits(
    n: Any,
    *,
    center: float,
    kind: str = "proportion",
    levels: tuple[float, ...] = (0.95, 0.998),
) -> pd.DataFrame:
    """Return funnel-plot control limits for units of unequal size.

    Parameters
    ----------
    n : array_like
        Size of each unit (cases, or exposure for rates), positive.
    center : float
        The benchmark: overall proportion or rate (e.g. total events / total n).
    kind : {"proportion", "rate"}
        Binomial proportion (se = sqrt(p (1 - p) / n), limits clipped to [0, 1]) or Poisson
        rate (se = sqrt(rate / n), lower limit clipped at 0).
    levels : tuple of float
        Two-sided coverage of each pair of limits (0.95 and 0.998 by Spiegelhalter's
        convention: about 2 and 3 sigma).

    Returns
    -------
    DataFrame
        ``n, center`` then ``lower_<pct>, upper_<pct>`` per level, e.g. ``lower_95``,
        ``upper_998`` (digits of the percentage without the decimal point).

    References
    ----------
    Spiegelhalter (2005), normal approximation (section 3).
    """
    size = _arr(n, "n").ravel()
    if (size <= 0).any():
        raise DataError("funnel_limits: n must be positive")
    if kind not in ("proportion", "rate"):
        raise DataError(f"kind must be 'proportion' or 'rate', not {kind!r}")
    if kind == "proportion" and not 0 <= center <= 1:
        raise DataError(f"a proportion centre must be in [0, 1], got {center}")
    if kind == "rate" and center < 0:
        raise DataError(f"a rate centre must not be negative, got {center}")
    var = center * (1 - center) if kind == "proportion" else center
    se = np.sqrt(var / size)
    out = pd.DataFrame({"n": size, "center": center})
    for level in levels:
        if not 0 < level < 1:
            raise DataError(f"levels must be in (0, 1), got {level}")
        z = stats.norm.ppf(0.5 + level / 2)
        tag = f"{level * 100:g}".replace(".", "")
        out[f"lower_{tag}"] = np.maximum(center - z * se, 0.0)
        upper = center + z * se
        out[f"upper_{tag}"] = np.minimum(upper, 1.0) if kind == "proportion" else upper
    return out
