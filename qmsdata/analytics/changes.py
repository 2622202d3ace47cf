"""The change register and the effect of each change (ISO 9001 6.3, 10.2, 10.3; PDCA Do, Check).

:func:`change_register` lists what was changed, when and where: the documented changes of the
``changes`` record type, plus *derived* changes so a workbook without a change register still gets
an analysis: each closed corrective action that names a process (kind ``corrective_action``, on
its closed date) and each closed management-review action that names a process (in a
``process`` column, or a known process named in its description; kind ``objective_action``).
A documented change that cites the same ``capa_id`` / ``action_id`` wins over the derived one.

:func:`change_effects` judges every implemented change on the series it is meant to move with
:func:`qmsdata.stats.effect.change_effect`:

=========================  ==================================================================
metric                     series (monthly, the ``months`` ending with the period)
=========================  ==================================================================
defect_rate                defective units per unit inspected of the process (at the site, or
                           summed over the sites) from :func:`nonconformities.nc_rates`; p
                           chart, Laney p' when over-dispersed
complaint_rate             complaints per million units shipped (whole organisation) from
                           :func:`complaints.complaint_counts`; u or u' chart
supplier_rejection_rate    quantity rejected per quantity received (the change's supplier_id
                           when the register has one, else all suppliers); p or p' chart
objective                  the objective's monthly actual (mean of its KPI measurements); I
                           chart
=========================  ==================================================================

Phases start only at documented changes (Making Data Count: rebase for a known reason, not on a
hunch): a change's before phase starts at the previous documented change on the same series and
its after phase ends before the next one; derived changes never start a phase.
:func:`phase_starts` gives those positions for a chart.

"Act": :func:`proposed_decision` turns a verdict into standardise / extend the evaluation /
re-plan, and :func:`write_decisions` writes them as rows of the ``review_actions`` schema, so
``qms actions import`` makes them the next review's input a (9.3.2 a, f).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P

REGISTER_COLUMNS = [
    "change_id",
    "implemented_date",
    "month",
    "site",
    "process",
    "product",
    "kind",
    "description",
    "capa_id",
    "action_id",
    "objective_id",
    "supplier_id",
    "metric",
    "expected_direction",
    "evaluation_months",
    "status",
    "owner",
    "derived",
    "source",
]

EFFECT_COLUMNS = [
    "change_id",
    "derived",
    "kind",
    "metric",
    "series",
    "site",
    "process",
    "objective_id",
    "supplier_id",
    "implemented_date",
    "month",
    "expected_direction",
    "evaluation_months",
    "chart",
    "n_before",
    "n_after",
    "points_needed",
    "verdict",
    "rule",
    "reason",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "before_value",
    "after_value",
    "decision",
    "owner",
    "capa_id",
    "action_id",
    "description",
]

#: verdict -> the "Act" decision proposed to the review board (None: not assessed)
DECISIONS: dict[str, str | None] = {
    "sustained improvement": "standardise",
    "improvement not yet sustained": "extend the evaluation",
    "too early to judge": "extend the evaluation",
    "no detectable change": "re-plan",
    "deterioration": "re-plan",
    "insufficient data": None,
}

#: decision -> review_actions output_type (9.3.3): standardising changes the QMS documents
_OUTPUT_TYPE = {
    "standardise": "qms_change",
    "extend the evaluation": "improvement",
    "re-plan": "improvement",
}

_WHAT_TO_DO = {
    "standardise": "Standardise it: update the procedure, work instructions and training, and "
    "keep monitoring against the new limits.",
    "extend the evaluation": "Keep the change and judge it again at the next review.",
    "re-plan": "Re-plan: review the root cause and the action, and decide on a new change.",
}

DEFAULT_MONTHS = 36


# --------------------------------------------------------------------------- the register


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _explicit(workbook: Any) -> pd.DataFrame:
    raw = P.records(workbook, "changes")
    if raw.empty or "change_id" not in raw.columns:
        return pd.DataFrame(columns=REGISTER_COLUMNS)
    out = pd.DataFrame(index=raw.index)
    for col in REGISTER_COLUMNS:
        out[col] = raw[col] if col in raw.columns else None
    out["implemented_date"] = P.dates(raw, "implemented_date")
    out["evaluation_months"] = pd.to_numeric(out["evaluation_months"], errors="coerce")
    out["status"] = out["status"].where(out["status"].notna(), "implemented")
    out["derived"] = False
    out["source"] = "changes"
    return out.reset_index(drop=True)


def _known_processes(workbook: Any) -> list[str]:
    names: set[str] = set()
    for rt in ("nonconformities", "corrective_actions", "objectives", "production"):
        frame = P.records(workbook, rt)
        if "process" in frame.columns:
            names.update(str(v).strip() for v in frame["process"].dropna().unique())
    return sorted((n for n in names if n), key=lambda s: (-len(s), s))


def _named_process(text: Any, known: list[str]) -> str | None:
    words = _text(text)
    if words is None:
        return None
    for name in known:  # longest first: "Wave soldering rework" before "Wave soldering"
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", words, flags=re.IGNORECASE):
            return name
    return None


def _source_sites(workbook: Any) -> dict[tuple[str, str], str]:
    """(source_type, id) -> site of the record that raised a corrective action."""
    out: dict[tuple[str, str], str] = {}
    for source_type, rt, key in (
        ("nonconformity", "nonconformities", "nc_id"),
        ("complaint", "complaints", "complaint_id"),
        ("audit", "audit_findings", "finding_id"),
    ):
        frame = P.records(workbook, rt)
        if key in frame.columns and "site" in frame.columns:
            sub = frame[[key, "site"]].dropna()
            out.update(
                {(source_type, str(k)): str(s) for k, s in zip(sub[key], sub["site"], strict=True)}
            )
    return out


def _derived(workbook: Any, explicit: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    taken_capa = set(explicit["capa_id"].dropna().astype(str))
    taken_action = set(explicit["action_id"].dropna().astype(str))
    capas = P.records(workbook, "corrective_actions")
    if P.has_columns(capas, "capa_id", "closed_date", "process"):
        sites = _source_sites(workbook)
        closed = capas[
            (capas.get("status", "closed") == "closed") & P.dates(capas, "closed_date").notna()
        ]
        for r in closed.itertuples(index=False):
            cid, process = _text(r.capa_id), _text(r.process)
            if cid is None or process is None or cid in taken_capa:
                continue
            key = (str(getattr(r, "source_type", "")), str(getattr(r, "source_id", "")))
            rows.append(
                {
                    "change_id": cid,
                    "implemented_date": pd.Timestamp(r.closed_date),
                    "site": _text(getattr(r, "site", None)) or sites.get(key),
                    "process": process,
                    "kind": "corrective_action",
                    "description": _text(getattr(r, "description", None)),
                    "capa_id": cid,
                    "owner": _text(getattr(r, "owner", None)),
                    "source": "corrective_actions",
                }
            )
    actions = P.records(workbook, "review_actions")
    if P.has_columns(actions, "action_id", "closed_date"):
        known = _known_processes(workbook)
        closed = actions[
            (actions.get("status", "closed") == "closed") & P.dates(actions, "closed_date").notna()
        ]
        for r in closed.itertuples(index=False):
            aid = _text(r.action_id)
            process = _text(getattr(r, "process", None)) or _named_process(
                getattr(r, "description", None), known
            )
            if aid is None or process is None or aid in taken_action:
                continue
            rows.append(
                {
                    "change_id": aid,
                    "implemented_date": pd.Timestamp(r.closed_date),
                    "site": _text(getattr(r, "site", None)),
                    "process": process,
                    "kind": "objective_action",
                    "description": _text(getattr(r, "description", None)),
                    "action_id": aid,
                    "owner": _text(getattr(r, "owner", None)),
                    "source": "review_actions",
                }
            )
    out = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    out["metric"] = "defect_rate"
    out["expected_direction"] = "decrease"
    out["status"] = "implemented"
    out["derived"] = True
    return out


def change_register(workbook: Any, *, as_of: Any = None, derived: bool = True) -> pd.DataFrame:
    """Return the change register: documented changes plus derived ones, in date order.

    ISO 9001 6.3 (planning of changes), 10.2 (corrective action), 10.3 (improvement).

    Parameters
    ----------
    as_of
        Drop derived changes closed after this date (documented planned changes stay).
    derived
        Add closed CAPAs and closed review actions that name a process as derived changes.

    Returns
    -------
    DataFrame
        :data:`REGISTER_COLUMNS`: the ``changes`` columns (``evaluation_months`` filled with 3
        where empty, ``expected_direction`` "decrease" and ``status`` "implemented" where
        empty), ``month`` (Period[M] of
        implemented_date), ``supplier_id`` (when the register has one), ``derived`` (bool) and
        ``source`` (the record type the row comes from).
    """
    from qmsdata.stats.effect import DEFAULT_EVALUATION

    explicit = _explicit(workbook)
    parts = [explicit]
    if derived:
        more = _derived(workbook, explicit)
        if as_of is not None and len(more):
            more = more[more["implemented_date"] <= pd.Timestamp(as_of)]
        parts.append(more)
    parts = [p for p in parts if len(p)]
    if not parts:
        return P.empty(REGISTER_COLUMNS, "no changes recorded and none derived")
    out = pd.concat(parts, ignore_index=True)
    out["implemented_date"] = pd.to_datetime(out["implemented_date"], errors="coerce")
    out["month"] = out["implemented_date"].dt.to_period("M")
    out["evaluation_months"] = (
        pd.to_numeric(out["evaluation_months"], errors="coerce")
        .fillna(DEFAULT_EVALUATION)
        .astype(int)
    )
    out["expected_direction"] = out["expected_direction"].where(
        out["expected_direction"].isin(["decrease", "increase"]), "decrease"
    )
    out["derived"] = out["derived"].astype(bool)
    out = out.sort_values(["implemented_date", "derived", "change_id"], kind="stable")
    return out.reset_index(drop=True)[REGISTER_COLUMNS]


def _series_key(row: Any) -> tuple[Any, ...]:
    """The series a change moves: (metric, site, process, supplier_id, objective_id)."""
    metric = _text(row.get("metric")) or "other"
    if metric == "defect_rate":
        return (metric, _text(row.get("site")), _text(row.get("process")), None, None)
    if metric == "supplier_rejection_rate":
        return (metric, None, None, _text(row.get("supplier_id")), None)
    if metric == "objective":
        return (metric, None, None, None, _text(row.get("objective_id")))
    if metric == "complaint_rate":
        return (metric, None, None, None, None)
    return (metric, _text(row.get("site")), _text(row.get("process")), None, None)


def change_subjects(workbook: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Return the subjects of the PDCA analyses: each process (at a site) and each objective.

    Returns
    -------
    DataFrame
        ``subject`` ("Brno / SMT placement", "Objective OBJ-02"), ``subject_type``
        ("process" | "objective"), ``site``, ``process``, ``objective_id``, ``changes``
        (documented), ``derived`` (derived changes), ``latest_change_id``,
        ``latest_implemented``. A process subject comes from the change register; every
        objective is a subject (with or without changes).
    """
    cols = [
        "subject", "subject_type", "site", "process", "objective_id", "changes", "derived",
        "latest_change_id", "latest_implemented",
    ]  # fmt: skip
    reg = change_register(workbook, as_of=as_of)
    reg = reg[reg["status"] != "cancelled"] if len(reg) else reg
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add(key: tuple[Any, ...], base: dict[str, Any], change: Any = None) -> None:
        row = rows.setdefault(
            key, {**base, "changes": 0, "derived": 0, "latest_change_id": None,
                  "latest_implemented": pd.NaT},
        )  # fmt: skip
        if change is None:
            return
        row["derived" if change["derived"] else "changes"] += 1
        when = change["implemented_date"]
        if pd.isna(row["latest_implemented"]) or when >= row["latest_implemented"]:
            row["latest_change_id"], row["latest_implemented"] = change["change_id"], when

    objectives = P.records(workbook, "objectives")
    if "objective_id" in objectives.columns:
        for oid in objectives["objective_id"].dropna().astype(str):
            add(
                ("objective", oid),
                {"subject": f"Objective {oid}", "subject_type": "objective", "site": None,
                 "process": None, "objective_id": oid},
            )  # fmt: skip
    for _, ch in reg.iterrows():
        oid = _text(ch["objective_id"])
        if ch["metric"] == "objective" and oid:
            add(
                ("objective", oid),
                {"subject": f"Objective {oid}", "subject_type": "objective", "site": None,
                 "process": None, "objective_id": oid},
                ch,
            )  # fmt: skip
            continue
        process = _text(ch["process"])
        if process is None:
            continue
        site = _text(ch["site"])
        add(
            ("process", site, process),
            {"subject": f"{site} / {process}" if site else process, "subject_type": "process",
             "site": site, "process": process, "objective_id": None},
            ch,
        )  # fmt: skip
    if not rows:
        return P.empty(cols, "no processes or objectives to analyse")
    out = pd.DataFrame(list(rows.values()))
    out = out.sort_values(["subject_type", "subject"]).reset_index(drop=True)
    return out[cols]


