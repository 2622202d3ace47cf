"""Corrective actions: status, aging, cycle time, effectiveness, recurrence (ISO 9001 10.2).

The state of each CAPA is judged at ``as_of`` from its dates, not from its ``status`` column
alone, so a pack re-run for an earlier date sees what was true then:

- open at ``as_of``: opened on or before ``as_of``, not cancelled, and no close date on or
  before ``as_of``;
- overdue: open and ``due_date`` before ``as_of``;
- closed on time: closed on or before its ``due_date``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.stats.survival import time_to_close

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

AGING_BUCKETS = ("0-30", "31-60", "61-90", ">90")


def _capas(workbook: Workbook, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return CAPAs opened by ``as_of`` with derived ``is_open, is_overdue, age_days``."""
    frame = P.records(workbook, "corrective_actions")
    if not P.has_columns(frame, "capa_id", "opened_date"):
        return frame.iloc[0:0]
    opened = P.dates(frame, "opened_date")
    frame = frame[opened <= as_of].copy()
    opened = opened[opened <= as_of]
    closed = P.dates(frame, "closed_date")
    due = P.dates(frame, "due_date")
    status = frame.get("status", pd.Series("", index=frame.index)).astype(object)
    cancelled = status == "cancelled"
    is_closed = closed.notna() & (closed <= as_of)
    frame["is_open"] = ~is_closed & ~cancelled
    frame["is_closed"] = is_closed & ~cancelled
    frame["is_cancelled"] = cancelled
    frame["is_overdue"] = frame["is_open"] & due.notna() & (due < as_of)
    frame["age_days"] = (as_of - opened).dt.days
    frame["days_overdue"] = np.where(frame["is_overdue"], (as_of - due).dt.days, 0)
    frame["on_time"] = np.where(frame["is_closed"] & due.notna(), closed <= due, np.nan)
    if "process" not in frame.columns:
        frame["process"] = "(blank)"
    frame["process"] = frame["process"].astype(object).fillna("(blank)")
    return frame


def capa_status(
    workbook: Workbook, period: Any, *, as_of: Any = None, by: str = "process"
) -> pd.DataFrame:
    """Return CAPA counts and closure measures per ``by`` (default process), plus an "all" row.

    ISO 9001 10.2, 9.3.2 c4.

    Returns
    -------
    DataFrame
        ``group, open, overdue, closed, cancelled, opened_in_period, closed_in_period,
        on_time_rate`` (closed on or before due date, among those closed in the trailing 12
        months), ``effectiveness_rate`` (effective "yes" among closed CAPAs judged yes/no),
        ``median_cycle_days, p90_cycle_days`` (Kaplan-Meier, open CAPAs censored, CAPAs opened
        in the trailing 12 months).
    """
    at = P.resolve_as_of(period, as_of)
    cols = [
        "group",
        "open",
        "overdue",
        "closed",
        "cancelled",
        "opened_in_period",
        "closed_in_period",
        "on_time_rate",
        "effectiveness_rate",
        "median_cycle_days",
        "p90_cycle_days",
    ]
    capas = _capas(workbook, at)
    if capas.empty:
        return P.empty(cols, "no corrective actions recorded")
    start, end = P.period_start(period), P.period_end(period)
    year_start = P.trailing_months(period, 12)[0].start_time
    opened = P.dates(capas, "opened_date")
    closed = P.dates(capas, "closed_date")
    capas = capas.assign(
        _opened_now=P.in_window(opened, start, end),
        _closed_now=P.in_window(closed, start, end) & capas["is_closed"],
        _closed_year=P.in_window(closed, year_start, at) & capas["is_closed"],
        _recent=opened >= year_start,
    )
    eff = capas.get("effective", pd.Series(np.nan, index=capas.index)).astype(object)
    capas["_eff"] = np.where(capas["is_closed"] & eff.isin(["yes", "no"]), eff == "yes", np.nan)
    if by not in capas.columns:
        capas[by] = "(blank)"
    groups = [("all", capas)] + [
        (str(k), g) for k, g in capas.groupby(capas[by].astype(object).fillna("(blank)"))
    ]
    rows = []
    for name, g in groups:
        on_time = g.loc[g["_closed_year"], "on_time"].astype(float)
        recent = g[g["_recent"]]
        ttc = time_to_close(
            recent["opened_date"], recent["closed_date"].where(recent["is_closed"]), at
        )
        rows.append(
            {
                "group": name,
                "open": int(g["is_open"].sum()),
                "overdue": int(g["is_overdue"].sum()),
                "closed": int(g["is_closed"].sum()),
                "cancelled": int(g["is_cancelled"].sum()),
                "opened_in_period": int(g["_opened_now"].sum()),
                "closed_in_period": int(g["_closed_now"].sum()),
                "on_time_rate": float(on_time.mean()) if on_time.notna().any() else np.nan,
                "effectiveness_rate": float(g["_eff"].astype(float).mean())
                if g["_eff"].notna().any()
                else np.nan,
                "median_cycle_days": ttc["median_days"],
                "p90_cycle_days": ttc["p90_days"],
            }
        )
    return pd.DataFrame(rows, columns=cols)


