"""Tests of the demo workbook generator (qmsdata.demo).

The demo is generated once per session (``demo_fixture``) and, where the loader is needed,
loaded once. Signals are checked with plain pandas on the loaded (accepted) rows, so these tests
do not depend on the analytics that must later find them.
"""

# ruff: noqa: F811  (pytest fixtures imported from demo_fixture are parameters of the tests)

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_fixture import DEMO_END, demo_dir, demo_summary, demo_wb  # noqa: F401
from scipy import stats

from qmsdata.demo import (
    NEVER_AUDITED,
    PLANTED_CHANGES,
    PLANTED_INVALID,
    PLANTED_SIGNALS,
    planted_signals,
    write_demo,
)
from qmsdata.errors import QmsError
from qmsdata.records import RECORD_TYPES

pytestmark = pytest.mark.xdist_group("demo")

E = pd.Period(DEMO_END, freq="M")
AS_OF = pd.Timestamp("2026-10-31")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _config(folder: Path) -> dict:
    return tomllib.loads((folder / "qms.toml").read_text(encoding="utf-8"))


def _headers(folder: Path, rec: dict) -> list[str]:
    """Read a source's column names straight from the file, without qmsdata."""
    source = rec["source"]
    if source.startswith("sqlite:///"):
        con = sqlite3.connect(folder / source.removeprefix("sqlite:///"))
        try:
            return [row[1] for row in con.execute(f'PRAGMA table_info("{rec["table"]}")')]
        finally:
            con.close()
    path = folder / source
    if source.endswith(".csv"):
        return list(
            pd.read_csv(
                path, sep=rec.get("delimiter", ","), encoding=rec.get("encoding", "utf-8"), nrows=0
            ).columns
        )
    if source.endswith(".xlsx"):
        return list(pd.read_excel(path, sheet_name=rec["sheet"], nrows=0).columns)
    return list(pd.read_parquet(path).columns)


# --- determinism, parameters, safety ---------------------------------------------------------


def test_same_seed_and_end_give_byte_identical_files(demo_dir, tmp_path):
    again = tmp_path / "again"
    write_demo(again)  # defaults: seed 9001, end 2026-10
    assert _hashes(again) == _hashes(demo_dir)
    # writing over an earlier demo replaces it, again with the same bytes
    write_demo(again)
    assert _hashes(again) == _hashes(demo_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]  # no temp folders left


def test_seed_and_end_change_the_data(demo_dir, tmp_path):
    other = write_demo(tmp_path / "other", seed=1, end="2025-06").directory
    prod = pd.read_parquet(other / "production.parquet")
    months = prod["Prod Date"].dt.to_period("M")
    assert months.min() == pd.Period("2022-07", "M")
    assert months.max() == pd.Period("2025-06", "M")
    assert _hashes(other)["mes-ncr-export.csv"] != _hashes(demo_dir)["mes-ncr-export.csv"]
    assert _config(other)["workbook"]["as_of"] == dt.date(2025, 6, 30)


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(QmsError, match="not an earlier demo") as err:
        write_demo(target)
    assert err.value.file == str(target)
    assert err.value.hint
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": "2026-13"}, "not a month"),
        ({"end": "soon"}, "not a month"),
        ({"end": ""}, "not a month"),
        ({"seed": -1}, "seed"),
        ({"seed": "9001"}, "seed"),
        ({"seed": True}, "seed"),
    ],
)
def test_bad_arguments_raise_a_clear_error(tmp_path, kwargs, message):
    with pytest.raises(QmsError, match=message):
        write_demo(tmp_path / "demo", **kwargs)
    assert not (tmp_path / "demo").exists()


def test_summary_says_where_what_and_which_signals(demo_summary, demo_dir):
    text = str(demo_summary)
    assert str(demo_dir) in text
    assert "nonconformities" in text and "qms.toml" in text
    for signal in PLANTED_SIGNALS:
        assert signal["key"] in text
    assert f"{len(PLANTED_INVALID)}" in text
    assert set(demo_summary.rows) == set(RECORD_TYPES)


