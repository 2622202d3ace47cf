"""The executive summary's words and numbers, made by rules from the records (ISO 9001 9.3, 9.1.3).

No language model: every sentence is a template filled with a number, the period it belongs to
and the figure or section that shows it, so the same data always give the same words and an
auditor can trace each sentence back to its records (:func:`evidence_table`).

Public names: :func:`key_numbers`, :func:`summary_findings`, :func:`data_quality_verdict`,
:func:`objective_matrix`, :func:`sparkline`, :func:`evidence_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.analytics import periods as P
from qmsdata.pack import formatting as F
from qmsdata.workbook.filters import ORGANISATION_WIDE


@dataclass(frozen=True)
class KeyNumber:
    """How one key number of the summary is computed from records.

    Attributes
    ----------
    name
        What the number is, e.g. ``"Complaints received"``.
    record_type, date, id
        The records counted, the date column that places them in a period, and their ID column.
    value
        Column summed; None counts the records.
    improvement
        ``"decrease"`` or ``"increase"``: which way is better (for the sentence).
    figure
        Where the pack shows the number (cited in the sentence).
    """

    name: str
    record_type: str
    date: str
    id: str
    value: str | None = None
    improvement: str = "decrease"
    figure: str = ""

    @property
    def calculation(self) -> str:
        """Return the calculation in words, with its parameters."""
        what = f"sum of {self.value}" if self.value else f"count of {self.id}"
        return f"{what} over {self.record_type} with {self.date} in the period"


#: the key numbers of the summary, in display order
KEY_NUMBERS: tuple[KeyNumber, ...] = (
    KeyNumber(
        "Complaints received", "complaints", "received_date", "complaint_id", figure="9.3.2 c) 1"
    ),
    KeyNumber(
        "Nonconformities raised", "nonconformities", "detected_date", "nc_id", figure="9.3.2 c) 3"
    ),
    KeyNumber(
        "Nonconforming quantity",
        "nonconformities",
        "detected_date",
        "nc_id",
        value="quantity",
        figure="9.3.2 c) 3",
    ),
    KeyNumber(
        "Corrective actions opened",
        "corrective_actions",
        "opened_date",
        "capa_id",
        figure="9.3.2 c) 4",
    ),
    KeyNumber(
        "Audit findings raised", "audit_findings", "audit_date", "finding_id", figure="9.3.2 c) 6"
    ),
    KeyNumber(
        "Supplier receipts",
        "supplier_receipts",
        "received_date",
        "receipt_id",
        improvement="increase",
        figure="9.3.2 c) 7",
    ),
)

_VARIATION = {
    "common_cause": "~ common cause",
    "special_cause_concern": "▲ special cause: concern",
    "special_cause_improvement": "▼ special cause: improvement",
    "special_cause_neutral": "◆ special cause",
}
_ASSURANCE = {
    "consistent_pass": "✔ will meet target",
    "consistent_fail": "✘ will not meet target",
    "inconsistent": "? may or may not meet target",
}


def _records(wb: Any, record_type: str) -> pd.DataFrame:
    try:
        frame = wb[record_type]
    except (KeyError, AttributeError):
        return pd.DataFrame()
    if isinstance(frame, pd.DataFrame) and frame.empty:
        # the Spark engine: the large record types as rows rebuilt from their aggregates
        return P.records(wb, record_type)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def _in_period(frame: pd.DataFrame, date: str, period: pd.Period) -> pd.DataFrame:
    if frame.empty or date not in frame.columns:
        return frame.iloc[0:0]
    d = pd.to_datetime(frame[date], errors="coerce")
    return frame[(d >= period.start_time) & (d <= period.end_time)]


def key_number_records(wb: Any, kn: KeyNumber, period: Any) -> pd.DataFrame:
    """Return the records behind key number ``kn`` in ``period`` (a month or a quarter)."""
    return _in_period(_records(wb, kn.record_type), kn.date, P.parse_period(period))


def _value(kn: KeyNumber, rows: pd.DataFrame) -> float:
    if kn.value is None:
        return float(P.counts(rows).sum())
    if kn.value not in rows.columns:
        return float("nan")
    return float(pd.to_numeric(rows[kn.value], errors="coerce").sum())


def key_numbers(wb: Any, period: Any, *, baseline: str = "both") -> pd.DataFrame:
    """Return the summary's key numbers with their change against earlier periods.

    Parameters
    ----------
    wb
        A loaded :class:`~qmsdata.workbook.Workbook`.
    period
        Month ``YYYY-MM`` or quarter ``YYYY-Qn`` under review.
    baseline
        ``"previous"`` (the period before), ``"last_year"`` (same period a year earlier) or
        ``"both"``.

    Returns
    -------
    DataFrame
        ``metric, period, value, previous_period, previous, change_previous, last_year_period,
        last_year, change_last_year, record_type, calculation, figure, improvement`` — one row
        per key number whose record type has data. Changes are relative (0.1 = +10 %); NaN when
        the earlier value is 0 or missing.
    """
    p = P.parse_period(period)
    prev, ly = P.previous_period(p), P.same_period_last_year(p)
    rows = []
    for kn in KEY_NUMBERS:
        frame = _records(wb, kn.record_type)
        if frame.empty or kn.date not in frame.columns:
            continue
        if kn.value is not None and kn.value not in frame.columns:
            continue
        now = _value(kn, _in_period(frame, kn.date, p))
        # a period before the record type's first record has no value, not a zero
        first = pd.to_datetime(frame[kn.date], errors="coerce").min()
        before = _value(kn, _in_period(frame, kn.date, prev)) if _known(prev, first) else np.nan
        year = _value(kn, _in_period(frame, kn.date, ly)) if _known(ly, first) else np.nan
        row = {
            "metric": kn.name,
            "period": str(p),
            "value": now,
            "previous_period": str(prev),
            "previous": before,
            "change_previous": (now - before) / before if before else np.nan,
            "last_year_period": str(ly),
            "last_year": year,
            "change_last_year": (now - year) / year if year else np.nan,
            "record_type": kn.record_type,
            "calculation": kn.calculation,
            "figure": kn.figure,
            "improvement": kn.improvement,
        }
        if baseline == "previous":
            row["last_year"] = row["change_last_year"] = np.nan
        elif baseline == "last_year":
            row["previous"] = row["change_previous"] = np.nan
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "metric",
            "period",
            "value",
            "previous_period",
            "previous",
            "change_previous",
            "last_year_period",
            "last_year",
            "change_last_year",
            "record_type",
            "calculation",
            "figure",
            "improvement",
        ],
    )


def _known(period: pd.Period, first: Any) -> bool:
    """Return True when ``period`` ends on or after the first record (``first``; NaT: never)."""
    return not pd.isna(first) and period.end_time >= first


# ------------------------------------------------------------------------------- sentences


def _num(x: Any) -> str:
    """Return a number for a sentence (:func:`qmsdata.pack.formatting.number`)."""
    return F.number(x)


def _change(now: float, before: float, rel: float, label: str) -> str | None:
    if F.is_missing(before) or F.is_missing(now):
        return None
    if now == before:
        return f"unchanged from {label}"
    if F.is_missing(rel):
        return f"{'up' if now > before else 'down'} from {_num(before)} in {label}"
    word = "up" if rel > 0 else "down"
    return f"{word} {F.percent(abs(rel))} from {_num(before)} in {label}"


def key_number_sentence(row: Any) -> str:
    """Return one sentence for a key-number row of :func:`key_numbers`."""
    parts = [
        _change(row["value"], row["previous"], row["change_previous"], row["previous_period"]),
        _change(row["value"], row["last_year"], row["change_last_year"], row["last_year_period"]),
    ]
    said = "; ".join(p for p in parts if p)
    tail = f" ({said})" if said else ""
    return f"{row['metric']}: {_num(row['value'])} in {row['period']}{tail} [{row['figure']}]."


def signal_sentence(row: Any, period: Any) -> str:
    """Return one sentence for a finding of :func:`qmsdata.signals`."""
    direction = {"concern": "Concern", "improvement": "Improvement"}.get(
        str(row.get("direction")), "Change"
    )
    since = row.get("since")
    since_txt = " up" if F.is_missing(since) else f" from {F.text(since)}"
    rule = str(row.get("rule") or "")
    how = {
        "overdue_cluster": "more overdue corrective actions than elsewhere",
        "overdue_findings": "audit nonconformities past their due date",
        "consistent_fail": "the objective cannot meet its target without change",
        "target_missed": "target missed",
        "mann_kendall": "a steady trend",
    }.get(rule)
    if how is None:
        bits = []
        if "shift" in rule:
            bits.append("a sustained shift")
        if "beyond_limits" in rule:
            bits.append("points beyond the control limits")
        if "cross" in rule:
            bits.append("too few crossings of the centre line")
        how = " and ".join(bits) or rule.replace("_", " ")
    area = str(row.get("area") or "")
    detail = "" if F.is_missing(row.get("detail")) else f" — {F.text(row.get('detail'))}"
    return (
        f"{direction} (rank {int(row['rank'])}): {row['series']} shows {how}{since_txt} "
        f"to {P.parse_period(period)}{detail} [{area}]."
    )


def _label(oid: Any, name: Any) -> str:
    """Return ``"<id> <name>"`` for an objective, without a missing name."""
    return f"{oid} {'' if F.is_missing(name) else name}".strip()


def objective_sentence(row: Any, period: Any) -> str:
    """Return one sentence for a row of :func:`qmsdata.objective_status`."""
    unit = f" {row['unit']}" if isinstance(row.get("unit"), str) and row["unit"] else ""
    actual, target = row.get("actual"), row.get("target")
    name = _label(row["objective_id"], row.get("name"))
    if F.is_missing(actual):
        return f"{name}: no measurement in {P.parse_period(period)} [9.3.2 c) 2]."
    met = F.yes_no(row.get("met"), yes="met", no="not met", missing="not judged")
    against = (
        ", no target recorded"
        if F.is_missing(target)
        else f" against a target of {_num(target)}{unit}"
    )
    text = f"{name}: {_num(actual)}{unit} in {P.parse_period(period)}{against}, {met}"
    assurance = row.get("assurance")
    if assurance == "consistent_fail":
        text += "; on its current variation it will not meet the target without change"
    elif assurance == "inconsistent":
        text += "; it may or may not meet the target month to month"
    return text + " [9.3.2 c) 2]."


def summary_findings(
    sig: pd.DataFrame, obj: pd.DataFrame, keys: pd.DataFrame, period: Any
) -> list[str]:
    """Return the summary's plain sentences, one per finding, most important first.

    Signals of concern (ranked), objectives not met, signals of improvement, then the key
    numbers. Each sentence cites its number, the period and the pack section showing it.
    """
    out: list[str] = []
    if len(sig):
        for _, r in sig[sig["direction"] == "concern"].iterrows():
            out.append(signal_sentence(r, period))
    if len(obj) and "met" in obj.columns:
        for _, r in obj[obj["met"].eq(False)].iterrows():
            out.append(objective_sentence(r, period))
    if len(sig):
        for _, r in sig[sig["direction"] == "improvement"].iterrows():
            out.append(signal_sentence(r, period))
    for _, r in keys.iterrows():
        out.append(key_number_sentence(r))
    return out


def data_quality_verdict(
    validation: pd.DataFrame, assessability: Any = None
) -> tuple[str, pd.DataFrame]:
    """Return the data-quality verdict and the reservations behind it.

    Parameters
    ----------
    validation
        The workbook's ``validation`` table (rows, accepted, rejected per record type).
    assessability
        The pack's :class:`~qmsdata.analytics.assessability.Assessability`. When given, its
        verdict is the pack's: a record type with no accepted rows, or more rows quarantined
        than ``[quality] max_quarantined_share``, makes the inputs it feeds "Not fit to report"
        (named). Without it, only the quarantine counts are judged.

    Returns
    -------
    (str, DataFrame)
        ``"Fit to report."`` when no row was quarantined, ``"Fit to report with reservations:
        N rows quarantined in K record types."`` for a few, ``"Not fit to report: ..."`` past the
        thresholds; and the record types with quarantined rows (``record_type, rows, rejected,
        share``).
    """
    v = validation.copy() if validation is not None else pd.DataFrame()
    if v.empty or "rejected" not in v.columns:
        res = pd.DataFrame(columns=["record_type", "rows", "rejected", "share"])
    else:
        v = v.reset_index().rename(columns={"index": "record_type"})
        bad = v[pd.to_numeric(v["rejected"], errors="coerce").fillna(0) > 0]
        res = bad[["record_type", "rows", "rejected"]].copy()
        res["share"] = res["rejected"] / res["rows"].where(res["rows"] > 0)
        res = res.reset_index(drop=True)
    if assessability is not None:
        return assessability.quality_verdict(), res
    total = int(res["rejected"].sum()) if len(res) else 0
    if total == 0:
        return "Fit to report.", res
    n = len(res)
    return (
        f"Fit to report with reservations: {total:,} rows quarantined in {n} record "
        f"type{'s' if n != 1 else ''} (see Data quality)."
    ), res


# -------------------------------------------------------------------------- objective matrix

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Any) -> str:
    """Return a text sparkline (one block character per value; blank for missing values)."""
    a = np.asarray(list(values), dtype=float)
    if a.size == 0 or np.isnan(a).all():
        return ""
    lo, hi = np.nanmin(a), np.nanmax(a)
    span = hi - lo
    out = []
    for x in a:
        if np.isnan(x):
            out.append(" ")
        else:
            i = 0 if span == 0 else int(round((x - lo) / span * (len(_BARS) - 1)))
            out.append(_BARS[i])
    return "".join(out)


def suggested_actions(sig: pd.DataFrame, period: Any) -> pd.DataFrame:
    """Return the decisions register for the review (ISO 9001 9.3.3): one row per concern.

    Columns are the review_actions schema; ``action_id`` is ``RA-<period>-NN`` in rank order,
    ``owner`` and ``due_date`` are left blank for the meeting, ``status`` is ``open``, and a
    ``signal_key`` column ties each row to its finding (:func:`qmsdata.signals` ``key``).
    """
    p = P.parse_period(period)
    concern = sig[sig["direction"] == "concern"].reset_index(drop=True) if len(sig) else sig
    n = len(concern)
    return pd.DataFrame(
        {
            "action_id": [f"RA-{p}-{i + 1:02d}" for i in range(n)],
            "review_date": [str(p.end_time.date())] * n,
            "output_type": ["improvement"] * n,
            "description": [
                f"Investigate and act on: {r.series} ({r.rule}"
                + ("" if F.is_missing(r.since) else f", since {F.text(r.since)}")
                + ")"
                for r in concern.itertuples()
            ],
            "owner": [""] * n,
            "due_date": [""] * n,
            "status": ["open"] * n,
            "closed_date": [""] * n,
            "signal_key": [str(k) for k in concern["key"]] if n else [],
        }
    )


def _judgement(words: dict[str, str], value: Any) -> str:
    """Return the matrix's word for a variation or assurance verdict (missing: insufficient)."""
    if F.is_missing(value):
        return "insufficient data"
    return words.get(str(value), F.text(value))