def capa_aging(
    workbook: Workbook, period: Any, *, as_of: Any = None, by: str = "process"
) -> pd.DataFrame:
    """Return open CAPAs at ``as_of`` by age bucket (0-30, 31-60, 61-90, >90 days) per ``by``.

    ISO 9001 10.2, 9.3.2 c4. Age is days since opened. Columns ``group, bucket, open,
    overdue``; every bucket is listed for every group with an open CAPA (zeros included) so
    stacked bars line up. Buckets are ordered categoricals.
    """
    at = P.resolve_as_of(period, as_of)
    cols = ["group", "bucket", "open", "overdue"]
    capas = _capas(workbook, at)
    if capas.empty or not capas["is_open"].any():
        return P.empty(cols, "no open corrective actions")
    capas = capas[capas["is_open"]].copy()
    capas["bucket"] = pd.cut(
        capas["age_days"], [-np.inf, 30, 60, 90, np.inf], labels=list(AGING_BUCKETS)
    )
    capas["group"] = capas[by].astype(object).fillna("(blank)") if by in capas else "(blank)"
    out = (
        capas.groupby(["group", "bucket"], observed=False)
        .agg(open=("capa_id", "size"), overdue=("is_overdue", "sum"))
        .reset_index()
    )
    out = out[out["group"].isin(capas["group"].unique())]
    out["overdue"] = out["overdue"].astype(int)
    return out.reset_index(drop=True)[cols]


