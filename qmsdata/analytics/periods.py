"""Reporting periods and the small plumbing shared by the area analytics.

A reporting *period* is a calendar month (``"2026-10"``), a calendar quarter (``"2026Q3"``) or a
fiscal quarter (``"FY2027Q1"``, read with the workbook's ``fiscal_year_start``), given as a
string, a :class:`pandas.Period` or a date. :func:`parse_period` is the ONE period parser of the
package: the analytics read periods through it, and so should the pack and the CLI. ``as_of`` is the
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from qmsdata.errors import DataError
from qmsdata.stats import MIN_POINTS, enough_points, insufficient_note
from qmsdata.stats.attributes import choose_attribute_chart
from qmsdata.stats.spc import control_chart

if TYPE_CHECKING:
    from qmsdata.stats.spc import ControlChart
    from qmsdata.workbook import Workbook

__all__ = [
    "DEFAULT_RULES",
    "MIN_POINTS",
    "Result",
    "enough_points",
    "insufficient_note",
    "monthly_chart",
    "parse_period",
    "rate_chart",
]

#: default rule set of the monthly management-review charts (iso9001-review-map): Anhoej's run
#: rules, with points beyond the 3-sigma limits always flagged
DEFAULT_RULES = "anhoej"


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------
def parse_period(period: Any, fiscal_year_start: int = 1) -> pd.Period:
    """Return ``period`` as a monthly or calendar-quarterly :class:`pandas.Period`.

    The one period parser of the package.

    Parameters
    ----------
    period
        A month ``"2026-10"``; a calendar quarter ``"2026Q3"`` (also ``"2026-Q3"``, any case);
        a fiscal quarter ``"FY2027Q1"``; a :class:`pandas.Period` of frequency M or Q; or a
        date (``"2026-10-15"``, a Timestamp: its month is used).
    fiscal_year_start
        Calendar month (1-12) in which the fiscal year starts (``qms.toml``
        ``fiscal_year_start``); only read for a fiscal quarter. A fiscal year is named by the
        calendar year it *ends* in, so with an April start ``FY2027Q1`` is April-June 2026 and
        is returned as the calendar quarter ``2026Q2``.

    Returns
    -------
    pandas.Period
        Frequency ``M`` for a month, ``Q-DEC`` for a quarter (fiscal quarters included).

    Raises
    ------
    DataError
        When the value is not a month or a quarter, or a fiscal quarter does not line up with
        calendar quarters (fiscal year starting in a month other than 1, 4, 7 or 10).

    Examples
    --------
    >>> str(parse_period("2026-10")), str(parse_period("2026-q3"))
    ('2026-10', '2026Q3')
    >>> str(parse_period("FY2027Q1", fiscal_year_start=4))
    '2026Q2'
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
    if isinstance(period, pd.Timestamp):
        return period.to_period("M")
    text = str(period).strip().upper()
    quarter = text.replace("-Q", "Q")
    fiscal = re.fullmatch(r"FY(\d{4})Q([1-4])", quarter)
    if fiscal:
        return _fiscal_quarter(int(fiscal.group(1)), int(fiscal.group(2)), fiscal_year_start)
    try:
        if re.fullmatch(r"\d{4}Q[1-4]", quarter):
            return pd.Period(quarter, freq="Q-DEC")
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            return pd.Period(text, freq="M")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text):
            return pd.Timestamp(text).to_period("M")
        raise ValueError(text)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"cannot read period {period!r}",
            hint="Use a month (2026-10), a calendar quarter (2026Q3) or a fiscal quarter "
            "(FY2027Q1).",
        ) from exc


