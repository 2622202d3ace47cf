"""Quality objectives: actual vs target, variation, assurance, forecast (ISO 9001 6.2, 9.3.2 c2).

Each objective's KPI series (kpi_measurements) is drawn on an individuals chart with the
objective's target and improvement direction, so the statistics engine judges *variation*
(common cause, special cause improvement or concern) and *assurance* (consistently passing,
consistently failing, or inconsistent: the target lies within the limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.stats.trends import trend_test
from qmsdata.workbook.filters import site_scope

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

PLAN_FIELDS = ("action_plan", "resources", "responsible", "plan_due", "evaluation_method")
STATUS_COLUMNS = [
    "objective_id",
    "name",
    "scope",
    "process",
    "owner",
    "unit",
    "direction",
    "target",
    "actual",
    "met",
    "ytd",
    "ytd_met",
    "n_points",
    "variation",
    "assurance",
    "trend",
    "valid_to",
    "forecast",
    "forecast_low",
    "forecast_high",
    "p_meet_target",
    "plan_complete",
    "missing_plan_fields",
    "note",
]


def _kpis(workbook: Workbook) -> pd.DataFrame:
    kpi = P.records(workbook, "kpi_measurements")
    if not P.has_columns(kpi, "objective_id", "period", "value"):
        return kpi.iloc[0:0]
    per = kpi["period"]
    if not isinstance(per.dtype, pd.PeriodDtype):
        per = pd.PeriodIndex(pd.to_datetime(per.astype(str), errors="coerce"), freq="M")
    return kpi.assign(period=per)


def _aggregate(rows: pd.DataFrame) -> float:
    """Return the objective value over several months: pooled ratio if counts exist, else mean."""
    if rows.empty:
        return float("nan")
    if {"numerator", "denominator"} <= set(rows.columns):
        num = pd.to_numeric(rows["numerator"], errors="coerce")
        den = pd.to_numeric(rows["denominator"], errors="coerce")
        if num.notna().all() and den.notna().all() and den.sum() > 0 and len(rows) > 1:
            # keep the unit of `value`: scale the pooled ratio by value / (num/den) of the rows
            ratio = (num / den).replace([np.inf, -np.inf], np.nan)
            scale = (pd.to_numeric(rows["value"], errors="coerce") / ratio).median()
            if np.isfinite(scale) and scale > 0:
                return float(num.sum() / den.sum() * scale)
    return float(pd.to_numeric(rows["value"], errors="coerce").mean())


def _meets(value: float, target: float, direction: str) -> Any:
    if not (np.isfinite(value) and np.isfinite(target)):
        return pd.NA
    return bool(value >= target) if direction == "increase" else bool(value <= target)


def forecast_to(
    months: np.ndarray,
    values: np.ndarray,
    at: float,
    *,
    target: float,
    direction: str,
    level: float = 0.9,
) -> dict[str, float]:
    """Return an OLS linear forecast at month ``at`` with a prediction interval and P(meet).

    ``months`` are month numbers (any origin), ``values`` the KPI. The prediction interval for
    a new observation is yhat +/- t(1-(1-level)/2, n-2) * s * sqrt(1 + 1/n + (at - mean)^2/Sxx);
    the probability of meeting the target is the Student-t probability of a new observation on
    the target's side.

    References
    ----------
    Montgomery, D. C., Peck, E. A. & Vining, G. G. (2021). Introduction to Linear Regression
    Analysis, 6th ed., sec. 2.5 (prediction of new observations).
    """
    from scipy import stats

    out = {
        "forecast": np.nan,
        "forecast_low": np.nan,
        "forecast_high": np.nan,
        "p_meet_target": np.nan,
    }
    ok = np.isfinite(values) & np.isfinite(months)
    x, y = months[ok].astype(float), values[ok].astype(float)
    n = len(x)
    if n < 6:
        return out
    xm = x.mean()
    sxx = ((x - xm) ** 2).sum()
    if sxx <= 0:
        return out
    b = ((x - xm) * (y - y.mean())).sum() / sxx
    a = y.mean() - b * xm
    resid = y - (a + b * x)
    s = np.sqrt((resid**2).sum() / (n - 2))
    yhat = a + b * at
    se = s * np.sqrt(1 + 1 / n + (at - xm) ** 2 / sxx)
    tq = stats.t.ppf(1 - (1 - level) / 2, n - 2)
    out.update(forecast=yhat, forecast_low=yhat - tq * se, forecast_high=yhat + tq * se)
    if np.isfinite(target):
        if se > 0:
            z = (target - yhat) / se
            below = stats.t.cdf(z, n - 2)
            out["p_meet_target"] = float(1 - below if direction == "increase" else below)
        else:
            out["p_meet_target"] = float(_meets(yhat, target, direction) is True)
    return out


def objective_chart(
    workbook: Workbook,
    objective_id: str,
    period: Any,
    *,
    months: int = 36,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> P.Result:
    """Chart one objective's KPI on an I chart with its target and direction (ISO 9001 6.2).

    ``table``: ``month, value``; ``chart``: ControlChart with ``target`` and ``improvement``
    set from the objective (None with a note when fewer than 12 points). ``baseline``: months
    at the start of the window whose limits are frozen (None: all); ``rules``: run-rule set(s)
    (default ``"anhoej"``; None: limits only).
    """
    objs = P.records(workbook, "objectives")
    kpi = _kpis(workbook)
    cols = ["month", "value"]
    if kpi.empty or objs.empty:
        return P.Result(P.empty(cols), None, "no objectives or measurements recorded")
    obj = objs[objs["objective_id"] == objective_id]
    if obj.empty:
        return P.Result(P.empty(cols), None, f"objective {objective_id!r} is not in the register")
    obj = obj.iloc[0]
    window = P.trailing_months(period, months)
    rows = kpi[(kpi["objective_id"] == objective_id) & kpi["period"].isin(window)]
    table = (
        rows.groupby("period")["value"]
        .mean()
        .rename_axis("month")
        .reset_index()
        .sort_values("month")
        .reset_index(drop=True)
    )
    target = pd.to_numeric(pd.Series([obj.get("target")]), errors="coerce").iloc[0]
    direction = str(obj.get("direction") or "")
    options: dict[str, Any] = {}
    if np.isfinite(target):
        options["target"] = float(target)
    if direction in ("increase", "decrease"):
        options["improvement"] = direction
    chart, note = P.monthly_chart(
        table, "i", value="value", baseline=baseline, rules=rules, **options
    )
    return P.Result(table, chart, note, {"target": target, "direction": direction})


def objective_status(
    workbook: Workbook,
    period: Any,
    *,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> pd.DataFrame:
    """Return one row per objective valid in the period: how far it is met (ISO 9001 6.2, 9.3.2 c2).

    Returns
    -------
    DataFrame
        ``objective_id, name``; ``scope`` (the objective's site, or ``"organisation-wide"``
        when it names none: in one site's view its results are the organisation's, not the
        site's); ``process, owner, unit, direction, target``;
        ``actual`` (the period's value: pooled numerator/denominator where given, else mean of
        the months) and ``met``; ``ytd`` and ``ytd_met`` (fiscal year to date, fiscal start from
        the workbook config); ``n_points`` (months of history); ``variation`` (of the latest
        point) and ``assurance`` from the I chart of up to 36 months with the target;
        ``trend`` (Mann-Kendall verdict); ``valid_to``, ``forecast``, ``forecast_low``,
        ``forecast_high`` (90% prediction interval at the end of the validity period, linear fit
        to up to the last 24 months) and ``p_meet_target``; ``plan_complete`` (share of the
        6.2.2 plan fields filled: what, resources, who, when, how evaluated) and
        ``missing_plan_fields``; ``note`` (why a verdict is missing).

    ``baseline`` (months at the start of each I chart whose limits are frozen; None: all) and
    ``rules`` (run-rule set(s), default ``"anhoej"``) go to the chart that judges
    ``variation`` and ``assurance``.
    """
    at = P.resolve_as_of(period, as_of)
    objs = P.records(workbook, "objectives")
    if not P.has_columns(objs, "objective_id"):
        return P.empty(STATUS_COLUMNS, "no objectives recorded")
    kpi = _kpis(workbook)
    start, end = P.period_start(period), P.period_end(period)
    vf, vt = P.dates(objs, "valid_from"), P.dates(objs, "valid_to")
    objs = objs[(vf.isna() | (vf <= end)) & (vt.isna() | (vt >= start))]
    months = P.period_months(period)
    ytd = P.ytd_months(period, P.fiscal_start_month(workbook))
    last = min(months[-1], at.to_period("M"))
    kpi = kpi[kpi["period"] <= last] if len(kpi) else kpi
    by_objective = (
        dict(tuple(kpi.sort_values("period").groupby("objective_id", sort=False)))
        if len(kpi)
        else {}
    )
    empty_hist = kpi.iloc[0:0]
    scope = site_scope(objs)
    rows = []
    for i, obj in objs.iterrows():
        oid = obj["objective_id"]
        direction = str(obj.get("direction") or "")
        target = pd.to_numeric(pd.Series([obj.get("target")]), errors="coerce").iloc[0]
        hist = by_objective.get(oid, empty_hist)
        actual = _aggregate(hist[hist["period"].isin(months)]) if len(hist) else np.nan
        ytd_value = _aggregate(hist[hist["period"].isin(ytd)]) if len(hist) else np.nan
        missing = [
            f
            for f in PLAN_FIELDS
            if f not in obj.index or pd.isna(obj.get(f)) or str(obj.get(f)).strip() == ""
        ]
        row = {
            "objective_id": oid,
            "name": obj.get("name"),
            "scope": scope.loc[i],
            "process": obj.get("process"),
            "owner": obj.get("owner"),
            "unit": obj.get("unit"),
            "direction": direction,
            "target": target,
            "actual": actual,
            "met": _meets(actual, target, direction),
            "ytd": ytd_value,
            "ytd_met": _meets(ytd_value, target, direction),
            "n_points": int(hist["period"].nunique()) if len(hist) else 0,
            "variation": None,
            "assurance": None,
            "trend": None,
            "valid_to": obj.get("valid_to"),
            "plan_complete": 1 - len(missing) / len(PLAN_FIELDS),
            "missing_plan_fields": ", ".join(missing),
            "note": None,
            "forecast": np.nan,
            "forecast_low": np.nan,
            "forecast_high": np.nan,
            "p_meet_target": np.nan,
        }
        monthly = hist.groupby("period")["value"].mean() if len(hist) else pd.Series(dtype=float)
        monthly = monthly[monthly.index > last - 36]
        if not P.enough_points(len(monthly)):
            row["note"] = P.insufficient_note(len(monthly))
        else:
            table = pd.DataFrame({"month": monthly.index, "value": monthly.to_numpy(float)})
            options: dict[str, Any] = {}
            if np.isfinite(target):
                options["target"] = float(target)
            if direction in ("increase", "decrease"):
                options["improvement"] = direction
            chart, note = P.monthly_chart(
                table, "i", value="value", baseline=baseline, rules=rules, **options
            )
            if chart is not None:
                row["variation"] = chart.data["variation"].iloc[-1]
                row["assurance"] = chart.summary().get("assurance")
            row["note"] = note
            row["trend"] = trend_test(table["value"].to_numpy()[-24:]).trend
            end_month = (
                pd.Timestamp(row["valid_to"]).to_period("M")
                if pd.notna(row["valid_to"])
                else ytd[0] + 11
            )
            recent = table.iloc[-24:]
            x = np.array([P.months_between(last, m) for m in recent["month"]], dtype=float)
            h = float(max(P.months_between(last, end_month), 0))
            row.update(
                forecast_to(
                    x, recent["value"].to_numpy(float), h, target=target, direction=direction
                )
            )
        rows.append(row)
    if not rows:
        return P.empty(STATUS_COLUMNS, "no objective valid in the period")
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)
