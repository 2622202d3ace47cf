"""PDCA trend analyses of one subject: a process (optionally at one site) or a quality objective.

ISO 9001 0.3.2 (Plan-Do-Check-Act), 6.2, 6.3, 9.1.3, 10.2, 10.3. :func:`pdca_analysis` gathers
what the trend notebooks (``qmsdata/notebooks/pdca/``) show, so the notebooks stay thin and the
numbers are testable:

- **Plan**: the objectives that bear on the subject (target, direction, 6.2.2 plan completeness),
  the baseline performance (the series before its first documented change, or its first twelve
  months), the changes planned (open review actions and corrective actions of the process).
- **Do**: the timeline of the changes implemented (documented and derived), with their links.
- **Check**: the series as a control chart with a phase at each documented change
  (:func:`qmsdata.analytics.changes.phase_starts`), the effect of each change
  (:func:`qmsdata.analytics.changes.change_effects`), the Mann-Kendall trend over the last 12 and
  24 months (:func:`qmsdata.stats.trends.trend_test`) and, for defect-rate subjects, the defect
  Pareto before against after the latest documented change.
- **Act**: the proposed decision per change (:func:`qmsdata.analytics.changes.decision_actions`).

:func:`objective_evidence` is the objective flavour an auditor asks for under 6.2 and 9.1.3:
the plan fields, every measurement with its source row, achievement per period against target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.analytics import changes as CH
from qmsdata.analytics import periods as P

#: verdicts that are a concern for the board, most serious first (the trends index ranks by it)
CONCERN_ORDER = {
    "deterioration": 0,
    "no detectable change": 1,
    "insufficient data": 2,
    "improvement not yet sustained": 3,
    "too early to judge": 4,
    "sustained improvement": 5,
}

SUMMARY_COLUMNS = [
    "subject",
    "subject_type",
    "site",
    "process",
    "objective_id",
    "series",
    "changes",
    "derived",
    "latest_change_id",
    "latest_implemented",
    "latest_verdict",
    "latest_decision",
    "concern",
    "rank_key",
    "trend_12",
    "trend_24",
]


def _text(v: Any) -> str | None:
    return CH._text(v)


@dataclass
class PdcaAnalysis:
    """What one PDCA trend analysis shows (see :func:`pdca_analysis`).

    Attributes
    ----------
    subject, subject_type
        ``"Brno / SMT placement"`` or ``"Objective OBJ-02"``; ``"process"`` | ``"objective"``.
    site, process, objective_id
        The subject's keys (None where they do not apply).
    series_name, series, chart
        The monitored series' name, its monthly table (``month, value, n``) and the control
        chart with a phase at each documented change (None when there are too few points).
    objectives
        Plan: the objectives bearing on the subject with ``plan_complete`` (6.2.2 a-e filled).
    baseline
        Plan: ``{"value", "months", "from", "to", "chart"}`` of the baseline phase (empty: none).
    planned
        Plan: open review actions and corrective actions of the subject (``kind, id, due_date,
        description``) and changes of status ``planned``.
    timeline
        Do: the implemented changes of the subject, in date order, with their links.
    effects
        Check: :func:`change_effects` rows for the subject's changes.
    trends
        Check: Mann-Kendall over the last 12 and 24 months (``window, n, trend, p, slope``).
    pareto
        Check: defect Pareto before / after the latest documented change (defect-rate subjects;
        empty otherwise), with ``note`` in ``attrs`` when not assessed.
    decisions
        Act: :func:`decision_actions` rows (review_actions schema).
    improvement
        Direction in which the series improves (``"decrease"`` for a defect rate).
    conclusions
        ``{"plan", "do", "check", "act"}``: one sentence each, ``"not assessed"`` /
        ``"insufficient data"`` where the records do not support more.
    """

    subject: str
    subject_type: str
    site: str | None
    process: str | None
    objective_id: str | None
    series_name: str
    series: pd.DataFrame
    chart: Any
    objectives: pd.DataFrame
    baseline: dict[str, Any]
    planned: pd.DataFrame
    timeline: pd.DataFrame
    effects: pd.DataFrame
    trends: pd.DataFrame
    pareto: pd.DataFrame
    decisions: pd.DataFrame
    conclusions: dict[str, str] = field(default_factory=dict)
    improvement: str = "decrease"

    def summary(self) -> dict[str, Any]:
        """Return one row for the trends index: the latest documented change and its verdict."""
        eff = self.effects
        docs = eff[~eff["derived"].astype(bool)] if len(eff) else eff
        pick = docs if len(docs) else eff
        latest = pick.sort_values("implemented_date").iloc[-1] if len(pick) else None
        verdict = str(latest["verdict"]) if latest is not None else "no change recorded"
        trends = dict(zip(self.trends["window"], self.trends["trend"], strict=False))
        worse = "increasing" if self.improvement == "decrease" else "decreasing"
        concern = verdict in ("deterioration", "no detectable change") or (
            trends.get("last 12 months") == worse
        )
        return {
            "subject": self.subject,
            "subject_type": self.subject_type,
            "site": self.site,
            "process": self.process,
            "objective_id": self.objective_id,
            "series": self.series_name,
            "changes": int((~eff["derived"].astype(bool)).sum()) if len(eff) else 0,
            "derived": int(eff["derived"].astype(bool).sum()) if len(eff) else 0,
            "latest_change_id": None if latest is None else latest["change_id"],
            "latest_implemented": None
            if latest is None
            else pd.Timestamp(latest["implemented_date"]).date().isoformat(),
            "latest_verdict": verdict,
            "latest_decision": None if latest is None else latest["decision"],
            "concern": bool(concern),
            "rank_key": CONCERN_ORDER.get(verdict, 6) - (0.5 if concern else 0),
            "trend_12": trends.get("last 12 months"),
            "trend_24": trends.get("last 24 months"),
        }


def _plan_complete(row: Any) -> bool:
    """6.2.2 a-e: what, resources, who, when, how evaluated."""
    return all(
        _text(row.get(c)) is not None
        for c in ("action_plan", "resources", "responsible", "plan_due", "evaluation_method")
    )


def _objectives_for(workbook: Any, process: str | None, objective_id: str | None) -> pd.DataFrame:
    objs = P.records(workbook, "objectives")
    cols = [
        "objective_id",
        "name",
        "process",
        "site",
        "unit",
        "direction",
        "target",
        "valid_from",
        "valid_to",
        "responsible",
        "plan_due",
        "plan_complete",
    ]
    if objs.empty or "objective_id" not in objs.columns:
        return P.empty(cols, "no quality objectives are recorded")
    if objective_id is not None:
        objs = objs[objs["objective_id"] == objective_id]
    elif process is not None and "process" in objs.columns:
        objs = objs[objs["process"].astype(str).str.casefold() == process.casefold()]
    else:
        objs = objs.iloc[0:0]
    objs = objs.assign(plan_complete=[_plan_complete(r) for _, r in objs.iterrows()])
    for c in cols:
        if c not in objs.columns:
            objs[c] = None
    return objs[cols].reset_index(drop=True)


def _planned(
    workbook: Any,
    register: pd.DataFrame,
    subject_rows: pd.DataFrame,
    process: str | None,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    cols = ["kind", "id", "due_date", "description"]
    rows: list[dict[str, Any]] = []
    capa = P.records(workbook, "corrective_actions")
    if process and len(capa) and "process" in capa.columns:
        open_ = capa[(capa["process"] == process) & capa["closed_date"].isna()]
        open_ = open_[pd.to_datetime(open_["opened_date"], errors="coerce") <= as_of]
        for _, r in open_.iterrows():
            rows.append(
                {
                    "kind": "open corrective action",
                    "id": r["capa_id"],
                    "due_date": r.get("due_date"),
                    "description": r.get("description"),
                }
            )
    ra = P.records(workbook, "review_actions")
    if process and len(ra) and "description" in ra.columns:
        open_ = ra[ra["status"].astype(str) != "closed"] if "status" in ra.columns else ra
        named = open_["description"].astype(str).str.contains(process, case=False, regex=False)
        for _, r in open_[named].iterrows():
            rows.append(
                {
                    "kind": "open review action",
                    "id": r["action_id"],
                    "due_date": r.get("due_date"),
                    "description": r.get("description"),
                }
            )
    planned = subject_rows[subject_rows["status"] == "planned"] if len(subject_rows) else None
    if planned is not None:
        for _, r in planned.iterrows():
            rows.append(
                {
                    "kind": "planned change",
                    "id": r["change_id"],
                    "due_date": r["implemented_date"],
                    "description": r["description"],
                }
            )
    out = pd.DataFrame(rows, columns=cols)
    out["due_date"] = pd.to_datetime(out["due_date"], errors="coerce")
    return out.sort_values("due_date", kind="stable").reset_index(drop=True)


def _subject_rows(register: pd.DataFrame, key: tuple[Any, ...]) -> pd.DataFrame:
    if register.empty:
        return register
    keep = []
    for _, ch in register.iterrows():
        k = CH._series_key(ch)
        if key[0] == "objective":
            keep.append(k[0] == "objective" and k[4] == key[4])
        else:
            same_site = key[1] is None or _text(ch["site"]) == key[1]
            keep.append(
                k[0] in ("defect_rate", "other") and _text(ch["process"]) == key[2] and same_site
            )
    return register[np.array(keep, dtype=bool)].reset_index(drop=True)


def _trends(series: pd.DataFrame) -> pd.DataFrame:
    from qmsdata.stats.trends import trend_test

    rows = []
    if len(series):
        rate = series["value"] / series["n"].where(series["n"] > 0)
    else:
        rate = pd.Series(dtype=float)
    for months in (12, 24):
        vals = rate.iloc[-months:] if len(rate) else rate
        res = trend_test(vals.to_numpy(dtype=float)) if len(vals) else None
        rows.append(
            {
                "window": f"last {months} months",
                "n": int(vals.notna().sum()),
                "trend": "insufficient data" if res is None else res.trend,
                "p": float("nan") if res is None else res.p,
                "slope": float("nan") if res is None else res.slope,
            }
        )
    return pd.DataFrame(rows)


def _pareto(
    workbook: Any, site: str | None, process: str | None, month: Any, period: Any
) -> pd.DataFrame:
    cols = ["defect_code", "before", "before_share", "after", "after_share", "share_change"]
    nc = P.records(workbook, "nonconformities")
    if nc.empty or month is None or process is None:
        return P.empty(cols, "not assessed: no documented change on a defect-rate series")
    nc = nc[nc["process"] == process]
    if site:
        nc = nc[nc["site"] == site]
    when = pd.to_datetime(nc["detected_date"], errors="coerce").dt.to_period("M")
    last = P.last_month(period)
    span = max(1, min(12, int((last - month).n) + 1))
    before = nc[(when < month) & (when >= month - span)]
    after = nc[(when >= month) & (when <= last)]
    if before.empty or after.empty:
        return P.empty(cols, "insufficient data: no nonconformities on one side of the change")
    qty = "quantity" if "quantity" in nc.columns else None

    def counts(frame: pd.DataFrame) -> pd.Series:
        if qty:
            return (
                pd.to_numeric(frame[qty], errors="coerce")
                .fillna(1)
                .groupby(frame["defect_code"])
                .sum()
            )
        return frame.groupby("defect_code").size()

    b, a = counts(before), counts(after)
    out = pd.DataFrame({"before": b, "after": a}).fillna(0)
    out["before_share"] = out["before"] / out["before"].sum()
    out["after_share"] = out["after"] / out["after"].sum()
    out["share_change"] = out["after_share"] - out["before_share"]
    out = out.sort_values("before", ascending=False).rename_axis("defect_code").reset_index()
    out.attrs["note"] = f"{span} months before against the months from {month} to {last}"
    return out[cols]


def pdca_analysis(
    workbook: Any,
    period: Any,
    *,
    process: str | None = None,
    site: str | None = None,
    objective_id: str | None = None,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | int | None = None,
    months: int = CH.DEFAULT_MONTHS,
) -> PdcaAnalysis:
    """Return the PDCA trend analysis of a process (at a site) or of an objective.

    Parameters
    ----------
    process, site
        A process subject (site None: summed over the sites); ignored with ``objective_id``.
    objective_id
        An objective subject: its monthly actual is the series.
    period, as_of, baseline, rules, months
        As :func:`qmsdata.analytics.changes.change_effects`.

    Raises
    ------
    DataError
        Neither a process nor an objective given.
    """
    from qmsdata.errors import DataError
    from qmsdata.stats.spc import control_chart

    if objective_id is None and process is None:
        raise DataError("pdca_analysis needs a process or an objective_id")
    at = P.resolve_as_of(period, as_of)
    if objective_id is not None:
        key: tuple[Any, ...] = ("objective", None, None, None, objective_id)
        subject, stype = f"Objective {objective_id}", "objective"
        site = process = None
    else:
        key = ("defect_rate", site, process, None, None)
        subject, stype = (f"{site} / {process}" if site else str(process)), "process"
    register = CH.change_register(workbook, as_of=at)
    rows = _subject_rows(register, key)
    # Do: implemented up to the reporting date
    impl = (
        rows[(rows["status"] == "implemented") & (rows["implemented_date"] <= at)]
        if len(rows)
        else rows
    )
    timeline = impl[
        [
            c
            for c in (
                "change_id",
                "implemented_date",
                "kind",
                "derived",
                "source",
                "description",
                "capa_id",
                "action_id",
                "objective_id",
                "expected_direction",
                "evaluation_months",
                "owner",
            )
            if c in impl.columns
        ]
    ].reset_index(drop=True)
    # Check: effects of this subject's changes
    eff_all = CH.change_effects(
        workbook,
        period,
        as_of=as_of,
        baseline=baseline,
        rules=rules,
        months=months,
        only=set(impl["change_id"]) if len(impl) else set(),
    )
    effects = eff_all.reset_index(drop=True)
    series = CH._Series(workbook, period, months)
    table, name, kind, note = series.series(key)
    table = table.sort_values("month").reset_index(drop=True) if len(table) else table
    if len(table):
        table = table[table["n"] > 0].reset_index(drop=True)
    chart = None
    baseline_info: dict[str, Any] = {}
    if len(table) >= 3:
        docs = impl[~impl["derived"].astype(bool)] if len(impl) else impl
        starts = CH.phase_starts(
            table["month"],
            register,
            metric=key[0],
            site=key[1],
            process=key[2],
            objective_id=key[4],
        )
        tab = table.assign(phase=CH.phase_labels(len(table), starts), x=table["month"].astype(str))
        ctype = "i"
        if kind in ("p", "u"):
            from qmsdata.stats.attributes import choose_attribute_chart

            b = tab[tab["phase"] == 0]
            ctype, _ = choose_attribute_chart(b["value"], b["n"], kind)
        chart = control_chart(
            tab,
            ctype,
            value="value",
            n=None if ctype == "i" else "n",
            x="x",
            phase="phase",
            rules=rules if isinstance(rules, str) else "anhoej",
        )
        first = starts[0] if starts else min(12, len(tab))
        base = tab.iloc[:first]
        if len(base):
            value = (
                float(base["value"].mean())
                if ctype == "i"
                else float(base["value"].sum() / base["n"].sum())
            )
            baseline_info = {
                "value": value,
                "months": len(base),
                "from": str(base["month"].iloc[0]),
                "to": str(base["month"].iloc[-1]),
                "chart": ctype,
                "documented_changes": len(docs),
            }
    trends = _trends(table if len(table) else pd.DataFrame(columns=["value", "n"]))
    docs_eff = effects[~effects["derived"].astype(bool)] if len(effects) else effects
    latest = docs_eff.sort_values("implemented_date").iloc[-1] if len(docs_eff) else None
    if stype == "process":
        pareto = _pareto(
            workbook,
            site,
            process,
            None if latest is None else pd.Period(latest["month"], freq="M"),
            period,
        )
    else:
        pareto = P.empty(["defect_code"], "not assessed: an objective is not a defect-rate series")
    decisions = CH.decision_actions(effects, review_date=at)
    objectives = _objectives_for(workbook, process, objective_id)
    planned = _planned(workbook, register, rows, process, at)
    out = PdcaAnalysis(
        subject=subject,
        subject_type=stype,
        site=site,
        process=process,
        objective_id=objective_id,
        series_name=name,
        series=table,
        chart=chart,
        objectives=objectives,
        baseline=baseline_info,
        planned=planned,
        timeline=timeline,
        effects=effects,
        trends=trends,
        pareto=pareto,
        decisions=decisions,
    )
    if stype == "objective" and len(objectives):
        out.improvement = (
            "increase" if objectives["direction"].iloc[0] == "increase" else "decrease"
        )
    out.conclusions = _conclusions(out, note)
    return out


def _conclusions(a: PdcaAnalysis, series_note: str | None) -> dict[str, str]:
    from qmsdata.pack import formatting as fmt

    obj = a.objectives
    if obj.empty:
        plan = "Not assessed: no quality objective bears on this subject"
    else:
        incomplete = obj.loc[~obj["plan_complete"].astype(bool), "objective_id"].astype(str)
        plan = f"{fmt.count(len(obj))} objective(s) bear on the subject" + (
            f"; the 6.2.2 plan is incomplete for {', '.join(incomplete)}"
            if len(incomplete)
            else "; every 6.2.2 plan is complete"
        )
    if a.baseline:
        unit = "mean" if a.baseline["chart"] == "i" else "rate"
        value = (
            fmt.number(a.baseline["value"])
            if a.baseline["chart"] == "i"
            else fmt.percent(a.baseline["value"], 2)
        )
        plan += f"; baseline {unit} {value} over {fmt.count(a.baseline['months'])} months"
    else:
        plan += "; baseline: insufficient data" + (f" ({series_note})" if series_note else "")
    plan += f"; {fmt.count(len(a.planned))} change(s) or action(s) planned or open."
    docs = a.timeline[~a.timeline["derived"].astype(bool)] if len(a.timeline) else a.timeline
    if a.timeline.empty:
        do = "No change was implemented on this subject up to the reporting date."
    else:
        do = (
            f"{fmt.count(len(docs))} documented and {fmt.count(len(a.timeline) - len(docs))} "
            f"derived change(s) implemented, the latest on "
            f"{fmt.date(a.timeline['implemented_date'].max())}."
        )
    eff = a.effects
    if eff.empty:
        check = "Not assessed: no implemented change to judge"
    else:
        docs_eff = eff[~eff["derived"].astype(bool)]
        pick = docs_eff if len(docs_eff) else eff
        parts = [f"{r['change_id']}: {r['verdict']}" for _, r in pick.iterrows()]
        check = "; ".join(parts)
    t = dict(zip(a.trends["window"], a.trends["trend"], strict=False))
    check += (
        f". Mann-Kendall trend: {t.get('last 12 months')} over the last 12 months, "
        f"{t.get('last 24 months')} over the last 24 months."
    )
    if a.decisions.empty:
        act = "No decision proposed: no documented change with a verdict to act on."
    else:
        act = (
            f"{fmt.count(len(a.decisions))} decision(s) proposed for the review board: "
            + "; ".join(f"{d.split(':', 1)[0]}" for d in a.decisions["description"])
            + "."
        )
    return {"plan": plan, "do": do, "check": check, "act": act}


def rank_subjects(summaries: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Rank subjects for the trends index: concerns first (deterioration, no change), then the
    rest; within a rank, the latest change first. Columns beyond :data:`SUMMARY_COLUMNS` are
    kept, after them."""
    frame = pd.DataFrame(summaries)
    if frame.empty:
        return P.empty(SUMMARY_COLUMNS, "no subjects analysed")
    for c in SUMMARY_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    frame = frame.assign(_when=pd.to_datetime(frame["latest_implemented"], errors="coerce"))
    frame = frame.sort_values(
        ["rank_key", "_when", "subject"],
        ascending=[True, False, True],
        na_position="last",
        kind="stable",
    )
    extra = [c for c in frame.columns if c not in SUMMARY_COLUMNS and c != "_when"]
    return frame.reset_index(drop=True)[SUMMARY_COLUMNS + extra]


