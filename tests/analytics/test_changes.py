"""The change register, derived changes, phases at documented changes, decisions as actions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qmsdata
from qmsdata.analytics import changes as C

MONTHS = pd.period_range("2024-11", "2026-10", freq="M")  # 24 months


def _workbook(effective: bool = True) -> dict:
    """Leeds / Reflow: 10 000 units inspected a month, 12-13 defects, 5 from 2026-01 on."""
    prod, ncs = [], []
    for i, m in enumerate(MONTHS):
        prod.append({"date": m.start_time, "site": "Leeds", "units_inspected": 10_000,
                     "units_shipped": 10_000})  # fmt: skip
        defects = 5 if (effective and m >= pd.Period("2026-01", "M")) else 12 + (i % 2)
        ncs.append({"nc_id": f"NC-{i}", "detected_date": m.start_time + pd.Timedelta(days=3),
                    "site": "Leeds", "process": "Reflow soldering", "quantity": defects,
                    "source": "in_process"})  # fmt: skip
    changes = pd.DataFrame(
        [
            {"change_id": "CHG-1", "implemented_date": pd.Timestamp("2026-01-05"),
             "site": "Leeds", "process": "Reflow soldering", "kind": "process_change",
             "capa_id": "CAPA-1", "metric": "defect_rate", "expected_direction": "decrease",
             "evaluation_months": None, "status": "implemented", "owner": "A. Person"},
            {"change_id": "CHG-2", "implemented_date": pd.Timestamp("2027-02-01"),
             "process": "Reflow soldering", "kind": "improvement", "status": "planned"},
        ]
    )  # fmt: skip
    capas = pd.DataFrame(
        [
            {"capa_id": "CAPA-1", "process": "Reflow soldering", "status": "closed",
             "closed_date": pd.Timestamp("2026-01-03"), "source_type": "nonconformity",
             "source_id": "NC-3", "owner": "A. Person"},
            {"capa_id": "CAPA-2", "process": "Reflow soldering", "status": "closed",
             "closed_date": pd.Timestamp("2025-12-10"), "source_type": "nonconformity",
             "source_id": "NC-4", "owner": "B. Person"},
            {"capa_id": "CAPA-3", "process": "Reflow soldering", "status": "open",
             "closed_date": pd.NaT},
        ]
    )  # fmt: skip
    actions = pd.DataFrame(
        [
            {"action_id": "MR-1", "review_date": pd.Timestamp("2025-02-01"),
             "description": "Retrain the reflow soldering operators", "status": "closed",
             "closed_date": pd.Timestamp("2025-06-01"), "owner": "C. Person"},
            {"action_id": "MR-2", "review_date": pd.Timestamp("2025-02-01"),
             "description": "Recruit an engineer", "status": "closed",
             "closed_date": pd.Timestamp("2025-06-01")},
        ]
    )  # fmt: skip
    return {
        "production": pd.DataFrame(prod),
        "nonconformities": pd.DataFrame(ncs),
        "changes": changes,
        "corrective_actions": capas,
        "review_actions": actions,
    }


def test_register_documented_and_derived_changes():
    reg = qmsdata.change_register(_workbook())
    ids = reg["change_id"].tolist()
    assert "CHG-1" in ids and "CHG-2" in ids
    assert "CAPA-1" not in ids  # the documented change citing it wins
    derived = reg[reg["derived"]].set_index("change_id")
    assert set(derived.index) == {"CAPA-2", "MR-1"}  # open CAPA and no-process action left out
    assert derived.loc["CAPA-2", "kind"] == "corrective_action"
    assert derived.loc["CAPA-2", "site"] == "Leeds"  # from the nonconformity that raised it
    assert derived.loc["MR-1", "kind"] == "objective_action"
    assert derived.loc["MR-1", "process"] == "Reflow soldering"  # named in the description
    assert reg.set_index("change_id").loc["CHG-1", "evaluation_months"] == 3
    assert not qmsdata.change_register(_workbook(), derived=False)["derived"].any()


def test_subjects():
    subjects = C.change_subjects(_workbook())
    row = subjects[subjects["subject"] == "Leeds / Reflow soldering"].iloc[0]
    assert row["changes"] == 1 and row["latest_change_id"] == "CHG-1"


def test_effects_judge_the_documented_change():
    eff = qmsdata.change_effects(_workbook(), "2026-10").set_index("change_id")
    chg = eff.loc["CHG-1"]
    assert chg["verdict"] == "sustained improvement"
    assert chg["decision"] == "standardise"
    assert chg["measure"] == "rate_ratio" and chg["estimate"] == pytest.approx(5 / 12.5)
    assert chg["n_before"] == 14 and chg["n_after"] == 10
    assert "CHG-2" not in eff.index  # planned, not implemented
    # a derived change is judged up to the next documented change only: 14 - 13 = 1 point
    assert eff.loc["CAPA-2", "n_after"] == 1
    assert eff.loc["CAPA-2", "verdict"] == "too early to judge"
    nothing = qmsdata.change_effects(_workbook(effective=False), "2026-10").set_index("change_id")
    assert nothing.loc["CHG-1", "verdict"] == "no detectable change"
    assert nothing.loc["CHG-1", "decision"] == "re-plan"


def test_phase_starts_only_at_documented_changes():
    reg = C.change_register(_workbook())
    starts = C.phase_starts(MONTHS, reg, metric="defect_rate", site="Leeds",
                            process="Reflow soldering")  # fmt: skip
    assert starts == [14]  # 2026-01; CAPA-2 and MR-1 are derived, CHG-2 is planned
    assert C.phase_starts(MONTHS, reg, metric="defect_rate", site="Brno", process="X") == []
    assert C.phase_labels(5, [2, 4]).tolist() == [0, 0, 1, 1, 2]


def test_proposed_decisions():
    assert C.proposed_decision("sustained improvement") == "standardise"
    assert C.proposed_decision("improvement not yet sustained") == "extend the evaluation"
    assert C.proposed_decision("too early to judge") == "extend the evaluation"
    assert C.proposed_decision("no detectable change") == "re-plan"
    assert C.proposed_decision("deterioration") == "re-plan"
    assert C.proposed_decision("insufficient data") is None
    with pytest.raises(qmsdata.DataError):
        C.proposed_decision("fine")


def test_decisions_are_valid_review_actions(tmp_path):
    eff = qmsdata.change_effects(_workbook(), "2026-10")
    path = C.write_decisions(eff, tmp_path / "decisions.csv", review_date="2026-11-15")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["action_id"].tolist() == ["DEC-202611-CHG-1"]
    assert back["output_type"].tolist() == ["qms_change"]
    assert back["description"].iloc[0].startswith("Standardise CHG-1")
    assert back["due_date"].iloc[0] == "2027-02-15"
    checked = qmsdata.validate(back, "review_actions", as_of=pd.Timestamp("2026-11-30"))
    assert len(checked.rejects) == 0, checked.rejects
    with_derived = C.decision_actions(eff, review_date="2026-11-15", include_derived=True)
    assert len(with_derived) == 2  # MR-1 has 7 months before it: not assessed, no decision


def test_no_register_no_error():
    wb = {"production": pd.DataFrame(), "nonconformities": pd.DataFrame()}
    assert qmsdata.change_register(wb).empty
    assert qmsdata.change_effects(wb, "2026-10").empty


def test_figure_marks_documented_changes():
    import plotly.graph_objects as go  # noqa: F401

    from qmsdata.figures.spc import control_chart_figure

    frame = pd.DataFrame({"month": MONTHS.to_timestamp(), "y": np.arange(24.0) % 3})
    chart = qmsdata.control_chart(frame, "i", value="y", x="month")
    changes = pd.DataFrame(
        [{"change_id": "CHG-<1>", "implemented_date": "2026-01-05", "kind": "process_change"},
         {"change_id": "CHG-9", "implemented_date": "2030-01-01"},
         {"change_id": "CAPA-7", "implemented_date": "2025-06-01", "derived": True}]
    )  # fmt: skip
    fig = control_chart_figure(chart, changes=changes, title="t")
    texts = [a.text for a in fig.layout.annotations]
    assert "CHG-&lt;1> process change" in texts  # no tag can open
    assert not any("CHG-9" in t or "CAPA-7" in t for t in texts)
    assert any(s.type == "line" and str(s.x0).startswith("2026-01-01") for s in fig.layout.shapes)


def test_objective_and_complaint_changes():
    wb = _workbook()
    wb["objectives"] = pd.DataFrame(
        [{"objective_id": "OBJ-1", "name": "On-time delivery", "direction": "increase",
          "target": 95.0}]
    )  # fmt: skip
    wb["kpi_measurements"] = pd.DataFrame(
        {"objective_id": "OBJ-1", "period": MONTHS.astype(str),
         "value": [92.5, 93.5] * 7 + [96.0] * 10}
    )  # fmt: skip
    wb["complaints"] = pd.DataFrame(
        {"complaint_id": [f"CC-{i}" for i in range(48)],
         "received_date": [m.start_time + pd.Timedelta(days=9) for m in MONTHS for _ in (1, 2)]}
    )  # fmt: skip
    more = pd.DataFrame(
        [{"change_id": "CHG-3", "implemented_date": pd.Timestamp("2026-01-02"),
          "kind": "objective_action", "objective_id": "OBJ-1", "metric": "objective",
          "expected_direction": "increase", "status": "implemented"},
         {"change_id": "CHG-4", "implemented_date": pd.Timestamp("2026-01-02"),
          "kind": "improvement", "metric": "complaint_rate", "expected_direction": "decrease",
          "status": "implemented"}]
    )  # fmt: skip
    wb["changes"] = pd.concat([wb["changes"], more], ignore_index=True)
    eff = qmsdata.change_effects(wb, "2026-10").set_index("change_id")
    obj = eff.loc["CHG-3"]
    assert obj["series"] == "Objective OBJ-1" and obj["chart"] == "i"
    assert obj["verdict"] == "sustained improvement"
    assert obj["measure"] == "mean_difference" and obj["estimate"] == pytest.approx(3.0)
    comp = eff.loc["CHG-4"]
    assert comp["chart"] in ("u", "u_prime") and comp["verdict"] == "no detectable change"
    subjects = C.change_subjects(wb).set_index("subject")
    assert subjects.loc["Objective OBJ-1", "changes"] == 1
    # the objective's chart gets a phase at its documented change only
    reg = C.change_register(wb)
    assert C.phase_starts(MONTHS, reg, metric="objective", objective_id="OBJ-1") == [14]
