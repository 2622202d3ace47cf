"""The Spark engine quarantines the same rows and computes the same monthly series as pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fleet_workbook import AS_OF, PLANTED, SITES, write_fleet_workbook

from qmsdata.config import read_config
from qmsdata.engine.aggregates import AGGREGATES, aggregate_frame

pytestmark = pytest.mark.xdist_group("spark")  # one JVM: every Spark test on one worker


def _pandas_validate():
    try:  # the validation package (issue 9) replaces the module
        from qmsdata.validation import validate
    except ImportError:
        from qmsdata.validate import validate
    return validate


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return write_fleet_workbook(tmp_path_factory.mktemp("fleet") / "wb")


@pytest.fixture(scope="module")
def spark_load(spark, workbook):
    from qmsdata.engine import spark as engine

    return engine.load(workbook, spark=spark)


@pytest.fixture(scope="module")
def pandas_result(workbook):
    """The default engine on the same files: accepted frames and failures keyed like Spark's."""
    validate = _pandas_validate()
    raws = {
        "supplier_receipts": pd.read_csv(workbook / "supplier_receipts.csv", dtype=str),
        "production": pd.read_parquet(workbook / "production.parquet"),
        "nonconformities": pd.read_parquet(workbook / "nonconformities"),
    }
    ids = {"supplier_id": set(raws["supplier_receipts"]["supplier_id"].str.strip())}
    accepted, failures = {}, []
    keys = {"nonconformities": "nc_id", "supplier_receipts": "receipt_id"}
    for name, raw in raws.items():
        refs = ids if name == "nonconformities" else {}
        result = validate(raw, name, as_of=AS_OF, sites=SITES, references=refs)
        accepted[name] = result.accepted
        f = result.failures
        if name in keys:
            key = raw[keys[name]].astype(str).str.strip().to_numpy()
            f = f.assign(key=key[f["source_row"].to_numpy() - 1])
        else:
            f = f.assign(key="")
        failures.append(f)
    return accepted, pd.concat(failures, ignore_index=True)


def test_engine_section_parsed(workbook):
    engine = read_config(workbook).engine
    assert (engine.name, engine.master) == ("spark", "local[2]")


def test_planted_faults_quarantined_by_key(spark_load):
    got = spark_load.failures
    for key, expected in PLANTED.items():
        rows = got[got["key"] == key]
        assert expected <= set(zip(rows["column"], rows["check"], strict=True)), key


def test_same_quarantine_as_pandas(spark_load, pandas_result):
    _, pandas_failures = pandas_result
    keyed = pandas_failures[pandas_failures["record_type"] != "production"]
    expected = set(zip(keyed["key"], keyed["column"], keyed["check"], strict=True))
    got = spark_load.failures
    got = got[got["record_type"] != "production"]
    assert set(zip(got["key"], got["column"], got["check"], strict=True)) == expected
    # and the same words: a reader sees one message per failure whichever engine ran
    assert set(zip(got["key"], got["message"], strict=True)) == set(
        zip(keyed["key"], keyed["message"], strict=True)
    )
    # counts per record type and check, production included (its key is date | site | product)
    per_check = spark_load.failures.groupby(["record_type", "check"]).size()
    assert per_check.to_dict() == pandas_failures.groupby(["record_type", "check"]).size().to_dict()


def test_same_counts_as_pandas(spark_load, pandas_result):
    accepted, _ = pandas_result
    for name, frame in accepted.items():
        assert spark_load.validation.loc[name, "accepted"] == len(frame), name
    v = spark_load.validation
    assert (v["rows"] == v["accepted"] + v["rejected"]).all()


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_same_monthly_aggregates_as_pandas(spark_load, pandas_result, name):
    agg = AGGREGATES[name]
    accepted, _ = pandas_result
    if agg.record_type not in accepted:
        assert name not in spark_load.aggregates
        return
    expected = aggregate_frame(accepted[agg.record_type], agg)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(spark_load.aggregates[name], expected)


def test_site_names_folded_and_partition_read(spark_load):
    table = spark_load.aggregates["nc_site_process"]
    assert set(table["site"]) == {"Leeds", "Brno"}
    # 30 Leeds + 30 "leeds" rows minus none rejected among them; the planted rows are rejected
    assert table["ncs"].sum() == 90


def test_record_ids_behind_a_series_point(spark_load, pandas_result):
    accepted, _ = pandas_result
    ncs = accepted["nonconformities"]
    month = ncs["detected_date"].dt.to_period("M")
    sel = ncs[(ncs["site"] == "Brno") & (ncs["process"] == "SMT") & (month == "2026-04")]
    got = spark_load.record_ids("nonconformities", "2026-04", site="Brno", process="SMT")
    assert got == sorted(sel["nc_id"]) and got


def test_workbook_of_the_small_record_types(spark_load):
    wb = spark_load.workbook()
    assert wb.nonconformities.empty  # the large rows stay on Spark
    # the same tables (the Workbook keeps its own dict of them, carried through its views)
    assert wb.aggregates.keys() == spark_load.aggregates.keys()
    assert all(wb.aggregates[k] is t for k, t in spark_load.aggregates.items())
    assert (
        wb.engine_validation.loc["nonconformities", "rejected"]
        == len(set(spark_load.failures.query("record_type == 'nonconformities'")["key"])) + 1
    )  # NC-DUP: two rows share one key


def test_a_capa_that_names_its_nc_links_it_on_both_engines(spark):
    """A link recorded only on the CAPA side (its source_id names an NC without a capa_id) is a
    link: it is in the CAPA x NC table and marks its series, as pandas joins it in capa.py."""
    from qmsdata.engine.aggregates import nc_sources
    from qmsdata.engine.spark_aggregate import aggregate
    from qmsdata.engine.spark_aggregate import nc_sources as spark_nc_sources

    day = pd.Timestamp
    ncs = pd.DataFrame(
        {
            "nc_id": ["NC1", "NC2", "NC3", "NC4", "NC5"],
            "capa_id": ["CA1", None, None, None, None],  # NC2 linked only by CA2's source_id
            "detected_date": [day("2026-01-05"), day("2026-01-09"), day("2026-02-03")]
            + [day("2026-02-10"), day("2026-03-01")],
            "site": ["Leeds", "Leeds", "Leeds", "Brno", "Brno"],
            "process": ["moulding", "assembly", "assembly", "assembly", "moulding"],
            "defect_code": ["D1", "D2", "D2", "D2", "D9"],
        }
    )
    capas = pd.DataFrame(
        {
            "capa_id": ["CA1", "CA2", "CA3"],
            "source_type": ["nonconformity", "nonconformity", "complaint"],
            "source_id": ["NC1", "NC2", "NC5"],  # CA3's source is a complaint id, not NC5
        }
    )
    assert nc_sources(capas) == ["NC1", "NC2"]
    sources = spark_nc_sources(spark.createDataFrame(capas))
    frame = spark.createDataFrame(ncs)
    for name in ("nc_capa", "nc_capa_series"):
        agg = AGGREGATES[name]
        expected = aggregate_frame(ncs, agg, nc_sources(capas))
        got = aggregate(frame, agg, sources)
        pd.testing.assert_frame_equal(got, expected, obj=name)
    links = aggregate_frame(ncs, AGGREGATES["nc_capa"], nc_sources(capas))
    assert sorted(links["nc_id"]) == ["NC1", "NC2"]
    series = aggregate_frame(ncs, AGGREGATES["nc_capa_series"], nc_sources(capas))
    assert series["ncs"].sum() == 3  # NC1's series (1) and NC2's Leeds assembly D2 (2)
