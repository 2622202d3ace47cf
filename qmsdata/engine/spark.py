"""The Spark engine: read, type, validate and aggregate the large record types where they live.

With ``[engine] name = "spark"`` in ``qms.toml`` the large record types (:data:`LARGE`:
nonconformities, supplier receipts, production volumes) are read by Spark — a Parquet folder
(partitioned by site or month, ``site=Leeds/part-0.parquet``), a Parquet file, a CSV file or
folder, or a table of the Spark catalogue (``source = "spark:db.table"``) — typed per the record
spec, validated with Spark SQL expressions generated from the same spec as the pandas engine's
great-expectations suite, and aggregated on Spark to the monthly series of
:data:`qmsdata.engine.aggregates.AGGREGATES`. Only three things travel to the driver: those
aggregates, the quarantine (the failing rows' key, check, column, value and message) and, on
request, the record IDs behind one flagged series (:meth:`SparkLoad.record_ids`).

Why Spark SQL expressions rather than great-expectations' Spark execution engine: the checks
are one ``select`` over the data (every check of every column is a column expression of the
same pass; uniqueness one ``groupBy`` of the key, references one anti-join), whereas GX on Spark
runs a Spark job per metric of each expectation (unexpected count, then the unexpected rows
with ``unexpected_index_column_names`` collected to the driver) — several passes over the data
per expectation. Measured (2026-12-01, the pandas engine's 16-expectation nonconformities
suite run by GX 1.24's Spark datasource on a cached DataFrame, ``result_format="COMPLETE"``
with ``unexpected_index_column_names=["nc_id"]``, PySpark 4.1.4 ``local[2]`` on the shared
2-core machine under load): 5.7 s at 10 000 rows, 4.8 s at 200 000 and 65 s at 1 000 000 rows
— a fixed cost of ~5 s per suite, then super-linear growth (the unexpected rows of every
expectation are collected to the driver one expectation at a time). GX also cannot do the
``type`` check (a value lost in conversion) nor, affordably, ``reference`` (see
``qmsdata.validate._check_references``), so Spark SQL is needed beside it anyway. The checks
here are the same ones, named as in the pandas engine's failures table, and the tests compare
the two engines' quarantine (key, column, check) and aggregates.

PySpark is imported lazily: importing this module costs nothing; :func:`session` starts (or
reuses) a local Spark, offline, bound to 127.0.0.1, without UI, with few shuffle partitions and
quiet logs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.engine.aggregates import AGGREGATES
from qmsdata.engine.spark_aggregate import aggregate, aggregate_many, nc_sources
from qmsdata.errors import QmsError, SchemaError, SourceError
from qmsdata.records import RECORD_TYPES, Column, RecordSpec
from qmsdata.validation.failures import CHECKS, type_hint

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column as SCol
    from pyspark.sql import DataFrame, SparkSession

    from qmsdata.config import EngineConfig, RecordSource, WorkbookConfig

__all__ = [
    "LARGE",
    "QUARANTINE_COLUMNS",
    "SparkLoad",
    "aggregate",
    "load",
    "read",
    "session",
    "type_columns",
    "validate",
]

#: record types the Spark engine reads; the others stay small and go through the pandas loader.
LARGE = ("nonconformities", "supplier_receipts", "production")

#: columns of the quarantine that comes back to the driver: one row per failing row, check and
#: column; ``key`` is the record's key (key columns joined with " | "), the row's identity.
QUARANTINE_COLUMNS = ["record_type", "key", "column", "check", "failure_case", "message"]

#: Spark settings of every session this module starts (``[engine] options`` override them).
DEFAULT_OPTIONS: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # pandas writes nanosecond timestamps, which Spark cannot read as timestamps: read them as
    # longs and convert (see _typed)
    "spark.sql.legacy.parquet.nanosAsLong": "true",
    "spark.driver.memory": "1g",
}

#: bounds on the driver JVM's memory outside its heap (direct buffers, class metadata, compiled
#: code), so that heap (``spark.driver.memory``) + these stay near the 2 GiB driver budget; at
#: 10M rows the unbounded JVM was seen at 2.3 GiB resident with a 1 GiB heap
JVM_LIMITS = "-XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m -XX:ReservedCodeCacheSize=128m"

#: errors-only log4j2 settings shipped with the package (Spark's default logs at WARN and INFO)
LOG4J = Path(__file__).with_name("log4j2.properties")

_ENUM_SEP = r"[\s\-]+"


# --- session ---------------------------------------------------------------------------------


def session(
    master: str = "local[2]",
    options: Mapping[str, str] | None = None,
    *,
    app_name: str = "qmsdata",
) -> SparkSession:
    """Return a Spark session at ``master`` (reused when one is already active).

    Parameters
    ----------
    master
        Spark master URL; ``local[2]`` runs Spark in this machine's JVM with two threads.
    options
        Extra Spark settings, applied over :data:`DEFAULT_OPTIONS`.

    Raises
    ------
    QmsError
        PySpark is not installed or Java cannot be started.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise QmsError(
            "the Spark engine needs PySpark",
            hint="Run `make setup` (PySpark is in requirements.lock) or pip install pyspark.",
        ) from None
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName(app_name)
    quiet = {
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J} {JVM_LIMITS}"
    }
    for key, value in {**DEFAULT_OPTIONS, **quiet, **dict(options or {})}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Py4J / Java missing: PySparkRuntimeError, FileNotFoundError ...
        raise QmsError(
            f"cannot start Spark at {master}: {exc}",
            hint="Spark needs Java 17+ (Debian: apt-get install default-jre-headless; "
            "`make setup` does it as root) and JAVA_HOME or java on PATH.",
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def java_available() -> bool:
    """Return True when a Java runtime is found (JAVA_HOME or ``java`` on PATH)."""
    import shutil

    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


# --- reading ---------------------------------------------------------------------------------


def read(spark: SparkSession, rs: RecordSource, root: Path) -> DataFrame:
    """Return the raw Spark DataFrame of one record source (nothing is read yet: Spark is lazy).

    ``source`` may be a Parquet file or folder (hive-partitioned folders ``site=Leeds/`` add
    their partition column as text), a CSV file or folder (every cell text, like the pandas
    CSV reader), or ``spark:<table>`` for a table of the session's catalogue.
    """
    if rs.source.startswith("spark:"):
        return spark.table(rs.source.removeprefix("spark:"))
    if rs.is_sql:
        raise SourceError(
            "the Spark engine reads files and Spark tables, not SQLAlchemy URLs",
            record_type=rs.record_type,
            hint='Use source = "spark:db.table" for a catalogue table, or the pandas engine.',
        )
    path = rs.path(root)
    if not path.exists():
        raise SourceError(
            "source not found",
            file=path,
            record_type=rs.record_type,
            hint=f"Check source = {rs.source!r} in qms.toml (relative to the workbook folder).",
        )
    suffix = path.suffix.lower()
    is_parquet = suffix in (".parquet", ".pq") or (path.is_dir() and any(path.rglob("*.parquet")))
    if is_parquet:
        frame = spark.read.parquet(str(path))
    else:
        frame = (
            spark.read.option("header", "true")
            .option("sep", rs.delimiter)
            .option("encoding", rs.encoding.replace("utf-8-sig", "utf-8"))
            .option("inferSchema", "false")
            .option("ignoreLeadingWhiteSpace", "false")
            .option("ignoreTrailingWhiteSpace", "false")
            .csv(str(path))
        )
    for name in frame.columns:
        clean = name.replace("\ufeff", "").strip()
        if clean != name:
            frame = frame.withColumnRenamed(name, clean)
    return frame


def map_columns(
    available: Iterable[str], spec: RecordSpec, columns: Mapping[str, str], *, file: Any = None
) -> dict[str, str]:
    """Return ``{canonical: source column}`` (same rules as the pandas engine)."""
    names = list(available)
    folded: dict[str, list[str]] = {}
    for n in names:
        folded.setdefault(n.strip().casefold(), []).append(n)
    mapping: dict[str, str] = {}
    for col in spec.columns:
        wanted = columns.get(col.name, col.name)
        if wanted in names:
            mapping[col.name] = wanted
            continue
        hits = folded.get(wanted.strip().casefold(), [])
        if len(hits) == 1:
            mapping[col.name] = hits[0]
        elif col.required or col.name in columns:
            raise SchemaError(
                f"column {col.name!r} is missing; the source has: {', '.join(names)}",
                file=None if file is None else str(file),
                record_type=spec.name,
                column=col.name,
                hint=f"Map it in [records.{spec.name}.columns] of qms.toml.",
            )
    return mapping


# --- typing ----------------------------------------------------------------------------------


def _java_format(strftime: str) -> str:
    """Translate a strftime date format into a Spark datetime pattern (common codes only)."""
    table = {"%d": "dd", "%m": "MM", "%Y": "yyyy", "%y": "yy", "%H": "HH", "%M": "mm"}
    table |= {"%S": "ss", "%b": "MMM", "%B": "MMMM", "%%": "%"}
    out = []
    i = 0
    while i < len(strftime):
        two = strftime[i : i + 2]
        if two in table:
            out.append(table[two])
            i += 2
        elif strftime[i].isalpha():
            out.append(f"'{strftime[i]}'")
            i += 1
        else:
            out.append(strftime[i])
            i += 1
    return "".join(out)


def _text(c: SCol) -> SCol:
    """Return the cell as text with surrounding white space removed; empty -> null."""
    from pyspark.sql import functions as F

    # the ASCII white space set, without a regular expression per cell
    t = F.btrim(c.cast("string"), F.lit(" \t\n\r\x0b\x0c"))
    return F.when(t == "", F.lit(None)).otherwise(t)


def _typed(raw: SCol, dtype: str, col: Column, date_format: str | None) -> tuple[SCol, SCol]:
    """Return (typed column, 'could not be read' flag) for one canonical column."""
    from pyspark.sql import functions as F

    false = F.lit(False)
    if col.kind in ("id", "text", "site"):
        if dtype in ("double", "float"):  # 12.0 -> "12" like the pandas engine
            whole = F.when(raw == F.floor(raw), raw.cast("long").cast("string"))
            return _text(whole.otherwise(raw.cast("string"))), false
        return _text(raw), false
    if col.kind == "enum":
        low = F.lower(_text(raw))
        # most cells already are one of the allowed values (no space or hyphen to replace): a
        # set lookup instead of a regular expression per cell; the same result for every cell
        plain = [v for v in col.allowed or () if not re.search(r"[\s\-]", v)]
        spaced = F.regexp_replace(low, _ENUM_SEP, "_")
        return (F.when(low.isin(plain), low).otherwise(spaced) if plain else spaced), false
    if col.kind in ("number", "count"):
        if dtype in ("string",) or dtype.startswith("varchar"):
            text = _text(raw)
            num = text.try_cast("double")
            present = text.isNotNull()
        else:
            num = raw.cast("double")
            present = raw.isNotNull() & ~F.isnan(num)  # NaN in a numeric column is missing
        good = num.isNotNull() & ~F.isnan(num) & (F.abs(num) != F.lit(float("inf")))
        if col.kind == "count":
            good = good & (num == F.floor(num))
        return F.when(good, num), present & ~good
    if col.kind in ("date", "period"):
        if dtype in ("timestamp", "timestamp_ntz", "date"):
            ts = raw.cast("timestamp")
            present = raw.isNotNull()
        elif dtype in ("bigint", "long"):  # nanosecond timestamps read as longs
            ts = F.timestamp_micros(F.floor(raw / 1000).cast("long"))
            present = raw.isNotNull()
        else:
            text = _text(raw.cast("string"))
            present = text.isNotNull()
            if col.kind == "period":
                formats = ["yyyy-MM", "yyyy-MM-dd", "MMM yyyy", "MMMM yyyy"]
            elif date_format:
                formats = [_java_format(date_format)]
            else:
                formats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"]
            ts = F.coalesce(*[F.try_to_timestamp(text, F.lit(f)) for f in formats])
        if col.kind == "period":
            ts = F.date_trunc("month", ts)
        return ts, present & ts.isNull()
    raise ValueError(f"unknown column kind {col.kind!r}")  # pragma: no cover - spec bug


def type_columns(
    raw: DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    date_format: str | None = None,
    sites: Sequence[str] = (),
) -> DataFrame:
    """Return ``raw`` with typed canonical columns added (and ``_raw_<col>`` / ``_bad_<col>``).

    Typed columns are text (``string``), numbers (``double``) and dates (``timestamp``; months
    as their first day). ``_raw_<col>`` keeps the cell as read (text) for the quarantine;
    ``_bad_<col>`` is true where a value was present but could not be read (check ``type``).
    """
    from pyspark.sql import functions as F

    dtypes = dict(raw.dtypes)
    select: list[SCol] = []
    site_map = {s.strip().casefold(): s.strip() for s in sites}
    for col in spec.columns:
        if col.name not in mapping:
            null_type = {"number": "double", "count": "double", "date": "timestamp"}
            kind = null_type.get(col.kind, "timestamp" if col.kind == "period" else "string")
            select += [
                F.lit(None).cast(kind).alias(col.name),
                F.lit(None).cast("string").alias(f"_raw_{col.name}"),
                F.lit(False).alias(f"_bad_{col.name}"),
            ]
            continue
        src = F.col(f"`{mapping[col.name]}`")
        typed, bad = _typed(src, dtypes[mapping[col.name]], col, date_format)
        if col.kind == "site" and site_map:
            lookup = F.create_map(*[F.lit(x) for kv in site_map.items() for x in kv])
            typed = F.coalesce(lookup[F.lower(typed)], typed)
        raw_text = src.cast("string")
        if dtypes[mapping[col.name]] in ("timestamp", "timestamp_ntz"):
            raw_text = F.date_format(src, "yyyy-MM-dd")
        select += [
            typed.alias(col.name),
            raw_text.alias(f"_raw_{col.name}"),
            bad.alias(f"_bad_{col.name}"),
        ]
    return raw.select(*select)


# --- checks ----------------------------------------------------------------------------------


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def _checks(
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    as_of: dt.date,
    sites: Sequence[str],
    date_format: str | None = None,
) -> list[tuple[str, str, SCol, SCol, SCol]]:
    """Return ``(check, column, fails, failure_case, message)`` column expressions per check."""
    from pyspark.sql import functions as F

    have = set(mapping)
    out: list[tuple[str, str, SCol, SCol, SCol]] = []

    def raw(name: str) -> SCol:
        return F.col(f"_raw_{name}")

    def readable(name: str) -> SCol:
        return ~F.col(f"_bad_{name}")

    for col in spec.columns:
        name = col.name
        value = F.col(name)
        if name not in have:
            continue
        kind_words = {"number": "a number", "count": "a whole number"}
        kind_words |= {"date": "a date", "period": "a month"}
        if col.kind in kind_words:
            hint = type_hint(col.kind, date_format)
            out.append(
                (
                    "type",
                    name,
                    F.col(f"_bad_{name}"),
                    raw(name),
                    F.concat(
                        F.lit(f"{name}: cannot read '"),
                        raw(name),
                        F.lit(f"' as {kind_words[col.kind]}{hint}"),
                    ),
                )
            )
        if col.required:
            out.append(
                (
                    "not_null",
                    name,
                    value.isNull() & readable(name),
                    raw(name),
                    F.lit(f"{name}: missing (required)"),
                )
            )
        allowed: list[tuple[str, ...]] = []
        if col.allowed:
            allowed.append(col.allowed)
        if col.kind == "site" and sites:
            allowed.append(tuple(s.strip() for s in sites))
        for values in allowed:
            out.append(
                (
                    "allowed_values",
                    name,
                    value.isNotNull() & ~value.isin(list(values)),
                    raw(name),
                    F.concat(
                        F.lit(f"{name}: value '"), raw(name), F.lit(f"' not in {'|'.join(values)}")
                    ),
                )
            )
        if col.pattern:
            out.append(
                (
                    "pattern",
                    name,
                    value.isNotNull() & ~value.rlike(f"^(?:{col.pattern})$"),
                    raw(name),
                    F.concat(
                        F.lit(f"{name}: value '"),
                        raw(name),
                        F.lit("' does not have the expected form (e.g. 8.5.1)"),
                    ),
                )
            )
        if col.min is not None or col.max is not None:
            fails = F.lit(False)
            if col.min is not None:
                fails = fails | (value < F.lit(col.min))
            if col.max is not None:
                fails = fails | (value > F.lit(col.max))
            if col.min is not None and col.max is not None:
                need = f"between {_fmt_number(col.min)} and {_fmt_number(col.max)}"
            elif col.min is not None:
                need = f">= {_fmt_number(col.min)}"
            else:
                need = f"<= {_fmt_number(col.max)}"  # type: ignore[arg-type]
            out.append(
                (
                    "range",
                    name,
                    value.isNotNull() & fails,
                    raw(name),
                    F.concat(F.lit(f"{name}: value "), raw(name), F.lit(f" is not {need}")),
                )
            )
        if (col.kind == "date" and not col.future_ok) or col.kind == "period":
            limit = as_of + dt.timedelta(days=1)
            if col.kind == "period":
                fails = value > F.lit(dt.datetime.combine(as_of, dt.time()))
            else:
                fails = value >= F.lit(dt.datetime.combine(limit, dt.time()))
            out.append(
                (
                    "not_future",
                    name,
                    value.isNotNull() & fails,
                    raw(name),
                    F.concat(F.lit(f"{name}: "), raw(name), F.lit(f" is after as_of {as_of}")),
                )
            )
    for order in spec.orders:
        if order.low in have and order.high in have:
            word = "before" if spec.column(order.high).kind == "date" else "less than"
            out.append(
                (
                    order.check,
                    order.high,
                    F.col(order.high) < F.col(order.low),
                    raw(order.high),
                    F.concat(
                        F.lit(f"{order.high}: "),
                        raw(order.high),
                        F.lit(f" is {word} {order.low} "),
                        raw(order.low),
                    ),
                )
            )
    for rule in spec.status_rules:
        if rule.status in have and rule.requires in have:
            out.append(
                (
                    rule.check,
                    rule.requires,
                    F.col(rule.status).isin(list(rule.values)) & F.col(rule.requires).isNull(),
                    raw(rule.status),
                    F.concat(
                        F.lit(f"{rule.requires}: missing although {rule.status} is '"),
                        raw(rule.status),
                        F.lit("'"),
                    ),
                )
            )
    return out


def _key(spec: RecordSpec) -> SCol:
    """Return the row's key as text: key columns (typed) joined with " | "."""
    from pyspark.sql import functions as F

    parts = [F.coalesce(F.col(k).cast("string"), F.lit("None")) for k in spec.key]
    if spec.column(spec.key[0]).kind == "date" or len(parts) > 1:
        parts = [
            F.coalesce(F.col(f"_raw_{k}"), F.lit("None")) if spec.column(k).kind == "date" else p
            for k, p in zip(spec.key, parts, strict=True)
        ]
    return parts[0] if len(parts) == 1 else F.concat_ws(" | ", *parts)


def validate(
    typed: DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    as_of: dt.date,
    sites: Sequence[str] = (),
    references: Mapping[str, DataFrame] | None = None,
    date_format: str | None = None,
) -> tuple[DataFrame, DataFrame]:
    """Return ``(accepted, failures)`` Spark DataFrames of a typed frame (lazy, not computed).

    ``failures`` has :data:`QUARANTINE_COLUMNS`; ``accepted`` the canonical typed columns of the
    rows without any failure. The checks are those of the pandas engine: type, not_null,
    allowed_values, pattern, range, not_future, unique (every row sharing a repeated key),
    the column-order checks, status_consistency and reference (``references``: column -> a
    one-column DataFrame of the ids in the referenced record type's source).
    """
    from pyspark.sql import functions as F

    frame = checked(
        typed,
        spec,
        mapping,
        as_of=as_of,
        sites=sites,
        references=references,
        date_format=date_format,
    )
    bad = F.size("_failures") > 0
    return frame.where(~bad).select(*spec.names), quarantine(frame, spec)


def checked(
    typed: DataFrame,
    spec: RecordSpec,
    mapping: Mapping[str, str],
    *,
    as_of: dt.date,
    sites: Sequence[str] = (),
    references: Mapping[str, DataFrame] | None = None,
    date_format: str | None = None,
) -> DataFrame:
    """Return ``typed`` with ``_key`` and ``_failures`` (array of failure structs) added."""
    from pyspark.sql import functions as F

    checks = _checks(spec, mapping, as_of=as_of, sites=sites, date_format=date_format)
    frame = typed.withColumn("_key", _key(spec))
    key = [k for k in spec.key if k in mapping]
    if key:
        # join on text with a marker for missing parts: a join never matches null to null
        # (GX's unique ignores a missing one-column key but not missing parts of a compound)
        parts = [F.coalesce(F.col(k).cast("string"), F.lit("\x00")) for k in key]
        frame = frame.withColumn("_kj", F.concat_ws("\x1f", *parts))
        # only the repeated keys (few) meet the rows, broadcast: the wide rows are not shuffled
        repeated = frame.groupBy("_kj").agg(F.count(F.lit(1)).alias("_n")).where(F.col("_n") > 1)
        frame = frame.join(F.broadcast(repeated), on="_kj", how="left")
        dup = F.col("_n").isNotNull()
        if len(key) == 1:
            dup = dup & F.col(key[0]).isNotNull()
        shown = F.col("_key") if len(key) > 1 else F.col(f"_raw_{key[0]}")
        label = ", ".join(key)
        checks.append(
            (
                "unique",
                label,
                dup,
                shown,
                F.concat(F.lit(f"{label}: value '"), shown, F.lit("' appears more than once")),
            )
        )
    for ref in spec.references:
        if ref.column not in mapping or not references or ref.column not in references:
            continue
        ids = references[ref.column].select(F.col(ref.target_column).alias(f"_ref_{ref.column}"))
        ids = ids.where(F.col(f"_ref_{ref.column}").isNotNull()).distinct()
        # the referenced ids (suppliers, CAPAs) are few next to the rows: broadcast them
        on = F.col(ref.column) == F.col(f"_ref_{ref.column}")
        frame = frame.join(F.broadcast(ids), on, "left")
        checks.append(
            (
                "reference",
                ref.column,
                F.col(ref.column).isNotNull() & F.col(f"_ref_{ref.column}").isNull(),
                F.col(f"_raw_{ref.column}"),
                F.concat(
                    F.lit(f"{ref.column}: value '"),
                    F.col(f"_raw_{ref.column}"),
                    F.lit(f"' not found in {ref.target}"),
                ),
            )
        )
    structs = [
        F.when(
            fails,
            F.struct(
                F.lit(column).alias("column"),
                F.lit(check).alias("check"),
                case.cast("string").alias("failure_case"),
                message.alias("message"),
            ),
        )
        for check, column, fails, case, message in checks
    ]
    failures = F.array_compact(F.array(*structs)).alias("_failures")
    # the raw copies and flags are in the failure structs now: keep only what later steps read
    return frame.select(*spec.names, "_key", failures)


def quarantine(frame: DataFrame, spec: RecordSpec) -> DataFrame:
    """Return the failures of a :func:`checked` frame, one row per row, check and column."""
    from pyspark.sql import functions as F

    return (
        frame.where(F.size("_failures") > 0)
        .select("_key", F.explode("_failures").alias("f"))
        .select(
            F.lit(spec.name).alias("record_type"),
            F.col("_key").alias("key"),
            "f.column",
            "f.check",
            "f.failure_case",
            "f.message",
        )
    )


# --- the whole workbook ----------------------------------------------------------------------


@dataclass
class SparkLoad:
    """The result of :func:`load`: what came back to the driver, and the lazy Spark frames.

    Attributes
    ----------
    aggregates
        Aggregate name -> monthly table (pandas), see :data:`AGGREGATES`.
    failures
        The quarantine: one row per failing row, check and column (:data:`QUARANTINE_COLUMNS`).
    validation
        Per record type read by Spark: rows, accepted, rejected.
    accepted
        Record type -> the accepted rows as a lazy Spark DataFrame (stays on the cluster).
    """

    config: WorkbookConfig
    as_of: dt.date
    aggregates: dict[str, pd.DataFrame]
    failures: pd.DataFrame
    validation: pd.DataFrame
    accepted: dict[str, DataFrame] = field(repr=False)

    def record_ids(
        self,
        record_type: str,
        month: str | pd.Period | None = None,
        *,
        limit: int = 10_000,
        **series: str | None,
    ) -> list[str]:
        """Return the keys of the accepted records behind one series point (or series).

        >>> load.record_ids("nonconformities", "2026-10", site="Brno", process="SMT")
        ... # doctest: +SKIP
        """
        import pandas as pd
        from pyspark.sql import functions as F

        spec = RECORD_TYPES[record_type]
        frame = self.accepted[record_type]
        for col, value in series.items():
            frame = frame.where(F.col(col).isNull() if value is None else F.col(col) == value)
        if month is not None:
            date = next(a.date for a in AGGREGATES.values() if a.record_type == record_type)
            p = pd.Period(month, freq="M")
            start = p.start_time.to_pydatetime()
            end = (p + 1).start_time.to_pydatetime()
            frame = frame.where((F.col(date) >= start) & (F.col(date) < end))
        rows = frame.select(_key(spec) if len(spec.key) > 1 else spec.key[0]).limit(limit)
        return sorted(str(r[0]) for r in rows.collect())

    def rows(
        self,
        record_type: str,
        start: Any = None,
        end: Any = None,
        *,
        limit: int = 10_000,
        **series: str | None,
    ) -> pd.DataFrame:
        """Return the accepted records of one series between two dates, as pandas (few rows).

        ``series``: column -> value (None: missing); ``start`` / ``end``: the closed window of
        the record type's event date. At most ``limit`` rows travel, in key order; the evidence
        behind a flagged point (:func:`qmsdata.pack.narrative.signal_records`) reads them.
        """
        import pandas as pd
        from pyspark.sql import functions as F

        spec = RECORD_TYPES[record_type]
        frame = self.accepted[record_type]
        for name, value in series.items():
            frame = frame.where(F.col(name).isNull() if value is None else F.col(name) == value)
        date = spec.event_date or next(
            a.date for a in AGGREGATES.values() if a.record_type == record_type
        )
        if start is not None:
            frame = frame.where(F.col(date) >= pd.Timestamp(start).to_pydatetime())
        if end is not None:
            frame = frame.where(F.col(date) <= pd.Timestamp(end).to_pydatetime())
        table: pd.DataFrame = frame.orderBy(*spec.key).limit(limit).toPandas()
        for c in spec.columns:
            if c.kind in ("date", "period") and c.name in table.columns:
                table[c.name] = pd.to_datetime(table[c.name]).astype("datetime64[us]")
        return table

    def workbook(self):  # -> qmsdata.Workbook
        """Return a pandas Workbook of the small record types, with the Spark results attached.

        The record types Spark read (:attr:`accepted`) are empty frames in it: their rows stay
        on the cluster. Everything else (complaints, CAPA, audits, objectives, ...) is loaded
        and validated by the pandas engine as usual. Attached attributes:

        - ``aggregates``: this load's monthly tables, which the analytics over the large record
          types read instead of rows (defect ppm = ``nc_site_process`` defects over
          ``production_site`` units_inspected; supplier rejection = ``receipts_supplier``;
          Pareto = ``nc_site_defect``; supplier NCs = ``nc_supplier``);
        - ``engine_failures`` and ``engine_validation``: the Spark quarantine and counts;
        - ``engine``: this object, for :meth:`record_ids` behind a flagged series.
        """
        import qmsdata

        small = [n for n in RECORD_TYPES if n in self.config.records and n not in self.accepted]
        wb = qmsdata.load(self.config.root, as_of=self.as_of, record_types=small)
        wb = wb.with_frames(wb._frames, aggregates=self.aggregates)
        wb.engine = self
        wb.engine_failures = self.failures
        wb.engine_validation = self.validation
        return wb


def load(
    path: str | os.PathLike[str],
    as_of: str | dt.date | None = None,
    *,
    spark: SparkSession | None = None,
    record_types: Iterable[str] = LARGE,
    engine: EngineConfig | None = None,
) -> SparkLoad:
    """Read, type, validate and aggregate the large record types of a workbook on Spark.

    Parameters
    ----------
    path
        The workbook folder (or its ``qms.toml``).
    as_of
        Data date (default ``[workbook] as_of``, else today).
    spark
        A running session; default: :func:`session` with the workbook's ``[engine]`` settings.
    record_types
        Record types read by Spark (default :data:`LARGE`, where configured). Reference
        targets are read by Spark as well (ids only).
    """
    import pandas as pd

    from qmsdata.config import parse_as_of_date, read_config

    config = read_config(path)
    when = parse_as_of_date(as_of) if isinstance(as_of, str) else as_of
    when = when or config.as_of or dt.date.today()
    engine = engine or config.engine
    spark = spark or session(engine.master, engine.options)
    wanted = [n for n in RECORD_TYPES if n in set(record_types) and n in config.records]

    raws: dict[str, DataFrame] = {}
    mappings: dict[str, dict[str, str]] = {}
    typed: dict[str, DataFrame] = {}

    def typed_of(name: str) -> DataFrame:
        if name not in typed:
            rs = config.records[name]
            raws[name] = (
                read(spark, rs, config.root) if name in wanted else _small(spark, rs, config.root)
            )
            mappings[name] = map_columns(
                raws[name].columns, RECORD_TYPES[name], rs.columns, file=rs.source
            )
            typed[name] = type_columns(
                raws[name],
                RECORD_TYPES[name],
                mappings[name],
                date_format=rs.date_format,
                sites=config.sites,
            )
        return typed[name]

    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    accepted: dict[str, DataFrame] = {}
    failures: list[pd.DataFrame] = []
    rows = []
    for name in wanted:
        spec = RECORD_TYPES[name]
        refs = {
            r.column: typed_of(r.target).select(r.target_column)
            for r in spec.references
            if r.target in config.records
        }
        # one pass computes every check; persisted so that the quarantine, the counts and each
        # aggregate read it instead of re-running the checks. On disk only: MEMORY_AND_DISK
        # reads a spilled block back into the heap whole, which ran the 1 GiB driver out of
        # memory at 10M rows (benchmarks/fleet.py --scales 10); the disk copy is streamed
        frame = checked(
            typed_of(name),
            spec,
            mappings[name],
            as_of=when,
            sites=config.sites,
            references=refs,
            date_format=config.records[name].date_format,
        ).persist(StorageLevel.DISK_ONLY)
        bad = F.size("_failures") > 0
        counts = frame.agg(
            F.count(F.lit(1)).alias("n"), F.sum(bad.cast("long")).alias("bad")
        ).first()
        n = int(counts["n"]) if counts is not None else 0
        rejected = int(counts["bad"] or 0) if counts is not None else 0
        failures.append(quarantine(frame, spec).toPandas() if rejected else _empty())
        accepted[name] = frame.where(~bad).select(*spec.names)
        rows.append((name, str(config.records[name].source), n, n - rejected, rejected))

    aggregates: dict[str, pd.DataFrame] = {}
    # CAPA-side links to NCs (a CAPA's source_id). CAPAs are a small record type, read by the
    # pandas loader unless configured for Spark: then their typed rows (not yet validated: a
    # superset, the analytics join the accepted CAPAs) give the ids.
    capas = accepted.get("corrective_actions")
    if capas is None and "corrective_actions" in config.records:
        capas = typed_of("corrective_actions")
    sources = nc_sources(capas)
    for name, frame in accepted.items():
        mine = {k: a for k, a in AGGREGATES.items() if a.record_type == name}
        plain = {k: a for k, a in mine.items() if not a.subset and a.grain == "M"}
        if plain:
            aggregates |= aggregate_many(frame, plain)
        for k, a in mine.items():
            if k not in plain:
                aggregates[k] = aggregate(frame, a, sources if a.subset else None)
    aggregates = {k: aggregates[k] for k in AGGREGATES if k in aggregates}
    table = (
        pd.concat([f for f in failures if len(f)], ignore_index=True)
        if any(len(f) for f in failures)
        else _empty()
    )
    validation = pd.DataFrame(
        rows, columns=["record_type", "source", "rows", "accepted", "rejected"]
    ).set_index("record_type")
    return SparkLoad(
        config=config,
        as_of=when,
        aggregates=aggregates,
        failures=_order(table),
        validation=validation,
        accepted=accepted,
    )


def _small(spark: SparkSession, rs: RecordSource, root: Path) -> DataFrame:
    """Return a small record type (a reference target) read in process, as text, on Spark.

    Its source may be anything the in-process readers know (Excel, SQL, a CSV in cp1250, which
    Spark's CSV reader does not decode); only its ids are used (the reference check).
    """
    from pyspark.sql.types import StringType, StructField, StructType

    from qmsdata.io import read_source

    raw = read_source(rs, root).frame
    text = raw.astype(object).where(raw.notna(), None)
    rows = [tuple(None if v is None else str(v) for v in r) for r in text.itertuples(index=False)]
    schema = StructType([StructField(str(c), StringType(), True) for c in raw.columns])
    return spark.createDataFrame(rows, schema)


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype="str") for c in QUARANTINE_COLUMNS})


def _order(table: pd.DataFrame) -> pd.DataFrame:
    """Sort the quarantine by record type, key and check order (engine-neutral)."""
    order = {c: i for i, c in enumerate(_CHECK_ORDER)}
    table = table.assign(_o=table["check"].map(order).fillna(len(order)))
    table = table.sort_values(["record_type", "key", "_o", "column"], kind="stable")
    return table.drop(columns="_o").reset_index(drop=True)[QUARANTINE_COLUMNS]


#: the order reasons are listed in: the pandas engine's, one list for both engines
_CHECK_ORDER = CHECKS
