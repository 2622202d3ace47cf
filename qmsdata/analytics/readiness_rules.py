"""The readiness rules: one check per rule kind, evaluated on the records (see :mod:`readiness`).

Each check reads the record types its rule names and returns an :class:`Outcome` (verdict,
detail, the record IDs behind it). :data:`CHECKS` is the registry the clause profiles name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from qmsdata.analytics import audits as AU
from qmsdata.analytics import periods as P
from qmsdata.errors import DataError
from qmsdata.standards import Profile, Rule

EVIDENCED = "evidenced"
PARTLY = "partly evidenced"
NO_EVIDENCE = "no evidence in the records"
NONCONFORMING = "nonconforming"
NOT_ASSESSED = "not assessed"

#: verdict -> rank for "at least" comparisons on the road (higher is better)
_RANK = {EVIDENCED: 3, PARTLY: 2, NO_EVIDENCE: 1, NONCONFORMING: 0}

#: record IDs shown in the clause table's ``records`` / ``gaps`` cells (all are in ``evidence``)
SHOW_IDS = 12


@dataclass
class Outcome:
    """What one rule found: the verdict, a sentence, and the record IDs behind it.

    ``evidence`` and ``gaps`` are ``(record_type, record_id)`` pairs: records meeting the rule
    and records failing it (for a clause not audited, the gap is the clause number).
    """

    verdict: str
    detail: str
    evidence: list[tuple[str, str]] = field(default_factory=list)
    gaps: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Ctx:
    workbook: Any
    as_of: pd.Timestamp
    profile: Profile

    def configured(self, record_type: str) -> bool:
        wb = self.workbook
        if isinstance(wb, dict):
            return wb.get(record_type) is not None
        prov = getattr(wb, "provenance", None)
        if prov is not None:
            return record_type in prov
        return getattr(wb, record_type, None) is not None

    def frame(self, record_type: str) -> pd.DataFrame:
        return P.records(self.workbook, record_type)

    def start(self, months: int) -> pd.Timestamp:
        """Return the exclusive start of the ``months`` months up to ``as_of``."""
        return self.as_of - pd.DateOffset(months=int(months))

    def window(self, frame: pd.DataFrame, column: str, months: int) -> pd.Series:
        d = P.dates(frame, column)
        return (d > self.start(months)) & (d <= self.as_of)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def _blank(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return True where ``column`` is missing or blank (True everywhere when absent)."""
    if column not in frame.columns:
        return pd.Series(True, index=frame.index)
    s = frame[column]
    return s.isna() | s.astype(object).astype(str).str.strip().eq("")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` as lower-case text ("" where missing or absent)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.lower()


def _ids(frame: pd.DataFrame, record_type: str, column: str) -> list[tuple[str, str]]:
    if column not in frame.columns:
        return [(record_type, str(i)) for i in frame.index]
    return [(record_type, str(v)) for v in frame[column].tolist()]


def _date(value: Any) -> str:
    return "" if pd.isna(value) else str(pd.Timestamp(value).date())


def _count_verdict(ok: int, total: int) -> str:
    """Return the verdict for ``ok`` of ``total`` records meeting a rule (total > 0)."""
    if ok == total:
        return EVIDENCED
    return PARTLY if ok > 0 else NO_EVIDENCE


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    if word.endswith("y") and not word.endswith(("ey", "ay", "oy")):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


# --------------------------------------------------------------------------------------------
# the checks (one per rule kind; the profile says which applies to which clause)
# --------------------------------------------------------------------------------------------
def check_context_reviewed(ctx: _Ctx, rule: Rule) -> Outcome:
    """4.1: issues on the register, one noted/reviewed in the window; climate named (A1)."""
    months = int(rule.params.get("months", 12))
    f = ctx.frame("context_issues")
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, "no context issue is recorded")
    f = f[~(P.dates(f, "date_noted") > ctx.as_of)]
    recent = f[ctx.window(f, "date_noted", months)]
    ev = _ids(recent, "context_issues", "issue_id")
    if recent.empty:
        last = _date(P.dates(f, "date_noted").max())
        return Outcome(
            NO_EVIDENCE,
            f"{_plural(len(f), 'context issue')} recorded, none noted or reviewed in the last "
            f"{months} months (latest {last or 'undated'})",
            _ids(f, "context_issues", "issue_id"),
        )
    detail = (
        f"{_plural(len(recent), 'context issue')} noted or reviewed in the last {months} months"
    )
    if not rule.params.get("climate"):
        return Outcome(EVIDENCED, detail, ev)
    words = [w.lower() for w in rule.params.get("climate_words", ["climate"])]
    text = _text(f, "description")
    climate = f[text.map(lambda t: any(w in t for w in words))]
    if climate.empty:
        return Outcome(
            PARTLY,
            detail + "; no issue names climate change, so whether it is relevant is not recorded",
            ev,
        )
    ids = ", ".join(str(i) for i in climate.get("issue_id", climate.index))
    return Outcome(
        EVIDENCED,
        detail + f"; climate change considered ({ids})",
        ev + [x for x in _ids(climate, "context_issues", "issue_id") if x not in ev],
    )


def check_management_review(ctx: _Ctx, rule: Rule) -> Outcome:
    """5.1 / 9.3: a review held in the window (proxy: review actions dated in it)."""
    months = int(rule.params.get("months", 12))
    f = ctx.frame("review_actions")
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, "no management review action is recorded")
    held = f[ctx.window(f, "review_date", months)]
    if held.empty:
        last = _date(P.dates(f, "review_date").max())
        return Outcome(
            NO_EVIDENCE,
            f"no review action dated in the last {months} months (latest review {last})",
            _ids(f, "review_actions", "action_id"),
        )
    dates = sorted({_date(d) for d in P.dates(held, "review_date")})
    detail = f"review held on {', '.join(dates)} ({_plural(len(held), 'action')} decided)"
    ev = _ids(held, "review_actions", "action_id")
    if not rule.params.get("follow_up"):
        return Outcome(EVIDENCED, detail, ev)
    status = _text(f, "status")
    closed = P.dates(f, "closed_date")
    open_ = ~status.isin(["closed", "cancelled"]) | (closed > ctx.as_of)
    overdue = f[open_ & (P.dates(f, "due_date") < ctx.as_of)]
    if overdue.empty:
        return Outcome(EVIDENCED, detail + "; no review action overdue", ev)
    return Outcome(
        PARTLY,
        detail + f"; {_plural(len(overdue), 'review action')} overdue",
        ev,
        _ids(overdue, "review_actions", "action_id"),
    )


def check_risk_actions(ctx: _Ctx, rule: Rule) -> Outcome:
    """6.1 (6.1.2 / 6.1.3): every risk / opportunity has an action, none overdue."""
    kinds = list(rule.params.get("kinds", ["risk", "opportunity"]))
    f = ctx.frame("risks")
    if len(f):
        f = f[_text(f, "kind").isin(kinds) & ~(P.dates(f, "date_identified") > ctx.as_of)]
    what = " or ".join(kinds)
    many = " and ".join({"opportunity": "opportunities"}.get(k, k + "s") for k in kinds)
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no {what} is on the register")
    no_action = _blank(f, "action")
    status = _text(f, "action_status")
    overdue = ~no_action & status.isin(["open", ""]) & (P.dates(f, "action_due") < ctx.as_of)
    bad = no_action | overdue
    parts = []
    if no_action.any():
        parts.append(f"{int(no_action.sum())} without an action")
    if overdue.any():
        parts.append(f"{int(overdue.sum())} with the action overdue")
    detail = f"{int((~bad).sum())} of {len(f)} {many} with an action on time"
    if parts:
        detail += "; " + ", ".join(parts)
    return Outcome(
        _count_verdict(int((~bad).sum()), len(f)),
        detail,
        _ids(f[~bad], "risks", "risk_id"),
        _ids(f[bad], "risks", "risk_id"),
    )


def check_objective_plans(ctx: _Ctx, rule: Rule) -> Outcome:
    """6.2: objectives in force have complete 6.2.2 plans and a recent measurement."""
    if not ctx.configured("objectives"):
        return Outcome(NOT_ASSESSED, "objectives not configured")
    f = ctx.frame("objectives")
    if len(f):
        f = f[~(P.dates(f, "valid_from") > ctx.as_of) & ~(P.dates(f, "valid_to") < ctx.as_of)]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no quality objective in force on {_date(ctx.as_of)}")
    f = f.reset_index(drop=True)
    cols = list(rule.params.get("plan_columns", []))
    missing = pd.Series([[c for c in cols if _blank(f, c).iloc[i]] for i in range(len(f))])
    incomplete = missing.map(bool)
    notes = []
    if incomplete.any():
        notes.append(
            f"{int(incomplete.sum())} with an incomplete plan ("
            + "; ".join(
                f"{f['objective_id'].iloc[i]}: no {', '.join(missing.iloc[i])}"
                for i in range(len(f))
                if missing.iloc[i]
            )
            + ")"
        )
    unmeasured = pd.Series(False, index=f.index)
    measured_note = ""
    if ctx.configured("kpi_measurements"):
        k = ctx.frame("kpi_measurements")
        last: dict[str, pd.Period] = {}
        if P.has_columns(k, "objective_id", "period"):
            months = k["period"].astype("period[M]") if len(k) else k["period"]
            k = k.assign(_m=months)
            k = k[k["_m"] <= ctx.as_of.to_period("M")]
            last = k.groupby(k["objective_id"].astype(str))["_m"].max().to_dict()
        limits: dict[str, Any] = dict(rule.params.get("measured_within_months", {}))
        now = ctx.as_of.to_period("M")
        for i in range(len(f)):
            oid = str(f["objective_id"].iloc[i])
            freq = _text(f, "frequency").iloc[i]
            limit = int(limits.get(freq) or limits.get("default") or 3)
            seen = last.get(oid)
            unmeasured.iloc[i] = seen is None or P.months_between(seen, now) >= limit
        if unmeasured.any():
            notes.append(f"{int(unmeasured.sum())} not measured recently")
    else:
        measured_note = "; measurements not assessed (kpi_measurements not configured)"
    bad = incomplete | unmeasured
    ok = int((~bad).sum())
    verdict = _count_verdict(ok, len(f))
    if measured_note and verdict == EVIDENCED:
        verdict = PARTLY
    detail = f"{ok} of {_plural(len(f), 'objective')} in force planned and measured"
    detail += ("; " + "; ".join(notes) if notes else "") + measured_note
    return Outcome(
        verdict,
        detail,
        _ids(f[~bad], "objectives", "objective_id"),
        _ids(f[bad], "objectives", "objective_id"),
    )


def check_changes_planned(ctx: _Ctx, rule: Rule) -> Outcome:
    """6.3: changes of the window (and planned ones) carry the planning fields."""
    months = int(rule.params.get("months", 12))
    f = ctx.frame("changes")
    if len(f):
        status = _text(f, "status")
        keep = (ctx.window(f, "implemented_date", months) & ~status.eq("cancelled")) | (
            status.eq("planned")
        )
        f = f[keep]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no change recorded in the last {months} months")
    need = list(rule.params.get("require", []))
    bad = pd.Series(False, index=f.index)
    for col in need:
        bad |= _blank(f, col)
    ok = int((~bad).sum())
    detail = f"{ok} of {_plural(len(f), 'change')} recorded with {', '.join(need)}"
    return Outcome(
        _count_verdict(ok, len(f)),
        detail,
        _ids(f[~bad], "changes", "change_id"),
        _ids(f[bad], "changes", "change_id"),
    )


def check_training_complete(ctx: _Ctx, rule: Rule) -> Outcome:
    """7.2: required training due by as_of completed and judged effective."""
    f = ctx.frame("training_records")
    if len(f):
        f = f[_text(f, "required").eq("yes")]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, "no required training is recorded")
    done = P.dates(f, "completed_date") <= ctx.as_of
    due = (P.dates(f, "due_date") <= ctx.as_of) | done
    f, done = f[due], done[due]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, "required training is planned but none is due or completed yet")
    eff = _text(f, "effectiveness")
    overdue = ~done
    not_judged = done & ~eff.isin(["yes", "no"])
    not_effective = done & eff.eq("no")
    bad = overdue | not_judged | not_effective
    parts = [
        f"{int(m.sum())} {w}"
        for m, w in (
            (overdue, "overdue"),
            (not_judged, "completed but not yet judged effective"),
            (not_effective, "judged not effective"),
        )
        if m.any()
    ]
    detail = f"{int((~bad).sum())} of {_plural(len(f), 'required training record')} due "
    detail += "completed and judged effective" + ("; " + ", ".join(parts) if parts else "")
    return Outcome(
        _count_verdict(int((~bad).sum()), len(f)),
        detail,
        _ids(f[~bad], "training_records", "record_id"),
        _ids(f[bad], "training_records", "record_id"),
    )


def check_documents_current(ctx: _Ctx, rule: Rule) -> Outcome:
    """7.5: documents in use approved (by whom, when) and within their review date."""
    f = ctx.frame("documents")
    if len(f):
        f = f[~_text(f, "status").eq("obsolete")]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, "no document in use is on the register")
    approved = (
        _text(f, "status").eq("approved")
        & ~_blank(f, "approved_by")
        & (P.dates(f, "approved_date") <= ctx.as_of)
    )
    review = P.dates(f, "review_due")
    past = approved & (review.isna() | (review < ctx.as_of))
    bad = ~approved | past
    parts = []
    if (~approved).any():
        parts.append(f"{int((~approved).sum())} not approved (draft, or no approver or date)")
    if past.any():
        parts.append(f"{int(past.sum())} past their review date or without one")
    detail = f"{int((~bad).sum())} of {_plural(len(f), 'document')} in use approved and current"
    detail += "; " + ", ".join(parts) if parts else ""
    return Outcome(
        _count_verdict(int((~bad).sum()), len(f)),
        detail,
        _ids(f[~bad], "documents", "doc_id"),
        _ids(f[bad], "documents", "doc_id"),
    )


def check_nc_dispositioned(ctx: _Ctx, rule: Rule) -> Outcome:
    """8.7: nonconformities of the window have a disposition other than pending.

    Those detected in the last ``grace_days`` may still be pending: they are not counted.
    """
    months = int(rule.params.get("months", 12))
    grace = int(rule.params.get("grace_days", 0))
    f = ctx.frame("nonconformities")
    if len(f):
        f = f[ctx.window(f, "detected_date", months)]
        f = f[P.dates(f, "detected_date") <= ctx.as_of - pd.Timedelta(days=grace)]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no nonconformity recorded in the last {months} months")
    d = _text(f, "disposition")
    bad = d.isin(["", "pending"])
    detail = f"{int((~bad).sum())} of {_plural(len(f), 'nonconformity')} dispositioned"
    if grace:
        detail += f" (those found in the last {grace} days not counted)"
    if bad.any():
        detail += f"; {int(bad.sum())} pending or without a disposition"
    return Outcome(
        _count_verdict(int((~bad).sum()), len(f)),
        detail,
        _ids(f[~bad], "nonconformities", "nc_id"),
        _ids(f[bad], "nonconformities", "nc_id"),
    )


def check_monitoring_current(ctx: _Ctx, rule: Rule) -> Outcome:
    """9.1: measurements recorded in each of the last ``months`` complete months."""
    months = int(rule.params.get("months", 3))
    end = ctx.as_of.to_period("M")
    if ctx.as_of != end.end_time.normalize():
        end = end - 1  # the month of as_of is not over yet
    want = pd.period_range(end - (months - 1), end, freq="M")
    k = ctx.frame("kpi_measurements")
    if not P.has_columns(k, "period"):
        return Outcome(NO_EVIDENCE, "no measurement is recorded")
    k = k.assign(_m=k["period"].astype("period[M]"))
    k = k[k["_m"].isin(want)]
    seen = sorted(set(k["_m"]))
    missing = [str(m) for m in want if m not in seen]
    ev = [
        ("kpi_measurements", f"{o}/{m}")
        for o, m in zip(k.get("objective_id", k.index), k["_m"], strict=True)
    ]
    detail = f"measurements in {len(seen)} of the last {months} months ({want[0]} to {want[-1]})"
    if missing:
        detail += f"; none in {', '.join(missing)}"
    return Outcome(_count_verdict(len(seen), months), detail, ev)


def check_satisfaction_measured(ctx: _Ctx, rule: Rule) -> Outcome:
    """9.1.2: survey responses in the window; complaints alone are partial evidence."""
    months = int(rule.params.get("months", 12))
    s = ctx.frame("customer_surveys")
    s = s[ctx.window(s, "response_date", months)] if len(s) else s
    if len(s):
        return Outcome(
            EVIDENCED,
            f"{_plural(len(s), 'survey response')} in the last {months} months",
            _ids(s, "customer_surveys", "response_id"),
        )
    c = ctx.frame("complaints")
    c = c[ctx.window(c, "received_date", months)] if len(c) else c
    no_survey = (
        "customer_surveys not configured"
        if not ctx.configured("customer_surveys")
        else f"no survey response in the last {months} months"
    )
    if len(c):
        return Outcome(
            PARTLY,
            f"{no_survey}; feedback from {_plural(len(c), 'complaint')} only",
            _ids(c, "complaints", "complaint_id"),
        )
    if not ctx.configured("customer_surveys"):
        return Outcome(NOT_ASSESSED, f"{no_survey}; no complaint in the last {months} months")
    return Outcome(NO_EVIDENCE, f"{no_survey} and no complaint")


def check_audit_cycle(ctx: _Ctx, rule: Rule) -> Outcome:
    """9.2: every clause of the profile's audit list audited in the cycle."""
    months = int(rule.params.get("months", 12))
    cov = AU.audit_coverage(
        ctx.workbook, ctx.as_of.to_period("M"), months=months, clauses=ctx.profile.audit_clauses
    )
    covered = cov[cov["covered"]]
    ids = sorted({a for c in covered["clause"] for a in cov.attrs["audit_ids"].get(c, [])})
    source = (
        "from the audit programme and findings"
        if cov.attrs["source"].startswith("audit_programme")
        else "from audit findings only (audit_programme not configured: a clause audited "
        "without findings cannot show)"
    )
    detail = f"{len(covered)} of {len(cov)} clauses audited in the last {months} months, {source}"
    missing = cov.attrs["not_covered"]
    if missing and ctx.configured("audit_programme"):
        late_set = _planned_clauses(ctx, overdue=True)
        planned = _planned_clauses(ctx)
        late = [c for c in missing if c in late_set]
        ahead = [c for c in missing if c in planned and c not in late_set]
        off = [c for c in missing if c not in planned]
        parts = [f"{', '.join(late)} (planned, overdue)"] if late else []
        parts += [f"{', '.join(ahead)} (planned ahead)"] if ahead else []
        parts += [f"{', '.join(off)} (not in the programme)"] if off else []
        detail += "; not audited: " + ", ".join(parts)
    elif missing:
        detail += f"; not audited: {', '.join(missing)}"
    ev = [
        ("audit_programme" if ctx.configured("audit_programme") else "audit_findings", a)
        for a in ids
    ]
    return Outcome(
        _count_verdict(len(covered), len(cov)),
        detail,
        ev,
        [("clause", c) for c in cov.attrs["not_covered"]],
    )


def _planned_clauses(ctx: _Ctx, *, overdue: bool = False) -> set[str]:
    """Return the two-level clauses of programme audits not done and not cancelled.

    ``overdue``: only those whose planned date has passed.
    """
    f = ctx.frame("audit_programme")
    if not P.has_columns(f, "clauses"):
        return set()
    f = f[~_text(f, "status").isin(["done", "cancelled"])]
    if overdue:
        f = f[P.dates(f, "planned_date") <= ctx.as_of]
    listed = f["clauses"].astype(str).str.split(";").explode().str.strip()
    listed = listed[listed.notna() & (listed != "") & (listed != "nan")]
    return set(AU.clause_at(listed, 2))


def check_audit_programme(ctx: _Ctx, rule: Rule) -> Outcome:
    """9.2.2 (2026 draft): a programme across the cycle, planned audits due by now done."""
    months = int(rule.params.get("months", 12))
    f = ctx.frame("audit_programme")
    if len(f):
        planned = P.dates(f, "planned_date")
        f = f[(planned > ctx.start(months)) & ~_text(f, "status").eq("cancelled")]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no audit planned in the last {months} months or ahead")
    status = _text(f, "status")
    done = status.eq("done") & (P.dates(f, "conducted_date") <= ctx.as_of)
    due = P.dates(f, "planned_date") <= ctx.as_of
    late = due & ~done
    upcoming = ~due & ~done
    ok = int(done.sum())
    detail = (
        f"{_plural(len(f), 'audit')} on the programme: {ok} done, {int(late.sum())} overdue "
        f"(planned date passed), {int(upcoming.sum())} planned ahead"
    )
    verdict = _count_verdict(ok, ok + int(late.sum())) if ok + int(late.sum()) else PARTLY
    return Outcome(
        verdict,
        detail,
        _ids(f[done], "audit_programme", "audit_id"),
        _ids(f[late], "audit_programme", "audit_id"),
    )


def check_capa_effective(ctx: _Ctx, rule: Rule) -> Outcome:
    """10.2: corrective actions closed on time, judged effective when due, none overdue."""
    months = int(rule.params.get("months", 24))
    f = ctx.frame("corrective_actions")
    if len(f):
        f = f[ctx.window(f, "opened_date", months) & ~_text(f, "status").eq("cancelled")]
    if len(f) == 0:
        return Outcome(NO_EVIDENCE, f"no corrective action opened in the last {months} months")
    closed_at = P.dates(f, "closed_date")
    closed = closed_at <= ctx.as_of
    due = P.dates(f, "due_date")
    late_close = closed & due.notna() & (closed_at > due)
    overdue = ~closed & due.notna() & (due < ctx.as_of)
    eff = _text(f, "effective")
    eff_due = P.dates(f, "effectiveness_due")
    judge_now = closed & (eff_due.isna() | (eff_due <= ctx.as_of))
    not_judged = judge_now & ~eff.isin(["yes", "no"])
    not_effective = closed & eff.eq("no")
    bad = late_close | overdue | not_judged | not_effective
    parts = [
        f"{int(m.sum())} {w}"
        for m, w in (
            (overdue, "open and overdue"),
            (late_close, "closed after the due date"),
            (not_judged, "not judged effective although the review is due"),
            (not_effective, "judged not effective"),
        )
        if m.any()
    ]
    ok = int((~bad).sum())
    detail = f"{ok} of {_plural(len(f), 'corrective action')} on time and effective"
    detail += "; " + ", ".join(parts) if parts else ""
    return Outcome(
        _count_verdict(ok, len(f)),
        detail,
        _ids(f[~bad], "corrective_actions", "capa_id"),
        _ids(f[bad], "corrective_actions", "capa_id"),
    )


def check_improvement_actions(ctx: _Ctx, rule: Rule) -> Outcome:
    """10.3: improvement changes made or improvement actions decided in the window."""
    months = int(rule.params.get("months", 12))
    ev: list[tuple[str, str]] = []
    ch = ctx.frame("changes")
    if len(ch):
        ch = ch[_text(ch, "kind").eq("improvement") & ctx.window(ch, "implemented_date", months)]
        ev += _ids(ch, "changes", "change_id")
    ra = ctx.frame("review_actions")
    if len(ra):
        ra = ra[_text(ra, "output_type").eq("improvement") & ctx.window(ra, "review_date", months)]
        ev += _ids(ra, "review_actions", "action_id")
    if not ev:
        return Outcome(NO_EVIDENCE, f"no improvement made or decided in the last {months} months")
    return Outcome(
        EVIDENCED,
        f"{_plural(len(ev), 'improvement')} made or decided in the last {months} months",
        ev,
    )


#: check name (as the profiles write it) -> evaluator. A plain dict registry.
CHECKS: dict[str, Callable[[_Ctx, Rule], Outcome]] = {
    "context_reviewed": check_context_reviewed,
    "management_review": check_management_review,
    "risk_actions": check_risk_actions,
    "objective_plans": check_objective_plans,
    "changes_planned": check_changes_planned,
    "training_complete": check_training_complete,
    "documents_current": check_documents_current,
    "nc_dispositioned": check_nc_dispositioned,
    "monitoring_current": check_monitoring_current,
    "satisfaction_measured": check_satisfaction_measured,
    "audit_cycle": check_audit_cycle,
    "audit_programme": check_audit_programme,
    "capa_effective": check_capa_effective,
    "improvement_actions": check_improvement_actions,
}


def evaluate_rule(ctx: _Ctx, rule: Rule) -> Outcome:
    """Return the outcome of ``rule``: "not assessed" when none of its records is configured."""
    if not any(ctx.configured(r) for r in rule.records):
        return Outcome(
            NOT_ASSESSED,
            f"not assessed: {', '.join(rule.records)} not configured "
            "(the records may be kept elsewhere)",
        )
    try:
        check = CHECKS[rule.check]
    except KeyError:
        raise DataError(
            f"profile {ctx.profile.name} rule {rule.id!r} names unknown check {rule.check!r}",
            hint=f"Use one of: {', '.join(CHECKS)}.",
        ) from None
    return check(ctx, rule)


def _combine(outcomes: list[Outcome]) -> str:
    assessed = [o.verdict for o in outcomes if o.verdict != NOT_ASSESSED]
    if not assessed:
        return NOT_ASSESSED
    if all(v == EVIDENCED for v in assessed):
        return EVIDENCED
    if all(v == NO_EVIDENCE for v in assessed):
        return NO_EVIDENCE
    return PARTLY


def _open_majors(ctx: _Ctx) -> pd.DataFrame:
    f = ctx.frame("audit_findings")
    if not P.has_columns(f, "clause", "finding_type"):
        return f.iloc[0:0]
    closed = P.dates(f, "closed_date") <= ctx.as_of
    keep = (
        _text(f, "finding_type").eq("major_nc") & ~(P.dates(f, "audit_date") > ctx.as_of) & ~closed
    )
    return f[keep]


def _against(clauses: pd.Series, number: str) -> pd.Series:
    text = clauses.astype(object).where(clauses.notna(), "").astype(str).str.strip()
    return text.eq(number) | text.str.startswith(number + ".")