def objective_matrix(
    wb: Any,
    obj: pd.DataFrame,
    period: Any,
    *,
    months: int = 12,
    sig: Any = None,
    site: str | None = None,
) -> pd.DataFrame:
    """Return the objective matrix: one row per objective, ready to show.

    Columns ``objective, owner, trend (sparkline of the last ``months`` months), actual,
    target, met, variation, assurance, linked action``: an open review action whose
    description names the objective, and (given ``sig``) the action suggested for the
    objective's signal in this review's register (:func:`suggested_actions`). In a site's pack
    (``site``) an organisation-wide objective (``scope`` of :func:`qmsdata.objective_status`)
    is labelled ``(organisation-wide)`` in ``objective``, so neither the matrix nor the digest
    and deck that read it present the organisation's result as the site's.
    """
    last = P.last_month(period)
    kpi = _records(wb, "kpi_measurements")
    ra = _records(wb, "review_actions")
    rows = []
    for _, r in obj.iterrows():
        oid = r["objective_id"]
        spark = ""
        if len(kpi) and {"objective_id", "period", "value"} <= set(kpi.columns):
            k = kpi[kpi["objective_id"] == oid].groupby("period")["value"].mean()
            idx = pd.period_range(last - months + 1, last, freq="M")
            spark = sparkline(k.reindex(idx).to_numpy(float))
        linked = ""
        if len(ra) and {"action_id", "description", "status"} <= set(ra.columns):
            hit = ra[
                ra["description"].astype(str).str.contains(str(oid), regex=False)
                & ra["status"].astype(str).eq("open")
            ]
            linked = ", ".join(hit["action_id"].astype(str))
        if sig is not None and len(sig) and "objective_id" in sig.columns:
            reg = suggested_actions(sig, period)
            keys = set(sig.loc[sig["objective_id"] == oid, "key"].astype(str))
            new = reg.loc[reg["signal_key"].isin(keys), "action_id"].tolist()
            linked = ", ".join([x for x in [linked] if x] + [f"{a} (suggested)" for a in new])
        unit = r.get("unit") if isinstance(r.get("unit"), str) else ""
        rows.append(
            {
                "objective": _label(oid, r.get("name"))
                + (" (organisation-wide)" if site and r.get("scope") == ORGANISATION_WIDE else ""),
                "owner": r.get("owner"),
                "last 12 months": spark,
                "actual": r.get("actual"),
                "target": r.get("target"),
                "unit": unit,
                "met": {True: "yes", False: "no"}.get(r.get("met"), ""),
                "variation": _judgement(_VARIATION, r.get("variation")),
                "assurance": _judgement(_ASSURANCE, r.get("assurance")),
                "linked action": linked,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ evidence


def _spec(record_type: str) -> Any:
    from qmsdata.records import RECORD_TYPES

    return RECORD_TYPES.get(record_type)


def record_key(record_type: str) -> tuple[str, ...]:
    """Return the key columns of ``record_type`` (its spec's ``key``; empty when unknown)."""
    spec = _spec(record_type)
    return tuple(spec.key) if spec is not None else ()


def event_date(record_type: str) -> str | None:
    """Return the column that dates a record of ``record_type`` (its spec's ``event_date``)."""
    spec = _spec(record_type)
    return spec.event_date if spec is not None else None


EVIDENCE_COLUMNS = [
    "item_type",
    "item",
    "period",
    "record_type",
    "record_id",
    "date",
    "value",
    "calculation",
]


def _ids(frame: pd.DataFrame, record_type: str) -> pd.Series:
    """Return each record's id (:func:`qmsdata.workbook.filters.row_ids`; aggregates say so)."""
    from qmsdata.workbook.filters import row_ids

    key = record_key(record_type)
    if "_rows" in frame.columns and not (key and all(c in frame.columns for c in key)):
        # rebuilt from an engine's aggregate: the ids stay with it
        return pd.Series(
            [
                f"aggregate of {int(n):,} record{'' if int(n) == 1 else 's'} (qmsdata.record_ids)"
                for n in frame["_rows"]
            ],
            index=frame.index,
        )
    return row_ids(frame, record_type)


def signal_records(wb: Any, row: Any, period: Any, *, as_of: Any = None) -> pd.DataFrame:
    """Return the records behind one finding of :func:`qmsdata.signals`.

    The finding's structured fields (record type, site, process, supplier, objective, since)
    select the records, from the first month of the finding to the end of ``period``;
    clusters of overdue corrective actions and overdue audit findings select the overdue
    records the finding counts.
    """
    rt = str(row.get("record_type") or "")
    at = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(wb.as_of)
    end = min(P.parse_period(period).end_time, at + pd.Timedelta(days=1) - pd.Timedelta(1))
    rule = str(row.get("rule") or "")
    if rule == "overdue_cluster":
        from qmsdata.analytics import capa

        c = capa._capas(wb, at)
        if c.empty:
            return c
        due = P.dates(c, "due_date")
        c = c[(due < at) & (due >= at - pd.Timedelta(days=365)) & ~c["is_cancelled"]]
        return c[(c["process"] == row.get("process")) & c["is_overdue"]]
    if rule == "overdue_findings":
        from qmsdata.analytics import audits

        f = audits.audit_open_findings(wb, period, as_of=at)
        if f.empty:
            return f
        return f[
            f["overdue"]
            & f["finding_type"].isin(["major_nc", "minor_nc"])
            & (f["process"] == row.get("process"))
        ]
    since = row.get("since")
    start = pd.Period(since, freq="M").start_time if since is not None and since == since else None
    engine = getattr(wb, "engine", None)
    if engine is not None and rt in getattr(engine, "accepted", {}):
        # the Spark engine: the rows stay on Spark; fetch the records behind this point (their
        # real ids and dates), not the rows rebuilt from the aggregates
        spec = _spec(rt)
        names = {c.name for c in spec.columns} if spec is not None else set()
        point = {
            col: row.get(col)
            for col in ("site", "process", "product", "supplier_id", "objective_id")
            if col in names and row.get(col) is not None and row.get(col) == row.get(col)
        }
        return engine.rows(rt, start, end, **point)
    frame = _records(wb, rt)
    if frame.empty:
        return frame
    mask = pd.Series(True, index=frame.index)
    for col in ("site", "process", "product", "supplier_id", "objective_id"):
        v = row.get(col)
        if v is not None and v == v and col in frame.columns:
            mask &= frame[col].astype(object) == v
    if rt == "kpi_measurements" and "period" in frame.columns:
        per = frame["period"]
        mask &= per <= P.last_month(period)
        if start is not None:
            mask &= per >= start.to_period("M")
    elif (dcol := event_date(rt)) is not None and dcol in frame.columns:
        d = pd.to_datetime(frame[dcol], errors="coerce")
        mask &= d <= end
        if start is not None:
            mask &= d >= start
    return frame[mask]


def evidence_table(
    wb: Any, period: Any, sig: pd.DataFrame, obj: pd.DataFrame, *, as_of: Any = None
) -> pd.DataFrame:
    """Return the record IDs behind every key number, objective and signal of the summary.

    One row per (item, record): ``item_type`` (key_number, objective, signal), ``item`` (the
    metric name, objective ID or signal key), ``period``, ``record_type``, ``record_id``,
    ``date`` (or month), ``value`` (the number the record contributes: 1 for a count, the
    summed column otherwise, the KPI value for an objective) and ``calculation`` (method and
    parameters). Summing ``value`` per key number gives the key number; the objective rows
    give the objective's actual (see :func:`qmsdata.objective_status`).
    """
    p = P.parse_period(period)
    parts: list[pd.DataFrame] = []

    def add(
        item_type: str, item: str, rt: str, rows: pd.DataFrame, date: Any, value: Any, calc: str
    ) -> None:
        if rows is None or rows.empty:
            return
        parts.append(
            pd.DataFrame(
                {
                    "item_type": item_type,
                    "item": item,
                    "period": str(p),
                    "record_type": rt,
                    "record_id": _ids(rows, rt).to_numpy(),
                    "date": np.asarray(date, dtype=object),
                    "value": np.asarray(value, dtype=object),
                    "calculation": calc,
                }
            )
        )

    for kn in KEY_NUMBERS:
        rows = key_number_records(wb, kn, p)
        if rows.empty:
            continue
        val = 1 if kn.value is None else pd.to_numeric(rows.get(kn.value), errors="coerce")
        add(
            "key_number",
            kn.name,
            kn.record_type,
            rows,
            rows[kn.date].astype(str),
            np.broadcast_to(val, len(rows)) if kn.value is None else val,
            kn.calculation,
        )
    kpi = _records(wb, "kpi_measurements")
    months = P.period_months(p)
    for _, r in obj.iterrows():
        if kpi.empty:
            break
        oid = r["objective_id"]
        rows = kpi[(kpi["objective_id"] == oid) & kpi["period"].isin(months)]
        rows = rows.assign(_id=oid + "/" + rows["period"].astype(str))
        if rows.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "item_type": "objective",
                    "item": oid,
                    "period": str(p),
                    "record_type": "kpi_measurements",
                    "record_id": rows["_id"].to_numpy(),
                    "date": rows["period"].astype(str).to_numpy(),
                    "value": rows["value"].to_numpy(),
                    "calculation": "actual = value of the month (quarter: pooled numerator/"
                    "denominator x scale "
                    "); target " + _num(r.get("target")) + ", direction "
                    f"{F.text(r.get('direction'))}",
                }
            )
        )
    for _, r in sig.iterrows():
        rows = signal_records(wb, r, p, as_of=as_of)
        rt = str(r.get("record_type") or "")
        if rows.empty:
            continue
        if rt == "kpi_measurements" and "period" in rows.columns:
            ids = rows["objective_id"].astype(str) + "/" + rows["period"].astype(str)
            parts.append(
                pd.DataFrame(
                    {
                        "item_type": "signal",
                        "item": r["key"],
                        "period": str(p),
                        "record_type": rt,
                        "record_id": ids.to_numpy(),
                        "date": rows["period"].astype(str).to_numpy(),
                        "value": rows["value"].to_numpy(),
                        "calculation": f"{r['chart']} chart, rule {r['rule']}; {r['evidence']}",
                    }
                )
            )
            continue
        dcol = event_date(rt)
        date = rows[dcol].astype(str) if dcol and dcol in rows.columns else ""
        add(
            "signal",
            str(r["key"]),
            rt,
            rows,
            date,
            1,
            f"{r['chart']} chart, rule {r['rule']}; {r['evidence']}",
        )
    if not parts:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[EVIDENCE_COLUMNS]


