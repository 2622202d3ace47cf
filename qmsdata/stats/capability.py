"""Process capability: Cp, Cpk (within-subgroup sigma), Pp, Ppk (overall sigma).

References
----------
Montgomery, D. C. *Introduction to Statistical Quality Control*, chapter 8 (process capability).
NIST/SEMATECH *e-Handbook of Statistical Methods*, section 6.1.6 (process capability).
Anderson, T. W. and Darling, D. A. (1954). A test of goodness of fit. *JASA* 49, 765-769.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from qmsdata.errors import DataError
from qmsdata.stats.spc import D2, c4

__all__ = ["Capability", "capability", "capability_indices"]


def capability_indices(
    mean: float, sigma: float, *, lsl: float | None = None, usl: float | None = None
) -> dict[str, float]:
    """Compute Cp, Cpl, Cpu and Cpk from summary values.

    Parameters
    ----------
    mean, sigma : float
        Process mean and standard deviation (within sigma for Cp/Cpk, overall for Pp/Ppk).
    lsl, usl : float, optional
        Specification limits; an index needing a missing limit is NaN.

    Returns
    -------
    dict
        ``cp = (usl - lsl) / 6 sigma``, ``cpu = (usl - mean) / 3 sigma``,
        ``cpl = (mean - lsl) / 3 sigma``, ``cpk = min(cpl, cpu)`` (the one available with a
        single limit).

    References
    ----------
    NIST/SEMATECH e-Handbook 6.1.6; Montgomery section 8.3.

    Examples
    --------
    >>> capability_indices(16.0, 2.0, lsl=8.0, usl=20.0)["cpk"]
    0.6666666666666666
    """
    if lsl is None and usl is None:
        raise DataError("capability needs at least one specification limit (lsl or usl)")
    if lsl is not None and usl is not None and not lsl < usl:
        raise DataError(f"lsl ({lsl}) must be below usl ({usl})")
    if not sigma > 0:
        raise DataError(f"sigma must be positive, got {sigma!r}")
    nan = float("nan")
    cp = (usl - lsl) / (6 * sigma) if lsl is not None and usl is not None else nan
    cpu = (usl - mean) / (3 * sigma) if usl is not None else nan
    cpl = (mean - lsl) / (3 * sigma) if lsl is not None else nan
    cpk = float(np.nanmin([cpl, cpu]))
    return {"cp": cp, "cpl": cpl, "cpu": cpu, "cpk": cpk}


@dataclass(frozen=True)
class Capability:
    """Result of :func:`capability`.

    Attributes
    ----------
    cp, cpk, cpl, cpu : float
        Capability from the within-subgroup sigma (short term).
    pp, ppk : float
        Performance from the overall sample standard deviation (n - 1).
    cpm : float
        Taguchi index (usl - lsl) / (6 sqrt(s**2 + (mean - target)**2)), NaN without target.
    mean, sigma_within, sigma_overall : float
    n : int
    normality_p : float
        Anderson-Darling p value (interpolated from the tables; NaN below 8 values).
    normality : str
        A sentence on whether normality, which the indices assume, is rejected at 5 %.
    """

    cp: float
    cpk: float
    cpl: float
    cpu: float
    pp: float
    ppk: float
    cpm: float
    mean: float
    sigma_within: float
    sigma_overall: float
    n: int
    normality_p: float
    normality: str


def _sigma_within(x: np.ndarray, subgroup: Any) -> float:
    if subgroup is None:
        # moving range of consecutive values / d2(2), as for the individuals chart
        return float(np.mean(np.abs(np.diff(x))) / D2[2])
    g = pd.Series(x).groupby(np.asarray(subgroup), sort=False)
    s = g.std().to_numpy()
    size = g.size().to_numpy().astype(float)
    keep = size >= 2
    if not keep.any():
        raise DataError("every subgroup has a single value; omit subgroup= for individuals")
    cc = c4(size[keep])
    w = cc**2 / (1 - cc**2)
    return float(np.sum(w * s[keep] / cc) / np.sum(w))


def capability(
    values: Any,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    subgroup: Any = None,
    target: float | None = None,
) -> Capability:
    """Compute process capability and performance indices with a normality note.

    Parameters
    ----------
    values : sequence of float
        Measurements in time order.
    lsl, usl : float, optional
        Specification limits (at least one).
    subgroup : sequence, optional
        Subgroup label per value; the within sigma is then sbar/c4 pooled over subgroups
        (Burr's weights). Without it the within sigma is the mean moving range / 1.128.
    target : float, optional
        Target value for Cpm.

    Returns
    -------
    Capability

    Raises
    ------
    DataError
        No limits, fewer than 2 values, NaN values, zero spread, mismatched subgroup labels.

    References
    ----------
    Montgomery chapter 8; NIST/SEMATECH e-Handbook 6.1.6; Anderson & Darling (1954).

    Examples
    --------
    >>> round(capability([9.8, 10.1, 10.0, 9.9, 10.2, 10.0], lsl=9, usl=11).pp, 3)
    2.357
    """
    try:
        x = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise DataError("capability needs numeric values") from exc
    if x.size < 2:
        raise DataError(f"capability needs at least 2 values, got {x.size}")
    bad = np.flatnonzero(np.isnan(x))
    if bad.size:
        raise DataError(f"value missing (NaN) at 0-based position(s) {bad[:10].tolist()}")
    if subgroup is not None and len(subgroup) != x.size:
        raise DataError(f"subgroup has {len(subgroup)} labels for {x.size} values")
    mean = float(x.mean())
    s_overall = float(x.std(ddof=1))
    s_within = _sigma_within(x, subgroup)
    if not (s_overall > 0 and s_within > 0):
        raise DataError("the values have no spread; capability indices are undefined")
    within = capability_indices(mean, s_within, lsl=lsl, usl=usl)
    overall = capability_indices(mean, s_overall, lsl=lsl, usl=usl)
    cpm = float("nan")
    if target is not None and lsl is not None and usl is not None:
        cpm = (usl - lsl) / (6 * np.sqrt(s_overall**2 + (mean - target) ** 2))
    p_norm = float("nan")
    note = "too few values (< 8) to check normality"
    if x.size >= 8:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p_norm = float(stats.anderson(x, dist="norm", method="interpolate").pvalue)
        if p_norm < 0.05:
            note = (
                f"Anderson-Darling rejects normality (p = {p_norm:.3g}): the indices, which "
                "assume a normal distribution, may mislead"
            )
        else:
            note = f"Anderson-Darling does not reject normality (p = {p_norm:.3g})"
    return Capability(
        cp=within["cp"],
        cpk=within["cpk"],
        cpl=within["cpl"],
        cpu=within["cpu"],
        pp=overall["cp"],
        ppk=overall["cpk"],
        cpm=float(cpm),
        mean=mean,
        sigma_within=s_within,
        sigma_overall=s_overall,
        n=int(x.size),
        normality_p=p_norm,
        normality=note,
    )
