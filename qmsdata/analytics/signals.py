"""Screen every monitored series and list what needs the review's attention (ISO 9001 9.1.3, 9.3.2).

:func:`signals` is the raw material of the executive summary (9.3.2 c5 "monitoring and
measurement results" and 9.3.2 f "opportunities for improvement"). It screens:

============================  ======================  ============================================
series                        chart                   finding
============================  ======================  ============================================
complaints per million        u or Laney u'           limits, Anhoej runs; Mann-Kendall drift
defect ppm per site x process p or Laney p'           limits, Anhoej runs
supplier rejection rate       p or Laney p'           limits, Anhoej runs
objective KPIs                I chart with target     consistent_fail, target missed, concern
survey mean score             I chart                 limits, Anhoej runs; Mann-Kendall drift
overdue CAPAs per process     binomial cluster test   overdue cluster
audit nonconformities         open-findings register  a major, or two or more, past their due date
============================  ======================  ============================================

Control-chart limits come from the first ``baseline`` months of the window (phase I) and are
frozen for the rest, so a recent shift is judged against the earlier process, not absorbed into
its own limits. Only *current* findings are listed: a chart signal counts when one of its
signalling points lies in the last ``recent`` months.

The screened series are the registry :data:`SERIES`, one :class:`MonitoredSeries` per row of the
table above: how to build its frame(s) from a workbook and how to judge each frame. Adding a
series to the executive summary is adding one entry (a chart series is one
:func:`chart_series` call); :func:`signals` itself is a short loop over the registry plus the
ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import (
    audits,
    capa,
    complaints,
    customers,
    nonconformities,
    objectives,
    suppliers,
)
from qmsdata.analytics import periods as P
from qmsdata.stats.attributes import choose_attribute_chart
from qmsdata.stats.trends import trend_test

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

COLUMNS = [
    "rank",
    "series",
    "area",
    "chart",
    "rule",
    "since",
    "direction",
    "magnitude",
    "evidence",
    "record_type",
    "site",
    "process",
    "product",
    "supplier_id",
    "objective_id",
    "owner",
    "clause",
    "severity",
    "detail",
    "key",
]

#: ranking weight of each kind of finding (higher = more important); see :func:`signals`
SEVERITY = {
    "sustained": 4,  # several points beyond the limits, or beyond the limits and a shift
    "consistent_fail": 4,
    "overdue_cluster": 4,
    "shift": 3,
    "target_missed": 3,
    "beyond_limits": 2,  # a single point beyond the limits
    "trend": 2,
    "crossings": 1,
    "other": 1,
}
DIRECTION_ORDER = {"concern": 0, "improvement": 1, "neutral": 2}


def _day(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _rule_kind(rule: str) -> str:
    """Map an engine rule id to a severity class."""
    r = rule.lower()
    if r in ("beyond_limits", "we_1", "nelson_1"):
        return "beyond_limits"
    if "cross" in r:
        return "crossings"
    if (
        "shift" in r
        or "run" in r
        or r in ("we_2", "we_3", "we_4", "nelson_2", "nelson_5", "nelson_6")
    ):
        return "shift"
    if r in ("nelson_3",):
        return "trend"
    return "other"


def chart_finding(chart: Any, *, recent: int, improvement: str | None) -> dict[str, Any] | None:
    """Return the current finding of a ControlChart, or None when it shows common cause only.

    A point is signalling when it lies strictly beyond a limit or any rule fired on it. The
    finding is current when a signalling point lies in the last ``recent`` points. ``since``
    is the first point of the run of points on the same side of the centre line that ends at
    the latest signalling point (where a shift began); ``magnitude`` is the mean of the
    points from ``since`` relative to the centre line (0.5 = 50% above).
    """
    data = chart.data.reset_index(drop=True)
    if data.empty:
        return None
    rules = data["rules"].map(lambda r: tuple(r) if isinstance(r, (tuple, list)) else ())
    flagged = data["sigma_signal"].fillna(False).astype(bool) | rules.map(bool)
    last = len(data) - recent
    current = np.nonzero(flagged.to_numpy() & (np.arange(len(data)) >= last))[0]
    if len(current) == 0:
        return None
    i = int(current[-1])
    side = np.sign(data["value"] - data["cl"]).to_numpy()
    start = i
    while start > 0 and side[start - 1] == side[i] and side[i] != 0:
        start -= 1
    seg = data.iloc[start : i + 1]
    ids = set()
    for j in current:
        ids.update(rules.iloc[j])
        if bool(data["sigma_signal"].iloc[j]):
            ids.add("beyond_limits")
    kinds = sorted({_rule_kind(r) for r in ids}, key=lambda k: -SEVERITY[k])
    n_beyond = int(data["sigma_signal"].iloc[current].astype(bool).sum())
    if n_beyond >= 2 or (n_beyond == 1 and "shift" in kinds):
        kinds.insert(0, "sustained")
    cl = float(np.nanmean(seg["cl"]))
    mean = float(np.nanmean(seg["value"]))
    magnitude = (mean - cl) / abs(cl) if cl else mean
    up = side[i] > 0
    if improvement in ("increase", "decrease"):
        direction = "concern" if up == (improvement == "decrease") else "improvement"
    else:
        direction = "neutral"
    return {
        "rule": ", ".join(sorted(ids)),
        "kind": kinds[0],
        "since": pd.Timestamp(seg["x"].iloc[0]).to_period("M"),
        "direction": direction,
        "magnitude": magnitude,
        "detail": f"mean {mean:.4g} since then vs centre line {cl:.4g}; {len(current)} "
        f"signalling point(s) in the last {recent}, {n_beyond} beyond the limits",
    }


# --------------------------------------------------------------------------------------------
# the screen's parameters and the registry
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Screen:
    """The parameters of one :func:`signals` call, handed to every registry entry."""

    workbook: Workbook
    period: Any
    at: pd.Timestamp
    first: pd.Period
    months: int
    baseline: int
    recent: int
    alpha: float
    min_cluster: int
    rules: str | Sequence[str] | None


#: the identifying and descriptive fields of a series (``series``, ``area``, ``record_type``,
#: ``clause``, ``site``, ``process``, ``supplier_id``, ...), copied onto each of its findings
Fields = dict[str, Any]
#: one finding: :data:`COLUMNS` minus ``rank`` and ``key``
Finding = dict[str, Any]


@dataclass(frozen=True)
class MonitoredSeries:
    """One entry of :data:`SERIES`: a monitored series of the executive summary.

    Attributes
    ----------
    name
        Short identifier (``"complaint_rate"``).
    build
        ``build(screen)`` yields ``(fields, frame)`` for every instance of the series (one for
        the complaint rate, one per site x process for the defect rate, ...); a frame too short
        to judge is not yielded. ``fields`` are copied onto the findings, except keys starting
        with ``_``: those carry extra input for the judge (an objective's status row, the other
        processes' CAPAs).
    judge
        ``judge(screen, fields, frame)`` returns the current findings of one frame.
    """

    name: str
    build: Callable[[Screen], Iterable[tuple[Fields, pd.DataFrame]]]
    judge: Callable[[Screen, Fields, pd.DataFrame], list[Finding]]


def _finding(finding: dict[str, Any], fields: Fields, **more: Any) -> Finding:
    """Return a finding row: the series' fields, the finding and its severity (from its kind)."""
    kind = finding.pop("kind", "other")
    return {**fields, **more, **finding, "severity": SEVERITY.get(kind, 1)}


def _chart_rows(
    table: pd.DataFrame,
    chart_type: str,
    *,
    value: str,
    n: str | None,
    baseline: int,
    recent: int,
    improvement: str,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
) -> tuple[dict[str, Any] | None, str]:
    """Chart a monthly table with frozen limits and return its current finding (or a note)."""
    base = min(baseline, max(len(table) - recent, P.MIN_POINTS))
    chart, note = P.monthly_chart(
        table,
        chart_type,
        value=value,
        n=n,
        baseline=base if base < len(table) else None,
        improvement=improvement,
        rules=rules,
    )
    if chart is None:
        return None, note or ""
    return chart_finding(chart, recent=recent, improvement=improvement), ""


def _trend_row(values: np.ndarray, improvement: str, alpha: float) -> dict[str, Any] | None:
    res = trend_test(values)
    if res.trend not in ("increasing", "decreasing") or not (res.p < alpha):
        return None
    up = res.trend == "increasing"
    direction = "concern" if up == (improvement == "decrease") else "improvement"
    level = np.nanmean(values)
    return {
        "rule": "mann_kendall",
        "kind": "trend",
        "direction": direction,
        "magnitude": res.slope * 12 / level if level else res.slope,
        "detail": f"Sen slope {res.slope:.4g} per month, p = {res.p:.3g}",
    }


def chart_series(
    name: str,
    build: Callable[[Screen], Iterable[tuple[Fields, pd.DataFrame]]],
    *,
    chart: str,
    value: str,
    n: str | None = None,
    improvement: str,
    evidence: Callable[[Fields, str], str],
    trend: str | None = None,
) -> MonitoredSeries:
    """Return a registry entry for a monthly series judged on a control chart.

    Parameters
    ----------
    build
        Yields ``(fields, monthly table)`` (see :class:`MonitoredSeries`).
    chart
        ``"p"`` or ``"u"``: a count ``value`` on a denominator ``n``, charted on p (u) or Laney's
        p' (u') as :func:`qmsdata.stats.attributes.choose_attribute_chart` decides; any other
        chart name is used as is (``"i"``).
    improvement
        ``"increase"`` or ``"decrease"``: the direction that is an improvement.
    evidence
        ``evidence(fields, day)`` -> the record filter that finds the records since ``day``
        (``YYYY-MM-DD``): the start of the signal for a chart finding, of the window for a
        trend.
    trend
        Column tested for a Mann-Kendall drift at ``alpha`` (None: no trend test).
    """

    if chart in ("p", "u") and n is None:
        raise ValueError(f"chart_series {name!r}: a {chart} chart needs n= (the denominator)")

    def judge(screen: Screen, fields: Fields, table: pd.DataFrame) -> list[Finding]:
        if chart in ("p", "u"):
            ctype, _ = choose_attribute_chart(table[value], table[str(n)], chart)
        else:
            ctype = chart
        out: list[Finding] = []
        finding, _ = _chart_rows(
            table,
            ctype,
            value=value,
            n=n,
            baseline=screen.baseline,
            recent=screen.recent,
            improvement=improvement,
            rules=screen.rules,
        )
        if finding:
            day = _day(finding["since"].start_time)
            out.append(_finding(finding, fields, chart=ctype, evidence=evidence(fields, day)))
        if trend is not None:
            drift = _trend_row(table[trend].to_numpy(float), improvement, screen.alpha)
            if drift:
                since = table["month"].iloc[0]
                out.append(
                    _finding(
                        {**drift, "since": since},
                        fields,
                        chart="mann_kendall",
                        evidence=evidence(fields, _day(screen.first.start_time)),
                    )
                )
        return out

    return MonitoredSeries(name, build, judge)


def _groups(
    frame: pd.DataFrame, by: list[str], value: str
) -> Iterator[tuple[tuple[Any, ...], pd.DataFrame]]:
    """Yield (key, monthly table) per group long enough to judge and with any event at all."""
    for key, t in frame.groupby(by, sort=True):
        t = t.reset_index(drop=True)
        if not P.enough_points(len(t)) or t[value].sum() == 0:
            continue
        yield key, t


# --------------------------------------------------------------------------------------------
# 1. complaints per million shipped (9.1.2, 9.3.2 c1)
# --------------------------------------------------------------------------------------------
def _complaint_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    table = complaints.complaint_counts(screen.workbook, screen.period, months=screen.months)
    if P.enough_points(len(table)):
        yield (
            {
                "series": "Complaints per million units shipped",
                "area": "9.3.2 c1 customer",
                "record_type": "complaints",
                "clause": "9.1.2",
            },
            table,
        )


# --------------------------------------------------------------------------------------------
# 2. defect rate per site x process (8.7, 9.1.3 a, 9.3.2 c3)
# --------------------------------------------------------------------------------------------
def _defect_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    rates = nonconformities.nc_rates(screen.workbook, screen.period, months=screen.months)
    for (site, process), t in _groups(rates, ["site", "process"], "defects"):
        yield (
            {
                "series": f"Defect rate {site} / {process}",
                "area": "9.3.2 c3 conformity",
                "record_type": "nonconformities",
                "site": site,
                "process": process,
                "clause": "8.7",
            },
            t,
        )


def _defect_evidence(fields: Fields, day: str) -> str:
    src = ", ".join(repr(s) for s in nonconformities.PROCESS_SOURCES)
    return (
        f"nonconformities where site == {fields['site']!r} and process == "
        f"{fields['process']!r} and source in ({src}) and detected_date >= {day}"
    )


# --------------------------------------------------------------------------------------------
# 3. supplier rejection rate (8.4, 9.3.2 c7)
# --------------------------------------------------------------------------------------------
def _supplier_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    monthly = suppliers.supplier_monthly(screen.workbook, screen.period, months=screen.months)
    for (sid,), t in _groups(monthly, ["supplier_id"], "quantity_rejected"):
        yield (
            {
                "series": f"Supplier {sid} rejection rate",
                "area": "9.3.2 c7 suppliers",
                "record_type": "supplier_receipts",
                "supplier_id": sid,
                "clause": "8.4",
            },
            t,
        )


# --------------------------------------------------------------------------------------------
# 4. objectives (6.2, 9.3.2 c2): status per objective, judged on target and variation
# --------------------------------------------------------------------------------------------
def _objective_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    status = objectives.objective_status(
        screen.workbook,
        screen.period,
        as_of=screen.at,
        baseline=screen.baseline,
        rules=screen.rules,
    )
    kpi = objectives._kpis(screen.workbook)
    kpi = kpi[kpi["period"] <= P.last_month(screen.period)] if len(kpi) else kpi
    monthly_kpi = (
        kpi.groupby(["objective_id", "period"])["value"].mean()
        if len(kpi)
        else pd.Series(dtype=float)
    )
    for _, obj in status.iterrows():
        oid = obj["objective_id"]
        last12 = (
            monthly_kpi.loc[oid]
            if oid in monthly_kpi.index.get_level_values(0)
            else pd.Series(dtype=float)
        ).iloc[-12:]
        fields = {
            "series": f"Objective {oid} {obj['name'] or ''}".strip(),
            "area": "9.3.2 c2 objectives",
            "chart": "i",
            "record_type": "kpi_measurements",
            "objective_id": oid,
            "process": obj["process"],
            "owner": obj["owner"],
            "clause": "6.2",
        }
        # the judge reads the objective's status row and its last 12 monthly values
        yield {**fields, "_status": obj}, last12.rename("value").to_frame()


def _objective_judge(screen: Screen, fields: Fields, frame: pd.DataFrame) -> list[Finding]:
    fields = dict(fields)
    obj = fields.pop("_status")
    oid, direction, target = obj["objective_id"], obj["direction"], obj["target"]
    last12 = frame["value"]
    if len(last12) >= 6 and np.isfinite(target) and direction in ("increase", "decrease"):
        missed = (last12 < target) if direction == "increase" else (last12 > target)
        share = float(missed.mean())
        if obj["assurance"] == "consistent_fail" or share >= 0.75:
            rule = "consistent_fail" if obj["assurance"] == "consistent_fail" else "target_missed"
            since = last12.index[np.argmax(missed.to_numpy())]
            finding = {
                "rule": rule,
                "kind": rule,
                "since": since,
                "direction": "concern",
                "magnitude": share,
                "detail": f"target {target:g} missed in {int(missed.sum())} of "
                f"{len(last12)} months; assurance {obj['assurance']}",
            }
            evidence = f"kpi_measurements where objective_id == {oid!r} and period >= {since}"
            return [_finding(finding, fields, evidence=evidence)]
    if obj["variation"] == "special_cause_concern":
        finding = {
            "rule": "special_cause_concern",
            "kind": "shift",
            "since": P.last_month(screen.period),
            "direction": "concern",
            "magnitude": (obj["actual"] - target) / abs(target) if target else np.nan,
            "detail": "latest point signals special cause (concern)",
        }
        evidence = f"kpi_measurements where objective_id == {oid!r}"
        return [_finding(finding, fields, evidence=evidence)]
    return []


# --------------------------------------------------------------------------------------------
# 5. survey mean score (9.1.2)
# --------------------------------------------------------------------------------------------
def _survey_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    survey = customers.survey_summary(screen.workbook, screen.period, months=screen.months)
    if P.enough_points(len(survey.table)):
        yield (
            {
                "series": "Customer survey mean score",
                "area": "9.3.2 c1 customer",
                "record_type": "customer_surveys",
                "clause": "9.1.2",
            },
            survey.table[["month", "mean"]].dropna().reset_index(drop=True),
        )


# --------------------------------------------------------------------------------------------
# 6. clusters of overdue corrective actions (10.2)
# --------------------------------------------------------------------------------------------
def _capa_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    """Yield, per process, the CAPAs that came due in the 12 months before the date judged at."""
    capas = capa._capas(screen.workbook, screen.at)
    if not len(capas) or capas["is_overdue"].sum() < screen.min_cluster:
        return
    at = screen.at
    due = P.dates(capas, "due_date")
    came_due = capas[(due < at) & (due >= at - pd.Timedelta(days=365)) & ~capas["is_cancelled"]]
    for process, g in came_due.groupby("process", sort=True):
        if int(g["is_overdue"].sum()) < screen.min_cluster:
            continue
        rest = came_due[came_due["process"] != process]
        yield {"process": process, "_rest": rest}, g


def _capa_judge(screen: Screen, fields: Fields, g: pd.DataFrame) -> list[Finding]:
    """A process whose CAPAs are overdue more often than the rest's (one-sided binomial test)."""
    from scipy import stats

    process, rest = fields["process"], fields["_rest"]
    k = int(g["is_overdue"].sum())
    rate = max(rest["is_overdue"].sum(), 0.5) / max(len(rest), 1)
    rate = min(rate, 1.0)
    p = stats.binomtest(k, len(g), rate, alternative="greater").pvalue
    if p >= screen.alpha:
        return []
    late = g[g["is_overdue"]]
    owner = (
        late["owner"].mode().iloc[0] if "owner" in late and late["owner"].notna().any() else None
    )
    since = pd.Timestamp(P.dates(late, "opened_date").min()).to_period("M")
    expected = rate * len(g)
    at = _day(screen.at)
    return [
        {
            "series": f"Overdue corrective actions: {process}",
            "area": "9.3.2 c4 corrective action",
            "chart": "binomial_cluster",
            "rule": "overdue_cluster",
            "since": since,
            "direction": "concern",
            "magnitude": k / expected,
            "record_type": "corrective_actions",
            "process": process,
            "owner": owner,
            "clause": "10.2",
            "severity": SEVERITY["overdue_cluster"],
            "evidence": f"corrective_actions where process == {process!r} and status != "
            f"'cancelled' and due_date < {at} and (closed_date is empty or "
            f"closed_date > {at})",
            "detail": f"{k} of {len(g)} CAPAs due in the last 12 months are overdue; "
            f"{expected:.1f} expected at the rest's overdue rate {rate:.1%} "
            f"(binomial p = {p:.2g})",
        }
    ]


# --------------------------------------------------------------------------------------------
# 7. overdue audit nonconformities (9.2.2 f: correction without undue delay)
# --------------------------------------------------------------------------------------------
def _audit_frames(screen: Screen) -> Iterator[tuple[Fields, pd.DataFrame]]:
    """Yield, per process, its overdue major and minor audit nonconformities."""
    open_findings = audits.audit_open_findings(screen.workbook, screen.period, as_of=screen.at)
    if not len(open_findings):
        return
    late = open_findings[
        open_findings["overdue"] & open_findings["finding_type"].isin(["major_nc", "minor_nc"])
    ]
    for process, g in late.groupby("process", sort=True):
        yield {"process": process}, g


def _audit_judge(screen: Screen, fields: Fields, g: pd.DataFrame) -> list[Finding]:
    """A major nonconformity, or two or more, past their due date in one process."""
    process = fields["process"]
    majors = int((g["finding_type"] == "major_nc").sum())
    if majors == 0 and len(g) < 2:
        return []
    at = _day(screen.at)
    return [
        {
            "series": f"Overdue audit nonconformities: {process}",
            "area": "9.3.2 c6 audits",
            "chart": "register",
            "rule": "overdue_findings",
            "since": pd.Timestamp(P.dates(g, "due_date").min()).to_period("M"),
            "direction": "concern",
            "magnitude": float(g["days_overdue"].max()),
            "record_type": "audit_findings",
            "process": process,
            "clause": "9.2",
            "severity": 3 if majors else 2,
            "evidence": f"audit_findings where process == {process!r} and finding_type in "
            f"('major_nc', 'minor_nc') and due_date < {at} and (closed_date is "
            f"empty or closed_date > {at})",
            "detail": f"{len(g)} overdue ({majors} major), up to "
            f"{int(g['days_overdue'].max())} days",
        }
    ]


#: The monitored series of the executive summary, screened in this order (the order of the
#: findings before ranking). Add a series by adding an entry.
SERIES: tuple[MonitoredSeries, ...] = (
    chart_series(
        "complaint_rate",
        _complaint_frames,
        chart="u",
        value="complaints",
        n="n",
        improvement="decrease",
        trend="rate_per_million",
        evidence=lambda f, day: f"complaints where received_date >= {day}",
    ),
    chart_series(
        "defect_rate",
        _defect_frames,
        chart="p",
        value="defects",
        n="units_inspected",
        improvement="decrease",
        evidence=_defect_evidence,
    ),
    chart_series(
        "supplier_rejection_rate",
        _supplier_frames,
        chart="p",
        value="quantity_rejected",
        n="quantity_received",
        improvement="decrease",
        evidence=lambda f, day: (
            f"supplier_receipts where supplier_id == {f['supplier_id']!r} and "
            f"received_date >= {day}"
        ),
    ),
    MonitoredSeries("objectives", _objective_frames, _objective_judge),
    chart_series(
        "survey_mean_score",
        _survey_frames,
        chart="i",
        value="mean",
        improvement="increase",
        trend="mean",
        evidence=lambda f, day: f"customer_surveys where response_date >= {day}",
    ),
    MonitoredSeries("overdue_capa_cluster", _capa_frames, _capa_judge),
    MonitoredSeries("overdue_audit_findings", _audit_frames, _audit_judge),
)


def signals(
    workbook: Workbook,
    period: Any,
    *,
    as_of: Any = None,
    months: int = 36,
    baseline: int = 18,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
    recent: int = 6,
    alpha: float = 0.01,
    min_cluster: int = 5,
    series: Sequence[MonitoredSeries] | None = None,
) -> pd.DataFrame:
    """Screen every monitored series and return the current findings, most important first.

    ISO 9001 9.1.3 (analysis and evaluation), 9.3.2 c5 and f.

    Parameters
    ----------
    period, as_of
        Reporting period ("2026-10" or "2026Q3") and the date judged at (default: its end).
    months
        Length of each series' window, ending with the period.
    baseline
        Months at the start of the window that set the frozen control limits (at most the
        window less the ``recent`` months, at least :data:`qmsdata.stats.MIN_POINTS`).
    rules
        Run-rule set(s) of every control chart of the screen, and of the objectives' I charts
        (default ``"anhoej"``: Anhoej's run rules plus points beyond the limits).
    recent
        A chart finding counts only when a signalling point lies in the last ``recent`` months.
    alpha
        Significance level of the Mann-Kendall drift and the CAPA cluster tests.
    min_cluster
        Fewest overdue CAPAs in one process that can form a cluster. A cluster is a process
        whose CAPAs that came due in the last 12 months are overdue more often than the other
        processes' (one-sided exact binomial test at ``alpha`` against the rest's rate).
    series
        The monitored series to screen; default :data:`SERIES` (all).

    Returns
    -------
    DataFrame
        One row per finding: ``rank`` (1 = most important), ``series``, ``area`` (review input),
        ``chart``, ``rule`` (engine rule ids, "beyond_limits", "mann_kendall",
        "consistent_fail", "target_missed", "overdue_cluster"), ``since`` (Period[M]: when the
        signal began), ``direction`` ("concern" | "improvement" | "neutral"), ``magnitude``
        (relative change vs the centre line, the drift per year relative to the level, the
        share of months missing target, overdue CAPAs / expected, or days overdue),
        ``evidence`` (record type and filter that finds the records), ``record_type``,
        ``site``, ``process``,
        ``product``, ``supplier_id``, ``objective_id``, ``owner``, ``clause``, ``severity``,
        ``detail`` and ``key`` (record type, site, process, supplier, objective and rule joined
        by "|": stable from one period to the next, to follow a finding across packs).

    Notes
    -----
    Ranking: concern before improvement before neutral; then severity (4: a sustained special
    cause, i.e. two or more recent points beyond the limits or one beyond with a shift, an
    objective whose limits lie wholly on the failing side of its target, a significant cluster
    of overdue CAPAs; 3: a shift by the run rule alone, a target missed in 9 of 12 months, an
    overdue major audit nonconformity; 2: a single point beyond the limits, a Mann-Kendall
    drift, two or more overdue minor audit nonconformities in one process; 1: other rules);
    then absolute magnitude; then the more recent ``since``.

    References
    ----------
    Anhoej, J. & Olesen, A. V. (2014). Run charts revisited. PLoS ONE 9(11): e113825.
    Laney (2002); Hirsch, Slack & Smith (1982) for the Mann-Kendall test.
    """
    screen = Screen(
        workbook=workbook,
        period=period,
        at=P.resolve_as_of(period, as_of),
        first=P.trailing_months(period, months)[0],
        months=months,
        baseline=baseline,
        recent=recent,
        alpha=alpha,
        min_cluster=min_cluster,
        rules=rules,
    )
    rows: list[Finding] = []
    for entry in SERIES if series is None else series:
        for fields, frame in entry.build(screen):
            rows.extend(entry.judge(screen, fields, frame))
    return _rank(rows)


def _rank(rows: list[Finding]) -> pd.DataFrame:
    """Return the findings as the documented table, ranked (see :func:`signals`, Notes)."""
    if not rows:
        return P.empty(COLUMNS, "no current signals: every screened series shows common cause")
    out = pd.DataFrame(rows)
    for c in COLUMNS:
        if c not in out.columns:
            out[c] = None
    ident = ["record_type", "site", "process", "supplier_id", "objective_id", "rule"]
    out["key"] = out[ident].apply(
        lambda r: "|".join("" if v is None or v != v else str(v) for v in r), axis=1
    )
    out["_d"] = out["direction"].map(DIRECTION_ORDER)
    out["_m"] = -out["magnitude"].astype(float).abs().fillna(0)
    out["_s"] = out["since"].map(lambda s: -pd.Period(s, freq="M").ordinal)
    out = out.sort_values(["_d", "severity", "_m", "_s"], ascending=[True, False, True, True])
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[COLUMNS]
