"""The demo pack's executive summary and evidence appendix: planted signals, the auditor's walk."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def _data(pack, name: str) -> pd.DataFrame:
    return pd.read_csv(pack.path / "data" / f"{name}.csv", keep_default_na=False, dtype=str)


def _matches(sig: pd.DataFrame, planted: dict) -> pd.DataFrame:
    m = sig["record_type"] == planted["record_type"]
    for col in ("process", "supplier_id", "objective_id"):
        if planted.get(col):
            m &= sig[col] == planted[col]
    if planted.get("site"):
        m &= sig["site"].isin([planted["site"], ""])
    return sig[m]


def test_summary_lists_every_planted_signal_with_its_direction(demo_pack) -> None:
    from qmsdata.demo import PLANTED_SIGNALS

    sig = _data(demo_pack, "00_summary--signals")
    sentences = _data(demo_pack, "00_summary--findings")["finding"].tolist()
    page = (demo_pack.path / "pack.html").read_text(encoding="utf-8")
    for planted in PLANTED_SIGNALS:
        hit = _matches(sig, planted)
        assert len(hit), f"planted {planted['key']} missing from the summary"
        assert planted["direction"] in set(hit["direction"]), planted["key"]
        series = hit["series"].iloc[0]
        assert any(
            s.startswith(f"Concern (rank {hit['rank'].iloc[0]}): {series}") for s in sentences
        ), planted["key"]
    assert "Fit to report" in page and "Objective matrix" in page


def test_auditor_walk_every_summary_number_recomputes_from_its_records(
    demo_pack, demo_workbook
) -> None:
    """Take each number in the summary, find its records in the evidence CSV, recompute it."""
    import qmsdata

    ev = _data(demo_pack, "99_evidence--evidence")
    keys = _data(demo_pack, "00_summary--key_numbers")
    assert len(keys) >= 5
    wb = qmsdata.load(demo_workbook, as_of="2026-10-31")
    id_col = {
        "complaints": "complaint_id",
        "nonconformities": "nc_id",
        "corrective_actions": "capa_id",
        "audit_findings": "finding_id",
        "supplier_receipts": "receipt_id",
    }
    for _, k in keys.iterrows():
        rows = ev[(ev["item_type"] == "key_number") & (ev["item"] == k["metric"])]
        # recompute from the workbook's own records, selected only by the listed IDs
        records = wb[k["record_type"]]
        records = records[records[id_col[k["record_type"]]].astype(str).isin(rows["record_id"])]
        assert len(records) == len(rows), k["metric"]
        if "sum of quantity" in k["calculation"]:
            recomputed = float(records["quantity"].sum())
        else:
            recomputed = float(len(records))
        assert recomputed == pytest.approx(float(k["value"])), k["metric"]
        assert (
            pd.to_datetime(records[k["calculation"].split(" with ")[1].split(" ")[0]])
            .dt.to_period("M")
            .eq(pd.Period("2026-10", "M"))
            .all()
        )
    obj = _data(demo_pack, "32_objectives--objective_status")
    kpi = wb.kpi_measurements
    for _, o in obj.iterrows():
        rows = ev[(ev["item_type"] == "objective") & (ev["item"] == o["objective_id"])]
        assert len(rows) == 1, o["objective_id"]
        oid, month = rows["record_id"].iloc[0].split("/")
        value = kpi[(kpi["objective_id"] == oid) & (kpi["period"] == pd.Period(month, "M"))]
        assert float(value["value"].iloc[0]) == pytest.approx(float(o["actual"]))
    sig = _data(demo_pack, "00_summary--signals")
    for _, s in sig.iterrows():
        rows = ev[(ev["item_type"] == "signal") & (ev["item"] == s["key"])]
        assert len(rows), s["series"]
        assert (rows["record_type"] == s["record_type"]).all()
        if s["rule"] == "overdue_cluster":  # "k of n CAPAs ... are overdue"
            assert len(rows) == int(s["detail"].split(" of ")[0])
            capa = wb.corrective_actions.set_index("capa_id").loc[rows["record_id"]]
            assert (capa["process"] == s["process"]).all()
            assert (pd.to_datetime(capa["due_date"]) < pd.Timestamp("2026-10-31")).all()
    # the appendix carries the input hashes the numbers came from
    inputs = _data(demo_pack, "99_evidence--inputs")
    assert inputs["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_evidence_table_is_filterable_in_html_not_in_print(demo_pack) -> None:
    page = (demo_pack.path / "pack.html").read_text(encoding="utf-8")
    assert 'id="qms-ft-evidence"' in page and 'class="qms-filter-js"' in page
    assert "http://" not in page.split('class="qms-filter-js"')[1][:600]


def test_every_input_section_ends_in_a_conclusion(demo_pack) -> None:
    import nbformat

    for run in demo_pack.sections:
        nb = nbformat.read(str(demo_pack.path / run.notebook), as_version=4)
        html = [
            o.get("data", {}).get("text/html", "")
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        ]
        assert any("qms-conclusion" in h or "qms-insufficient" in h for h in html), run.section.id
