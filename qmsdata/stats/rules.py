"""Run rules for control and run charts: Western Electric, Nelson and Anhoej.

Every check works on 2-D arrays (series x time) so that one call screens thousands of series; a
1-D series is treated as one row. Trailing NaN (padding of shorter series) is never part of a
pattern.

Conventions (those of the R package qcc, see ``tests/data/spc-cases.json``):

- A rule flags the point that completes its pattern and each later point while the pattern
  continues.
- k-of-m rules ("2 of 3 beyond 2 sigma") require the latest point itself to be in the zone.
- A point exactly on a limit is not beyond it; a point exactly on the centre line is on neither
  side, so it breaks a run of same-side points (Western Electric, Nelson). For the Anhoej rules
  such a point is "not useful": it is skipped, neither breaking nor extending a run.
- Points excluded from a chart's calculations (``Zones.include`` False) leave the Anhoej runs
  analysis the same way (qicharts2's ``runs.analysis`` uses ``y[include]``); the Western Electric
  and Nelson rules still test them.
- Zones are 1 and 2 standard errors of the plotted statistic from the centre line; rule 1 uses
  the chart's own limits (so truncated limits are respected).

References
----------
Western Electric Company (1956). *Statistical Quality Control Handbook*.
Nelson, L. S. (1984). The Shewhart control chart - tests for special causes. *Journal of Quality
Technology* 16(4), 237-239.
Anhoej, J. and Olesen, A. V. (2014). Run charts revisited: a simulation study of run chart rules
for detection of non-random variation in health care processes. *PLoS ONE* 9(11): e113825.
Montgomery, D. C. *Introduction to Statistical Quality Control*, section 6.2.4 (sensitizing rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from qmsdata.errors import DataError

__all__ = [
    "RULE_SETS",
    "Zones",
    "anhoej_limits",
    "evaluate",
    "prepare",
    "resolve_rules",
    "runs_analysis",
]


@dataclass(frozen=True)
class Zones:
    """The per-point facts every rule reads, as 2-D arrays (series x time).

    Attributes
    ----------
    values : ndarray of float
        The plotted statistic (used by the trend and alternation rules).
    z : ndarray of float
        Distance from the centre line in standard errors; NaN where unknown.
    side : ndarray of float
        +1 above the centre line, -1 below, 0 on it; 0 where the point is missing.
    beyond : ndarray of bool
        Strictly beyond the upper or lower control limit.
    valid : ndarray of bool
        The point exists (not padding).
    include : ndarray of bool or None
        The point takes part in the Anhoej runs analysis (False for a point excluded from the
        chart's calculations, as qicharts2 does); None: every valid point.
    """

    values: np.ndarray
    z: np.ndarray
    side: np.ndarray
    beyond: np.ndarray
    valid: np.ndarray
    include: np.ndarray | None = None


def prepare(
    values, cl, sigma=np.nan, *, ucl=None, lcl=None, nsigmas: float = 3.0, include=None
) -> Zones:
    """Build the :class:`Zones` of a chart from its statistic, centre line and standard errors.

    Parameters
    ----------
    values : array_like
        The plotted statistic, 1-D (one series) or 2-D (series x time); NaN marks missing points.
    cl, sigma : array_like
        Centre line and standard error of each point, broadcastable to `values`.
    ucl, lcl : array_like, optional
        Control limits; default ``cl +/- nsigmas * sigma``.
    nsigmas : float
        Width of the default limits.
    include : array_like of bool, optional
        Points that take part in the Anhoej runs analysis (``runs_analysis`` and the
        ``anhoej_shift`` rule), broadcastable to `values`; default every point. Points left out
        are skipped like points on the centre line: they neither break nor extend a run.

    Returns
    -------
    Zones
    """
    v = np.atleast_2d(np.asarray(values, dtype=float))
    cl = np.broadcast_to(np.asarray(cl, dtype=float), v.shape)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), v.shape)
    ucl = cl + nsigmas * sigma if ucl is None else np.broadcast_to(np.asarray(ucl, float), v.shape)
    lcl = cl - nsigmas * sigma if lcl is None else np.broadcast_to(np.asarray(lcl, float), v.shape)
    valid = ~np.isnan(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (v - cl) / sigma
        side = np.where(valid, np.sign(v - cl), 0.0)
        side = np.nan_to_num(side, nan=0.0)
        beyond = valid & ((v > ucl) | (v < lcl))
    inc = None if include is None else np.broadcast_to(np.asarray(include, dtype=bool), v.shape)
    return Zones(values=v, z=z, side=side, beyond=beyond, valid=valid, include=inc)


# --------------------------------------------------------------------------- vector helpers


def run_length(cond: np.ndarray) -> np.ndarray:
    """Return, at each position, the number of consecutive True values ending there (axis -1)."""
    cond = np.asarray(cond, dtype=bool)
    idx = np.arange(cond.shape[-1])
    last_false = np.maximum.accumulate(np.where(cond, -1, idx), axis=-1)
    return idx - last_false


def window_count(cond: np.ndarray, m: int) -> np.ndarray:
    """Return, at each position, how many of the last `m` values (itself included) are True."""
    cs = np.cumsum(np.asarray(cond, dtype=np.int64), axis=-1)
    out = cs.copy()
    out[..., m:] -= cs[..., :-m]
    return out


def _diff(values: np.ndarray) -> np.ndarray:
    """Return x[i] - x[i-1] with NaN at the first position."""
    d = np.full(values.shape, np.nan)
    d[..., 1:] = values[..., 1:] - values[..., :-1]
    return d


# --------------------------------------------------------------------------- the rules


def _beyond_limits(zn: Zones) -> np.ndarray:
    return zn.beyond


def _k_of_m(k: int, m: int, zone: float) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            hi = zn.z > zone
            lo = zn.z < -zone
        return (hi & (window_count(hi, m) >= k)) | (lo & (window_count(lo, m) >= k))

    check.__doc__ = f"{k} of {m} in a row beyond {zone:g} sigma on the same side."
    return check


def _same_side(k: int) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        return (run_length(zn.side > 0) >= k) | (run_length(zn.side < 0) >= k)

    check.__doc__ = f"{k} in a row on the same side of the centre line."
    return check


def _trend(k: int) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        d = _diff(zn.values)
        with np.errstate(invalid="ignore"):
            return (run_length(d > 0) >= k - 1) | (run_length(d < 0) >= k - 1)

    check.__doc__ = f"{k} in a row steadily increasing or decreasing."
    return check


def _alternating(k: int) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        d = _diff(zn.values)
        alt = np.zeros(d.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            alt[..., 1:] = d[..., 1:] * d[..., :-1] < 0
        # k points alternating = k - 1 differences = k - 2 sign changes in a row
        return run_length(alt) >= k - 2

    check.__doc__ = f"{k} in a row alternating up and down."
    return check


def _hugging(k: int) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            within = np.abs(zn.z) <= 1
        return run_length(within) >= k

    check.__doc__ = f"{k} in a row within 1 sigma of the centre line (either side)."
    return check


def _avoiding(k: int) -> Callable[[Zones], np.ndarray]:
    def check(zn: Zones) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            hi = zn.z > 1
            lo = zn.z < -1
        both = (window_count(hi, k) >= 1) & (window_count(lo, k) >= 1)
        return (run_length(hi | lo) >= k) & both

    check.__doc__ = f"{k} in a row beyond 1 sigma, on both sides, none within 1 sigma."
    return check


def anhoej_limits(n_useful) -> tuple[np.ndarray, np.ndarray]:
    """Return the Anhoej critical values for a number of useful observations.

    Parameters
    ----------
    n_useful : array_like of int
        Number of points not on the centre line.

    Returns
    -------
    longest_run_max, crossings_min : ndarray
        ``round(log2(n) + 3)`` and the lower 5 % quantile of Binomial(n - 1, 0.5); a run chart
        signals when the longest run is longer than the first or the number of crossings is
        smaller than the second. Both are 0 where ``n_useful`` is 0.

    References
    ----------
    Anhoej, J. and Olesen, A. V. (2014), PLoS ONE 9(11): e113825; critical values as tabulated
    in the qicharts2 vignette.
    """
    n = np.asarray(n_useful, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        run_max = np.where(n > 0, np.round(np.log2(np.maximum(n, 1)) + 3), 0)
    cross_min = np.where(n > 1, stats.binom.ppf(0.05, np.maximum(n - 1, 1), 0.5), 0)
    return run_max.astype(int), cross_min.astype(int)


def _useful_runs(zn: Zones) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (useful, run length so far among useful points, crossing flag) per point."""
    useful = zn.valid & (zn.side != 0)
    if zn.include is not None:
        useful &= zn.include
    t = useful.shape[-1]
    idx = np.arange(t)
    # side of the previous useful point (0 when there is none)
    last_useful = np.maximum.accumulate(np.where(useful, idx, -1), axis=-1)
    prev_pos = np.empty_like(last_useful)
    prev_pos[..., 0] = -1
    prev_pos[..., 1:] = last_useful[..., :-1]
    prev_side = np.where(prev_pos >= 0, np.take_along_axis(zn.side, np.maximum(prev_pos, 0), -1), 0)
    start = useful & (prev_side != zn.side)  # first useful point of a run
    crossing = start & (prev_side != 0)
    cum = np.cumsum(useful, axis=-1)
    last_start = np.maximum.accumulate(np.where(start, idx, -1), axis=-1)
    cum_at_start = np.where(
        last_start >= 0, np.take_along_axis(cum, np.maximum(last_start, 0), -1), 0
    )
    run = np.where(useful, cum - cum_at_start + 1, 0)
    return useful, run, crossing


def runs_analysis(zn: Zones) -> dict[str, np.ndarray]:
    """Apply the Anhoej run-chart rules to each row.

    Parameters
    ----------
    zn : Zones
        From :func:`prepare` (only ``side``, ``valid`` and ``include`` are read).

    Returns
    -------
    dict of ndarray, one value per row
        ``n_useful, longest_run, longest_run_max, crossings, crossings_min, runs_signal``;
        ``runs_signal`` is ``longest_run > longest_run_max or crossings < crossings_min``.

    References
    ----------
    Anhoej, J. and Olesen, A. V. (2014), PLoS ONE 9(11): e113825.
    """
    useful, run, crossing = _useful_runs(zn)
    n_useful = useful.sum(axis=-1)
    longest = run.max(axis=-1, initial=0)
    crossings = crossing.sum(axis=-1)
    run_max, cross_min = anhoej_limits(n_useful)
    signal = (n_useful > 0) & ((longest > run_max) | (crossings < cross_min))
    return {
        "n_useful": n_useful,
        "longest_run": longest,
        "longest_run_max": run_max,
        "crossings": crossings,
        "crossings_min": cross_min,
        "runs_signal": signal,
    }


def _anhoej_shift(zn: Zones) -> np.ndarray:
    """Points of a run of same-side useful points longer than round(log2(n_useful) + 3)."""
    useful, run, _ = _useful_runs(zn)
    run_max, _ = anhoej_limits(useful.sum(axis=-1))
    return useful & (run > run_max[..., None])


# rule set -> {rule id -> check}. Plain dicts: add a set by adding an entry.
RULE_SETS: dict[str, dict[str, Callable[[Zones], np.ndarray]]] = {
    "western_electric": {
        "we_1": _beyond_limits,
        "we_2": _k_of_m(2, 3, 2.0),
        "we_3": _k_of_m(4, 5, 1.0),
        "we_4": _same_side(8),
    },
    "nelson": {
        "nelson_1": _beyond_limits,
        "nelson_2": _same_side(9),
        "nelson_3": _trend(6),
        "nelson_4": _alternating(14),
        "nelson_5": _k_of_m(2, 3, 2.0),
        "nelson_6": _k_of_m(4, 5, 1.0),
        "nelson_7": _hugging(15),
        "nelson_8": _avoiding(8),
    },
    "anhoej": {"anhoej_shift": _anhoej_shift},
}

_ALL_RULES = {rid: fn for rules in RULE_SETS.values() for rid, fn in rules.items()}
#: rules that need no standard error: the only ones applied on run charts (sigma unknown)
SIGMA_FREE = frozenset({"anhoej_shift", "nelson_3", "nelson_4"})


def resolve_rules(rules: str | Iterable[str] | None) -> tuple[str, ...]:
    """Turn a rule specification into a sorted tuple of rule ids.

    Parameters
    ----------
    rules : str, iterable of str or None
        A rule-set name (``"western_electric"``, ``"nelson"``, ``"anhoej"``), a combination
        joined by ``+`` or given as a list, single rule ids (``"nelson_2"``), or None / ``"none"``
        for no rules.

    Returns
    -------
    tuple of str

    Raises
    ------
    DataError
        For an unknown name.
    """
    if rules is None:
        return ()
    names = rules.split("+") if isinstance(rules, str) else list(rules)
    out: set[str] = set()
    for name in (str(n).strip() for n in names):
        if name in ("", "none"):
            continue
        if name in RULE_SETS:
            out.update(RULE_SETS[name])
        elif name in _ALL_RULES:
            out.add(name)
        else:
            raise DataError(
                f"unknown rule set or rule {name!r}",
                hint=f"Use one of {sorted(RULE_SETS)} or a rule id such as 'nelson_2'.",
            )
    return tuple(sorted(out))


def evaluate(zn: Zones, rules: str | Iterable[str] | None = "western_electric") -> dict:
    """Apply rules to every point.

    Parameters
    ----------
    zn : Zones
        From :func:`prepare`.
    rules : str, iterable of str or None
        See :func:`resolve_rules`.

    Returns
    -------
    dict
        Rule id -> bool array shaped like ``zn.values`` (True where the rule fires).

    Examples
    --------
    >>> zn = prepare([0, 3.2, -3.5, 2.9], cl=0.0, sigma=1.0)
    >>> evaluate(zn, "western_electric")["we_1"].ravel().tolist()
    [False, True, True, False]
    """
    return {rid: _ALL_RULES[rid](zn) & zn.valid for rid in resolve_rules(rules)}