def months_of_data(wb: Any, record_type: str, *, period: Any = None) -> int:
    """Return how many calendar months have records of ``record_type`` (up to ``period``).

    Sections use it to say "insufficient data" rather than guess: control charts and trend
    tests need :func:`min_points` monthly points, the charts' own rule.
    """
    frame = _records(wb, record_type)
    if frame.empty:
        return 0
    if record_type == "kpi_measurements" and "period" in frame.columns:
        months = frame["period"]
    else:
        col = event_date(record_type)
        if col is None or col not in frame.columns:
            return 0
        months = pd.to_datetime(frame[col], errors="coerce").dt.to_period("M")
    if period is not None:
        months = months[months <= P.last_month(period)]
    return int(months.dropna().nunique())


def min_points() -> int:
    """Return the fewest monthly points for a verdict on variation: the charts' one rule.

    The same constant decides when a control chart says "insufficient data"
    (:data:`qmsdata.stats.MIN_POINTS`), so the narrative and the charts never disagree.
    Imported when called: the chart engine pulls scipy, which the narrative does not need.
    """
    from qmsdata.stats import MIN_POINTS

    return int(MIN_POINTS)


def insufficient_note(wb: Any, record_type: str, period: Any, what: str) -> str | None:
    """Return an "insufficient data" sentence when ``record_type`` has too few months, else None."""
    n = months_of_data(wb, record_type, period=period)
    need = min_points()
    if n >= need:
        return None
    return (
        f"{what}: {n} month(s) of {record_type} up to {P.parse_period(period)}; a verdict on "
        f"variation needs at least {need}."
    )
