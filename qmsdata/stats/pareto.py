"""Pareto analysis: which few categories account for most of the problems.

References
----------
Juran, J. M. (1951). *Quality Control Handbook* (the Pareto principle, "vital few").
Montgomery, D. C. *Introduction to Statistical Quality Control*, section 5.4 (Pareto chart).
R package qcc, ``pareto.chart`` (the reference example in ``tests/data/spc-cases.json``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.errors import DataError

__all__ = ["pareto"]


def pareto(
    data: pd.DataFrame,
    *,
    category: str,
    weight: str | None = None,
    vital_share: float = 0.8,
) -> pd.DataFrame:
    """Rank categories by frequency and mark the vital few.

    Parameters
    ----------
    data : DataFrame
        Raw records, one row per record (count = rows), or with `weight` a column of counts
        or weights to sum (so pre-aggregated counts work too).
    category : str
        Column holding the category.
    weight : str, optional
        Column summed per category instead of counting rows.
    vital_share : float
        Cumulative share the vital few must reach, in (0, 1].

    Returns
    -------
    DataFrame
        Columns ``category, count, share, cum_share, vital_few``; sorted by count descending,
        ties by category name. ``vital_few`` marks the smallest leading set whose cumulative
        share reaches `vital_share`: a category is vital when the cumulative share *before* it
        is below `vital_share` (so the one reaching exactly 80 % is in).

    Raises
    ------
    DataError
        Missing columns, missing categories, negative or missing weights, bad vital_share.

    Examples
    --------
    >>> df = pd.DataFrame({"cause": ["a", "b", "a", "c", "a", "b"]})
    >>> pareto(df, category="cause")["category"].tolist()
    ['a', 'b', 'c']
    """
    if not 0 < vital_share <= 1:
        raise DataError(f"vital_share must be in (0, 1], got {vital_share!r}")
    for col in (category, weight):
        if col is not None and col not in data.columns:
            raise DataError(
                f"column {col!r} not found; columns are {list(data.columns)}", column=col
            )
    cats = data[category]
    bad = np.flatnonzero(cats.isna().to_numpy())
    if bad.size:
        raise DataError(
            f"category missing at 0-based position(s) {bad[:10].tolist()}",
            column=category,
            hint="Fill the category (e.g. 'unknown') before the Pareto analysis.",
        )
    if weight is None:
        w = pd.Series(1.0, index=data.index)
    else:
        try:
            w = data[weight].astype(float)
        except (TypeError, ValueError) as exc:
            raise DataError("weights must be numeric", column=weight) from exc
        bad = np.flatnonzero((w.isna() | (w < 0)).to_numpy())
        if bad.size:
            raise DataError(
                f"weight missing or negative at 0-based position(s) {bad[:10].tolist()}",
                column=weight,
            )
    counts = w.groupby(cats.to_numpy(), sort=False).sum()
    out = pd.DataFrame({"category": counts.index.to_numpy(), "count": counts.to_numpy()})
    out["_key"] = out["category"].astype(str)
    out = out.sort_values(["count", "_key"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_key").reset_index(drop=True)
    if weight is None:
        out["count"] = out["count"].astype(np.int64)
    total = out["count"].sum()
    cum = out["count"].cumsum()
    if total > 0:
        out["share"] = out["count"] / total
        out["cum_share"] = cum / total
        out["vital_few"] = ((cum - out["count"]) / total < vital_share).to_numpy()
    else:
        out["share"] = np.nan
        out["cum_share"] = np.nan
        out["vital_few"] = False
    return out
