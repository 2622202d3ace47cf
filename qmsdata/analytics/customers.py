"""Customer satisfaction surveys: mean score, NPS, distribution, trend (ISO 9001 9.1.2).

Scores are on the 0-10 scale. Net Promoter Score: promoters score 9-10, passives 7-8,
detractors 0-6; NPS = % promoters - % detractors (-100 ... 100).

References
----------
Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.stats.trends import trend_test

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

SUMMARY_COLUMNS = [
    "month",
    "responses",
    "mean",
    "ci_low",
    "ci_high",
    "promoters",
    "passives",
    "detractors",
    "nps",
]


def _surveys(workbook: Workbook, period: Any, months: int | None) -> pd.DataFrame:
    rows = P.records(workbook, "customer_surveys")
    if not P.has_columns(rows, "response_date", "score"):
        return rows.iloc[0:0]
    start = (
        P.period_start(period)
        if months is None
        else P.trailing_months(period, months)[0].start_time
    )
    rows = rows[P.in_window(rows["response_date"], start, P.period_end(period))]
    score = pd.to_numeric(rows["score"], errors="coerce")
    return rows.assign(score=score)[score.notna()]


def score_summary(scores: pd.Series, *, level: float = 0.95) -> dict[str, float]:
    """Return responses, mean, t confidence interval, promoter/passive/detractor shares and NPS.

    The interval is the Student-t interval mean +/- t(1-(1-level)/2, n-1) s/sqrt(n) (NaN below
    two responses). Shares are fractions; NPS is in points (-100 ... 100).
    """
    from scipy import stats

    s = pd.to_numeric(scores, errors="coerce").dropna().to_numpy(float)
    n = len(s)
    out = {
        "responses": n,
        "mean": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "promoters": np.nan,
        "passives": np.nan,
        "detractors": np.nan,
        "nps": np.nan,
    }
    if n == 0:
        return out
    mean = s.mean()
    out["mean"] = mean
    if n >= 2:
        half = stats.t.ppf(1 - (1 - level) / 2, n - 1) * s.std(ddof=1) / np.sqrt(n)
        out["ci_low"], out["ci_high"] = mean - half, mean + half
    out["promoters"] = float(np.mean(s >= 9))
    out["detractors"] = float(np.mean(s <= 6))
    out["passives"] = 1 - out["promoters"] - out["detractors"]
    out["nps"] = 100 * (out["promoters"] - out["detractors"])
    return out


def survey_summary(
    workbook: Workbook,
    period: Any,
    *,
    months: int = 24,
    baseline: int | None = None,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> P.Result:
    """Return monthly survey results with the period's summary and a trend test (ISO 9001 9.1.2).

    Parameters
    ----------
    months
        Trailing calendar months in the table, chart and trend (ending with the period).
    baseline
        Months at the start of the window whose chart limits are frozen (phase I); None: all.
    rules
        Run-rule set(s) for the chart (:func:`qmsdata.stats.rules.resolve_rules`); default
        ``"anhoej"``; None: limits only.

    Returns
    -------
    Result
        ``table``: one row per month with responses: ``month, responses, mean, ci_low, ci_high,
        promoters, passives, detractors, nps``; ``chart``: an I chart of the monthly mean score
        (Anhoej run rules, higher is better), None when fewer than 12 months have responses;
        extras ``period`` (the same figures over the whole reporting period) and ``trend``
        (Mann-Kendall on the monthly means, "insufficient data" below 4 months); ``note`` says
        why there is no chart and/or that the period itself has no responses.

    References
    ----------
    Wheeler, D. J. (1995). Advanced Topics in Statistical Process Control, ch. 4 (the I chart
    for a monthly summary statistic), via :func:`qmsdata.control_chart`.
    Hirsch, R. M., Slack, J. R. & Smith, R. A. (1982), Mann-Kendall trend test, via
    :func:`qmsdata.trend_test`.
    """
    rows = _surveys(workbook, period, months)
    now = _surveys(workbook, period, None)
    extra: dict[str, Any] = {
        "period": score_summary(now["score"]) if len(now) else score_summary(pd.Series())
    }
    if rows.empty:
        extra["trend"] = None
        return P.Result(P.empty(SUMMARY_COLUMNS), None, "no survey responses in the window", extra)
    rows = rows.assign(month=P.to_month(rows["response_date"]))
    table = pd.DataFrame(
        [{"month": m, **score_summary(g["score"])} for m, g in rows.groupby("month")],
        columns=SUMMARY_COLUMNS,
    )
    extra["trend"] = trend_test(table["mean"].to_numpy())
    # one point per month with responses: the I chart of the monthly mean (9.1.2 trend)
    chart, chart_note = P.monthly_chart(
        table, "i", value="mean", baseline=baseline, rules=rules, improvement="increase"
    )
    notes = [chart_note, None if len(now) else "no survey responses in the period"]
    note = "; ".join(n for n in notes if n) or None
    return P.Result(table, chart, note, extra)


def survey_distribution(
    workbook: Workbook, period: Any, *, months: int | None = None
) -> pd.DataFrame:
    """Return the distribution of scores 0-10 in the period (ISO 9001 9.1.2).

    Columns ``score`` (0 ... 10, every score listed), ``responses``, ``share``, ``group``
    ("detractor" 0-6, "passive" 7-8, "promoter" 9-10).
    """
    rows = _surveys(workbook, period, months)
    scores = np.arange(11)
    counts = (
        rows["score"].round().astype(int).value_counts().reindex(scores, fill_value=0)
        if len(rows)
        else pd.Series(0, index=scores)
    )
    total = counts.sum()
    out = pd.DataFrame(
        {
            "score": scores,
            "responses": counts.to_numpy(int),
            "share": counts.to_numpy(float) / total if total else np.nan,
            "group": np.select([scores <= 6, scores <= 8], ["detractor", "passive"], "promoter"),
        }
    )
    if total == 0:
        out.attrs["note"] = "no survey responses in the period"
    return out
