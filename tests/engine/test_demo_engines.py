"""The demo workbook gives the same key numbers, signals and quarantine on both engines.

The demo's large record types are written as Parquet (every cell text, as the CSV and SQL
readers see them) and read by Spark; the small ones stay with the pandas loader. One Spark load
for the module; the analytics run above the aggregates Spark returned (``wb.aggregates``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import qmsdata
from qmsdata.engine.aggregates import record_ids

pytestmark = pytest.mark.xdist_group("spark")  # one JVM: every Spark test on one worker

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "wb"
    qmsdata.write_demo(root)
    return root


@pytest.fixture(scope="module")
def spark_demo(demo, tmp_path_factory) -> Path:
    """The same demo with nonconformities and goods-in as Parquet, and ``[engine] spark``."""
    import shutil

    root = tmp_path_factory.mktemp("demo_spark") / "wb"
    shutil.copytree(demo, root)
    ncs = pd.read_csv(root / "mes-ncr-export.csv", sep=";", dtype=str, keep_default_na=False)
    (root / "nonconformities").mkdir()
    ncs.to_parquet(root / "nonconformities" / "part-0.parquet", index=False)
    with sqlite3.connect(root / "erp-goods-in.sqlite") as con:
        receipts = pd.read_sql("select * from goods_receipts", con)
    receipts.astype(str).where(receipts.notna(), None).to_parquet(
        root / "supplier_receipts.parquet", index=False
    )
    toml = (root / "qms.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        'source = "mes-ncr-export.csv"\ndelimiter = ";"', 'source = "nonconformities"'
    )
    toml = toml.replace(
        'source = "sqlite:///erp-goods-in.sqlite"\ntable = "goods_receipts"',
        'source = "supplier_receipts.parquet"',
    )
    assert 'source = "nonconformities"' in toml and "supplier_receipts.parquet" in toml
    (root / "qms.toml").write_text(toml + '\n[engine]\nname = "spark"\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def pandas_wb(demo):
    return qmsdata.load(demo)


@pytest.fixture(scope="module")
def spark_wb(spark, spark_demo):
    from qmsdata.engine import spark as engine

    return engine.load(spark_demo, spark=spark).workbook()


def test_spark_workbook_holds_aggregates_not_rows(spark_wb):
    assert spark_wb.nonconformities.empty and spark_wb.supplier_receipts.empty
    assert "nc_site_process" in spark_wb.aggregates


def test_same_key_numbers(pandas_wb, spark_wb):
    expected = qmsdata.key_numbers(pandas_wb, PERIOD)
    got = qmsdata.key_numbers(spark_wb, PERIOD)
    assert len(expected) == 6
    pd.testing.assert_frame_equal(got, expected)


def test_same_signals(pandas_wb, spark_wb):
    expected = qmsdata.signals(pandas_wb, PERIOD)
    got = qmsdata.signals(spark_wb, PERIOD)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_same_site_view(pandas_wb, spark_wb):
    for site in ("Leeds", "Brno"):
        pd.testing.assert_frame_equal(
            qmsdata.nc_rates(spark_wb.for_site(site), PERIOD),
            qmsdata.nc_rates(pandas_wb.for_site(site), PERIOD),
        )


def test_same_disposition_copq_and_suppliers(pandas_wb, spark_wb):
    for fn in (qmsdata.disposition_mix, qmsdata.copq, qmsdata.supplier_monthly):
        pd.testing.assert_frame_equal(fn(spark_wb, PERIOD), fn(pandas_wb, PERIOD), obj=fn.__name__)


def test_same_fleet_screen(pandas_wb, spark_wb):
    expected = qmsdata.fleet_screen(pandas_wb, PERIOD)
    got = qmsdata.fleet_screen(spark_wb, PERIOD)
    assert len(expected.table) > 0
    pd.testing.assert_frame_equal(got.table, expected.table)
    pd.testing.assert_frame_equal(got.funnel, expected.funnel)


def test_same_quarantine_counts(pandas_wb, spark_wb):
    def per_check(failures: pd.DataFrame) -> dict:
        return failures.groupby(["record_type", "check"]).size().to_dict()

    both = pd.concat([spark_wb.failures, spark_wb.engine_failures], ignore_index=True)
    assert per_check(both) == per_check(pandas_wb.failures)
    large = spark_wb.engine_validation
    for name in large.index:
        assert large.loc[name, "rejected"] == pandas_wb.validation.loc[name, "rejected"], name


def test_record_ids_behind_a_flagged_series(pandas_wb, spark_wb):
    flagged = qmsdata.signals(pandas_wb, PERIOD)
    row = flagged[flagged["record_type"] == "nonconformities"].iloc[0]
    point = dict(site=row["site"], process=row["process"])
    got = record_ids(spark_wb, "nonconformities", row["since"], **point)
    assert got and got == record_ids(pandas_wb, "nonconformities", row["since"], **point)


def test_same_capa_recurrence_and_effect(pandas_wb, spark_wb):
    expected = qmsdata.capa_recurrence(pandas_wb, PERIOD)
    got = qmsdata.capa_recurrence(spark_wb, PERIOD)
    assert len(expected) > 50 and expected["recurrences"].sum() > 0
    pd.testing.assert_frame_equal(got, expected)
    for capa_id in expected["capa_id"].iloc[:5]:
        want = qmsdata.capa_effect(pandas_wb, capa_id, as_of=pandas_wb.as_of)
        have = qmsdata.capa_effect(spark_wb, capa_id, as_of=spark_wb.as_of)
        assert want.table["ncs"].sum() > 0, capa_id
        pd.testing.assert_frame_equal(have.table, want.table, obj=capa_id)
        assert have.extra == want.extra


def test_same_supplier_scorecard_with_on_time_rate(pandas_wb, spark_wb):
    expected = qmsdata.supplier_scorecard(pandas_wb, PERIOD)
    assert expected["on_time_rate"].notna().any()
    pd.testing.assert_frame_equal(qmsdata.supplier_scorecard(spark_wb, PERIOD), expected)
    pd.testing.assert_frame_equal(
        qmsdata.supplier_reevaluation(spark_wb, PERIOD),
        qmsdata.supplier_reevaluation(pandas_wb, PERIOD),
    )


def test_capa_link_aggregates_carry_only_linked_rows(pandas_wb, spark_wb):
    links = spark_wb.aggregates["nc_capa"]
    assert links["ncs"].sum() == pandas_wb.nonconformities["capa_id"].notna().sum()
    series = spark_wb.aggregates["nc_capa_series"]
    assert 0 < series["ncs"].sum() < len(pandas_wb.nonconformities)


def test_evidence_behind_a_flagged_series_has_the_real_ids(pandas_wb, spark_wb):
    from qmsdata.pack.narrative import _ids, evidence_table, signal_records

    flagged = qmsdata.signals(pandas_wb, PERIOD)
    large = flagged[flagged["record_type"].isin(["nonconformities", "supplier_receipts"])]
    assert len(large) > 0
    for _, row in large.iterrows():
        rt = row["record_type"]
        want = signal_records(pandas_wb, row, PERIOD)
        got = signal_records(spark_wb, row, PERIOD)
        assert len(want) > 0, row["key"]
        assert sorted(_ids(got, rt)) == sorted(_ids(want, rt)), row["key"]
    # and the pack's evidence table: the same record ids behind every signal
    obj = qmsdata.objective_status(pandas_wb, PERIOD).iloc[0:0]

    def behind(wb) -> list[tuple[str, str]]:
        ev = evidence_table(wb, PERIOD, large, obj)
        ev = ev[ev["item_type"] == "signal"]
        return sorted(zip(ev["item"], ev["record_id"], strict=True))

    assert behind(spark_wb) == behind(pandas_wb)


def test_capa_side_links_reach_spark_with_capas_on_the_pandas_loader(spark, spark_demo, tmp_path):
    """The default configuration: NCs on Spark, CAPAs (a small record type) not. NCs whose link
    is recorded only on the CAPA's side (its source_id) are still in nc_capa."""
    import shutil

    from qmsdata.engine import spark as engine

    root = tmp_path / "wb"
    shutil.copytree(spark_demo, root)
    part = root / "nonconformities" / "part-0.parquet"
    ncs = pd.read_parquet(part)
    capa, nc_id = "CAPA", "NCR Number"  # the MES export's names (qms.toml maps them)
    linked = ncs.index[ncs[capa].str.strip() != ""][:5]
    blanked = set(ncs.loc[linked, nc_id].str.strip())
    assert len(blanked) == 5
    ncs.loc[linked, capa] = ""
    ncs.to_parquet(part, index=False)
    load = engine.load(root, spark=spark, record_types=("nonconformities",))
    links = load.aggregates["nc_capa"]
    assert blanked <= set(links["nc_id"]), "linked by the CAPAs' source_id alone"
    assert links.loc[links["nc_id"].isin(blanked), "capa_id"].isna().all()
