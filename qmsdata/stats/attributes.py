"""Attribute charts on a denominator: Laney's z-scaling and the p / p' (u / u') choice.

With denominators in the thousands or millions (units shipped, parts received) the binomial or
Poisson limits of an ordinary p or u chart are so tight that nearly every month "signals":
the months differ by more than sampling chance (over-dispersion). Laney (2002) rescales the
limits by sigma_z, the moving-range spread of the points' z-scores; the p' and u' charts of
:mod:`qmsdata.stats.spc` use it, and :func:`choose_attribute_chart` decides which chart a
series needs.

References
----------
Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering* 14(4),
531-537.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qmsdata.stats.spc import D2

__all__ = ["OVERDISPERSION_LIMIT", "choose_attribute_chart", "dispersion_ratio"]

#: Laney's sigma_z above which ordinary p/u limits are judged too tight (over-dispersion)
OVERDISPERSION_LIMIT = 1.5


def dispersion_ratio(count: np.ndarray, n: np.ndarray, kind: str = "p") -> float:
    """Return Laney's sigma_z: the spread of z-scores between points, 1 for binomial/Poisson data.

    z_i = (y_i - ybar) / sigma_i with y the proportion (p) or rate (u); sigma_z = mean moving
    range of z / 1.128. Values well above 1 mean over-dispersion: the ordinary p or u limits
    are too tight and a Laney p' / u' chart is the right one. NaN below three usable points or
    without any event.

    References
    ----------
    Laney, D. B. (2002). Improved control charts for attributes. Quality Engineering 14(4).
    """
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(count) & np.isfinite(n) & (n > 0)
    count, n = count[ok], n[ok]
    if len(count) < 3 or count.sum() <= 0:
        return float("nan")
    rate = count / n
    centre = count.sum() / n.sum()
    sigma = np.sqrt(centre * (1 - centre) / n) if kind == "p" else np.sqrt(centre / n)
    z = (rate - centre) / sigma
    return float(np.mean(np.abs(np.diff(z))) / D2[2])


def choose_attribute_chart(count: Any, n: Any, kind: str = "p") -> tuple[str, float]:
    """Return ("p" | "p_prime" | "u" | "u_prime", sigma_z) for a count series on a denominator.

    The Laney chart is chosen when sigma_z > :data:`OVERDISPERSION_LIMIT` (1.5): the
    between-period variation is then more than half again the binomial/Poisson variation the
    ordinary chart assumes, which with large denominators makes nearly every point "signal".
    """
    ratio = dispersion_ratio(np.asarray(count), np.asarray(n), kind)
    prime = bool(np.isfinite(ratio) and ratio > OVERDISPERSION_LIMIT)
    return (f"{kind}_prime" if prime else kind), ratio