def _fiscal_quarter(year: int, quarter: int, fiscal_year_start: int) -> pd.Period:
    """Return fiscal quarter ``quarter`` of the fiscal year ending in ``year`` as a calendar one."""
    start = int(fiscal_year_start)
    if start not in (1, 4, 7, 10):
        if not 1 <= start <= 12:
            raise DataError(f"fiscal_year_start must be a month 1-12, got {fiscal_year_start!r}")
        raise DataError(
            f"fiscal quarter FY{year}Q{quarter}: the fiscal year starts in month {start}, so its "
            "quarters are not calendar quarters",
            hint="Use a month (YYYY-MM) or a calendar quarter (YYYYQn).",
        )
    first_year = year - 1 if start > 1 else year
    first = pd.Period(year=first_year, month=start, freq="M") + 3 * (quarter - 1)
    return first.asfreq("Q-DEC")


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
def records(
    workbook: Workbook | Mapping[str, Any] | pd.DataFrame,
    record_type: str,
    columns: Sequence[str] = (),
    *,
    subset: str = "",
) -> pd.DataFrame:
    """Return the accepted rows of ``record_type`` from a Workbook, a mapping or a DataFrame.

    A record type that is not configured (missing attribute, ``None``) gives an empty frame,
    never an error: the caller then returns its own "no data" result.

    A workbook from the Spark engine holds no rows of the large record types but their monthly
    aggregates (``workbook.aggregates``): then the rows are rebuilt from the smallest aggregate
    that provides ``columns`` (the record columns the caller reads), one row per group x month
    with the record count in column ``_rows`` — count rows with :func:`counts`, never ``len``
    or ``size`` (see :func:`qmsdata.engine.aggregates.records_from_aggregates`). ``subset``
    names a partial aggregate the caller can work with (``"capa_links"``: the CAPA-linked
    nonconformities; ``"capa_series"``: the daily series those act on); rows of the default
    engine are returned whole (a superset the caller filters).
    """
    if isinstance(workbook, pd.DataFrame):
        return workbook
    if isinstance(workbook, dict):
        frame = workbook.get(record_type)
    else:
        frame = getattr(workbook, record_type, None)
    aggregates = getattr(workbook, "aggregates", None)
    if aggregates and (frame is None or frame.empty):
        from qmsdata.engine.aggregates import records_from_aggregates

        rebuilt = records_from_aggregates(aggregates, record_type, columns, subset=subset)
        if rebuilt is not None:
            return rebuilt
    if frame is None:
        return pd.DataFrame()
    return frame


def counts(frame: pd.DataFrame) -> pd.Series:
    """Return how many records each row of :func:`records` stands for (1 for a real record)."""
    if "_rows" in frame.columns:
        return frame["_rows"].astype("int64")
    return pd.Series(1, index=frame.index, dtype="int64")


def has_columns(frame: pd.DataFrame, *columns: str) -> bool:
    """Return True when ``frame`` has rows and every one of ``columns``."""
    return len(frame) > 0 and all(c in frame.columns for c in columns)


def fiscal_start_month(workbook: Workbook | Mapping[str, Any]) -> int:
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
        A :class:`qmsdata.stats.spc.ControlChart`, or None when there is too little data.
    note
        Why something is missing ("insufficient data: 7 months, need 12"), else None.
    extra
        Named extras documented by the function (trend test, chart choice, ...).
    """

    table: pd.DataFrame
    chart: ControlChart | None = None
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
# monthly charts (calls into the statistics engine; no chart code here)
# --------------------------------------------------------------------------------------------
def monthly_chart(
    table: pd.DataFrame,
    chart: str,
    *,
    value: str,
    n: str | None = None,
    x: str = "month",
    min_points: int = MIN_POINTS,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = DEFAULT_RULES,
    **options: Any,
) -> tuple[ControlChart | None, str | None]:
    """Return (ControlChart, None) for a monthly table, or (None, note) when it cannot be judged.

    The time axis is passed to the statistics engine as the first day of each month. Too few
    points (:func:`qmsdata.stats.enough_points`), or a DataError from the engine (e.g. zero
    denominators), give a note the notebooks can print instead of a misleading chart.

    Parameters
    ----------
    baseline
        Months at the start of the table that set the frozen limits (phase I); None: all. A
        baseline as long as the table or longer is the same as None.
    rules
        Rule set(s) of :func:`qmsdata.stats.spc.control_chart`; default Anhoej's run rules (with
        points beyond the 3-sigma limits always flagged), the review map's default for short
        monthly series; None: limits only.
    **options
        Passed to :func:`~qmsdata.stats.spc.control_chart` (``improvement``, ``target``,
        ``phase``, ...).
    """
    data = table.dropna(subset=[value] + ([n] if n else []))
    if n:
        data = data[data[n] > 0]
    if not enough_points(len(data), min_points):
        return None, insufficient_note(len(data), min_points)
    data = data.reset_index(drop=True)
    if x in data.columns and isinstance(data[x].dtype, pd.PeriodDtype):
        data = data.assign(**{x: data[x].dt.to_timestamp()})
    try:
        result = control_chart(
            data, chart, value=value, n=n, x=x, baseline=baseline, rules=rules, **options
        )
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
    rules: str | Sequence[str] | None = DEFAULT_RULES,
    improvement: str = "decrease",
) -> Result:
    """Chart a monthly count on its denominator: p (or u), Laney p' (u') when over-dispersed.

    Returns a :class:`Result` with the table, the chart (or a note why there is none) and the
    extras ``chart_type`` and ``sigma_z`` (see
    :func:`qmsdata.stats.attributes.choose_attribute_chart`). ``baseline`` and ``rules`` as
    :func:`monthly_chart`.
    """
    chart_type, ratio = choose_attribute_chart(table[value], table[n], kind)
    chart, note = monthly_chart(
        table,
        chart_type,
        value=value,
        n=n,
        baseline=baseline,
        rules=rules,
        improvement=improvement,
    )
    return Result(table, chart, note, {"chart_type": chart_type, "sigma_z": ratio})