def test_cli_demo_writes_the_workbook(tmp_path, capsys):
    from qmsdata.cli import main

    assert main(["demo", str(tmp_path / "cli"), "--end", "2025-01", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "defect_step" in out and str(tmp_path / "cli") in out
    assert (tmp_path / "cli" / "qms.toml").is_file()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "data.csv").write_text("x\n1\n", encoding="utf-8")
    assert main(["demo", str(tmp_path / "other")]) == 2
    assert "refusing" in capsys.readouterr().err


# --- shape of the workbook -------------------------------------------------------------------


def test_every_record_type_is_configured_with_reproducible_as_of(demo_dir):
    cfg = _config(demo_dir)
    assert set(cfg["records"]) == set(RECORD_TYPES)
    assert cfg["workbook"]["sites"] == ["Leeds", "Brno"]
    assert cfg["workbook"]["as_of"] == dt.date(2026, 10, 31)
    sources = [r["source"] for r in cfg["records"].values()]
    assert any(s.endswith(".xlsx") for s in sources)
    assert any(s.endswith(".parquet") for s in sources)
    assert any(s.endswith(".csv") for s in sources)
    assert any(s.startswith("sqlite:///") for s in sources)
    assert any("date_format" in r for r in cfg["records"].values())
    assert any(r.get("delimiter") == ";" for r in cfg["records"].values())


@pytest.mark.parametrize("record_type", list(RECORD_TYPES))
def test_mapping_is_exercised(demo_dir, record_type):
    rec = _config(demo_dir)["records"][record_type]
    mapping = rec["columns"]
    headers = _headers(demo_dir, rec)
    assert set(mapping) <= {c.name for c in RECORD_TYPES[record_type].columns}
    assert set(RECORD_TYPES[record_type].required) <= set(mapping)
    assert set(mapping.values()) <= set(headers)
    renamed = [k for k, v in mapping.items() if k != v]
    assert len(renamed) >= len(mapping) // 2


def test_volumes_are_realistic(demo_dir):
    nc = pd.read_csv(demo_dir / "mes-ncr-export.csv", sep=";", dtype=str, keep_default_na=False)
    assert 90_000 <= len(nc) <= 110_000
    prod = pd.read_parquet(demo_dir / "production.parquet")
    months = prod["Prod Date"].dt.to_period("M")
    assert months.nunique() == 36 and months.max() == E and months.min() == E - 35
    assert set(prod["Plant"]) == {"Leeds", "Brno"}
    assert prod.groupby("Plant")["Qty Built"].sum().min() > 1_000_000
    complaints = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)
    assert 300 * 3 <= len(complaints) <= 900 * 3
    con = sqlite3.connect(demo_dir / "erp-goods-in.sqlite")
    try:
        per_supplier = dict(
            con.execute('SELECT "Supplier Code", COUNT(*) FROM goods_receipts GROUP BY 1')
        )
    finally:
        con.close()
    assert len([s for s in per_supplier if s.startswith("SUP-0")]) == 15
    assert max(per_supplier.values()) > 10 * min(per_supplier.values())  # unequal volumes


def test_public_names():
    import qmsdata

    assert qmsdata.write_demo is write_demo
    # the demo's test answers stay in the demo; the facade exports only the verb
    for name in ("PLANTED_SIGNALS", "PLANTED_INVALID", "PLANTED_CHANGES"):
        assert name not in qmsdata.__all__
        assert not hasattr(qmsdata, name)


def test_planted_signals_are_documented():
    keys = [s["key"] for s in PLANTED_SIGNALS]
    assert keys == [
        "defect_step",
        "complaint_rise",
        "supplier_deterioration",
        "capa_overdue_cluster",
        "objective_missed",
    ]
    fields = {"key", "area", "record_type", "description", "site", "process", "product"}
    fields |= {"supplier_id", "objective_id", "start", "direction"}
    for s in PLANTED_SIGNALS:
        assert set(s) == fields
        assert s["direction"] == "concern"
        assert isinstance(s["start"], pd.Period) and s["start"].freqstr == "M"
        assert s["record_type"] in RECORD_TYPES
    assert {s["key"]: s["start"] for s in planted_signals("2030-01")}["defect_step"] == (
        pd.Period("2029-07", "M")
    )


# --- quarantine: the planted invalid rows and nothing else -----------------------------------

_INVALID = pd.DataFrame(PLANTED_INVALID)


def test_planted_invalid_rows_cover_every_check_kind():
    from qmsdata.validation import CHECKS

    # plausible_date (issue 16 point 12) is new: the demo owner plants a row for it (e.g. a
    # 1926 date); until then it is covered by tests/validation/test_validate.py's BAD_ROWS
    assert set(CHECKS) - {"plausible_date"} <= set(_INVALID["check"])


