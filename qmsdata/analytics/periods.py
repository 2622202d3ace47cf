"""Reporting periods and the small plumbing shared by the area analytics.

A reporting *period* is a calendar month (``"2026-10"``) or quarter (``"2026Q3"``), given as a
string, a :class:`pandas.Period` or anything :class:`pandas.Period` accepts. ``as_of`` is the
moment the data are judged at; it defaults to the last day of the period. Nothing here reads the
clock: every function is a pure function of its arguments.

Conventions
-----------
- Period windows are closed: a date belongs to a period when ``start <= date <= end`` where
  ``start``/``end`` are the first and last calendar day of the period.
- Monthly series are indexed by ``Period[M]``; a quarter is three months.
- The fiscal year starts in month ``fiscal_year_start`` (1 = January, from ``qms.toml``).
- Results that cannot be computed (empty period, record type not configured, series too short)
  come back as an empty frame with the documented columns, or a :class:`Result` whose ``note``
  says why, never as an exception from inside pandas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.errors import DataError

#: fewest monthly points for a control-chart or trend verdict (iso9001-review-map: "about 12")
MIN_POINTS = 12


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------
def parse_period(period: Any) -> pd.Period:
    """Return ``period`` as a monthly or quarterly :class:`pandas.Period`.

    Parameters
    ----------
    period
        ``"2026-10"``, ``"2026Q3"``, a Period (M or Q), or a date (its month is used).

    Raises
    ------
    DataError
        When the value is not a month or a quarter.
    """
    if isinstance(period, pd.Period):
        freq = period.freqstr
        if freq.startswith("M"):
            return period
        if freq.startswith("Q"):
            return period.asfreq("Q-DEC") if freq != "Q-DEC" else period
        raise DataError(
            f"period {period} has frequency {freq}; use a month such as '2026-10' "
            "or a quarter such as '2026Q3'"
        )
    if period is None:
        raise DataError("a period is required, e.g. period='2026-10' or period='2026Q3'")
    text = str(period).strip().upper()
    try:
        if re.fullmatch(r"\d{4}Q[1-4]", text):
            return pd.Period(text, freq="Q-DEC")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return pd.Period(text, freq="M")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text):
            return pd.Timestamp(text).to_period("M")
        raise ValueError(text)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"cannot read period {period!r}", hint="Use '2026-10' for a month or '2026Q3'."
        ) from exc


def period_start(period: Any) -> pd.Timestamp:
    """Return the first day of ``period`` (midnight)."""
    return parse_period(period).start_time.normalize()


def period_end(period: Any) -> pd.Timestamp:
    """Return the last calendar day of ``period`` (midnight of that day)."""
    return parse_period(period).end_time.normalize()


def resolve_as_of(period: Any, as_of: Any = None) -> pd.Timestamp:
    """Return ``as_of`` as a Timestamp, defaulting to the last day of ``period``."""
    if as_of is None:
        return period_end(period)
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"cannot read as_of {as_of!r}", hint="Use a date such as 2026-10-31."
        ) from exc


def period_months(period: Any) -> pd.PeriodIndex:
    """Return the months of ``period`` (one for a month, three for a quarter)."""
    p = parse_period(period)
    return pd.period_range(p.start_time.to_period("M"), p.end_time.to_period("M"), freq="M")


def last_month(period: Any) -> pd.Period:
    """Return the last month of ``period``."""
    return period_months(period)[-1]


def previous_period(period: Any) -> pd.Period:
    """Return the period just before ``period``, of the same length (month or quarter)."""
    return parse_period(period) - 1


def same_period_last_year(period: Any) -> pd.Period:
    """Return the same month or quarter one year earlier."""
    p = parse_period(period)
    return p - (12 if p.freqstr.startswith("M") else 4)


def fiscal_year_start(period: Any, fiscal_year_start: int = 1) -> pd.Period:
    """Return the first month of the fiscal year containing the end of ``period``.

    Parameters
    ----------
    fiscal_year_start
        Calendar month (1-12) in which the fiscal year starts (``qms.toml``).
    """
    if not 1 <= int(fiscal_year_start) <= 12:
        raise DataError(f"fiscal_year_start must be a month 1-12, got {fiscal_year_start!r}")
    end = last_month(period)
    year = end.year if end.month >= fiscal_year_start else end.year - 1
    return pd.Period(year=year, month=int(fiscal_year_start), freq="M")


def ytd_months(period: Any, fiscal_year_start_month: int = 1) -> pd.PeriodIndex:
    """Return the fiscal year-to-date months ending with the last month of ``period``."""
    return pd.period_range(
        fiscal_year_start(period, fiscal_year_start_month), last_month(period), freq="M"
    )


def trailing_months(period: Any, months: int) -> pd.PeriodIndex:
    """Return the ``months`` calendar months ending with the last month of ``period``."""
    end = last_month(period)
    return pd.period_range(end - (int(months) - 1), end, freq="M")


def months_between(start: pd.Period, end: pd.Period) -> int:
    """Return the number of whole months from ``start`` to ``end`` (end - start)."""
    return (end.year - start.year) * 12 + (end.month - start.month)


# --------------------------------------------------------------------------------------------
# workbook access
# --------------------------------------------------------------------------------------------
def records(workbook: Any, record_type: str) -> pd.DataFrame:
    """Return the accepted rows of ``record_type`` from a Workbook, a mapping or a DataFrame.

    A record type that is not configured (missing attribute, ``None``) gives an empty frame,
    never an error: the caller then returns its own "no data" result.
    """
    if isinstance(workbook, pd.DataFrame):
        return workbook
    if isinstance(workbook, dict):
        frame = workbook.get(record_type)
    else:
        frame = getattr(workbook, record_type, None)
    if frame is None:
        return pd.DataFrame()
    return frame


def has_columns(frame: pd.DataFrame, *columns: str) -> bool:
    """Return True when ``frame`` has rows and every one of ``columns``."""
    return len(frame) > 0 and all(c in frame.columns for c in columns)


def fiscal_start_month(workbook: Any) -> int:
    """Return the workbook's fiscal year start month (1 when not configured)."""
    config = (
        workbook.get("config") if isinstance(workbook, dict) else getattr(workbook, "config", None)
    )
    value = getattr(config, "fiscal_year_start", None)
    if value is None and isinstance(config, dict):
        value = config.get("fiscal_year_start")
    return int(value) if value else 1


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``frame[column]`` as datetime64 (NaT where missing or unreadable)."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def to_month(values: pd.Series) -> pd.Series:
    """Return the monthly Period of each date in ``values``."""
    return pd.to_datetime(values, errors="coerce").dt.to_period("M")