# --------------------------------------------------------------------------- phases


def phase_starts(
    months: Iterable[Any],
    register: pd.DataFrame,
    *,
    metric: str | None = None,
    site: str | None = None,
    process: str | None = None,
    objective_id: str | None = None,
    supplier_id: str | None = None,
) -> list[int]:
    """Return the 0-based positions where a documented change starts a new phase.

    Parameters
    ----------
    months
        The series' points (Periods, dates or ``YYYY-MM`` text), in time order.
    register
        :func:`change_register` (derived and cancelled or planned changes are ignored).
    metric, site, process, objective_id, supplier_id
        The series; a change belongs to it when its :func:`_series_key` matches (a change
        without a metric matches on site and process).

    Returns
    -------
    list of int
        Sorted, unique, each in ``1 .. len(months) - 1``: the position of the first point in
        or after the change's month (a change before the first point or after the last one
        starts no phase).
    """
    idx = pd.PeriodIndex([pd.Period(m, freq="M") for m in months])
    if len(idx) == 0 or register is None or len(register) == 0:
        return []
    want = _series_key(
        {"metric": metric, "site": site, "process": process, "objective_id": objective_id,
         "supplier_id": supplier_id}
    )  # fmt: skip
    docs = register[(~register["derived"].astype(bool)) & (register["status"] == "implemented")]
    out: set[int] = set()
    for _, ch in docs.iterrows():
        key = _series_key(ch) if metric is not None else _series_key({**ch, "metric": None})
        if key != want or pd.isna(ch["implemented_date"]):
            continue
        month = pd.Timestamp(ch["implemented_date"]).to_period("M")
        pos = int(np.searchsorted(idx.asi8, month.ordinal, side="left"))
        if 0 < pos < len(idx):
            out.add(pos)
    return sorted(out)


