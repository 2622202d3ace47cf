"""Nonconformities and product conformity (ISO 9001 8.7, 9.1.3 a, 9.3.2 c3/c4).

Defect rates are on the right denominator: defective units (sum of ``quantity``) per unit
inspected at the site that month (production ``units_inspected``). Each site x process series is
drawn on a p chart, or Laney's p' when the huge denominators make p limits too tight (decided by
the over-dispersion ratio sigma_z > 1.5, see
:func:`~qmsdata.stats.attributes.choose_attribute_chart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.errors import DataError

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

#: NC sources counted as the organisation's own process defects (incoming = supplier,
#: customer = escaped, reported through complaints)
PROCESS_SOURCES = ("in_process", "final")

RATE_COLUMNS = ["site", "process", "month", "ncs", "defects", "units_inspected", "ppm"]


def _ncs(workbook: Workbook, *columns: str) -> pd.DataFrame:
    """Return the nonconformities (or, on the Spark engine, the aggregate providing ``columns``)."""
    return P.records(workbook, "nonconformities", columns)


def _filter_sources(ncs: pd.DataFrame, sources: tuple[str, ...] | None) -> pd.DataFrame:
    if sources is None or "source" not in ncs.columns:
        return ncs
    return ncs[ncs["source"].isin(sources)]


def nc_rates(
    workbook: Workbook,
    period: Any,
    *,
    months: int = 36,
    by: tuple[str, ...] = ("site", "process"),
    sources: tuple[str, ...] | None = PROCESS_SOURCES,
) -> pd.DataFrame:
    """Return monthly defective units per million inspected for each site x process.

    ISO 9001 8.7 and 9.1.3 a (conformity of products), 9.3.2 c3.

    Parameters
    ----------
    by
        Grouping columns; must include ``site`` (the denominator is per site).
    sources
        NC sources counted (default in-process and final inspection); None: all.

    Returns
    -------
    DataFrame
        ``site, process, month, ncs`` (records), ``defects`` (sum of quantity),
        ``units_inspected``, ``ppm``; every month of the window for every series, zero
        defects where none were recorded. Months without inspections are dropped.
    """
    window = P.trailing_months(period, months)
    ncs = _ncs(workbook, *by, "detected_date", "quantity", "source")
    # only the columns needed: filtering a wide export costs more than the arithmetic
    wanted = (*by, "detected_date", "quantity", "source", "_rows")
    ncs = ncs[[c for c in wanted if c in ncs.columns]]
    ncs = _filter_sources(ncs, sources)
    prod = P.records(workbook, "production", ("date", "site", "units_inspected"))
    cols = [*by, "month", "ncs", "defects", "units_inspected", "ppm"]
    if not P.has_columns(prod, "date", "site", "units_inspected"):
        return P.empty(cols, "no production data: units inspected are the denominator")
    if not P.has_columns(ncs, "detected_date", *by):
        return P.empty(cols, "no nonconformities recorded")
    den = (
        prod.assign(month=P.to_month(prod["date"]))
        .groupby(["site", "month"], observed=True)["units_inspected"]
        .sum()
    )
    ncs = ncs.assign(month=P.to_month(ncs["detected_date"]))
    ncs = ncs[ncs["month"].isin(window)]
    qty = ncs["quantity"] if "quantity" in ncs.columns else pd.Series(1, index=ncs.index)
    ncs = ncs.assign(_q=pd.to_numeric(qty, errors="coerce").fillna(0), _n=P.counts(ncs))
    num = ncs.groupby([*by, "month"], observed=True).agg(ncs=("_n", "sum"), defects=("_q", "sum"))
    series = ncs[list(by)].drop_duplicates()
    if series.empty:
        return P.empty(cols, "no nonconformities in the window")
    grid = series.merge(pd.DataFrame({"month": window}), how="cross")
    table = grid.merge(num.reset_index(), on=[*by, "month"], how="left")
    table[["ncs", "defects"]] = table[["ncs", "defects"]].fillna(0)
    table = table.merge(
        den.rename("units_inspected").reset_index(), on=["site", "month"], how="left"
    )
    table = table[table["units_inspected"] > 0].copy()
    table["ppm"] = table["defects"] / table["units_inspected"] * 1e6
    table = table.sort_values([*by, "month"]).reset_index(drop=True)
    return table[cols]


def nc_rate_chart(
    workbook: Workbook,
    period: Any,
    *,
    site: str,
    process: str,
    months: int = 36,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
    sources: tuple[str, ...] | None = PROCESS_SOURCES,
) -> P.Result:
    """Chart one site x process defect rate on a p chart (Laney p' when over-dispersed).

    ISO 9001 8.7, 9.1.3 a. ``table`` is that series of :func:`nc_rates`; extras
    ``chart_type`` and ``sigma_z``. ``baseline``: months at the start of the window whose
    limits are frozen (None: all); ``rules``: run-rule set(s) (default ``"anhoej"``; None:
    limits only).

    References
    ----------
    Montgomery (2019) sec. 7.2 (p chart); Laney (2002) p' chart.
    """
    table = nc_rates(workbook, period, months=months, sources=sources)
    if table.empty:
        return P.Result(table, None, table.attrs.get("note", "no data"))
    table = table[(table["site"] == site) & (table["process"] == process)].reset_index(drop=True)
    if table.empty:
        return P.Result(table, None, f"no nonconformities for {site} / {process}")
    return P.rate_chart(table, value="defects", n="units_inspected", baseline=baseline, rules=rules)


def defect_pareto_shift(
    workbook: Workbook,
    period: Any,
    *,
    baseline_months: int = 12,
    by: str = "defect_code",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Compare this period's defect Pareto with the preceding baseline: what moved.

    ISO 9001 8.7, 9.1.3 a, 10.2.1 b. The baseline is the ``baseline_months`` before the period.
    For each category the period count is tested against its baseline share of the period total
    with an exact two-sided binomial test; categories with p < ``alpha`` are marked moved.

    Returns
    -------
    DataFrame
        ``category, count, share, baseline_count, baseline_share, share_change`` (percentage
        points as a fraction), ``expected`` (baseline share x period total), ``p_value``,
        ``moved`` ("up" | "down" | ""), sorted by period count.

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., sec. 1.4 (exact binomial test).
    """
    from scipy import stats

    cols = [
        "category",
        "count",
        "share",
        "baseline_count",
        "baseline_share",
        "share_change",
        "expected",
        "p_value",
        "moved",
    ]
    ncs = _ncs(workbook, "detected_date", "quantity", by)
    if len(ncs) and by not in ncs.columns:
        raise DataError(
            f"cannot compare defects by {by!r}: no such column",
            record_type="nonconformities",
            column=by,
            hint="Use defect_code, defect_category, process or site.",
        )
    if not P.has_columns(ncs, "detected_date", by):
        return P.empty(cols, "no nonconformities recorded")
    months = P.period_months(period)
    base = pd.period_range(months[0] - baseline_months, months[0] - 1, freq="M")
    start, end = base[0].start_time, P.period_end(period)
    ncs = ncs[P.in_window(ncs["detected_date"], start, end)]
    month = P.to_month(ncs["detected_date"])
    qty = pd.to_numeric(ncs.get("quantity", pd.Series(1, index=ncs.index)), errors="coerce")
    key = ncs[by].astype(object).fillna("(blank)")
    now = qty[month.isin(months)].groupby(key[month.isin(months)]).sum()
    then = qty[month.isin(base)].groupby(key[month.isin(base)]).sum()
    if now.sum() <= 0:
        return P.empty(cols, "no nonconformities in the period")
    table = pd.DataFrame({"count": now, "baseline_count": then}).fillna(0)
    table.index.name = "category"
    table = table.reset_index()
    total, btotal = table["count"].sum(), table["baseline_count"].sum()
    table["share"] = table["count"] / total
    table["baseline_share"] = table["baseline_count"] / btotal if btotal > 0 else np.nan
    table["share_change"] = table["share"] - table["baseline_share"]
    table["expected"] = table["baseline_share"] * total
    pvals, moved = [], []
    for k, e in zip(table["count"], table["baseline_share"], strict=True):
        if not np.isfinite(e) or btotal <= 0:
            pvals.append(np.nan)
            moved.append("")
            continue
        # a code absent from the baseline: give it a half count so the test is defined
        share = e if e > 0 else 0.5 / btotal
        p = stats.binomtest(int(round(k)), int(round(total)), share).pvalue
        pvals.append(p)
        moved.append(("up" if k > share * total else "down") if p < alpha else "")
    table["p_value"] = pvals
    table["moved"] = moved
    table = table.sort_values(["count", "category"], ascending=[False, True])
    return table.reset_index(drop=True)[cols]


def disposition_mix(workbook: Workbook, period: Any, *, months: int | None = None) -> pd.DataFrame:
    """Return the disposition of nonconforming output in the period (ISO 9001 8.7.1, 8.7.2).

    Columns ``disposition`` (scrap, rework, use_as_is, return_to_supplier, pending, others),
    ``ncs``, ``quantity``, ``cost``, ``share`` (of quantity).
    """
    cols = ["disposition", "ncs", "quantity", "cost", "share"]
    rows = _ncs(workbook, "detected_date", "disposition", "quantity", "cost")
    if not P.has_columns(rows, "detected_date", "disposition"):
        return P.empty(cols, "no nonconformities recorded")
    start = (
        P.period_start(period)
        if months is None
        else P.trailing_months(period, months)[0].start_time
    )
    rows = rows[P.in_window(rows["detected_date"], start, P.period_end(period))]
    if rows.empty:
        return P.empty(cols, "no nonconformities in the period")
    order = ["scrap", "rework", "use_as_is", "return_to_supplier", "pending"]
    rows = rows.assign(
        _q=pd.to_numeric(rows.get("quantity", 1), errors="coerce").fillna(0),
        _c=pd.to_numeric(rows.get("cost", 0), errors="coerce").fillna(0),
        _n=P.counts(rows),
        disposition=rows["disposition"].astype(object).fillna("(blank)"),
    )
    g = rows.groupby("disposition")
    out = pd.DataFrame({"ncs": g["_n"].sum(), "quantity": g["_q"].sum(), "cost": g["_c"].sum()})
    levels = order + sorted(c for c in out.index if c not in order)
    out = out.reindex(levels, fill_value=0)
    out.index.name = "disposition"
    out["share"] = out["quantity"] / out["quantity"].sum() if out["quantity"].sum() else np.nan
    return out.reset_index()[cols]


def copq(
    workbook: Workbook,
    period: Any,
    *,
    months: int = 12,
    appraisal: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the monthly cost of poor quality by the prevention-appraisal-failure convention.

    ISO 9001 9.1.3, 9.3.2 c3. Convention (Feigenbaum's PAF model, as in BS 6143-2 / ASQ):

    - internal failure = cost of nonconformities found before delivery (sources incoming,
      in_process, final), split into ``internal_scrap``, ``internal_rework`` and
      ``internal_other`` (use as is, return to supplier, pending) by disposition;
    - external failure = complaint ``cost`` plus the cost of nonconformities with source
      ``customer``;
    - appraisal (inspection and test) is shown separately and NOT added to the failure total;
      the record model holds no appraisal cost, so it is NaN unless given as ``appraisal`` (a
      Series indexed by Period[M]).

    Returns
    -------
    DataFrame
        ``month, internal_scrap, internal_rework, internal_other, internal_failure,
        external_failure, failure_total, appraisal``, one row per month of the window.

    References
    ----------
    Feigenbaum, A. V. (1991). Total Quality Control, 3rd ed., ch. 7. BS 6143-2:1990.
    """
    window = P.trailing_months(period, months)
    table = pd.DataFrame(index=pd.PeriodIndex(window, name="month"))
    ncs = _ncs(workbook, "detected_date", "cost", "disposition", "source")
    for col in ("internal_scrap", "internal_rework", "internal_other", "external_failure"):
        table[col] = 0.0
    if P.has_columns(ncs, "detected_date", "cost"):
        ncs = ncs[P.in_window(ncs["detected_date"], window[0].start_time, P.period_end(period))]
        n = ncs.assign(
            month=P.to_month(ncs["detected_date"]),
            _c=pd.to_numeric(ncs["cost"], errors="coerce").fillna(0),
            _d=ncs.get("disposition", pd.Series("", index=ncs.index)).astype(object),
            _s=ncs.get("source", pd.Series("", index=ncs.index)).astype(object),
        )
        n = n[n["month"].isin(window)]
        ext = n["_s"] == "customer"
        internal = n[~ext]
        table["internal_scrap"] = internal[internal["_d"] == "scrap"].groupby("month")["_c"].sum()
        table["internal_rework"] = internal[internal["_d"] == "rework"].groupby("month")["_c"].sum()
        other = internal[~internal["_d"].isin(["scrap", "rework"])]
        table["internal_other"] = other.groupby("month")["_c"].sum()
        table["external_failure"] = n[ext].groupby("month")["_c"].sum()
    comp = P.records(workbook, "complaints", ("received_date", "cost"))
    if P.has_columns(comp, "received_date", "cost"):
        c = comp.assign(
            month=P.to_month(comp["received_date"]),
            _c=pd.to_numeric(comp["cost"], errors="coerce").fillna(0),
        )
        extra = c[c["month"].isin(window)].groupby("month")["_c"].sum()
        table["external_failure"] = table["external_failure"].fillna(0).add(extra, fill_value=0)
    table = table.fillna(0.0)
    table["internal_failure"] = table[["internal_scrap", "internal_rework", "internal_other"]].sum(
        axis=1
    )
    table["failure_total"] = table["internal_failure"] + table["external_failure"]
    table["appraisal"] = (
        appraisal.reindex(table.index).astype(float) if appraisal is not None else np.nan
    )
    cols = [
        "internal_scrap",
        "internal_rework",
        "internal_other",
        "internal_failure",
        "external_failure",
        "failure_total",
        "appraisal",
    ]
    return table.reset_index()[["month", *cols]]


def site_first_pass_yield(
    workbook: Workbook, period: Any, *, months: int = 12, by: str = "site"
) -> pd.DataFrame:
    """Return monthly first-pass yield per site: share of inspected units found conforming.

    ISO 9001 8.6, 9.1.3 a. FPY = 1 - (defective units from in-process and final NCs) / units
    inspected. Columns ``site, month, units_inspected, defects, fpy``.
    """
    rates = nc_rates(workbook, period, months=months, by=("site",))
    cols = [by, "month", "units_inspected", "defects", "fpy"]
    if rates.empty:
        return P.empty(cols, rates.attrs.get("note", "no data"))
    rates = rates.assign(fpy=1 - rates["defects"] / rates["units_inspected"])
    return rates[cols]
