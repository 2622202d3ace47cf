"""Screen many KPI series at once: control limits, run rules and trend per series, vectorised.

The series are laid out as a 2-D array (series x time, shorter series padded with NaN at the
end) and every step — limits, Western Electric / Nelson / Anhoej rules, Mann-Kendall and Sen —
runs on the whole array with numpy. The answers equal :func:`qmsdata.control_chart` and
:func:`qmsdata.trend_test` run series by series (tested), only much faster
(``benchmarks/screening.py``).

References
----------
See :mod:`qmsdata.stats.spc`, :mod:`qmsdata.stats.rules` and
:mod:`qmsdata.stats.trends`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from qmsdata.errors import DataError
from qmsdata.stats import enough_points
from qmsdata.stats import rules as rules_mod
from qmsdata.stats.spc import D2
from qmsdata.stats.trends import mann_kendall

__all__ = ["SCREEN_CHARTS", "screen"]

#: charts screen() supports (each computed on the whole series x time array)
SCREEN_CHARTS = ("run", "i", "c", "p", "u")


def _limits(chart: str, v: np.ndarray, nn: np.ndarray, used: np.ndarray) -> tuple:
    """Return (statistic, cl per series, se per point, lcl floor, ucl cap, sigma per series)."""
    nan = np.nan
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: too short for limits
        if chart == "run":
            stat = v / nn
            cl = np.nanmedian(np.where(used, stat, nan), axis=1)
            return stat, cl, np.full(v.shape, nan), None, None, np.full(len(v), nan)
        if chart == "i":
            cl = np.nanmean(np.where(used, v, nan), axis=1)
            mr = np.abs(np.diff(v, axis=1))
            pair = used[:, 1:] & used[:, :-1]
            sigma = np.nanmean(np.where(pair, mr, nan), axis=1) / D2[2]
            return v, cl, np.broadcast_to(sigma[:, None], v.shape), None, None, sigma
        if chart == "c":
            cl = np.nanmean(np.where(used, v, nan), axis=1)
            sigma = np.sqrt(cl)
            return v, cl, np.broadcast_to(sigma[:, None], v.shape), 0.0, None, sigma
        # p and u: centre = total count / total n over the baseline
        cl = np.where(used, v, 0).sum(axis=1) / np.where(used, nn, 0).sum(axis=1)
        sigma = np.sqrt(cl * (1 - cl)) if chart == "p" else np.sqrt(cl)
        se = sigma[:, None] / np.sqrt(nn)
        return v / nn, cl, se, 0.0, (1.0 if chart == "p" else None), sigma


def _tuples(mask: np.ndarray, names: Sequence[str]) -> list[tuple[str, ...]]:
    """Turn a (series x rule) bool matrix into one sorted tuple of rule ids per series."""
    if mask.shape[1] == 0:
        return [()] * mask.shape[0]
    patterns, inverse = np.unique(mask, axis=0, return_inverse=True)
    lookup = [tuple(n for n, on in zip(names, row, strict=True) if on) for row in patterns]
    return [lookup[i] for i in np.ravel(inverse)]


def screen(
    frame: pd.DataFrame,
    *,
    series: str | Sequence[str],
    value: str,
    x: str | None = None,
    n: str | None = None,
    chart: str = "i",
    rules: str | Sequence[str] | None = ("western_electric", "anhoej"),
    improvement: str | None = None,
    baseline: int | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Screen many series: one control chart, rule check and trend test per series, vectorised.

    Parameters
    ----------
    frame : DataFrame
        Long format: one row per series and time point.
    series : str or sequence of str
        Column(s) identifying a series.
    value : str
        The measurement (i, run) or count (c, p, u).
    x : str, optional
        Time column; rows are sorted by it within each series. Default: row order, positions
        0, 1, ... per series.
    n : str, optional
        Denominator (required for p and u; turns counts into rates on a run chart).
    chart : {"i", "run", "c", "p", "u"}
        Chart computed for every series, with the conventions of :func:`control_chart`.
    rules : str, sequence of str or None
        Rule sets or ids as in :func:`control_chart`.
    improvement : {"increase", "decrease", None}
        Improvement direction for the variation verdict.
    baseline : int, optional
        Limits from the first `baseline` points of each series.
    alpha : float
        Significance level of the Mann-Kendall test.

    Returns
    -------
    DataFrame
        One row per series, sorted by the series key(s): the key column(s), ``n_points,
        center, sigma, ucl, lcl`` (limits of the last point), ``last_x, last_value,
        sigma_signals`` (count of points beyond a limit), ``rules`` (sorted tuple of the rule
        ids that fired anywhere), ``since`` (x of the first flagged point, None if none),
        ``runs_signal, longest_run, crossings`` (Anhoej), ``variation`` (of the latest point,
        ``"insufficient data"`` under 12 points, as ``ControlChart.summary()``) and
        ``trend, trend_p, trend_slope`` (Mann-Kendall / Sen on the plotted statistic, as
        :func:`trend_test`).

    Raises
    ------
    DataError
        Missing columns, NaN values, bad denominators, unknown chart or rule names.

    References
    ----------
    Montgomery chapters 6-7; Anhoej & Olesen (2014); Mann (1945); Sen (1968).
    """
    if chart not in SCREEN_CHARTS:
        raise DataError(f"screen supports the charts {SCREEN_CHARTS}, not {chart!r}")
    if improvement not in (None, "increase", "decrease"):
        raise DataError(f"improvement must be 'increase', 'decrease' or None, not {improvement!r}")
    keys = [series] if isinstance(series, str) else list(series)
    for col in [*keys, value, *([x] if x else []), *([n] if n else [])]:
        if col not in frame.columns:
            raise DataError(
                f"column {col!r} not found; columns are {list(frame.columns)}", column=col
            )
    if chart in ("p", "u") and n is None:
        raise DataError(f"the {chart} chart needs n= (sample size or inspection units)")
    rule_ids = rules_mod.resolve_rules(rules)
    if chart == "run":
        rule_ids = tuple(sorted({*rule_ids, "anhoej_shift"} & rules_mod.SIGMA_FREE))
    if frame.empty:
        raise DataError("no rows to screen")

    df = frame.reset_index(drop=True)
    if x is not None:
        df = df.sort_values([*keys, x], kind="stable").reset_index(drop=True)
    try:
        vals = df[value].to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError("values must be numeric", column=value) from exc
    bad = np.flatnonzero(np.isnan(vals))
    if bad.size:
        raise DataError(f"value missing (NaN) at 0-based row(s) {bad[:10].tolist()}", column=value)
    nvals = df[n].to_numpy(dtype=float) if n is not None else np.ones(len(df))
    bad = np.flatnonzero(~(nvals > 0))
    if bad.size:
        raise DataError(
            f"n missing or not positive at 0-based row(s) {bad[:10].tolist()}", column=n
        )
    if chart in ("c", "p", "u") and (vals < 0).any():
        raise DataError("negative counts", column=value)
    if chart == "p" and (vals > nvals).any():
        raise DataError("count exceeds n (a proportion above 1)", column=value)

    grouped = df.groupby(keys, sort=True)
    code = grouped.ngroup().to_numpy()
    pos = grouped.cumcount().to_numpy()
    n_series, width = int(code.max()) + 1, int(pos.max()) + 1
    v = np.full((n_series, width), np.nan)
    v[code, pos] = vals
    nn = np.ones((n_series, width))
    nn[code, pos] = nvals
    row_of = np.zeros((n_series, width), dtype=np.int64)  # row of df behind each cell
    row_of[code, pos] = np.arange(len(df))
    x_values = df[x].array if x is not None else pd.array(pos)
    valid = ~np.isnan(v)
    n_points = valid.sum(axis=1)
    used = valid if baseline is None else valid & (np.arange(width) < baseline)

    stat, cl, se, floor, cap, sigma = _limits(chart, v, nn, used)
    cl2 = np.broadcast_to(cl[:, None], v.shape)
    with np.errstate(invalid="ignore"):
        ucl = cl2 + 3 * se
        lcl = cl2 - 3 * se
        if floor is not None:
            lcl = np.maximum(lcl, floor)
        if cap is not None:
            ucl = np.minimum(ucl, cap)
    zn = rules_mod.prepare(stat, cl2, se, ucl=ucl, lcl=lcl)
    flags = rules_mod.evaluate(zn, rule_ids)
    runs = rules_mod.runs_analysis(zn)

    any_rule = np.zeros(v.shape, dtype=bool)
    for f in flags.values():
        any_rule |= f
    flagged = zn.beyond | any_rule
    direction = zn.side
    if "nelson_3" in flags:
        trend_dir = np.sign(np.diff(stat, axis=1, prepend=np.nan))
        direction = np.where(flags["nelson_3"], trend_dir, direction)

    rows = np.arange(n_series)
    last = n_points - 1
    last_flag = flagged[rows, last]
    last_dir = direction[rows, last]
    if improvement is None:
        variation = np.where(last_flag, "special_cause", "common_cause").astype(object)
    else:
        good = last_dir > 0 if improvement == "increase" else last_dir < 0
        bad_side = last_dir < 0 if improvement == "increase" else last_dir > 0
        variation = np.select(
            [last_flag & good, last_flag & bad_side, last_flag],
            ["special_cause_improvement", "special_cause_concern", "special_cause"],
            "common_cause",
        ).astype(object)
    last_ucl, last_lcl = ucl[rows, last], lcl[rows, last]
    limits_ok = np.isfinite(cl) & (np.isfinite(last_ucl) | (chart == "run"))
    variation[~enough_points(n_points) | ~limits_ok] = "insufficient data"

    first = np.argmax(flagged, axis=1)
    since = pd.Series(x_values.take(row_of[rows, first]), dtype=object)
    since[~flagged.any(axis=1)] = None
    fired = (
        np.column_stack([flags[r].any(axis=1) for r in rule_ids])
        if rule_ids
        else (np.zeros((n_series, 0), dtype=bool))
    )
    mk = mann_kendall(stat, alpha=alpha)

    key_frame = grouped.size().reset_index()[keys]
    out = key_frame.assign(
        n_points=n_points,
        center=cl,
        sigma=sigma,
        ucl=last_ucl,
        lcl=last_lcl,
        last_x=x_values.take(row_of[rows, last]),
        last_value=stat[rows, last],
        sigma_signals=zn.beyond.sum(axis=1),
        rules=pd.Series(_tuples(fired, rule_ids), dtype=object),
        since=since,
        runs_signal=runs["runs_signal"],
        longest_run=runs["longest_run"],
        crossings=runs["crossings"],
        variation=variation,
        trend=mk["trend"],
        trend_p=mk["p"],
        trend_slope=mk["slope"],
    )
    return out
