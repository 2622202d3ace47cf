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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGGREGATES", "Aggregate", "aggregate_frame", "aggregate_frames"]


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
        ``{output column: ("count", "") | ("sum", column)}``; a sum skips missing values and is
        0 for a group with none.
    """

    record_type: str
    date: str
    by: tuple[str, ...]
    measures: Mapping[str, tuple[Literal["count", "sum"], str]]

    @property
    def columns(self) -> list[str]:
        """Return the output columns in order."""
        return [*self.by, "month", *self.measures]


_NC: dict[str, tuple[Literal["count", "sum"], str]] = {
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
        },
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


def aggregate_frame(frame: pd.DataFrame, agg: Aggregate) -> pd.DataFrame:
    """Return the monthly table ``agg`` of an accepted (typed) frame, in pandas.

    Rows without an event date are left out (they belong to no month). Columns the frame lacks
    count as missing (one group; sums 0).
    """
    import numpy as np
    import pandas as pd

    rows = frame[frame[agg.date].notna()] if agg.date in frame.columns else frame.iloc[0:0]
    data: dict[str, pd.Series] = {}
    for col in agg.by:
        values = rows[col] if col in rows.columns else pd.Series(np.nan, index=rows.index)
        data[col] = values.astype("str").where(values.notna())
    month = pd.to_datetime(rows[agg.date]) if len(rows) else pd.Series([], dtype="datetime64[ns]")
    data["month"] = month.dt.to_period("M")
    for out, (how, col) in agg.measures.items():
        if how == "sum":
            values = rows[col] if col in rows.columns else pd.Series(np.nan, index=rows.index)
            data[f"_{out}"] = pd.to_numeric(values, errors="coerce").astype("float64")
    work = pd.DataFrame(data, index=rows.index)
    keys = [*agg.by, "month"]
    grouped = work.groupby(keys, dropna=False, sort=False, observed=True)
    parts = {}
    for out, (how, _col) in agg.measures.items():
        parts[out] = grouped.size() if how == "count" else grouped[f"_{out}"].sum(min_count=0)
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
        month.astype("period[M]")
        if isinstance(month.dtype, pd.PeriodDtype)
        else pd.to_datetime(month).dt.to_period("M")
    )
    for name, (how, _col) in agg.measures.items():
        out[name] = table[name].fillna(0).astype("int64" if how == "count" else "float64")
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