# --------------------------------------------------------------------------- objective evidence


@dataclass
class ObjectiveEvidence:
    """Evidence of an objective's achievement (6.2, 9.1.3); see :func:`objective_evidence`.

    Attributes
    ----------
    objective_id
        The objective.
    plan
        The objective's plan fields as ``field, value`` rows (with ``plan_complete``).
    window
        ``(first month, last month)`` of the evidence: its validity, cut to the period, or the
        twelve months ending with the period.
    measurements
        Every KPI measurement in the window with its source row (``source_row``: 1-based data
        row of ``kpi_measurements`` in the workbook, when the workbook records it).
    achievement
        Per month: ``month, value, target, direction, met``.
    status
        The objective's row of :func:`qmsdata.analytics.objectives.objective_status`.
    """

    objective_id: str
    plan: pd.DataFrame
    window: tuple[str, str]
    measurements: pd.DataFrame
    achievement: pd.DataFrame
    status: dict[str, Any]


def objective_evidence(
    workbook: Any,
    objective_id: str,
    period: Any,
    *,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | int | None = None,
) -> ObjectiveEvidence:
    """Return the evidence of one objective's achievement over its validity (or a year).

    Raises
    ------
    DataError
        The objective is not recorded.
    """
    from qmsdata.analytics import objectives as O
    from qmsdata.errors import DataError

    objs = P.records(workbook, "objectives")
    hit = objs[objs["objective_id"] == objective_id] if "objective_id" in objs.columns else objs
    if hit.empty:
        raise DataError(f"objective {objective_id!r} is not recorded")
    obj = hit.iloc[0]
    last = P.last_month(period)
    start = pd.to_datetime(obj.get("valid_from"), errors="coerce")
    end = pd.to_datetime(obj.get("valid_to"), errors="coerce")
    first = start.to_period("M") if pd.notna(start) else last - 11
    stop = min(end.to_period("M"), last) if pd.notna(end) else last
    if first > stop:
        first = stop - 11
    plan_fields = [
        c
        for c in (
            "objective_id",
            "name",
            "process",
            "site",
            "owner",
            "unit",
            "direction",
            "target",
            "valid_from",
            "valid_to",
            "frequency",
            "action_plan",
            "resources",
            "responsible",
            "plan_due",
            "evaluation_method",
        )
        if c in hit.columns
    ]
    plan = pd.DataFrame({"field": plan_fields, "value": [obj.get(c) for c in plan_fields]})
    plan.loc[len(plan)] = ["plan_complete (6.2.2 a-e)", "yes" if _plan_complete(obj) else "no"]
    kpi = O._kpis(workbook)
    if len(kpi):
        if "source_row" not in kpi.columns:
            kpi = kpi.assign(source_row=np.arange(1, len(kpi) + 1))
        sel = (
            (kpi["objective_id"] == objective_id)
            & (kpi["period"] >= first)
            & (kpi["period"] <= stop)
        )
        meas = kpi[sel].sort_values("period").reset_index(drop=True)
    else:
        meas = kpi
    mcols = [
        c
        for c in ("source_row", "objective_id", "period", "value", "numerator", "denominator")
        if c in meas.columns
    ]
    meas = meas[mcols] if len(mcols) else meas
    target = pd.to_numeric(pd.Series([obj.get("target")]), errors="coerce").iloc[0]
    direction = str(obj.get("direction") or "")
    ach_rows = []
    for month, rows in meas.groupby("period") if len(meas) else []:
        value = O._aggregate(rows)
        ach_rows.append(
            {
                "month": str(month),
                "value": value,
                "target": target,
                "direction": direction,
                "met": O._meets(value, target, direction),
            }
        )
    achievement = pd.DataFrame(ach_rows, columns=["month", "value", "target", "direction", "met"])
    st = O.objective_status(
        workbook,
        period,
        as_of=as_of,
        baseline=baseline,
        rules=rules if isinstance(rules, str) else None,
    )
    srow = st[st["objective_id"] == objective_id]
    status = srow.iloc[0].to_dict() if len(srow) else {}
    return ObjectiveEvidence(
        objective_id=objective_id,
        plan=plan,
        window=(str(first), str(stop)),
        measurements=meas,
        achievement=achievement,
        status=status,
    )