def phase_labels(n_points: int, starts: Iterable[int]) -> np.ndarray:
    """Return a phase label per point (0, 1, 2, ...) for ``control_chart(phase=...)``."""
    labels = np.zeros(n_points, dtype=int)
    for s in sorted(set(starts)):
        labels[s:] += 1
    return labels


# --------------------------------------------------------------------------- the series


class _Series:
    """Monthly series per metric, computed once per call of :func:`change_effects`."""

    def __init__(self, workbook: Any, period: Any, months: int) -> None:
        self.wb, self.period, self.months = workbook, period, months
        self._cache: dict[str, pd.DataFrame] = {}

    def _get(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            from qmsdata.analytics import complaints, nonconformities, objectives, suppliers

            if name == "defect_rate":
                t = nonconformities.nc_rates(self.wb, self.period, months=self.months)
            elif name == "complaint_rate":
                t = complaints.complaint_counts(self.wb, self.period, months=self.months)
            elif name == "supplier_rejection_rate":
                t = suppliers.supplier_monthly(self.wb, self.period, months=self.months)
            else:
                kpi = objectives._kpis(self.wb)
                window = P.trailing_months(self.period, self.months)
                t = kpi[kpi["period"].isin(window)] if len(kpi) else kpi
            self._cache[name] = t
        return self._cache[name]

    def series(self, key: tuple[Any, ...]) -> tuple[pd.DataFrame, str, str, str | None]:
        """Return (table with month, value, n; its name; chart kind "p" | "u" | "i"; note)."""
        metric, site, process, supplier, objective = key
        empty = pd.DataFrame(columns=["month", "value", "n"])
        if metric == "defect_rate":
            t = self._get(metric)
            name = f"Defect rate {site} / {process}" if site else f"Defect rate {process}"
            if t.empty or process is None:
                return empty, name, "p", "no defect-rate series for this process"
            t = t[t["process"] == process]
            if site:
                t = t[t["site"] == site]
            if t.empty:
                return empty, name, "p", f"no nonconformities recorded for {name[12:]}"
            t = t.groupby("month", as_index=False)[["defects", "units_inspected"]].sum()
            return t.rename(columns={"defects": "value", "units_inspected": "n"}), name, "p", None
        if metric == "complaint_rate":
            t = self._get(metric)
            name = "Complaints per million units shipped"
            if t.empty:
                return empty, name, "u", "no complaint-rate series (no shipments)"
            return (
                t.rename(columns={"complaints": "value"})[["month", "value", "n"]],
                name,
                "u",
                None,
            )
        if metric == "supplier_rejection_rate":
            t = self._get(metric)
            name = f"Supplier {supplier} rejection rate" if supplier else "Supplier rejection rate"
            if supplier and len(t):
                t = t[t["supplier_id"] == supplier]
            if t.empty:
                return empty, name, "p", "no supplier receipts for this series"
            t = t.groupby("month", as_index=False)[["quantity_rejected", "quantity_received"]].sum()
            t = t.rename(columns={"quantity_rejected": "value", "quantity_received": "n"})
            return t, name, "p", None
        if metric == "objective":
            t = self._get(metric)
            name = f"Objective {objective}"
            if t.empty or objective is None:
                return empty, name, "i", "no KPI measurements for this objective"
            t = t[t["objective_id"] == objective]
            if t.empty:
                return empty, name, "i", f"no KPI measurements for {objective}"
            v = pd.to_numeric(t["value"], errors="coerce")
            t = t.assign(value=v).dropna(subset=["value"]).groupby("period", as_index=False)
            t = t["value"].mean().rename(columns={"period": "month"})
            t["n"] = 1.0
            return t, name, "i", None
        return empty, f"{metric} series", "i", f"metric {metric!r} is not a monitored series"


# --------------------------------------------------------------------------- judging


def _judge(
    series: _Series,
    change: Any,
    documented: pd.DataFrame,
    *,
    baseline: int | None,
    rules: Any,
) -> tuple[Any, str, str | None]:
    """Return (ChangeEffect or None, series name, chart or note)."""
    from qmsdata.stats.effect import change_effect

    key = _series_key(change)
    table, name, kind, note = series.series(key)
    if note:
        return None, name, note
    table = table.sort_values("month").reset_index(drop=True)
    table = table[table["n"] > 0].reset_index(drop=True)
    month = pd.Timestamp(change["implemented_date"]).to_period("M")
    others = documented[
        (documented["change_id"] != change["change_id"])
        & documented.apply(lambda r: _series_key(r) == key, axis=1)
    ] if len(documented) else documented  # fmt: skip
    before_from = [m for m in others["month"] if m <= month and m != month]
    after_to = [m for m in others["month"] if m > month]
    lo = max(before_from) if before_from else None
    hi = min(after_to) if after_to else None
    sel = np.ones(len(table), dtype=bool)
    if lo is not None:
        sel &= (table["month"] >= lo).to_numpy()
    if hi is not None:
        sel &= (table["month"] < hi).to_numpy()
    table = table[sel].reset_index(drop=True)
    if baseline is not None:
        first_after = int((table["month"] < month).sum())
        table = table.iloc[max(0, first_after - int(baseline)) :].reset_index(drop=True)
    if table.empty:
        return None, name, "no points of the series in the window"
    chart = "i"
    if kind in ("p", "u"):
        before = table[table["month"] < month]
        chart, _ = P.choose_attribute_chart(before["value"], before["n"], kind)
    eff = change_effect(
        table,
        month,
        value="value",
        n=None if chart == "i" else "n",
        x="month",
        chart=chart,
        improvement=str(change["expected_direction"]),
        evaluation=int(change["evaluation_months"]),
        rules=rules,
    )
    return eff, name, None


def change_effects(
    workbook: Any,
    period: Any,
    *,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | int | None = None,
    months: int = DEFAULT_MONTHS,
    derived: bool = True,
) -> pd.DataFrame:
    """Judge every implemented change on the series it is meant to move.

    ISO 9001 9.1.3 e (effectiveness of actions on risks and opportunities), 10.2.1 d (review the
    effectiveness of corrective action), 10.3, 9.3.2 c4 and f.

    Parameters
    ----------
    period, as_of
        Reporting period (the series end with it) and the date judged at (default its end):
        changes implemented after ``as_of`` are left out.
    baseline
        Most months before the change that set the before limits (default: all since the
        previous documented change on the series, within the window).
    rules
        The shift rule of :func:`~qmsdata.stats.effect.change_effect` (None: Anhoej).
    months
        Length of the series window, ending with the period.
    derived
        Judge the derived changes too.

    Returns
    -------
    DataFrame
        :data:`EFFECT_COLUMNS`, one row per implemented change (documented first, then by
        date): the series judged, the chart, points before / after / needed, the verdict, the
        rule that fired and the reason, the effect (``measure`` "rate_ratio" or
        "mean_difference", ``estimate``, ``ci_low``, ``ci_high`` at 95 %), the pooled value
        before and after, and the proposed ``decision``. A change whose series has no data has
        verdict "insufficient data" and the reason in ``reason``.
    """
    at = P.resolve_as_of(period, as_of)
    reg = change_register(workbook, as_of=at, derived=derived)
    cols = EFFECT_COLUMNS
    if reg.empty:
        return P.empty(cols, reg.attrs.get("note", "no changes"))
    reg = reg[(reg["status"] == "implemented") & (reg["implemented_date"] <= at)]
    reg = reg[reg["month"] <= P.last_month(period)]
    if reg.empty:
        return P.empty(cols, "no implemented changes up to the period")
    documented = reg[~reg["derived"]]
    series = _Series(workbook, period, months)
    rows = []
    for _, ch in reg.iterrows():
        eff, name, note = _judge(series, ch, documented, baseline=baseline, rules=rules)
        row = {c: ch.get(c) for c in cols if c in reg.columns}
        row["series"] = name
        if eff is None:
            row.update(verdict="insufficient data", reason=f"insufficient data: {note}")
        else:
            s = eff.summary()
            row.update({k: s[k] for k in (
                "chart", "n_before", "n_after", "points_needed", "verdict", "rule", "reason",
                "measure", "estimate", "ci_low", "ci_high", "before_value", "after_value",
            )})  # fmt: skip
        row["decision"] = proposed_decision(row["verdict"])
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in cols:
        if c not in out.columns:
            out[c] = None
    for c in ("n_before", "n_after", "points_needed"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    out = out.sort_values(["derived", "implemented_date", "change_id"], kind="stable")
    return out.reset_index(drop=True)[cols]


def judge_change(
    workbook: Any,
    change_id: str,
    period: Any,
    *,
    as_of: Any = None,
    baseline: int | None = None,
    rules: str | int | None = None,
    months: int = DEFAULT_MONTHS,
) -> Any:
    """Return the :class:`~qmsdata.stats.effect.ChangeEffect` of one change (for its chart).

    Same series and phases as :func:`change_effects`; None when the series has no data.
    """
    at = P.resolve_as_of(period, as_of)
    reg = change_register(workbook, as_of=at)
    hit = reg[reg["change_id"] == change_id]
    if hit.empty:
        from qmsdata.errors import DataError

        raise DataError(f"change {change_id!r} is not in the change register")
    documented = reg[
        (~reg["derived"]) & (reg["status"] == "implemented") & (reg["implemented_date"] <= at)
    ]
    series = _Series(workbook, period, months)
    eff, _, _ = _judge(series, hit.iloc[0], documented, baseline=baseline, rules=rules)
    return eff


# --------------------------------------------------------------------------- acting


def proposed_decision(verdict: str) -> str | None:
    """Return the decision proposed for a verdict: standardise, extend the evaluation, re-plan.

    ``sustained improvement`` -> ``standardise``; ``improvement not yet sustained`` and
    ``too early to judge`` -> ``extend the evaluation``; ``no detectable change`` and
    ``deterioration`` -> ``re-plan``; ``insufficient data`` (not assessed) -> None.
    """
    if verdict not in DECISIONS:
        from qmsdata.errors import DataError

        raise DataError(f"unknown verdict {verdict!r}", hint=f"Use one of {sorted(DECISIONS)}.")
    return DECISIONS[verdict]


def _effect_text(row: Any) -> str:
    est, lo, hi = row.get("estimate"), row.get("ci_low"), row.get("ci_high")
    if est is None or not np.isfinite(est):
        return ""
    if row.get("measure") == "rate_ratio":
        return f"; rate ratio after/before {est:.2f} (95% CI {lo:.2f} to {hi:.2f})"
    return f"; difference in means {est:+.3g} (95% CI {lo:+.3g} to {hi:+.3g})"


def decision_actions(
    effects: pd.DataFrame,
    *,
    review_date: Any,
    prefix: str = "DEC",
    include_derived: bool = False,
) -> pd.DataFrame:
    """Return the proposed decisions as review_actions rows (9.3.3, next review's input 9.3.2 a).

    Parameters
    ----------
    effects
        :func:`change_effects`.
    review_date
        Date of the review that takes the decisions.
    prefix
        Action IDs are ``{prefix}-{YYYYMM of review}-{change_id}``, unique per review and change.
    include_derived
        Propose decisions for derived changes too (default: documented changes only).

    Returns
    -------
    DataFrame
        The review_actions columns ``action_id, review_date, output_type, description, owner,
        due_date, status, closed_date``: output_type "qms_change" for standardise, else
        "improvement"; due in 3 months (extend the evaluation: when the rule can decide, at
        least a month); status "open".
    """
    from qmsdata.records import RECORD_TYPES

    cols = [c.name for c in RECORD_TYPES["review_actions"].columns]
    when = pd.Timestamp(review_date).normalize()
    rows = []
    for _, r in effects.iterrows():
        decision = r.get("decision")
        if not isinstance(decision, str) or (bool(r.get("derived")) and not include_derived):
            continue
        subject = r.get("series") or r.get("process") or ""
        months = 3
        if decision == "extend the evaluation":
            need = r.get("points_needed")
            have = r.get("n_after")
            if pd.notna(need) and pd.notna(have):
                months = max(1, int(need) - int(have))
        text = (
            f"{decision.capitalize()} {r['change_id']} ({subject}): {r['verdict']}"
            f"{_effect_text(r)}. {_WHAT_TO_DO[decision]}"
        )
        rows.append(
            {
                "action_id": f"{prefix}-{when:%Y%m}-{r['change_id']}",
                "review_date": when,
                "output_type": _OUTPUT_TYPE[decision],
                "description": text,
                "owner": _text(r.get("owner")),
                "due_date": when + pd.DateOffset(months=months),
                "status": "open",
                "closed_date": pd.NaT,
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out


def write_decisions(
    effects: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    review_date: Any,
    prefix: str = "DEC",
    include_derived: bool = False,
) -> Path:
    """Write :func:`decision_actions` to a CSV ``qms actions import`` accepts; return the path.

    Dates are written ``YYYY-MM-DD``; text cells are neutralised (:func:`qmsdata.files.write_csv`).
    """
    from qmsdata.files import write_csv

    frame = decision_actions(
        effects, review_date=review_date, prefix=prefix, include_derived=include_derived
    )
    for c in ("review_date", "due_date", "closed_date"):
        d = pd.to_datetime(frame[c], errors="coerce")
        frame[c] = d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), None)
    target = Path(path)
    write_csv(frame, target)
    return target
