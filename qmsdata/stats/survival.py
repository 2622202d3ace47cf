"""Time to close with open items censored: Kaplan-Meier quantiles.

An item still open at the reporting date has not "taken" its current age to close, it has taken
*at least* that long. Dropping open items makes closure look faster than it is; counting them
as right-censored observations in the Kaplan-Meier estimate does not.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
*JASA* 53(282), 457-481.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["time_to_close"]


def time_to_close(opened: pd.Series, closed: pd.Series, as_of: pd.Timestamp) -> dict[str, float]:
    """Return n, n_open, median_days and p90_days, counting open items as censored.

    Items still open at ``as_of`` (no close date, or closed after ``as_of``) are right-censored
    at their age on ``as_of``, not dropped: dropping them would make closure look faster than
    it is. The Kaplan-Meier estimate of the distribution of days to close gives the median
    and the 90th percentile; a quantile the curve never reaches is NaN ("not yet reached").
    Items opened after ``as_of`` are left out.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
    JASA 53(282). Computed with ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``.
    """
    from scipy import stats

    o = pd.to_datetime(opened, errors="coerce")
    c = pd.to_datetime(closed, errors="coerce")
    keep = o.notna() & (o <= as_of)
    o, c = o[keep], c[keep]
    is_closed = c.notna() & (c <= as_of)
    done = ((c[is_closed] - o[is_closed]).dt.days).clip(lower=0).to_numpy(float)
    still = ((as_of - o[~is_closed]).dt.days).clip(lower=0).to_numpy(float)
    out = {
        "n": int(len(o)),
        "n_open": int(len(still)),
        "median_days": float("nan"),
        "p90_days": float("nan"),
    }
    if len(done) == 0:
        return out
    # a censoring time of 0 carries no information and CensoredData needs positive spans
    data = stats.CensoredData(uncensored=done, right=still)
    cdf = stats.ecdf(data).cdf
    for key, q in (("median_days", 0.5), ("p90_days", 0.9)):
        hit = np.nonzero(cdf.probabilities >= q - 1e-12)[0]
        if len(hit):
            out[key] = float(cdf.quantiles[hit[0]])
    return out
