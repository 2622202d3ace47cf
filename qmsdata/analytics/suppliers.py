"""External providers: scorecard, rejection chart, funnel plot, re-evaluation (ISO 9001 8.4).

Rejection rates are rejected quantity per quantity received (a proportion, p chart). Receipts
run to thousands of parts, so binomial limits are often far too tight: the Laney p' chart is
used when the over-dispersion ratio sigma_z exceeds 1.5
(:func:`~qmsdata.stats.attributes.choose_attribute_chart`). Suppliers of very different size are
compared on a funnel plot, not a league table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.stats.rates import funnel_limits

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

SCORE_COLUMNS = [
    "supplier_id",
    "receipts",
    "quantity_received",
    "quantity_rejected",
    "ppm",
    "on_time_rate",
    "late_receipts",
    "ncs",
    "last_receipt",
]


def _receipts(workbook: Workbook, period: Any, months: int | None) -> pd.DataFrame:
    need = ("supplier_id", "received_date", "quantity_received", "quantity_rejected", "due_date")
    rows = P.records(workbook, "supplier_receipts", need)
    if not P.has_columns(rows, "supplier_id", "received_date", "quantity_received"):
        return rows.iloc[0:0]
    start = (
        P.period_start(period)
        if months is None
        else P.trailing_months(period, months)[0].start_time
    )
    rows = rows[P.in_window(rows["received_date"], start, P.period_end(period))]
    return rows.assign(
        quantity_received=pd.to_numeric(rows["quantity_received"], errors="coerce").fillna(0),
        quantity_rejected=pd.to_numeric(rows.get("quantity_rejected", 0), errors="coerce").fillna(
            0
        ),
        _n=P.counts(rows),
    )


def supplier_scorecard(workbook: Workbook, period: Any, *, months: int = 12) -> pd.DataFrame:
    """Return one row per supplier over the trailing ``months`` (ISO 9001 8.4.1, 9.1.3 f).

    Columns ``supplier_id, receipts, quantity_received, quantity_rejected, ppm`` (rejected per
    million received), ``on_time_rate`` (received on or before the due date, among receipts
    with a due date), ``late_receipts``, ``ncs`` (nonconformities naming the supplier in the
    window), ``last_receipt``; worst ppm first.
    """
    rows = _receipts(workbook, period, months)
    if rows.empty:
        return P.empty(SCORE_COLUMNS, "no supplier receipts in the window")
    if "on_time_receipts" in rows.columns:  # rows rebuilt from the Spark engine's aggregate
        due_n, on_n = rows["due_receipts"], rows["on_time_receipts"]
        last = rows["last_received"]
    else:
        due = P.dates(rows, "due_date")
        got = P.dates(rows, "received_date")
        due_n = due.notna().astype("int64")
        on_n = (due.notna() & (got <= due)).astype("int64")
        last = rows["received_date"]
    rows = rows.assign(_due=due_n, _on=on_n, _last=last)
    g = rows.groupby("supplier_id")
    due_total = g["_due"].sum()
    out = pd.DataFrame(
        {
            "receipts": g["_n"].sum(),
            "quantity_received": g["quantity_received"].sum(),
            "quantity_rejected": g["quantity_rejected"].sum(),
            # among receipts with a due date: on or before it (none with a due date: NaN)
            "on_time_rate": g["_on"].sum() / due_total.where(due_total > 0),
            "late_receipts": (due_total - g["_on"].sum()).astype(int),
            "last_receipt": g["_last"].max(),
        }
    )
    out["ppm"] = (
        out["quantity_rejected"]
        / out["quantity_received"].where(out["quantity_received"] > 0)
        * 1e6
    )
    ncs = P.records(workbook, "nonconformities", ("supplier_id", "detected_date"))
    if P.has_columns(ncs, "supplier_id", "detected_date"):
        start = P.trailing_months(period, months)[0].start_time
        sel = ncs[P.in_window(ncs["detected_date"], start, P.period_end(period))]
        per = P.counts(sel).groupby(sel["supplier_id"]).sum()
        out["ncs"] = per.reindex(out.index).fillna(0).astype(int)
    else:
        out["ncs"] = 0
    out = out.reset_index().sort_values(["ppm", "supplier_id"], ascending=[False, True])
    return out.reset_index(drop=True)[SCORE_COLUMNS]


def supplier_monthly(workbook: Workbook, period: Any, *, months: int = 36) -> pd.DataFrame:
    """Return monthly received and rejected quantity per supplier (ISO 9001 8.4.2).

    Columns ``supplier_id, month, receipts, quantity_received, quantity_rejected, ppm``;
    months without receipts are absent (no denominator).
    """
    cols = ["supplier_id", "month", "receipts", "quantity_received", "quantity_rejected", "ppm"]
    rows = _receipts(workbook, period, months)
    if rows.empty:
        return P.empty(cols, "no supplier receipts in the window")
    rows = rows.assign(month=P.to_month(rows["received_date"]))
    out = (
        rows.groupby(["supplier_id", "month"])
        .agg(
            receipts=("_n", "sum"),
            quantity_received=("quantity_received", "sum"),
            quantity_rejected=("quantity_rejected", "sum"),
        )
        .reset_index()
    )
    out = out[out["quantity_received"] > 0]
    out["ppm"] = out["quantity_rejected"] / out["quantity_received"] * 1e6
    return out.sort_values(["supplier_id", "month"]).reset_index(drop=True)[cols]


def supplier_rejection_chart(
    workbook: Workbook,
    supplier_id: str,
    period: Any,
    *,
    months: int = 36,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> P.Result:
    """Chart one supplier's monthly rejection rate on a p chart, Laney p' when over-dispersed.

    ISO 9001 8.4.2 (monitoring external providers). ``table`` is that supplier's rows of
    :func:`supplier_monthly`; extras ``chart_type`` and ``sigma_z``. ``baseline``: months at the
    start of the window whose limits are frozen (None: all); ``rules``: run-rule set(s)
    (default ``"anhoej"``; None: limits only).

    References
    ----------
    Montgomery (2019) sec. 7.2; Laney (2002).
    """
    table = supplier_monthly(workbook, period, months=months)
    table = table[table["supplier_id"] == supplier_id].reset_index(drop=True)
    if table.empty:
        return P.Result(table, None, f"no receipts from supplier {supplier_id!r} in the window")
    return P.rate_chart(
        table, value="quantity_rejected", n="quantity_received", baseline=baseline, rules=rules
    )


def supplier_funnel(
    workbook: Workbook, period: Any, *, months: int = 12, overdispersion: bool = True
) -> pd.DataFrame:
    """Return the funnel plot of supplier rejection rates over the trailing ``months``.

    ISO 9001 8.4.1 (evaluation of external providers), 9.3.2 c7. Each supplier's rejected
    proportion is set against binomial limits around the pooled rate for its received quantity
    (95% and 99.8%, from :func:`qmsdata.funnel_limits`).

    With quantities in the hundreds of thousands, suppliers differ by more than binomial
    chance and plain limits put most of them "outside". With ``overdispersion`` (default) the
    limits are widened by Spiegelhalter's multiplicative factor: phi = mean of the squared
    z-scores winsorised at the 10th/90th percentiles, applied (limits = centre +/- sqrt(phi) x
    binomial half-width) when I x phi exceeds the 95% point of chi-square with I - 1 degrees of
    freedom. ``attrs['phi']`` gives the factor used (1 when none).

    Returns
    -------
    DataFrame
        ``supplier_id, n, rejected, rate, center, lower_95, upper_95, lower_998, upper_998,
        position`` ("above" | "below" the 99.8% limits, "above_95" | "below_95" between the
        two, else "within"), worst rate first.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24(8), sections 3 and 5.1.
    """
    from scipy import stats

    cols = [
        "supplier_id",
        "n",
        "rejected",
        "rate",
        "center",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "position",
    ]
    score = supplier_scorecard(workbook, period, months=months)
    score = score[score["quantity_received"] > 0]
    if score.empty:
        return P.empty(cols, "no supplier receipts in the window")
    n = score["quantity_received"].to_numpy(float)
    k = score["quantity_rejected"].to_numpy(float)
    center = k.sum() / n.sum()
    limits = _funnel(n, center)
    phi = 1.0
    if overdispersion and len(n) >= 3 and 0 < center < 1:
        z = (k / n - center) / np.sqrt(center * (1 - center) / n)
        lo, hi = np.percentile(z, [10, 90])
        estimate = float(np.mean(np.clip(z, lo, hi) ** 2))
        if len(n) * estimate > stats.chi2.ppf(0.95, len(n) - 1):
            phi = estimate
            for tag in ("95", "998"):
                for side in ("lower", "upper"):
                    key = f"{side}_{tag}"
                    limits[key] = center + np.sqrt(phi) * (limits[key] - center)
                limits[f"lower_{tag}"] = np.clip(limits[f"lower_{tag}"], 0, None)
                limits[f"upper_{tag}"] = np.clip(limits[f"upper_{tag}"], None, 1)
    out = pd.DataFrame(
        {
            "supplier_id": score["supplier_id"].to_numpy(),
            "n": n,
            "rejected": k,
            "rate": k / n,
            "center": center,
            **limits,
        }
    )
    rate = out["rate"]
    out["position"] = np.select(
        [
            rate > out["upper_998"],
            rate < out["lower_998"],
            rate > out["upper_95"],
            rate < out["lower_95"],
        ],
        ["above", "below", "above_95", "below_95"],
        default="within",
    )
    out = out.sort_values(["rate", "supplier_id"], ascending=[False, True]).reset_index(drop=True)[
        cols
    ]
    out.attrs["phi"] = phi
    return out


def _funnel(n: np.ndarray, center: float) -> dict[str, np.ndarray]:
    """Return lower/upper funnel limits at 95% and 99.8% from the statistics engine."""
    lim = funnel_limits(n, center=center, kind="proportion", levels=(0.95, 0.998))
    return {c: lim[c].to_numpy(float) for c in ("lower_95", "upper_95", "lower_998", "upper_998")}


def supplier_reevaluation(
    workbook: Workbook, period: Any, *, months: int = 12, on_time_min: float = 0.9
) -> pd.DataFrame:
    """Return suppliers due for re-evaluation and why (ISO 9001 8.4.1 re-evaluation criteria).

    Criteria (documented, adjustable): rejection rate above the funnel's 99.8% limit; on-time
    delivery below ``on_time_min``; no receipt in the last ``months`` although supplied before
    (dormant: re-approve before next use). Columns ``supplier_id, reasons, ppm,
    on_time_rate``.
    """
    cols = ["supplier_id", "reasons", "ppm", "on_time_rate"]
    score = supplier_scorecard(workbook, period, months=months)
    if score.empty:
        return P.empty(cols, score.attrs.get("note"))
    funnel = supplier_funnel(workbook, period, months=months).set_index("supplier_id")
    reasons: dict[str, list[str]] = {}
    for sid in funnel.index[funnel["position"] == "above"]:
        reasons.setdefault(sid, []).append("rejection rate above the 99.8% funnel limit")
    for _, r in score.iterrows():
        if pd.notna(r["on_time_rate"]) and r["on_time_rate"] < on_time_min:
            reasons.setdefault(r["supplier_id"], []).append(
                f"on-time delivery {r['on_time_rate']:.1%} below {on_time_min:.0%}"
            )
    everyone = P.records(workbook, "supplier_receipts")
    if P.has_columns(everyone, "supplier_id"):
        for sid in sorted(set(everyone["supplier_id"].dropna()) - set(score["supplier_id"])):
            reasons.setdefault(sid, []).append(f"no receipts in the last {months} months")
    score = score.set_index("supplier_id")
    rows = [
        {
            "supplier_id": sid,
            "reasons": "; ".join(why),
            "ppm": score["ppm"].get(sid, np.nan),
            "on_time_rate": score["on_time_rate"].get(sid, np.nan),
        }
        for sid, why in reasons.items()
    ]
    if not rows:
        return P.empty(cols, "no supplier meets a re-evaluation criterion")
    return pd.DataFrame(rows, columns=cols).sort_values("supplier_id").reset_index(drop=True)
