"""Aggregation on Spark: the monthly (or daily) series of :data:`AGGREGATES`, to the driver.

Part of the Spark engine (:mod:`qmsdata.engine.spark`): the accepted rows stay on Spark, only
the grouped tables come back as pandas. The pandas engine computes the same tables in
:mod:`qmsdata.engine.aggregates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from qmsdata.engine.aggregates import Aggregate, tidy

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column as SCol
    from pyspark.sql import DataFrame

__all__ = ["aggregate", "aggregate_many"]


def _measure(out: str, how: str, col: str, present: set[str]) -> SCol:
    """Return the Spark aggregate expression of one measure (see :class:`Aggregate`)."""
    from pyspark.sql import functions as F

    if how == "count" and not col:
        return F.count(F.lit(1)).alias(out)
    if how == "count_le":
        a, b = col.split("<=")
        if a not in present or b not in present:
            return F.lit(0).cast("long").alias(out)
        hit = F.col(a).isNotNull() & F.col(b).isNotNull() & (F.col(a) <= F.col(b))
        return F.sum(hit.cast("long")).alias(out)
    if col not in present:
        return (F.lit(None).cast("timestamp") if how == "max" else F.lit(0.0)).alias(out)
    if how == "count":
        return F.count(F.col(col)).alias(out)
    if how == "max":
        return F.max(col).alias(out)
    return F.coalesce(F.sum(col), F.lit(0.0)).alias(out)


def nc_sources(capas: DataFrame | None) -> DataFrame | None:
    """Return the distinct NC ids CAPAs name as their source (one column ``_src``), or None.

    Spark's :func:`qmsdata.engine.aggregates.nc_sources`: ``source_id`` of CAPAs whose
    ``source_type`` is nonconformity (every one when the export has no ``source_type``).
    """
    from pyspark.sql import functions as F

    if capas is None or "source_id" not in capas.columns:
        return None
    rows = capas.where(F.col("source_id").isNotNull())
    if "source_type" in capas.columns:
        rows = rows.where(F.col("source_type") == F.lit("nonconformity"))
    return rows.select(F.col("source_id").cast("string").alias("_src")).distinct()


def _subset(frame: DataFrame, agg: Aggregate, sources: DataFrame | None = None) -> DataFrame:
    """Return the rows of ``frame`` that ``agg`` covers (its subset, see :class:`Aggregate`)."""
    from pyspark.sql import functions as F

    if not agg.subset:
        return frame
    flag = F.col("capa_id").isNotNull() if "capa_id" in frame.columns else F.lit(False)
    if sources is not None and "nc_id" in frame.columns:
        # the CAPAs' sources are few (one per CAPA at most) and distinct: broadcast, no
        # duplicated rows
        frame = frame.join(F.broadcast(sources), frame["nc_id"] == sources["_src"], "left")
        flag = flag | F.col("_src").isNotNull()
        linked = frame.where(flag).drop("_src")
        frame = frame.drop("_src")
    else:
        linked = frame.where(flag)
    if agg.subset == "capa_links":
        return linked
    by = [c for c in agg.by if c in frame.columns]
    # the linked series are few (one per CAPA at most): broadcast them; null-safe equality so a
    # linked NC without a site marks the site-less series, as in pandas
    groups = linked.select(*[F.col(c).alias(f"_g_{c}") for c in by]).distinct()
    on = [F.col(c).eqNullSafe(F.col(f"_g_{c}")) for c in by]
    cond = on[0]
    for more in on[1:]:
        cond = cond & more
    return frame.join(F.broadcast(groups), cond, "left_semi")


def aggregate(
    accepted: DataFrame, agg: Aggregate, sources: DataFrame | None = None
) -> pd.DataFrame:
    """Compute one monthly aggregate on Spark and return it to the driver as pandas.

    ``sources``: the NC ids CAPAs name (:func:`nc_sources`), linked NCs for subset aggregates.
    """
    from pyspark.sql import functions as F

    cols = set(accepted.columns)
    frame = _subset(accepted.where(F.col(agg.date).isNotNull()), agg, sources).withColumn(
        "month", F.date_trunc("day" if agg.grain == "D" else "month", F.col(agg.date))
    )
    measures = [_measure(out, how, col, cols) for out, (how, col) in agg.measures.items()]
    by = [F.col(c) if c in cols else F.lit(None).cast("string").alias(c) for c in agg.by]
    table = frame.groupBy(*by, "month").agg(*measures).toPandas()
    return tidy(table, agg)


def aggregate_many(accepted: DataFrame, aggs: Mapping[str, Aggregate]) -> dict[str, pd.DataFrame]:
    """Compute several aggregates of one record type in one pass (Spark grouping sets).

    Every aggregate must share the record type, event date, grain and subset (all rows); their
    grouping columns may differ. Spark groups each row once per grouping set, in one job and
    one shuffle, instead of a job per aggregate; ``grouping_id`` tells the sets apart (a
    missing value is a group, not "aggregated over").
    """
    from pyspark.sql import functions as F

    items = list(aggs.items())
    if len(items) == 1:
        return {items[0][0]: aggregate(accepted, items[0][1])}
    date = items[0][1].date
    cols = list(dict.fromkeys(c for _, a in items for c in a.by))
    present = set(accepted.columns)
    frame = accepted.where(F.col(date).isNotNull()).select(
        *[F.col(c) if c in present else F.lit(None).cast("string").alias(c) for c in cols],
        F.date_trunc("month", F.col(date)).alias("month"),
        *[c for c in present if c not in cols],
    )
    measures: dict[str, SCol] = {}
    for _, agg in items:
        for out, (how, col) in agg.measures.items():
            measures[out] = _measure(out, how, col, present)
    order = [*cols, "month"]
    sets = [[*agg.by, "month"] for _, agg in items]
    table: pd.DataFrame = (
        frame.groupingSets(sets, *order)
        .agg(*measures.values(), F.grouping_id().alias("_gid"))
        .toPandas()
    )
    result: dict[str, pd.DataFrame] = {}
    for (name, agg), group in zip(items, sets, strict=True):
        gid = sum(1 << (len(order) - 1 - i) for i, c in enumerate(order) if c not in group)
        part = table[table["_gid"] == gid]
        result[name] = tidy(part[[*agg.by, "month", *agg.measures]], agg)
    return result