@pytest.mark.parametrize("record_type", list(RECORD_TYPES))
def test_planted_invalid_rows_and_only_they_are_quarantined(demo_wb, record_type):
    expected = _INVALID[_INVALID["record_type"] == record_type]
    rejects = demo_wb.rejects[record_type]
    assert sorted(rejects["source_row"]) == sorted(expected["source_row"])
    failures = demo_wb.failures[demo_wb.failures["record_type"] == record_type]
    got = set(zip(failures["source_row"], failures["check"], failures["column"], strict=True))
    for row in expected.itertuples():
        assert (row.source_row, row.check, row.column) in got, row.description
    v = demo_wb.validation.loc[record_type]
    assert v["rows"] == v["accepted"] + v["rejected"]
    assert v["rejected"] == len(expected)
    assert len(demo_wb[record_type]) == v["accepted"]


def test_extra_columns_and_encodings_survive_loading(demo_wb):
    assert "Line" in demo_wb.nonconformities.columns
    assert "Logged By" in demo_wb.complaints.columns
    assert "Tomáš Dvořák" in set(demo_wb.corrective_actions["owner"])  # cp1250 source
    assert set(demo_wb.nonconformities["disposition"]) <= {
        "scrap",
        "rework",
        "use_as_is",
        "return_to_supplier",
        "pending",
    }
    assert set(demo_wb.audit_findings["finding_type"]) == {
        "major_nc",
        "minor_nc",
        "observation",
        "ofi",
    }


# --- planted signals, seen with plain pandas -------------------------------------------------


def _monthly_nc_rate(wb) -> pd.DataFrame:
    nc = wb.nonconformities
    prod = wb.production
    qty = nc.groupby([nc["detected_date"].dt.to_period("M"), "site", "process"])["quantity"].sum()
    inspected = prod.groupby([prod["date"].dt.to_period("M"), "site"])["units_inspected"].sum()
    qty = qty.unstack(["site", "process"]).fillna(0)
    inspected = inspected.unstack("site").reindex(qty.index)
    return pd.DataFrame({col: qty[col] / inspected[col[0]] for col in qty.columns}, index=qty.index)


def test_defect_step_reflow_leeds(demo_wb):
    rate = _monthly_nc_rate(demo_wb)
    before, after = rate[rate.index < E - 6], rate[rate.index >= E - 6]
    ratio = after.mean() / before.mean()
    step = ("Leeds", "Reflow soldering")
    assert ratio[step] > 1.8
    assert (after[step] > before[step].max()).all()  # every month after the step
    others = ratio.drop([step, *_CHANGED])
    assert others.between(0.8, 1.25).all(), others[~others.between(0.8, 1.25)]


#: site x process defect series a planted change moves (CHG-001, tests/demo checks them)
_CHANGED = [
    (c["site"], c["process"])
    for c in PLANTED_CHANGES
    if c["magnitude"] != 1.0 and c["key"] != "worse"  # "worse" is defect_step itself
]


def test_other_defect_series_have_no_trend(demo_wb):
    rate = _monthly_nc_rate(demo_wb).drop(columns=[("Leeds", "Reflow soldering"), *_CHANGED])
    t = np.arange(len(rate))
    pvalues = {col: stats.kendalltau(t, rate[col]).pvalue for col in rate.columns}
    assert min(pvalues.values()) > 0.001, pvalues


def _complaint_rate(wb) -> pd.Series:
    c = wb.complaints
    counts = c.groupby(c["received_date"].dt.to_period("M")).size()
    prod = wb.production
    shipped = prod.groupby(prod["date"].dt.to_period("M"))["units_shipped"].sum()
    return (counts.reindex(shipped.index, fill_value=0) / shipped * 1e6).sort_index()


def test_complaint_rate_rises_over_the_last_18_months(demo_wb):
    rate = _complaint_rate(demo_wb)
    early, late = rate[rate.index < E - 17], rate[rate.index >= E - 17]
    assert late.tail(6).mean() > 1.3 * early.mean()
    assert stats.kendalltau(np.arange(len(late)), late).pvalue < 0.05
    assert stats.kendalltau(np.arange(len(early)), early).pvalue > 0.05  # flat before
    shipped = demo_wb.production.groupby(demo_wb.production["date"].dt.to_period("M"))[
        "units_shipped"
    ].sum()
    assert stats.kendalltau(np.arange(len(shipped)), shipped).pvalue > 0.05  # volume is flat