def capa_overdue(workbook: Workbook, period: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Return the overdue CAPAs at ``as_of``, most overdue first (ISO 9001 10.2).

    Columns ``capa_id, process, owner, opened_date, due_date, days_overdue, age_days,
    source_type``.
    """
    at = P.resolve_as_of(period, as_of)
    cols = [
        "capa_id",
        "process",
        "owner",
        "opened_date",
        "due_date",
        "days_overdue",
        "age_days",
        "source_type",
    ]
    capas = _capas(workbook, at)
    if capas.empty:
        return P.empty(cols, "no corrective actions recorded")
    capas = capas[capas["is_overdue"]]
    for c in cols:
        if c not in capas.columns:
            capas = capas.assign(**{c: None})
    return capas.sort_values(["days_overdue", "capa_id"], ascending=[False, True])[
        cols
    ].reset_index(drop=True)


def _capa_nc_links(workbook: Workbook, capas: pd.DataFrame) -> pd.DataFrame:
    """Return closed CAPAs with the defect code, process and site of their nonconformity."""
    # the Spark engine: the CAPA x NC link table (only NCs with a capa_id travel)
    need = ("nc_id", "capa_id", "defect_code", "process", "site")
    ncs = P.records(workbook, "nonconformities", need, subset="capa_links")
    if not P.has_columns(ncs, "nc_id", "defect_code") or capas.empty:
        return capas.iloc[0:0]
    keep = [c for c in ("nc_id", "defect_code", "process", "site") if c in ncs.columns]
    nc_cols = ncs[keep].rename(columns={"process": "nc_process", "site": "nc_site"})
    closed = capas[capas["is_closed"]]
    link = None
    if "source_id" in closed.columns:
        src = closed[closed.get("source_type", "nonconformity") == "nonconformity"]
        link = src.merge(
            nc_cols.rename(columns={"nc_id": "source_id"}), on="source_id", how="inner"
        )
    if (link is None or link.empty) and "capa_id" in ncs.columns:
        first = ncs.dropna(subset=["capa_id"]).drop_duplicates("capa_id")
        link = closed.merge(
            first[["capa_id", "nc_id"]].merge(nc_cols, on="nc_id"), on="capa_id", how="inner"
        )
    if link is None or link.empty:
        return capas.iloc[0:0]
    if "nc_process" in link.columns:
        link["process"] = link["nc_process"].where(link["nc_process"].notna(), link["process"])
    link["site"] = link["nc_site"] if "nc_site" in link.columns else None
    return link


def _count_between(
    keys: pd.DataFrame, starts: pd.Series, ends: pd.Series, events: pd.DataFrame, on: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Count events per row with the same ``on`` values dated in (start, end]; first date.

    Sorted event dates per key and a binary search per row: O((rows + events) log events).
    An event row stands for ``_w`` events when that column is there (rows rebuilt from a daily
    aggregate, :func:`qmsdata.analytics.periods.counts`).
    """
    counts = np.zeros(len(keys), dtype=int)
    first = np.full(len(keys), np.datetime64("NaT"), dtype="datetime64[ns]")
    weights = events["_w"] if "_w" in events.columns else pd.Series(1, index=events.index)
    groups: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    for k, g in events.assign(_w=weights).groupby(on, sort=False):
        order = np.argsort(g["_d"].to_numpy("datetime64[ns]"), kind="stable")
        d = g["_d"].to_numpy("datetime64[ns]")[order]
        cum = np.concatenate([[0], np.cumsum(g["_w"].to_numpy("int64")[order])])
        groups[k if isinstance(k, tuple) else (k,)] = (d, cum)
    lo = starts.to_numpy("datetime64[ns]")
    hi = ends.to_numpy("datetime64[ns]")
    for i, key in enumerate(keys[on].itertuples(index=False, name=None)):
        found = groups.get(key)
        if found is None or np.isnat(lo[i]):
            continue
        dates, cum = found
        a = np.searchsorted(dates, lo[i], side="right")
        b = np.searchsorted(dates, hi[i], side="right")
        counts[i] = max(int(cum[b] - cum[a]), 0) if b > a else 0
        if b > a:
            first[i] = dates[a]
    return counts, first


def capa_recurrence(
    workbook: Workbook, period: Any, *, as_of: Any = None, window_days: int = 180
) -> pd.DataFrame:
    """Return, per closed CAPA raised on a nonconformity, whether the problem came back.

    ISO 9001 10.2.1 d (review the effectiveness) and 10.2.1 b 3 (similar nonconformities).
    A recurrence is a nonconformity with the same ``defect_code`` and ``process`` (and the same
    ``site`` when the nonconformities record one) detected within ``window_days`` (default
    180) after the CAPA's close date, up to ``as_of``.

    Where a defect code is common (hundreds of NCs a month) nearly every CAPA "recurs" by that
    definition, so the rate before and after is given too: ``before_per_month`` counts the
    same code, process and site in the ``window_days`` before the CAPA was opened,
    ``after_per_month`` in the window after closure (up to ``as_of``); ``reduced`` says
    whether it fell.

    Returns
    -------
    DataFrame
        ``capa_id, site, process, defect_code, closed_date, recurrences, first_recurrence,
        recurred`` (bool), ``window_complete`` (the whole window lies before ``as_of``; an
        incomplete window can still turn into a recurrence), ``before_per_month,
        after_per_month, reduced``.
    """
    at = P.resolve_as_of(period, as_of)
    cols = [
        "capa_id",
        "site",
        "process",
        "defect_code",
        "closed_date",
        "recurrences",
        "first_recurrence",
        "recurred",
        "window_complete",
        "before_per_month",
        "after_per_month",
        "reduced",
    ]
    links = _capa_nc_links(workbook, _capas(workbook, at))
    if links.empty:
        return P.empty(cols, "no closed CAPAs linked to nonconformities")
    links = links.drop_duplicates("capa_id").reset_index(drop=True)
    on = ["defect_code", "process"] + (["site"] if links["site"].notna().any() else [])
    ncs = P.records(workbook, "nonconformities", (*on, "detected_date"), subset="capa_series")
    ncs = ncs.assign(_d=P.dates(ncs, "detected_date"), _w=P.counts(ncs))
    ncs = ncs[ncs["_d"] <= at][[*on, "_d", "_w"]].dropna()
    window = pd.Timedelta(days=window_days)
    closed = P.dates(links, "closed_date")
    opened = P.dates(links, "opened_date")
    end = (closed + window).where(closed + window <= at, at)
    after, first = _count_between(links, closed, end, ncs, on)
    before, _ = _count_between(
        links, opened - window - pd.Timedelta(days=1), opened - pd.Timedelta(days=1), ncs, on
    )
    out = links[["capa_id", "site", "process", "defect_code"]].assign(closed_date=closed)
    out["recurrences"] = after
    out["first_recurrence"] = first
    out["recurred"] = out["recurrences"] > 0
    out["window_complete"] = closed + window <= at
    month = 365.25 / 12
    out["before_per_month"] = before / (window_days / month)
    after_days = (end - closed).dt.days.clip(lower=1)
    out["after_per_month"] = out["recurrences"] / (after_days / month)
    out["reduced"] = out["after_per_month"] < out["before_per_month"]
    return out.sort_values("capa_id").reset_index(drop=True)[cols]


def capa_effect(
    workbook: Workbook,
    capa_id: str,
    *,
    as_of: Any,
    months: int = 12,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> P.Result:
    """Show a CAPA's effect in the data: its linked NC series before and after closure.

    ISO 9001 10.2.1 d, 10.2.2. The linked series is the monthly count of nonconformities with
    the CAPA's defect code and process, ``months`` before and after the close month. The chart
    is a c chart with ``phase`` "before"/"after" so the limits are rebased at closure; it needs
    6 months a phase (``min_points=6``). ``baseline``: months at the start of each phase whose
    limits are frozen (None: all); ``rules``: run-rule set(s) (default ``"anhoej"``).

    Returns
    -------
    Result
        ``table`` with ``month, ncs, phase``; ``chart`` (None with a note when too short);
        extras ``defect_code, process, before_mean, after_mean``.
    """
    at = pd.Timestamp(as_of)
    capas = _capas(workbook, at)
    if not capas.empty:
        capas = capas[capas["capa_id"] == capa_id]
    links = _capa_nc_links(workbook, capas)
    cols = ["month", "ncs", "phase"]
    if links.empty:
        return P.Result(
            P.empty(cols), None, f"CAPA {capa_id} is not closed or not linked to a nonconformity"
        )
    row = links.iloc[0]
    need = ("defect_code", "process", "site", "detected_date")
    ncs = P.records(workbook, "nonconformities", need, subset="capa_series")
    closed_month = pd.Timestamp(row["closed_date"]).to_period("M")
    last = min(closed_month + months, at.to_period("M"))
    window = pd.period_range(closed_month - months, last, freq="M")
    sel = ncs[(ncs["defect_code"] == row["defect_code"]) & (ncs["process"] == row["process"])]
    if row.get("site") is not None and pd.notna(row.get("site")) and "site" in ncs.columns:
        sel = sel[sel["site"] == row["site"]]
    per_month = P.counts(sel).groupby(P.to_month(sel["detected_date"])).sum()
    counts = per_month.reindex(window, fill_value=0)
    table = pd.DataFrame({"month": window, "ncs": counts.to_numpy(float)})
    table["phase"] = np.where(table["month"] <= closed_month, "before", "after")
    extra = {
        "defect_code": row["defect_code"],
        "process": row["process"],
        "before_mean": float(table.loc[table["phase"] == "before", "ncs"].mean()),
        "after_mean": float(table.loc[table["phase"] == "after", "ncs"].mean()),
    }
    chart, note = P.monthly_chart(
        table,
        "c",
        value="ncs",
        phase="phase",
        min_points=6,
        baseline=baseline,
        rules=rules,
        improvement="decrease",
    )
    return P.Result(table, chart, note, extra)
