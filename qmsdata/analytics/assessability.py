"""What each ISO 9001 9.3.2 review input can be assessed on, computed once per pack.

A section may only conclude on an input whose records are there: configured in ``qms.toml``,
with accepted rows up to the end of the period, and — for a verdict on stability or trend — with
:data:`qmsdata.stats.MIN_POINTS` months of history. :func:`assess` answers this once per pack
from the workbook, so every section, the executive summary, the coverage section and the
evidence appendix say the same thing.

The unit is the review input (a section of :data:`qmsdata.pack.sections.SECTIONS` answering
9.3.2 a) to f) or 9.3.3); its needs are the record types the registry lists for the section,
read here as *all of* / *any of* / *optional*, and the monitored series it rests on (a rate
needs its denominator column too). Record types with no accepted rows, or more quarantined rows
than ``[quality] max_quarantined_share``, make the inputs they feed **not fit to report**.

The result is a tidy frame (one row per input and record type, :data:`COLUMNS`) wrapped in
:class:`Assessability` with the helpers sections use (:meth:`~Assessability.assessed`,
:meth:`~Assessability.reason`, :meth:`~Assessability.screened`, ...). It is stored as JSON
beside the pack's shared signals (:meth:`Assessability.to_json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from qmsdata.analytics import periods as P

__all__ = [
    "COLUMNS",
    "DEFAULT_FEW_QUARANTINED_ROWS",
    "DEFAULT_MAX_QUARANTINED_SHARE",
    "NEEDS",
    "SERIES",
    "Assessability",
    "Need",
    "SeriesNeed",
    "assess",
]

#: share of a record type's rows that may be quarantined before its inputs are not fit to report
DEFAULT_MAX_QUARANTINED_SHARE = 0.05
#: a record type with at most this many quarantined rows stays fit (with reservations)
DEFAULT_FEW_QUARANTINED_ROWS = 5


@dataclass(frozen=True)
class SeriesNeed:
    """A monitored series family: the record types it is computed from, and the columns needed.

    ``columns`` maps a record type to the column that must hold values (a rate's denominator).
    """

    name: str
    records: tuple[str, ...]
    columns: tuple[tuple[str, str], ...] = ()


#: the monitored series families screened by :func:`qmsdata.signals` (by what they need)
SERIES: dict[str, SeriesNeed] = {
    s.name: s
    for s in (
        SeriesNeed(
            "complaint rate",
            ("complaints", "production"),
            (("production", "units_shipped"),),
        ),
        SeriesNeed("survey score", ("customer_surveys",), (("customer_surveys", "score"),)),
        SeriesNeed(
            "objective KPIs", ("objectives", "kpi_measurements"), (("kpi_measurements", "value"),)
        ),
        SeriesNeed(
            "defect rates",
            ("nonconformities", "production"),
            (("production", "units_inspected"),),
        ),
        SeriesNeed(
            "supplier rejection rates",
            ("supplier_receipts",),
            (("supplier_receipts", "quantity_received"),),
        ),
    )
}


@dataclass(frozen=True)
class Need:
    """What a review input needs.

    Attributes
    ----------
    all_of
        Record types that must all have accepted rows.
    any_of
        Record types of which at least one must have accepted rows.
    optional
        Record types read when present (they add to the input, their absence is named).
    series
        Monitored series families (:data:`SERIES`) whose verdicts the input shows.
    via_series
        The input rests on the screening itself: a screened series counts as one of ``any_of``
        (with no ``any_of``, at least one series must be screened).
    """

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    via_series: bool = False

    @property
    def records(self) -> tuple[str, ...]:
        """Return every record type the input reads, in order, once."""
        return tuple(dict.fromkeys((*self.all_of, *self.any_of, *self.optional)))


_ALL_SERIES = tuple(SERIES)
_SERIES_RECORDS = tuple(dict.fromkeys(r for s in SERIES.values() for r in s.records))

#: section id -> what its review input needs (the registry's record types, read as all/any/optional)
NEEDS: dict[str, Need] = {
    "10_previous_actions": Need(all_of=("review_actions",)),
    "20_context": Need(all_of=("context_issues",)),
    "31_customers": Need(
        any_of=("complaints", "customer_surveys"),
        optional=("production",),
        series=("complaint rate", "survey score"),
    ),
    "32_objectives": Need(all_of=("objectives", "kpi_measurements"), series=("objective KPIs",)),
    "33_conformity": Need(
        all_of=("nonconformities",), optional=("production",), series=("defect rates",)
    ),
    "34_nc_capa": Need(all_of=("corrective_actions",), optional=("nonconformities",)),
    "35_monitoring": Need(series=_ALL_SERIES, via_series=True),
    "36_audits": Need(all_of=("audit_findings",)),
    "37_suppliers": Need(all_of=("supplier_receipts",), series=("supplier rejection rates",)),
    "40_resources": Need(any_of=("corrective_actions", "review_actions")),
    "50_risks": Need(all_of=("risks",)),
    "60_improvement": Need(any_of=("audit_findings",), series=_ALL_SERIES, via_series=True),
    "80_outputs": Need(optional=("review_actions",), series=_ALL_SERIES, via_series=True),
}

#: the columns of :attr:`Assessability.frame` (one row per input and record type it reads)
COLUMNS = [
    "input",
    "label",
    "section",
    "record_type",
    "role",
    "configured",
    "rows",
    "accepted",
    "quarantined",
    "quarantined_share",
    "rows_to_period",
    "rows_in_window",
    "first_month",
    "months",
    "available",
    "fit",
    "record_reason",
]


def _inputs() -> list[tuple[str, str, str]]:
    """Return (input id, label, section id) of the review inputs, from the section registry."""
    from qmsdata.pack.sections import SECTIONS

    return [
        (s.clause, f"{s.clause} {s.title}", s.id)
        for s in SECTIONS.values()
        if s.clause.startswith("9.3.2 ") or s.clause == "9.3.3"
    ]


def _frame(wb: Any, record_type: str) -> pd.DataFrame:
    try:
        frame = wb[record_type]
    except (KeyError, AttributeError, Exception):  # an unknown type raises ConfigError
        return pd.DataFrame()
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def _months(frame: pd.DataFrame, record_type: str) -> pd.Series:
    """Return each row's month (NaT-free Period series; empty when the type is undated)."""
    from qmsdata.records import RECORD_TYPES

    if frame.empty:
        return pd.Series(dtype="period[M]")
    if record_type == "kpi_measurements" and "period" in frame.columns:
        per = frame["period"]
        if not isinstance(per.dtype, pd.PeriodDtype):
            per = pd.PeriodIndex(per.astype(str), freq="M").to_series(index=frame.index)
        return per
    spec = RECORD_TYPES.get(record_type)
    col = spec.event_date if spec is not None else None
    if col is None or col not in frame.columns:
        return pd.Series(dtype="period[M]")
    return pd.to_datetime(frame[col], errors="coerce").dt.to_period("M")


def _validation_row(wb: Any, record_type: str) -> dict[str, Any]:
    v = getattr(wb, "validation", None)
    configured = record_type in getattr(wb, "provenance", {}) or (
        isinstance(v, pd.DataFrame)
        and record_type in v.index
        and "configured" in v.columns
        and bool(v.loc[record_type, "configured"])
    )
    rows = accepted = rejected = 0
    if isinstance(v, pd.DataFrame) and record_type in v.index:
        row = v.loc[record_type]
        rows = int(pd.to_numeric(row.get("rows", 0), errors="coerce") or 0)
        accepted = int(pd.to_numeric(row.get("accepted", 0), errors="coerce") or 0)
        rejected = int(pd.to_numeric(row.get("rejected", 0), errors="coerce") or 0)
    elif not isinstance(v, pd.DataFrame):  # a stand-in workbook without a validation table
        n = len(_frame(wb, record_type))
        configured, rows, accepted = n > 0, n, n
    return {"configured": configured, "rows": rows, "accepted": accepted, "quarantined": rejected}


def _record_status(
    wb: Any, record_type: str, period: pd.Period, max_share: float, window: int, few: int
) -> dict[str, Any]:
    """Return the record type's facts: configured, accepted rows, months of history, fitness."""
    info = _validation_row(wb, record_type)
    frame = _frame(wb, record_type)
    months = _months(frame, record_type)
    last = P.last_month(period)
    if len(months):
        dated = months.notna()
        to_period = int((~dated | (months <= last)).sum())
        known = months[dated & (months <= last)]
        first = known.min() if len(known) else None
        in_window = int((~dated | ((months <= last) & (months > last - window))).sum())
        span = (last.ordinal - first.ordinal + 1) if first is not None else 0
    else:  # undated records (objectives, documents): all of them count
        to_period = in_window = len(frame)
        first, span = None, 0
    share = info["quarantined"] / info["rows"] if info["rows"] else None
    if not info["configured"]:
        reason, available = "not configured", False
    elif info["accepted"] == 0:
        reason = "no accepted rows" + (
            f" ({info['quarantined']:,} of {info['rows']:,} quarantined)" if info["rows"] else ""
        )
        available = False
    elif to_period == 0:
        reason, available = f"no accepted rows up to {period}", False
    else:
        reason, available = "", True
    many = share is not None and share > max_share and info["quarantined"] > few
    fit = not (info["configured"] and (info["accepted"] == 0 or many))
    return {
        "record_type": record_type,
        **info,
        "quarantined_share": share,
        "rows_to_period": to_period,
        "rows_in_window": in_window,
        "first_month": None if first is None else str(first),
        "months": int(span),
        "available": available,
        "fit": fit,
        "record_reason": reason,
    }


def assess(
    wb: Any,
    period: Any,
    as_of: Any = None,
    *,
    max_quarantined_share: float | None = None,
    few_quarantined_rows: int | None = None,
    window: int = 12,
) -> Assessability:
    """Return what each review input can be assessed on, for ``period``.

    Parameters
    ----------
    wb
        The sections' workbook (as at the reporting date; its ``validation`` is the load's).
    period
        Month or quarter under review.
    as_of
        Reporting date (recorded; the workbook view already stops at it).
    max_quarantined_share
        Share of a record type's rows that may be quarantined before the inputs it feeds are
        not fit to report. None: ``[quality] max_quarantined_share`` of the workbook's
        ``qms.toml``, else :data:`DEFAULT_MAX_QUARANTINED_SHARE`.
    few_quarantined_rows
        A record type with at most this many quarantined rows stays fit to report (with
        reservations) whatever its share: one bad row of a 12-row register is a reservation,
        not a reason to reject the register. None: ``[quality] few_quarantined_rows``, else
        :data:`DEFAULT_FEW_QUARANTINED_ROWS`.
    window
        Months, ending with the period, over which ``rows_in_window`` counts rows.
    """
    p = P.parse_period(period)
    if max_quarantined_share is None:
        quality = getattr(getattr(wb, "config", None), "quality", None)
        max_quarantined_share = getattr(
            quality, "max_quarantined_share", DEFAULT_MAX_QUARANTINED_SHARE
        )
    if few_quarantined_rows is None:
        quality = getattr(getattr(wb, "config", None), "quality", None)
        few_quarantined_rows = getattr(
            quality, "few_quarantined_rows", DEFAULT_FEW_QUARANTINED_ROWS
        )
    share = float(max_quarantined_share)
    few = int(few_quarantined_rows)
    facts: dict[str, dict[str, Any]] = {}
    rows = []
    for input_id, label, sid in _inputs():
        need = NEEDS.get(sid, Need())
        for role, names in (
            ("all", need.all_of),
            ("any", need.any_of),
            ("optional", need.optional),
        ):
            for rt in names:
                if rt not in facts:
                    facts[rt] = _record_status(wb, rt, p, share, window, few)
                rows.append(
                    {"input": input_id, "label": label, "section": sid, "role": role, **facts[rt]}
                )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    series = {}
    for name, s in SERIES.items():
        for rt in s.records:
            if rt not in facts:
                facts[rt] = _record_status(wb, rt, p, share, window, few)
        series[name] = _series_status(wb, s, facts, p)
    return Assessability(
        period=str(p),
        as_of=None if as_of is None else str(pd.Timestamp(as_of).date()),
        max_quarantined_share=share,
        frame=frame,
        series=pd.DataFrame(
            [{"series": k, **v} for k, v in series.items()],
            columns=["series", "records", "computed", "months", "screened", "reason"],
        ),
    )


def _series_status(
    wb: Any, s: SeriesNeed, facts: dict[str, dict[str, Any]], period: pd.Period
) -> dict[str, Any]:
    from qmsdata.stats import MIN_POINTS, enough_points

    missing = [
        f"{rt}: {facts[rt]['record_reason']}" for rt in s.records if not facts[rt]["available"]
    ]
    if not missing:
        for rt, col in s.columns:
            frame = _frame(wb, rt)
            values = frame[col] if col in frame.columns else pd.Series(dtype=float)
            if pd.to_numeric(values, errors="coerce").fillna(0).le(0).all():
                missing.append(f"{rt}: no {col} recorded")
    # months of history of the dated record types (objectives are undated: no history)
    dated = [facts[rt]["months"] for rt in s.records if facts[rt]["first_month"] is not None]
    months = min(dated, default=0)
    if missing:
        return {
            "records": ", ".join(s.records),
            "computed": False,
            "months": int(months),
            "screened": False,
            "reason": "; ".join(missing),
        }
    ok = bool(enough_points(int(months)))
    return {
        "records": ", ".join(s.records),
        "computed": True,
        "months": int(months),
        "screened": ok,
        "reason": "" if ok else f"{int(months)} months of history, need {MIN_POINTS}",
    }


@dataclass
class Assessability:
    """What each review input of one pack can be assessed on (see :func:`assess`).

    Attributes
    ----------
    period, as_of
        The period under review and the reporting date.
    max_quarantined_share
        The threshold used for fitness (``[quality] max_quarantined_share``).
    frame
        One row per (input, record type it reads): :data:`COLUMNS`.
    series
        One row per monitored series family (:data:`SERIES`): ``series, records, computed,
        months, screened, reason``.
    """

    period: str
    as_of: str | None
    max_quarantined_share: float
    frame: pd.DataFrame
    series: pd.DataFrame = field(default_factory=pd.DataFrame)

    # ------------------------------------------------------------------ per input
    def inputs(self) -> list[str]:
        """Return the review input ids, in pack order."""
        return [i for i, _, _ in _inputs()]

    def label(self, input_id: str) -> str:
        """Return the input's label, e.g. ``"9.3.2 c) 7 Performance of external providers"``."""
        for i, label, _ in _inputs():
            if i == input_id:
                return label
        return input_id

    def input_of(self, section_id: str) -> str | None:
        """Return the review input a section answers (None: not an input, e.g. the summary)."""
        rows = self.frame[self.frame["section"] == section_id]
        if len(rows):
            return str(rows["input"].iloc[0])
        from qmsdata.pack.sections import SECTIONS

        s = SECTIONS.get(section_id)
        return s.clause if s is not None and s.clause in set(self.frame["input"]) else None

    def _rows(self, key: str) -> pd.DataFrame:
        """Rows of an input given by its id or its section id."""
        f = self.frame
        return f[(f["input"] == key) | (f["section"] == key)]

    def assessed(self, key: str) -> bool:
        """Return True when the input (id or section id) has the records it needs."""
        rows = self._rows(key)
        need = self._need(key)
        every = rows[rows["role"] == "all"]
        some = rows[rows["role"] == "any"]
        if not bool(every["available"].all()):
            return False
        if need.via_series and any(self.screened(n) for n in need.series):
            return True
        if some.empty:
            return not need.via_series
        return bool(some["available"].any())

    def _need(self, key: str) -> Need:
        sid = key if key in NEEDS else self._section(key)
        return NEEDS.get(sid or "", Need())

    def _section(self, input_id: str) -> str | None:
        rows = self.frame[self.frame["input"] == input_id]
        if len(rows):
            return str(rows["section"].iloc[0])
        for i, _, sid in _inputs():
            if i == input_id:
                return sid
        return None

    def reason(self, key: str) -> str:
        """Return why the input is not assessed (``"risks: not configured"``), or ``""``."""
        if self.assessed(key):
            return ""
        rows = self._rows(key)
        bad = rows[(rows["role"] != "optional") & ~rows["available"].astype(bool)]
        every = bad[bad["role"] == "all"]
        some = bad[bad["role"] == "any"]
        parts = [f"{r.record_type}: {r.record_reason}" for r in every.itertuples()]
        need = self._need(key)
        alternatives = [f"{r.record_type} ({r.record_reason})" for r in some.itertuples()]
        if need.via_series and not parts:
            alternatives.append("no monitored series screened")
        if alternatives and not parts:
            parts.append(("none of " if len(alternatives) > 1 else "") + ", ".join(alternatives))
        return "; ".join(parts)

    def missing_optional(self, key: str) -> list[str]:
        """Return ``"record_type: reason"`` for the optional record types the input lacks."""
        rows = self._rows(key)
        bad = rows[(rows["role"] == "optional") & ~rows["available"].astype(bool)]
        return [f"{r.record_type}: {r.record_reason}" for r in bad.itertuples()]

    def available(self, record_type: str) -> bool:
        """Return True when ``record_type`` has accepted rows up to the period's end."""
        rows = self.frame[self.frame["record_type"] == record_type]
        return bool(len(rows)) and bool(rows["available"].iloc[0])

    def record_reason(self, record_type: str) -> str:
        """Return why ``record_type`` is not available (``"not configured"``), or ``""``."""
        rows = self.frame[self.frame["record_type"] == record_type]
        return str(rows["record_reason"].iloc[0]) if len(rows) else "not read by any input"

    def first_month(self, record_type: str) -> str | None:
        """Return the month of ``record_type``'s first record (``"2026-06"``), or None."""
        rows = self.frame[self.frame["record_type"] == record_type]
        if rows.empty or pd.isna(rows["first_month"].iloc[0]):
            return None
        return str(rows["first_month"].iloc[0])

    def fit(self, key: str) -> bool:
        """Return False when a record type the input reads is not fit to report."""
        rows = self._rows(key)
        return bool(rows["fit"].all()) if len(rows) else True

    def unfit_records(self, key: str | None = None) -> list[str]:
        """Return the record types that are not fit to report (for one input, or all)."""
        rows = self.frame if key is None else self._rows(key)
        return list(dict.fromkeys(rows.loc[~rows["fit"].astype(bool), "record_type"]))

    def status(self, key: str) -> str:
        """Return ``"assessed"``, ``"not assessed"`` or ``"not fit to report"``."""
        if not self.assessed(key):
            return "not assessed"
        return "assessed" if self.fit(key) else "not fit to report"

    def not_assessed(self) -> list[str]:
        """Return the input ids not assessed, in pack order."""
        return [i for i in self.inputs() if not self.assessed(i)]

    def not_fit(self) -> list[str]:
        """Return the input ids that are not fit to report (assessed or not), in pack order."""
        return [i for i in self.inputs() if not self.fit(i)]

    # ------------------------------------------------------------------ series
    def screened(self, series: str) -> bool:
        """Return True when the series family was computed with enough points for a verdict."""
        s = self.series[self.series["series"] == series]
        return bool(len(s)) and bool(s["screened"].iloc[0])

    def computed(self, series: str) -> bool:
        """Return True when the series family could be computed at all."""
        s = self.series[self.series["series"] == series]
        return bool(len(s)) and bool(s["computed"].iloc[0])

    def series_reason(self, series: str) -> str:
        """Return why the series has no verdict (not computed, or too short), or ``""``."""
        s = self.series[self.series["series"] == series]
        return str(s["reason"].iloc[0]) if len(s) else "not a monitored series"

    def input_series(self, key: str) -> list[str]:
        """Return the series families the input shows verdicts on."""
        return list(self._need(key).series)

    def unscreened(self, names: Iterable[str] | None = None) -> list[str]:
        """Return ``"series (reason)"`` for the series families without a verdict."""
        chosen = list(self.series["series"]) if names is None else list(names)
        return [f"{n} ({self.series_reason(n)})" for n in chosen if not self.screened(n)]

    def screening_sentence(self) -> str:
        """Return how many series families were screened and which could not be, in words."""
        total = len(self.series)
        done = [str(n) for n in self.series.loc[self.series["screened"].astype(bool), "series"]]
        text = f"{len(done)} of {total} monitored series families screened for variation"
        text += f" ({', '.join(done)})" if done else ""
        rest = self.unscreened()
        return text + (f"; not screened: {'; '.join(rest)}." if rest else ".")

    def inputs_not_screened(self) -> list[str]:
        """Return the labels of assessed inputs none of whose series could be screened."""
        out = []
        for i in self.inputs():
            names = self.input_series(i)
            if names and not any(self.screened(n) for n in names):
                out.append(self.label(i))
        return out

    # ------------------------------------------------------------------ pack-level words
    def coverage_sentence(self) -> str:
        """Return ``"covers 2 of 13 review inputs; 11 not assessed: ..."``."""
        ids = self.inputs()
        missing = self.not_assessed()
        text = f"covers {len(ids) - len(missing)} of {len(ids)} review inputs"
        if missing:
            text += f"; {len(missing)} not assessed: " + "; ".join(
                f"{self.label(i)} ({self.reason(i)})" for i in missing
            )
        return text

    def quality_verdict(self) -> str:
        """Return the data-quality verdict: fit / fit with reservations / not fit to report."""
        rec = self._records()
        configured = rec[rec["configured"].astype(bool)]
        unfit = configured[~configured["fit"].astype(bool)]
        if len(unfit):
            inputs = self.not_fit()
            what = "; ".join(
                _unfit_reason(r, self.max_quarantined_share) for r in unfit.itertuples()
            )
            return (
                f"Not fit to report: {what}. Inputs it feeds are not fit to report: "
                + ", ".join(self.label(i) for i in inputs)
                + "."
            )
        q = int(configured["quarantined"].sum())
        if q:
            n = int((configured["quarantined"] > 0).sum())
            return (
                f"Fit to report with reservations: {q:,} rows quarantined in {n} record "
                f"type{'s' if n != 1 else ''} (see Data quality)."
            )
        return "Fit to report."

    @property
    def fit_to_report(self) -> bool:
        """Return False when any configured record type is not fit to report."""
        return not self.unfit_records()

    def _records(self) -> pd.DataFrame:
        """Return one row per record type (the record facts, without the input columns)."""
        cols = [c for c in COLUMNS if c not in ("input", "label", "section", "role")]
        return self.frame[cols].drop_duplicates("record_type").reset_index(drop=True)

    def records(self) -> pd.DataFrame:
        """Return one row per record type read by any input: its facts and the inputs it feeds."""
        rec = self._records()
        feeds = self.frame.groupby("record_type", sort=False)["input"].agg(
            lambda s: ", ".join(dict.fromkeys(s))
        )
        return rec.assign(feeds=rec["record_type"].map(feeds))

    def table(self) -> pd.DataFrame:
        """Return one row per input, for the reader: input, status, reason, series verdicts."""
        rows = []
        for i in self.inputs():
            names = self.input_series(i)
            rows.append(
                {
                    "review input": self.label(i),
                    "status": self.status(i),
                    "reason": self.reason(i)
                    or (
                        "not fit to report: " + ", ".join(self.unfit_records(i))
                        if not self.fit(i)
                        else ""
                    ),
                    "trend and stability": (
                        "not applicable"
                        if not names
                        else "; ".join(
                            f"{n}: " + ("screened" if self.screened(n) else self.series_reason(n))
                            for n in names
                        )
                    ),
                }
            )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ storage
    def to_json(self) -> str:
        """Return the assessability as JSON text (read back with :meth:`from_json`)."""
        return (
            json.dumps(
                {
                    "period": self.period,
                    "as_of": self.as_of,
                    "max_quarantined_share": self.max_quarantined_share,
                    "frame": json.loads(self.frame.to_json(orient="records")),
                    "series": json.loads(self.series.to_json(orient="records")),
                },
                indent=1,
                sort_keys=True,
            )
            + "\n"
        )

    @classmethod
    def from_json(cls, text: str) -> Assessability:
        """Read an assessability written by :meth:`to_json`."""
        raw = json.loads(text)
        return cls(
            period=raw["period"],
            as_of=raw.get("as_of"),
            max_quarantined_share=float(raw["max_quarantined_share"]),
            frame=pd.DataFrame(raw["frame"], columns=COLUMNS),
            series=pd.DataFrame(
                raw["series"],
                columns=["series", "records", "computed", "months", "screened", "reason"],
            ),
        )


def _unfit_reason(row: Any, share: float) -> str:
    from qmsdata.pack import formatting as F

    if row.accepted == 0:
        return (
            f"{row.record_type} has no accepted rows "
            f"({F.count(row.quarantined)} of {F.count(row.rows)} quarantined)"
        )
    return (
        f"{row.record_type} has {F.percent(row.quarantined_share)} of its rows quarantined "
        f"({F.count(row.quarantined)} of {F.count(row.rows)}; more than {F.percent(share)} allowed)"
    )