def test_supplier_deterioration(demo_wb):
    r = demo_wb.supplier_receipts
    g = r.groupby(["supplier_id", r["received_date"].dt.to_period("M")])[
        ["quantity_rejected", "quantity_received"]
    ].sum()
    rate = (g["quantity_rejected"] / g["quantity_received"]).unstack("supplier_id")
    before = rate[rate.index < E - 7].mean()
    after = rate[rate.index >= E - 7].mean()
    assert rate.loc[E, "SUP-004"] > 4 * before["SUP-004"]
    assert after["SUP-004"] > 2.5 * before["SUP-004"]
    others = (after / before).drop("SUP-004")
    assert others.between(0.6, 1.6).all(), others


def test_capa_overdue_cluster(demo_wb):
    ca = demo_wb.corrective_actions
    overdue = ca[(ca["status"] == "open") & (ca["due_date"] < AS_OF)]
    by_owner = overdue.groupby(["process", "owner"]).size().sort_values(ascending=False)
    assert by_owner.index[0] == ("Wave soldering", "Tomáš Dvořák")
    assert 10 <= by_owner.iloc[0] <= 12
    assert by_owner.iloc[1:].max() <= 3
    cluster = overdue[overdue["owner"] == "Tomáš Dvořák"]
    opened = cluster["opened_date"].dt.to_period("M")
    assert opened.between(E - 5, E - 3).all()
    assert (cluster["due_date"] < E.start_time).all()
    # each is linked to a nonconformity that points back to it
    nc = demo_wb.nonconformities.set_index("nc_id")
    assert (nc.loc[cluster["source_id"], "capa_id"].to_numpy() == cluster["capa_id"]).all()


def test_objective_missed_consistently(demo_wb):
    k = demo_wb.kpi_measurements
    obj = demo_wb.objectives.set_index("objective_id")
    for oid, s in k.sort_values("period").groupby("objective_id"):
        last = s["value"].to_numpy()[-12:]
        sigma = np.abs(np.diff(last)).mean() / 1.128  # XmR chart sigma (Montgomery 6.4)
        target = obj.loc[oid, "target"]
        increase = obj.loc[oid, "direction"] == "increase"
        upper, lower = last.mean() + 3 * sigma, last.mean() - 3 * sigma
        if oid == "OBJ-02":
            assert increase and upper < target  # the whole band fails: consistent_fail
            assert (last < target).all()
        else:
            assert (lower > target) if increase else (upper < target), oid


def test_objective_plan_fields(demo_wb):
    plan = ["action_plan", "resources", "plan_due", "evaluation_method"]
    obj = demo_wb.objectives.set_index("objective_id")
    assert 6 <= len(obj) <= 8
    assert obj.loc["OBJ-07", plan].isna().all()
    assert obj.drop(index="OBJ-07")[plan].notna().all().all()


def test_audit_programme_coverage(demo_wb):
    f = demo_wb.audit_findings
    recent = f[f["audit_date"] > AS_OF - pd.DateOffset(months=12)]
    clauses = set(recent["clause"])
    for gap in NEVER_AUDITED:
        assert not any(c == gap or c.startswith(gap + ".") for c in set(f["clause"]))
    tops = {c.split(".")[0] for c in clauses}
    assert tops == {"4", "5", "6", "7", "8", "9", "10"}
    assert set(f["audit_type"]) >= {"internal", "certification", "supplier", "customer"}


def test_registers_tell_a_story(demo_wb):
    ra = demo_wb.review_actions
    overdue = ra[(ra["status"] == "open") & (ra["due_date"] < AS_OF)]
    assert 3 <= len(overdue) <= 8
    assert (ra["status"] == "closed").sum() > len(ra) / 2
    ci = demo_wb.context_issues
    assert ci["description"].str.contains("climate change", case=False).any()
    risks = demo_wb.risks
    assert set(risks["kind"]) == {"risk", "opportunity"}
    assert (risks["action_status"] == "open").any() and (risks["effective"] == "yes").any()
    surveys = demo_wb.customer_surveys
    assert surveys["score"].between(0, 10).all() and 7.5 < surveys["score"].mean() < 9
