"""Certification readiness computed from the records, clause by clause (ISO 9001 4-10).

Readiness tools are usually self-assessed checklists. Here every verdict is computed from the
workbook by a rule written as data in the clause profile (:mod:`qmsdata.standards`): the rule
names a check of :mod:`qmsdata.analytics.readiness_rules` (:data:`CHECKS`), the record types it
reads and its parameters, and its text is shown beside the verdict with the record IDs behind it.

Verdicts
--------
``evidenced``
    The records meet the rule.
``partly evidenced``
    Some records meet it, some do not (the gaps are listed by ID).
``no evidence in the records``
    The records are configured but none meets the rule.
``nonconforming``
    An open major audit nonconformity (``finding_type`` ``major_nc``) is raised against the
    clause or one of its sub-clauses; this overrides the rule's verdict.
``not assessed``
    None of the record types the rule reads is configured (the organisation may keep them
    elsewhere), or the clause has no rule that records can answer. Never "no evidence".

A clause with no rule of its own but with ruled sub-clauses (6.1 in the ISO 9001:2026 draft)
takes the combined verdict of its sub-clauses. Combination: every assessed rule evidenced ->
evidenced; every one without evidence -> no evidence; otherwise partly evidenced.

Time is a parameter: ``as_of`` is the date the readiness is judged at ("the last 12 months"
are the 12 months up to it); nothing here reads the clock.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.errors import DataError
from qmsdata.standards import Condition, Profile, profile_for

__all__ = [
    "CHECKS",
    "EVIDENCED",
    "NO_EVIDENCE",
    "NONCONFORMING",
    "NOT_ASSESSED",
    "PARTLY",
    "Outcome",
    "Readiness",
    "readiness_html",
    "readiness_report",
    "readiness_text",
]

from qmsdata.analytics.readiness_rules import (
    _RANK,
    CHECKS,
    EVIDENCED,
    NO_EVIDENCE,
    NONCONFORMING,
    NOT_ASSESSED,
    PARTLY,
    SHOW_IDS,
    Outcome,
    _against,
    _combine,
    _Ctx,
    _date,
    _ids,
    _open_majors,
    _text,
    evaluate_rule,
)


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
@dataclass
class Readiness:
    """Readiness of a workbook against a clause profile, as tidy frames.

    Attributes
    ----------
    profile
        The clause profile used (:class:`qmsdata.standards.Profile`).
    as_of
        The date readiness is judged at.
    clauses
        One row per clause of the profile: ``clause, title, verdict, rule, proxy, detail,
        records, gaps, weight, points, scored, provisional`` (``records`` / ``gaps`` show up
        to 12 IDs; all are in ``evidence``).
    rules
        One row per rule: ``clause, rule_id, check, records_read, rule, verdict, detail``.
    evidence
        Tidy: ``clause, rule_id, role (evidence | gap | nonconformity), record_type,
        record_id``.
    score
        One row: ``score`` (0-100, NaN when nothing could be assessed), ``clauses_scored``,
        ``clauses_not_assessed``, ``clauses``, ``weights`` (the explanation of the weights).
    road
        One row per condition: ``stage, stage_title, condition_id, condition, status (met |
        missing | not assessed), detail, next_step``.
    stages
        One row per stage: ``stage, title, status (complete | in progress | not started |
        not assessed), met, missing, not_assessed``; ``attrs['current']`` = the stage after
        the furthest complete one (None when the last is complete).
    next_steps
        ``step`` (1...), ``stage``, ``stage_title``, ``action`` — missing conditions in road
        order.
    transition
        For a new edition (ISO 9001:2026): ``clause, kind, change, verdict, records_show``.
    """

    profile: Profile
    as_of: pd.Timestamp
    clauses: pd.DataFrame
    rules: pd.DataFrame
    evidence: pd.DataFrame
    score: pd.DataFrame
    road: pd.DataFrame
    stages: pd.DataFrame
    next_steps: pd.DataFrame
    transition: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the frames by name (for extracts: ``save_extract(frame, name)``)."""
        names = ("clauses", "rules", "evidence", "score", "road", "stages", "next_steps")
        out = {n: getattr(self, n) for n in names}
        out["transition"] = self.transition
        return out

    @property
    def gaps(self) -> pd.DataFrame:
        """Return the clauses that are not evidenced and were assessed."""
        c = self.clauses
        return c[c["verdict"].isin([PARTLY, NO_EVIDENCE, NONCONFORMING])]

    def to_json(self) -> str:
        """Return the report as JSON (dates as ISO text)."""
        out: dict[str, Any] = {
            "standard": self.profile.name,
            "provisional": self.profile.provisional,
            "as_of": str(self.as_of.date()),
            "current_stage": self.stages.attrs.get("current"),
        }
        for name, frame in self.tables().items():
            out[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
        return json.dumps(out, indent=2, ensure_ascii=False)


def _as_of(workbook: Any, as_of: Any) -> pd.Timestamp:
    if as_of is None:
        as_of = getattr(workbook, "report_date", None)
    if as_of is None:
        raise DataError(
            "readiness needs a date to judge at", hint="Pass as_of='YYYY-MM-DD' (or a Workbook)."
        )
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as exc:
        raise DataError(f"cannot read as_of {as_of!r}", hint="Use YYYY-MM-DD.") from exc


def _short(pairs: Iterable[tuple[str, str]]) -> str:
    ids = list(dict.fromkeys(i for _, i in pairs))
    text = "; ".join(ids[:SHOW_IDS])
    return text + (f"; +{len(ids) - SHOW_IDS} more" if len(ids) > SHOW_IDS else "")


def readiness_report(
    workbook: Any, *, as_of: Any = None, profile: str | Profile | None = None
) -> Readiness:
    """Return certification readiness computed from the records, clause by clause.

    Parameters
    ----------
    workbook
        A :class:`~qmsdata.Workbook` (or a mapping record type -> frame; a record type counts
        as configured when present).
    as_of
        Date readiness is judged at; default the workbook's reporting date.
    profile
        A profile or its name; default ``[workbook] standard`` of qms.toml, else the edition
        in force on ``as_of``.

    Returns
    -------
    Readiness
        Tidy frames: clause verdicts, rules, evidence IDs, score, road to certification,
        stages, next steps and (for ISO 9001:2026) the transition list.
    """
    at = _as_of(workbook, as_of)
    prof = profile if isinstance(profile, Profile) else profile_for(workbook, profile, as_of=at)
    ctx = _Ctx(workbook, at, prof)
    outcomes = {r.id: evaluate_rule(ctx, r) for r in prof.rules}
    majors = _open_majors(ctx)

    rule_rows = [
        dict(
            clause=r.clause,
            rule_id=r.id,
            check=r.check,
            records_read=", ".join(r.records),
            rule=r.text,
            verdict=outcomes[r.id].verdict,
            detail=outcomes[r.id].detail,
        )
        for r in prof.rules
    ]
    evidence_rows: list[dict[str, str]] = []
    for r in prof.rules:
        o = outcomes[r.id]
        for role, pairs in (("evidence", o.evidence), ("gap", o.gaps)):
            evidence_rows += [
                dict(clause=r.clause, rule_id=r.id, role=role, record_type=t, record_id=i)
                for t, i in pairs
            ]

    clause_rows = []
    for cl in prof.clauses:
        own = prof.rules_for(cl.number)
        rules = list(own)
        if not own:
            rules = [r for r in prof.rules if r.clause.startswith(cl.number + ".")]
        outs = [outcomes[r.id] for r in rules]
        verdict = _combine(outs) if rules else NOT_ASSESSED
        if own:
            rule_text = " ".join(r.text for r in own)
        elif rules:
            rule_text = "From " + ", ".join(sorted({r.clause for r in rules})) + "."
        else:
            rule_text = "No rule reads this clause from the records; assess it at audit."
        proxy = " ".join(r.proxy for r in rules if r.proxy)
        detail = "; ".join(
            (f"{r.clause}: " if not own else "") + outcomes[r.id].detail for r in rules
        )
        ev = [p for o in outs for p in o.evidence]
        gaps = [p for o in outs for p in o.gaps]
        hit = majors[_against(majors["clause"], cl.number)] if len(majors) else majors
        if len(hit):
            verdict = NONCONFORMING
            ids = _ids(hit, "audit_findings", "finding_id")
            detail = f"open major nonconformity {', '.join(i for _, i in ids)}" + (
                f"; {detail}" if detail else ""
            )
            gaps = ids + gaps
            evidence_rows += [
                dict(clause=cl.number, rule_id="", role="nonconformity", record_type=t, record_id=i)
                for t, i in ids
            ]
        scored = verdict != NOT_ASSESSED and (bool(own) or verdict == NONCONFORMING)
        clause_rows.append(
            dict(
                clause=cl.number,
                title=cl.title,
                verdict=verdict,
                rule=rule_text,
                proxy=proxy,
                detail=detail or ("" if rules else "no rule"),
                records=_short(ev),
                gaps=_short(gaps),
                weight=prof.weight(cl.number),
                points=float(prof.verdict_points.get(verdict, 0.0)) if scored else float("nan"),
                scored=scored,
                provisional=prof.provisional or cl.provisional,
            )
        )
    clauses = pd.DataFrame(clause_rows)
    s = clauses[clauses["scored"]]
    total = float(s["weight"].sum())
    score = pd.DataFrame(
        [
            dict(
                score=round(100 * float((s["weight"] * s["points"]).sum()) / total, 1)
                if total
                else float("nan"),
                clauses_scored=len(s),
                clauses_not_assessed=int((clauses["verdict"] == NOT_ASSESSED).sum()),
                clauses=len(clauses),
                weights=prof.score_explanation,
            )
        ]
    )
    verdict_of = dict(zip(clauses["clause"], clauses["verdict"], strict=True))
    road, stages, steps = _road(ctx, verdict_of)
    by_clause = clauses.set_index("clause")
    transition = pd.DataFrame(
        [
            dict(
                clause=t.clause,
                kind=t.kind,
                change=t.change,
                verdict=verdict_of.get(t.clause, NOT_ASSESSED),
                records_show=_transition_text(by_clause, t.clause, t.evidence),
            )
            for t in prof.transition
        ],
        columns=["clause", "kind", "change", "verdict", "records_show"],
    )
    evidence = pd.DataFrame(
        evidence_rows, columns=["clause", "rule_id", "role", "record_type", "record_id"]
    )
    return Readiness(
        profile=prof,
        as_of=at,
        clauses=clauses,
        rules=pd.DataFrame(rule_rows),
        evidence=evidence,
        score=score,
        road=road,
        stages=stages,
        next_steps=steps,
        transition=transition,
    )


def _transition_text(by_clause: pd.DataFrame, clause: str, evidence: str) -> str:
    """Return what the records show for a new or changed requirement."""
    if clause not in by_clause.index:
        return evidence or "the profile has no such clause"
    row = by_clause.loc[clause]
    if row["detail"] and row["detail"] != "no rule":
        return str(row["detail"])
    return evidence or "no rule reads this requirement from the records; assess it at audit"


# --------------------------------------------------------------------------------------------
# the road to certification
# --------------------------------------------------------------------------------------------
def _condition(ctx: _Ctx, cond: Condition, verdict_of: dict[str, str]) -> tuple[str, str]:
    """Return (met | missing | not assessed, detail) for one road condition."""
    p = cond.params
    records = list(p.get("records", []))
    if cond.kind == "clause":
        v = verdict_of.get(p["clause"], NOT_ASSESSED)
        if v == NOT_ASSESSED:
            return "not assessed", f"{p['clause']} not assessed"
        ok = _RANK[v] >= _RANK[p.get("at_least", EVIDENCED)]
        return ("met" if ok else "missing"), f"{p['clause']} {v}"
    if records and not any(ctx.configured(r) for r in records):
        return "not assessed", f"{', '.join(records)} not configured"
    if cond.kind == "document":
        if not ctx.configured("documents"):
            return "not assessed", "documents not configured"
        f = ctx.frame("documents")
        if len(f):
            f = f[
                _against(
                    f["clause"] if "clause" in f else pd.Series("", index=f.index), p["clause"]
                )
                & _text(f, "status").eq("approved")
                & (P.dates(f, "approved_date") <= ctx.as_of)
            ]
        if len(f):
            return "met", "approved: " + ", ".join(i for _, i in _ids(f, "documents", "doc_id"))
        return "missing", f"no approved document for clause {p['clause']}"
    if cond.kind == "operation":
        firsts = []
        for name in records:
            if not ctx.configured(name):
                continue
            f = ctx.frame(name)
            col = _event_column(name)
            if col and col in f.columns and len(f):
                v = f[col]
                d = (
                    v.dt.to_timestamp()
                    if isinstance(v.dtype, pd.PeriodDtype)
                    else pd.to_datetime(v, errors="coerce")
                )
                d = d[d <= ctx.as_of]
                if d.notna().any():
                    firsts.append(d.min())
        if not firsts:
            return "missing", "no operating record dated yet"
        first = min(firsts)
        months = int(p.get("months", 3))
        ok = first <= ctx.as_of - pd.DateOffset(months=months)
        return ("met" if ok else "missing"), f"operating records since {_date(first)}"
    if cond.kind == "no_major":
        m = _open_majors(ctx)
        if len(m):
            return "missing", "open: " + ", ".join(
                i for _, i in _ids(m, "audit_findings", "finding_id")
            )
        return "met", "no open major nonconformity"
    if cond.kind == "audit_type":
        months = int(p.get("months", 36))
        kind = p["audit_type"]
        ids: list[str] = []
        f = ctx.frame("audit_findings")
        if len(f):
            f = f[_text(f, "audit_type").eq(kind) & ctx.window(f, "audit_date", months)]
            ids += [str(i) for i in f.get("audit_id", [])]
        g = ctx.frame("audit_programme")
        if len(g):
            g = g[
                _text(g, "audit_type").eq(kind)
                & _text(g, "status").eq("done")
                & ctx.window(g, "conducted_date", months)
            ]
            ids += [str(i) for i in g.get("audit_id", [])]
        if ids:
            return "met", f"{kind} audit {', '.join(sorted(set(ids)))}"
        return "missing", f"no {kind} audit in the last {months} months"
    raise DataError(
        f"profile {ctx.profile.name} road condition {cond.id!r} has unknown kind {cond.kind!r}"
    )


def _event_column(record_type: str) -> str | None:
    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES.get(record_type)
    return spec.event_date if spec else None


def _road(ctx: _Ctx, verdict_of: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows, stage_rows, steps = [], [], []
    for stage in ctx.profile.stages:
        counts = {"met": 0, "missing": 0, "not assessed": 0}
        for cond in stage.conditions:
            status, detail = _condition(ctx, cond, verdict_of)
            counts[status] += 1
            rows.append(
                dict(
                    stage=stage.number,
                    stage_title=stage.title,
                    condition_id=cond.id,
                    condition=cond.text,
                    status=status,
                    detail=detail,
                    next_step=cond.next_step if status != "met" else "",
                )
            )
            if status == "missing":
                steps.append(
                    dict(stage=stage.number, stage_title=stage.title, action=cond.next_step)
                )
        n = len(stage.conditions)
        if counts["met"] == n:
            status = "complete"
        elif counts["met"]:
            status = "in progress"
        elif counts["not assessed"] == n:
            status = "not assessed"
        else:
            status = "not started"
        stage_rows.append(
            dict(
                stage=stage.number,
                title=stage.title,
                status=status,
                met=counts["met"],
                missing=counts["missing"],
                not_assessed=counts["not assessed"],
            )
        )
    stages = pd.DataFrame(stage_rows)
    # the stage after the furthest complete one (a certified organisation is in stage 6
    # even while earlier conditions have gaps; those stay in the next steps)
    complete = stages.loc[stages["status"] == "complete", "stage"]
    furthest = int(complete.max()) if len(complete) else 0
    stages.attrs["current"] = furthest + 1 if furthest < len(stages) else None
    next_steps = pd.DataFrame(steps, columns=["stage", "stage_title", "action"])
    next_steps.insert(0, "step", range(1, len(next_steps) + 1))
    return pd.DataFrame(rows), stages, next_steps


# --------------------------------------------------------------------------------------------
# rendering (the CLI prints these; the pack section will use the frames)
# --------------------------------------------------------------------------------------------
def _headline(r: Readiness) -> str:
    s = r.score.iloc[0]
    score = "n/a" if pd.isna(s["score"]) else f"{s['score']:.0f}/100"
    cur = r.stages.attrs.get("current")
    where = (
        "every stage of the road is complete"
        if cur is None
        else f"stage {cur}: {r.stages.set_index('stage').loc[cur, 'title']}"
    )
    prov = " (PROVISIONAL profile: draft standard)" if r.profile.provisional else ""
    return (
        f"Readiness against {r.profile.name}{prov} as of {r.as_of.date()}: score {score} over "
        f"{s['clauses_scored']} of {s['clauses']} clauses ({s['clauses_not_assessed']} not "
        f"assessed); {where}; {len(r.next_steps)} next step(s)."
    )


def readiness_text(r: Readiness) -> str:
    """Return the report as plain text for a terminal."""
    lines = [_headline(r), ""]
    width = max(len(c) for c in r.clauses["clause"])
    for row in r.clauses.itertuples():
        lines.append(f"{row.clause:<{width}}  {row.verdict:<27} {row.title}")
        if row.detail and row.verdict != NOT_ASSESSED or row.verdict == NONCONFORMING:
            lines.append(f"{'':<{width}}  {'':<27} {row.detail}")
        if row.gaps:
            lines.append(f"{'':<{width}}  {'':<27} gaps: {row.gaps}")
    lines += ["", "Road to certification:"]
    for st in r.stages.itertuples():
        lines.append(f"  {st.stage}. {st.title}: {st.status}")
        for c in r.road[r.road["stage"] == st.stage].itertuples():
            lines.append(
                f"     [{c.status}] {c.condition}" + (f" — {c.detail}" if c.detail else "")
            )
    lines += ["", "Next steps:"]
    lines += [f"  {s.step}. {s.action} (stage {s.stage})" for s in r.next_steps.itertuples()]
    if not len(r.next_steps):
        lines.append("  none from the records")
    if len(r.transition):
        lines += ["", f"Transition to {r.profile.name}:"]
        for t in r.transition.itertuples():
            lines.append(f"  {t.clause} ({t.kind}) {t.change} -> {t.verdict}: {t.records_show}")
    lines += ["", f"Score weights: {r.score.iloc[0]['weights']}"]
    lines += ["Rules are the profile's; see `qms readiness --format json` for record IDs."]
    return "\n".join(lines) + "\n"


def readiness_html(r: Readiness) -> str:
    """Return the report as one self-contained, escaped HTML page."""
    e = html.escape

    def table(frame: pd.DataFrame, cols: list[str]) -> str:
        head = "".join(f"<th>{e(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{e('' if pd.isna(v) else str(v))}</td>" for v in row) + "</tr>"
            for row in frame[cols].itertuples(index=False)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e('Readiness ' + r.profile.name)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left}</style>",
        "</head><body>",
        f"<h1>Certification readiness: {e(r.profile.name)}</h1>",
        f"<p>{e(_headline(r))}</p>",
        "<h2>Clauses</h2>",
        table(r.clauses, ["clause", "title", "verdict", "rule", "detail", "records", "gaps"]),
        "<h2>Road to certification</h2>",
        table(r.road, ["stage", "stage_title", "condition", "status", "detail"]),
        "<h2>Next steps</h2>",
        table(r.next_steps, ["step", "stage", "action"]),
    ]
    if len(r.transition):
        parts += [
            f"<h2>Transition to {e(r.profile.name)}</h2>",
            table(r.transition, ["clause", "kind", "change", "verdict", "records_show"]),
        ]
    parts += [f"<p>{e(str(r.score.iloc[0]['weights']))}</p>", "</body></html>"]
    return "\n".join(parts) + "\n"


def readiness_cli(
    workbook: Any, *, as_of: Any = None, standard: str | None = None, fmt: str = "text"
) -> tuple[str, int]:
    """Load ``workbook``, judge readiness and return (rendered text, exit code) for ``qms``.

    Exit code 0 when every assessed clause is evidenced, 1 when any is partly evidenced,
    without evidence or nonconforming. ``as_of`` is the reporting date (the records as at it).
    """
    from qmsdata.workbook import load

    wb = load(workbook)
    if as_of is not None:
        wb = wb.as_at(as_of)
    report = readiness_report(wb, profile=standard)
    render = {"text": readiness_text, "json": lambda r: r.to_json() + "\n", "html": readiness_html}
    if fmt not in render:
        raise DataError(f"unknown format {fmt!r}", hint="Use text, json or html.")
    return render[fmt](report), (1 if len(report.gaps) else 0)