def in_window(values: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Return a boolean mask of dates in the closed window [start, end] (by calendar day)."""
    d = pd.to_datetime(values, errors="coerce").dt.normalize()
    return (d >= start) & (d <= end)


def empty(columns: list[str], note: str | None = None) -> pd.DataFrame:
    """Return an empty frame with ``columns`` and ``attrs['note']`` saying why it is empty."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if note:
        frame.attrs["note"] = note
    return frame


@dataclass
class Result:
    """An analysis that has a table and, where enough data, a control chart or trend.

    Attributes
    ----------
    table
        The tidy numbers (documented by the function that returns it).
    chart
        A :class:`qmsdata.analytics.spc.ControlChart`, or None when there is too little data.
    note
        Why something is missing ("insufficient data: 7 months, need 12"), else None.
    extra
        Named extras documented by the function (trend test, chart choice, ...).
    """

    table: pd.DataFrame
    chart: Any = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return True when a chart could be drawn."""
        return self.chart is not None

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)


# --------------------------------------------------------------------------------------------
# shared statistics plumbing (calls into the statistics engine; no chart code here)
# --------------------------------------------------------------------------------------------
#: Laney's sigma_z above which ordinary p/u limits are judged too tight (over-dispersion)
OVERDISPERSION_LIMIT = 1.5


def dispersion_ratio(count: np.ndarray, n: np.ndarray, kind: str = "p") -> float:
    """Return Laney's sigma_z: the spread of z-scores between points, 1 for binomial/Poisson data.

    z_i = (y_i - ybar) / sigma_i with y the proportion (p) or rate (u); sigma_z = mean moving
    range of z / 1.128. Values well above 1 mean over-dispersion: the ordinary p or u limits
    are too tight and a Laney p' / u' chart is the right one.

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
    return float(np.mean(np.abs(np.diff(z))) / 1.128)


def choose_attribute_chart(count: Any, n: Any, kind: str = "p") -> tuple[str, float]:
    """Return ("p" | "p_prime" | "u" | "u_prime", sigma_z) for a count series on a denominator.

    The Laney chart is chosen when sigma_z > :data:`OVERDISPERSION_LIMIT` (1.5): the
    between-period variation is then more than half again the binomial/Poisson variation the
    ordinary chart assumes, which with large denominators makes nearly every point "signal".
    """
    ratio = dispersion_ratio(np.asarray(count), np.asarray(n), kind)
    prime = bool(np.isfinite(ratio) and ratio > OVERDISPERSION_LIMIT)
    return (f"{kind}_prime" if prime else kind), ratio


def time_to_close(opened: pd.Series, closed: pd.Series, as_of: pd.Timestamp) -> dict[str, float]:
    """Return n, n_open, median_days and p90_days, counting open items as censored.

    Items still open at ``as_of`` (no close date, or closed after ``as_of``) are right-censored
    at their age on ``as_of``, not dropped: dropping them would make closure look faster than
    it is. The Kaplan-Meier estimate of the distribution of days to close gives the median
    and the 90th percentile; a quantile the curve never reaches is NaN ("not yet reached").

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


def monthly_chart(
    table: pd.DataFrame,
    chart: str,
    *,
    value: str,
    n: str | None = None,
    x: str = "month",
    min_points: int = MIN_POINTS,
    **options: Any,
) -> tuple[Any, str | None]:
    """Return (ControlChart, None) for a monthly table, or (None, note) when it cannot be judged.

    The time axis is passed to the statistics engine as the first day of each month; the rules
    default to Anhoej's run rules (with points beyond the 3-sigma limits always flagged), the
    review map's default for short monthly series. Too few points, or a DataError from the
    engine (e.g. zero denominators), give a note the notebooks can print instead of a
    misleading chart.
    """
    import qmsdata

    data = table.dropna(subset=[value] + ([n] if n else []))
    if n:
        data = data[data[n] > 0]
    if len(data) < min_points:
        return None, f"insufficient data: {len(data)} months, need {min_points}"
    data = data.reset_index(drop=True)
    if x in data.columns and isinstance(data[x].dtype, pd.PeriodDtype):
        data = data.assign(**{x: data[x].dt.to_timestamp()})
    # short monthly series: Anhoej run rules plus points beyond 3 sigma (iso9001-review-map)
    options.setdefault("rules", "anhoej")
    try:
        result = qmsdata.control_chart(data, chart, value=value, n=n, x=x, **options)
    except DataError as exc:
        return None, f"no chart: {exc}"
    return result, None


def rate_chart(
    table: pd.DataFrame,
    *,
    value: str,
    n: str,
    kind: str = "p",
    baseline: int | None = None,
    improvement: str = "decrease",
) -> Result:
    """Chart a monthly count on its denominator: p (or u), Laney p' (u') when over-dispersed.

    Returns a :class:`Result` with the table, the chart (or a note why there is none) and the
    extras ``chart_type`` and ``sigma_z`` (see :func:`choose_attribute_chart`).
    """
    chart_type, ratio = choose_attribute_chart(table[value], table[n], kind)
    chart, note = monthly_chart(
        table, chart_type, value=value, n=n, baseline=baseline, improvement=improvement
    )
    return Result(table, chart, note, {"chart_type": chart_type, "sigma_z": ratio})
