"""The monthly series the analytics need, defined once and computed by either engine.

An :class:`Aggregate` names a record type, its event-date column (turned into the calendar month),
the grouping columns and the measures (``count`` of rows, ``sum`` of a column). The registry
:data:`AGGREGATES` is what travels back from Spark to the driver: counts and denominators by
site, process, defect code, supplier and customer per month, never the rows themselves.

:func:`aggregate_frame` computes one aggregate from an accepted pandas frame (the default engine);
:func:`qmsdata.engine.spark.aggregate` computes the same table on Spark. Both return the same
columns and dtypes (group columns as ``str`` with NaN for missing, ``month`` as ``Period[M]``,
counts ``int64``, sums ``float64``), sorted by the group columns and month, so that the two
engines' tables compare equal.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AGGREGATES",
    "ROWS",
    "Aggregate",
    "aggregate_frame",
    "aggregate_frames",
    "record_ids",
    "records_from_aggregates",
]


@dataclass(frozen=True)
class Aggregate:
    """One monthly series table.

    Parameters
    ----------
    record_type
        Record type aggregated (accepted rows only).
    date
        Event-date column; its calendar month is the ``month`` column.
    by
        Grouping columns (besides the month). Missing values form their own group.
    measures
        ``{output column: (how, column)}``: ``("count", "")`` rows, ``("count", col)`` rows
        where ``col`` is set, ``("sum", col)`` (skips missing values, 0 for a group with none),
        ``("max", col)`` the latest value, ``("count_le", "a<=b")`` rows where both are set and
        ``a <= b`` (a receipt on or before its due date).
    grain
        ``"M"``: the ``month`` column is the calendar month; ``"D"``: the day (``Period[D]``,
        for analytics that count in windows of days, e.g. a CAPA's 180 days after closure).
    subset
        ``""``: every accepted row. ``"capa_links"``: only the NCs linked to a CAPA (a
        ``capa_id``, or named by a CAPA's ``source_id``: :func:`nc_sources`), a CAPA x
        nonconformity link table. ``"capa_series"``: the rows of the groups (``by``) in which
        some row is linked: the series a CAPA acts on, and nothing else. A
        subset aggregate is used only by callers that ask for it
        (:func:`records_from_aggregates` ``subset=``), never as a stand-in for all rows.
    """

    record_type: str
    date: str
    by: tuple[str, ...]
    measures: Mapping[str, tuple[Measure, str]]
    grain: Literal["M", "D"] = "M"
    subset: Literal["", "capa_links", "capa_series"] = ""

    @property
    def columns(self) -> list[str]:
        """Return the output columns in order."""
        return [*self.by, "month", *self.measures]


Measure = Literal["count", "sum", "max", "count_le"]

_NC: dict[str, tuple[Measure, str]] = {
    "ncs": ("count", ""),
    "defects": ("sum", "quantity"),
    "cost": ("sum", "cost"),
}

#: name -> monthly series table. The analytics' series are sums over these (a site's ppm is
#: ``nc_site_process`` summed over processes divided by ``production_site``'s units_inspected).
AGGREGATES: dict[str, Aggregate] = {
    "nc_site_process": Aggregate(
        "nonconformities", "detected_date", ("site", "process", "source"), _NC
    ),
    "nc_site_defect": Aggregate(
        "nonconformities", "detected_date", ("site", "defect_code", "source"), _NC
    ),
    "nc_supplier": Aggregate("nonconformities", "detected_date", ("site", "supplier_id"), _NC),
    # disposition mix and the cost of poor quality (scrap / rework / other by source)
    "nc_disposition": Aggregate(
        "nonconformities", "detected_date", ("site", "source", "disposition"), _NC
    ),
    "production_site": Aggregate(
        "production",
        "date",
        ("site",),
        {
            "rows": ("count", ""),
            "units_produced": ("sum", "units_produced"),
            "units_inspected": ("sum", "units_inspected"),
            "units_shipped": ("sum", "units_shipped"),
        },
    ),
    "receipts_supplier": Aggregate(
        "supplier_receipts",
        "received_date",
        ("supplier_id",),
        {
            "receipts": ("count", ""),
            "quantity_received": ("sum", "quantity_received"),
            "quantity_rejected": ("sum", "quantity_rejected"),
            # on-time delivery (ISO 9001 8.4.1): receipts with a due date, and on or before it
            "due_receipts": ("count", "due_date"),
            "on_time_receipts": ("count_le", "received_date<=due_date"),
            "last_received": ("max", "received_date"),
        },
    ),
    # the CAPA x nonconformity links (10.2): one row per linked NC, its site, process, code
    "nc_capa": Aggregate(
        "nonconformities",
        "detected_date",
        ("capa_id", "nc_id", "site", "process", "defect_code"),
        {"ncs": ("count", "")},
        subset="capa_links",
    ),
    # daily counts of the series a CAPA acts on (same site, process and defect code as a linked
    # NC): capa_recurrence counts recurrences in days after closure, capa_effect by month
    "nc_capa_series": Aggregate(
        "nonconformities",
        "detected_date",
        ("site", "process", "defect_code"),
        {"ncs": ("count", "")},
        grain="D",
        subset="capa_series",
    ),
    "complaints_site_customer": Aggregate(
        "complaints",
        "received_date",
        ("site", "customer"),
        {
            "complaints": ("count", ""),
            "quantity_affected": ("sum", "quantity_affected"),
            "cost": ("sum", "cost"),
        },
    ),
}


def nc_sources(capas: pd.DataFrame | None) -> list[str]:
    """Return the nonconformity ids CAPAs name as their source (``source_id``), sorted.

    A CAPA links to an NC from either side: the NC's ``capa_id``, or the CAPA's ``source_id``
    with ``source_type`` nonconformity (every ``source_id`` when the export has no
    ``source_type``), as :func:`qmsdata.analytics.capa` joins them.
    """
    if capas is None or "source_id" not in capas.columns or not len(capas):
        return []
    rows = capas
    if "source_type" in capas.columns:
        rows = capas[capas["source_type"] == "nonconformity"]
    return sorted(str(v) for v in rows["source_id"].dropna().unique())


def subset_frame(
    frame: pd.DataFrame, agg: Aggregate, sources: Collection[str] = ()
) -> pd.DataFrame:
    """Return the rows of ``frame`` that aggregate ``agg`` covers (its :attr:`subset`).

    ``sources``: the NC ids CAPAs name (:func:`nc_sources`): those NCs are linked too.
    """
    import pandas as pd

    if not agg.subset:
        return frame
    linked = pd.Series(False, index=frame.index)
    if "capa_id" in frame.columns:
        linked |= frame["capa_id"].notna()
    if sources and "nc_id" in frame.columns:
        linked |= frame["nc_id"].isin(list(sources))
    if agg.subset == "capa_links":
        return frame[linked]
    by = [c for c in agg.by if c in frame.columns]
    groups = frame.loc[linked, by].drop_duplicates()
    # pandas joins missing to missing: a linked NC without a site marks the site-less series
    keep = frame[by].merge(groups.assign(_in=True), on=by, how="left")["_in"].notna()
    return frame[keep.to_numpy()]


def _measure_frame(rows: pd.DataFrame, how: str, col: str) -> pd.Series:
    """Return the per-row value a measure sums (count / sum / count_le) or takes the max of."""
    import numpy as np
    import pandas as pd

    def get(name: str) -> pd.Series:
        return rows[name] if name in rows.columns else pd.Series(np.nan, index=rows.index)

    if how == "count":
        return get(col).notna().astype("int64")
    if how == "count_le":
        a, b = (get(c) for c in col.split("<="))
        return (a.notna() & b.notna() & (a <= b)).astype("int64")
    if how == "max":
        return pd.to_datetime(get(col))
    return pd.to_numeric(get(col), errors="coerce").astype("float64")


def aggregate_frame(
    frame: pd.DataFrame, agg: Aggregate, sources: Collection[str] = ()
) -> pd.DataFrame:
    """Return the monthly table ``agg`` of an accepted (typed) frame, in pandas.

    Rows without an event date are left out (they belong to no month). Columns the frame lacks
    count as missing (one group; sums 0). ``sources``: see :func:`subset_frame`.
    """
    import numpy as np
    import pandas as pd

    rows = frame[frame[agg.date].notna()] if agg.date in frame.columns else frame.iloc[0:0]
    rows = subset_frame(rows, agg, sources)
    data: dict[str, pd.Series] = {}
    for col in agg.by:
        values = rows[col] if col in rows.columns else pd.Series(np.nan, index=rows.index)
        data[col] = values.astype("str").where(values.notna())
    month = pd.to_datetime(rows[agg.date]) if len(rows) else pd.Series([], dtype="datetime64[ns]")
    data["month"] = month.dt.to_period(agg.grain)
    for out, (how, col) in agg.measures.items():
        if how != "count" or col:
            data[f"_{out}"] = _measure_frame(rows, how, col)
    work = pd.DataFrame(data, index=rows.index)
    keys = [*agg.by, "month"]
    grouped = work.groupby(keys, dropna=False, sort=False, observed=True)
    parts = {}
    for out, (how, col) in agg.measures.items():
        if how == "count" and not col:
            parts[out] = grouped.size()
        elif how == "max":
            parts[out] = grouped[f"_{out}"].max()
        else:
            parts[out] = grouped[f"_{out}"].sum(min_count=0)
    if len(work):
        table = pd.DataFrame(parts).reset_index()
    else:
        table = pd.DataFrame({k: work[k] for k in keys} | {k: [] for k in agg.measures})
    return tidy(table, agg)


def tidy(table: pd.DataFrame, agg: Aggregate) -> pd.DataFrame:
    """Return ``table`` with the aggregate's columns, dtypes and row order (engine-neutral)."""
    import pandas as pd

    out = {}
    for col in agg.by:
        s = table[col]
        out[col] = s.astype("str").where(s.notna())
    month = table["month"]
    out["month"] = (
        month.astype(f"period[{agg.grain}]")
        if isinstance(month.dtype, pd.PeriodDtype)
        else pd.to_datetime(month).dt.to_period(agg.grain)
    )
    for name, (how, _col) in agg.measures.items():
        if how == "max":
            # the loader's date unit (qmsdata.records: dates are datetime64[us])
            out[name] = pd.to_datetime(table[name]).astype("datetime64[us]")
        else:
            dtype = "float64" if how == "sum" else "int64"
            out[name] = table[name].fillna(0).astype(dtype)
    result = pd.DataFrame(out)
    return result.sort_values([*agg.by, "month"], na_position="first", kind="stable").reset_index(
        drop=True
    )


def aggregate_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return every aggregate of :data:`AGGREGATES` whose record type is in ``frames``."""
    return {
        name: aggregate_frame(frames[agg.record_type], agg)
        for name, agg in AGGREGATES.items()
        if agg.record_type in frames
    }


# --- the analytics above the aggregates -------------------------------------------------------

#: weight column of records rebuilt from an aggregate: how many records one row stands for
ROWS = "_rows"


def _provides(agg: Aggregate) -> set[str]:
    """Return the record columns an aggregate can stand in for (groups, date, measured)."""
    measured = {c for _how, col in agg.measures.values() for c in col.split("<=") if c}
    return {*agg.by, agg.date} | measured


def records_from_aggregates(
    aggregates: Mapping[str, pd.DataFrame],
    record_type: str,
    columns: Sequence[str] = (),
    *,
    subset: str = "",
) -> pd.DataFrame | None:
    """Return ``record_type``'s rows rebuilt from a monthly aggregate, one row per group x month.

    The adapter between the Spark engine and the analytics: every record column an analytic
    reads is one of the aggregate's grouping columns, its event date (the first day of the
    month, or the day for a daily aggregate) or a summed column (``quantity`` holds the group's
    sum); :data:`ROWS` holds how many records the row stands for (count them with
    :func:`qmsdata.analytics.periods.counts`). Sums, counts and monthly groupings over these
    rows equal those over the records. Other measures keep their names (``due_receipts``,
    ``on_time_receipts``, ``last_received``): the analytic reads them when present.
    ``subset``: only an aggregate of that :attr:`Aggregate.subset` is chosen (default: the
    aggregates of all rows).

    The aggregate chosen is the smallest of ``record_type``'s (fewest grouping columns) that
    provides every one of ``columns``; None when none does (the analytic needs the rows, e.g.
    a CAPA's linked nonconformities) or when no aggregate of ``record_type`` was computed.
    """
    import pandas as pd

    fitting = [
        (len(agg.by), name, agg)
        for name, agg in AGGREGATES.items()
        if agg.record_type == record_type
        and name in aggregates
        and agg.subset == subset
        and set(columns) <= _provides(agg)
    ]
    if not fitting:
        return None
    _, name, agg = min(fitting, key=lambda t: t[0])
    table = aggregates[name]
    data: dict[str, pd.Series] = {c: table[c] for c in agg.by}
    data[agg.date] = table["month"].dt.start_time
    for out, (how, col) in agg.measures.items():
        if how == "count" and not col:
            data[ROWS] = table[out]
        else:
            data[col if how == "sum" else out] = table[out]
    frame = pd.DataFrame(data, index=table.index)
    frame.attrs["aggregate"] = name
    return frame


def record_ids(
    workbook: object,
    record_type: str,
    month: str | pd.Period | None = None,
    *,
    limit: int = 10_000,
    **series: str | None,
) -> list[str]:
    """Return the keys of the records behind one series point (or the whole series).

    Either engine: a workbook from the Spark engine asks Spark
    (:meth:`qmsdata.engine.spark.SparkLoad.record_ids`, only the ids travel); a pandas
    workbook filters its rows. Keys of several columns are joined with " | " on both.

    >>> record_ids(wb, "nonconformities", "2026-10", site="Brno", process="SMT")
    ... # doctest: +SKIP
    """
    import pandas as pd

    from qmsdata.records import RECORD_TYPES

    engine = getattr(workbook, "engine", None)
    if engine is not None and record_type in getattr(engine, "accepted", {}):
        return list(engine.record_ids(record_type, month, limit=limit, **series))
    spec = RECORD_TYPES[record_type]
    frame = workbook[record_type]  # type: ignore[index]
    keep = pd.Series(True, index=frame.index)
    for col, value in series.items():
        values = frame[col].astype(object)
        keep &= values.isna() if value is None else values == value
    if month is not None:
        date = next(a.date for a in AGGREGATES.values() if a.record_type == record_type)
        keep &= pd.to_datetime(frame[date]).dt.to_period("M") == pd.Period(month, freq="M")
    rows = frame[keep]
    keys = rows[list(spec.key)].astype(str)
    ids = keys.iloc[:, 0] if len(spec.key) == 1 else keys.agg(" | ".join, axis=1)
    return sorted(ids.tolist())[:limit]
