"""Customer complaints: rate, Pareto, severity, time to close, repeats (ISO 9001 9.1.2, 8.2.1).

Every function takes the workbook (or a mapping of record frames), a ``period`` ("2026-10" or
"2026Q3") and ``as_of`` (default: last day of the period) and returns a tidy DataFrame or a
:class:`~qmsdata.analytics.periods.Result`. An empty or unconfigured complaints register gives
an empty result with ``attrs['note']``, not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.errors import DataError
from qmsdata.stats.pareto import pareto
from qmsdata.stats.survival import time_to_close
from qmsdata.stats.trends import trend_test

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

RATE_COLUMNS = ["month", "complaints", "units_shipped", "n", "rate_per_million"]


def _complaints(workbook: Workbook) -> pd.DataFrame:
    return P.records(workbook, "complaints")


def complaint_counts(workbook: Workbook, period: Any, *, months: int = 36) -> pd.DataFrame:
    """Return monthly complaints and units shipped for the ``months`` ending with ``period``.

    ISO 9001 9.1.2 (customer satisfaction), 9.3.2 c1.

    Returns
    -------
    DataFrame
        ``month`` (Period[M]), ``complaints`` (received that month), ``units_shipped`` (from
        production), ``n`` (units shipped / 1e6, the u-chart inspection unit) and
        ``rate_per_million``. Months without shipments are dropped (no denominator).
    """
    window = P.trailing_months(period, months)
    comp = _complaints(workbook)
    prod = P.records(workbook, "production")
    if not P.has_columns(prod, "date", "units_shipped"):
        return P.empty(RATE_COLUMNS, "no production data: units shipped are the denominator")
    shipped = prod.groupby(P.to_month(prod["date"]))["units_shipped"].sum()
    shipped = shipped.reindex(window)
    if P.has_columns(comp, "received_date"):
        counts = comp.groupby(P.to_month(comp["received_date"])).size().reindex(window)
        counts = counts.fillna(0)
    else:
        counts = pd.Series(0, index=window)
    table = pd.DataFrame(
        {
            "month": window,
            "complaints": counts.to_numpy(dtype=float),
            "units_shipped": shipped.to_numpy(dtype=float),
        }
    )
    table = table[table["units_shipped"] > 0].reset_index(drop=True)
    table["n"] = table["units_shipped"] / 1e6
    table["rate_per_million"] = table["complaints"] / table["n"]
    if table.empty:
        table.attrs["note"] = "no shipments in the window"
    return table


def complaint_rate(
    workbook: Workbook,
    period: Any,
    *,
    as_of: Any = None,
    months: int = 36,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> P.Result:
    """Chart complaints per million units shipped on a u chart (Laney u' when over-dispersed).

    ISO 9001 9.1.2 and 9.3.2 c1: customer feedback trends on the right denominator. The
    denominator is units shipped (production), so ``n`` = units shipped / 1e6 and the plotted
    statistic is complaints per million shipped. The ordinary u chart is replaced by Laney's u'
    when the between-month spread of z-scores (sigma_z) exceeds 1.5.

    Parameters
    ----------
    baseline
        Months at the start of the window whose limits are frozen (phase I); None: all.
    rules
        Run-rule set(s) for the chart (:func:`qmsdata.stats.rules.resolve_rules`); default
        ``"anhoej"``; None: limits only.

    Returns
    -------
    Result
        ``table`` as :func:`complaint_counts`; ``chart`` the ControlChart (None with a note
        when fewer than 12 months); extras ``chart_type``, ``sigma_z``, ``trend`` (Mann-Kendall
        on the monthly rate).

    References
    ----------
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed., sec. 7.3.
    Laney, D. B. (2002). Improved control charts for attributes. Quality Engineering 14(4).
    """
    P.resolve_as_of(period, as_of)
    table = complaint_counts(workbook, period, months=months)
    if table.empty:
        return P.Result(table, None, table.attrs.get("note", "no data"))
    result = P.rate_chart(
        table, value="complaints", n="n", kind="u", baseline=baseline, rules=rules
    )
    rate = table["rate_per_million"].to_numpy()
    result.extra["trend"] = trend_test(rate) if result.ok else None
    return result


def _in_period(frame: pd.DataFrame, column: str, period: Any, months: int | None) -> pd.DataFrame:
    if not P.has_columns(frame, column):
        return frame.iloc[0:0]
    start = (
        P.period_start(period)
        if months is None
        else P.trailing_months(period, months)[0].start_time
    )
    return frame[P.in_window(frame[column], start, P.period_end(period))]


def complaint_pareto(
    workbook: Workbook,
    period: Any,
    *,
    by: str = "category",
    months: int | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """Return the Pareto table of complaints received in the period by ``by``.

    ISO 9001 9.1.3 b and 9.3.2 c1. ``by`` is category, product, customer or site; ``months``
    widens the window to the trailing months (e.g. 12) ending with the period. ``weight`` counts
    e.g. ``cost`` or ``quantity_affected`` instead of complaints.

    Returns
    -------
    DataFrame
        ``category, count, share, cum_share, vital_few`` from :func:`qmsdata.pareto`.
    """
    cols = ["category", "count", "share", "cum_share", "vital_few"]
    rows = _in_period(_complaints(workbook), "received_date", period, months)
    if len(rows.columns) and by not in rows.columns:
        raise DataError(
            f"cannot make a Pareto by {by!r}: no such column",
            record_type="complaints",
            column=by,
            hint="Use category, product, customer or site.",
        )
    if rows.empty:
        return P.empty(cols, "no complaints in the period")
    rows = rows.assign(**{by: rows[by].astype(object).fillna("(blank)")})
    return pareto(rows, category=by, weight=weight)


def complaint_severity(
    workbook: Workbook, period: Any, *, months: int | None = None
) -> pd.DataFrame:
    """Return the severity mix of complaints received in the period.

    ISO 9001 9.1.2. Columns ``severity`` (critical, major, minor, then any other), ``count``,
    ``share``. All three standard severities are listed, with zero counts where none.
    """
    rows = _in_period(_complaints(workbook), "received_date", period, months)
    order = ["critical", "major", "minor"]
    if rows.empty or "severity" not in rows.columns:
        return P.empty(["severity", "count", "share"], "no complaints in the period")
    counts = rows["severity"].astype(object).fillna("(blank)").value_counts()
    levels = order + sorted(c for c in counts.index if c not in order)
    counts = counts.reindex(levels, fill_value=0)
    total = counts.sum()
    return pd.DataFrame(
        {"severity": levels, "count": counts.to_numpy(int), "share": (counts / total).to_numpy()}
    )


def complaint_time_to_close(
    workbook: Workbook,
    period: Any,
    *,
    as_of: Any = None,
    months: int = 12,
    by: str | None = "severity",
) -> pd.DataFrame:
    """Return median and 90th-percentile days to close, open complaints counted as censored.

    ISO 9001 9.1.2, 10.2. Complaints received in the ``months`` ending with the period; those
    still open at ``as_of`` enter the Kaplan-Meier estimate as right-censored at their age.

    Returns
    -------
    DataFrame
        ``group`` ("all" then one row per value of ``by``), ``n``, ``n_open``,
        ``median_days``, ``p90_days`` (NaN when the curve has not reached that share yet).

    References
    ----------
    Kaplan & Meier (1958), via :func:`qmsdata.stats.survival.time_to_close`.
    """
    at = P.resolve_as_of(period, as_of)
    cols = ["group", "n", "n_open", "median_days", "p90_days"]
    rows = _in_period(_complaints(workbook), "received_date", period, months)
    if rows.empty:
        return P.empty(cols, "no complaints in the window")
    closed = P.dates(rows, "closed_date")
    groups = [("all", rows.index)]
    if by and by in rows.columns:
        groups += [(str(k), idx) for k, idx in rows.groupby(by, observed=True).groups.items()]
    out = []
    for name, idx in groups:
        stats = time_to_close(rows.loc[idx, "received_date"], closed.loc[idx], at)
        out.append({"group": name, **stats})
    return pd.DataFrame(out, columns=cols)


def repeat_complaints(
    workbook: Workbook, period: Any, *, as_of: Any = None, months: int = 12, minimum: int = 2
) -> pd.DataFrame:
    """Return customers with at least ``minimum`` complaints in the trailing ``months``.

    ISO 9001 9.1.2, 10.2.1 b (similar nonconformities). Columns ``customer``, ``complaints``,
    ``categories`` (distinct), ``top_category``, ``first_received``, ``last_received``,
    ``open`` (still open at ``as_of``), sorted by complaints descending.
    """
    at = P.resolve_as_of(period, as_of)
    cols = [
        "customer",
        "complaints",
        "categories",
        "top_category",
        "first_received",
        "last_received",
        "open",
    ]
    rows = _in_period(_complaints(workbook), "received_date", period, months)
    if rows.empty or "customer" not in rows.columns:
        return P.empty(cols, "no complaints in the window")
    closed = P.dates(rows, "closed_date")
    rows = rows.assign(
        _open=closed.isna() | (closed > at),
        category=rows["category"] if "category" in rows.columns else "(blank)",
    )
    g = rows.groupby("customer", observed=True)
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "categories": g["category"].nunique(),
            "top_category": g["category"].agg(
                lambda s: s.value_counts().index[0] if s.notna().any() else None
            ),
            "first_received": g["received_date"].min(),
            "last_received": g["received_date"].max(),
            "open": g["_open"].sum().astype(int),
        }
    ).reset_index()
    out = out[out["complaints"] >= minimum]
    return out.sort_values(["complaints", "customer"], ascending=[False, True]).reset_index(
        drop=True
    )[cols]


def complaint_analysis(
    workbook: Workbook,
    period: Any,
    *,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> dict[str, Any]:
    """Return every complaint view for the period in one mapping (ISO 9001 9.1.2, 9.3.2 c1).

    Keys: ``rate`` (Result), ``pareto_category``, ``pareto_product``, ``pareto_customer``
    (trailing 12 months), ``severity``, ``time_to_close``, ``repeats``. ``baseline`` and
    ``rules`` go to :func:`complaint_rate`.
    """
    return {
        "rate": complaint_rate(workbook, period, as_of=as_of, baseline=baseline, rules=rules),
        "pareto_category": complaint_pareto(workbook, period, by="category", months=12),
        "pareto_product": complaint_pareto(workbook, period, by="product", months=12),
        "pareto_customer": complaint_pareto(workbook, period, by="customer", months=12),
        "severity": complaint_severity(workbook, period),
        "time_to_close": complaint_time_to_close(workbook, period, as_of=as_of),
        "repeats": repeat_complaints(workbook, period, as_of=as_of),
    }
