"""The record specs: registry, canonical columns from issue 2, spec rules, data dictionary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qmsdata.errors import ConfigError
from qmsdata.records import (
    RECORD_TYPES,
    Order,
    RecordSpec,
    data_dictionary,
    record_spec,
    write_data_dictionary,
)
from qmsdata.records._spec import DTYPES, Column
from qmsdata.validation import CHECKS

# The canonical columns each record type must have, as listed in issue 2 ("Record model").
ISSUE_COLUMNS = {
    "complaints": "complaint_id received_date customer product site category severity status "
    "closed_date capa_id cost quantity_affected description",
    "nonconformities": "nc_id detected_date site process product source defect_code "
    "defect_category quantity disposition cost supplier_id capa_id status closed_date",
    "production": "date site product units_produced units_inspected units_shipped",
    "audit_findings": "finding_id audit_id audit_date audit_type auditor process clause "
    "finding_type description status due_date closed_date capa_id",
    "corrective_actions": "capa_id opened_date source_type source_id process owner "
    "root_cause_category due_date closed_date status effectiveness_due effective",
    "objectives": "objective_id name process owner unit direction target valid_from valid_to "
    "frequency action_plan resources responsible plan_due evaluation_method",
    "kpi_measurements": "objective_id period value numerator denominator",
    "supplier_receipts": "receipt_id supplier_id received_date due_date quantity_received "
    "quantity_rejected",
    "customer_surveys": "response_id customer response_date score",
    "review_actions": "action_id review_date output_type description owner due_date status "
    "closed_date",
    "risks": "risk_id kind process description likelihood impact action action_due "
    "action_status effective",
    "context_issues": "issue_id date_noted kind description impact status",
}

# The four record types added by issues 11 and 12, with the columns of the working contract
# (/work/plan/CONTRACT.md, "New record types"), registered after the twelve above.
NEW_COLUMNS = {
    "changes": "change_id implemented_date site process product kind description capa_id "
    "action_id objective_id metric expected_direction evaluation_months status owner",
    "audit_programme": "audit_id audit_type planned_date conducted_date site processes clauses "
    "lead_auditor status",
    "training_records": "record_id person role process site course required due_date "
    "completed_date effectiveness",
    "documents": "doc_id title process clause version approved_by approved_date review_due "
    "status site",
}
ALL_COLUMNS = {**ISSUE_COLUMNS, **NEW_COLUMNS}

# Allowed values stated in issue 2.
ISSUE_ALLOWED = [
    ("complaints", "severity", ("critical", "major", "minor")),
    ("complaints", "status", ("open", "closed")),
    ("nonconformities", "source", ("incoming", "in_process", "final", "customer")),
    (
        "nonconformities",
        "disposition",
        ("scrap", "rework", "use_as_is", "return_to_supplier", "pending"),
    ),
    (
        "audit_findings",
        "audit_type",
        ("internal", "external", "certification", "supplier", "customer"),
    ),
    ("audit_findings", "finding_type", ("major_nc", "minor_nc", "observation", "ofi")),
    (
        "corrective_actions",
        "source_type",
        ("complaint", "nonconformity", "audit", "review", "risk", "other"),
    ),
    ("corrective_actions", "status", ("open", "closed", "cancelled")),
    ("corrective_actions", "effective", ("yes", "no", "pending")),
    ("objectives", "direction", ("increase", "decrease")),
    ("review_actions", "output_type", ("improvement", "qms_change", "resources")),
    ("risks", "kind", ("risk", "opportunity")),
    ("context_issues", "kind", ("external", "internal")),
    (
        "changes",
        "kind",
        ("corrective_action", "improvement", "process_change", "objective_action", "other"),
    ),
    (
        "changes",
        "metric",
        ("defect_rate", "complaint_rate", "supplier_rejection_rate", "objective", "other"),
    ),
    ("changes", "expected_direction", ("decrease", "increase")),
    ("changes", "status", ("planned", "implemented", "cancelled")),
    (
        "audit_programme",
        "audit_type",
        ("internal", "external", "certification", "supplier", "customer"),
    ),
    ("audit_programme", "status", ("planned", "done", "postponed", "cancelled")),
    ("training_records", "required", ("yes", "no")),
    ("training_records", "effectiveness", ("yes", "no", "pending")),
    ("documents", "status", ("draft", "approved", "obsolete")),
]


def test_registry_holds_the_twelve_inputs_then_the_four_new_record_types():
    assert list(RECORD_TYPES) == list(ISSUE_COLUMNS) + list(NEW_COLUMNS)
    assert len(RECORD_TYPES) == 16


@pytest.mark.parametrize("record_type", list(ALL_COLUMNS))
def test_spec_has_every_canonical_column_of_the_issue(record_type):
    spec = RECORD_TYPES[record_type]
    missing = set(ALL_COLUMNS[record_type].split()) - set(spec.names)
    assert not missing
    assert spec.name == record_type
    assert set(spec.key) <= set(spec.names)
    assert spec.required, "every record type has at least its key required"
    assert all(spec.column(k).required for k in spec.key if k != "product")


@pytest.mark.parametrize(("record_type", "column", "allowed"), ISSUE_ALLOWED)
def test_allowed_values_match_the_issue(record_type, column, allowed):
    assert RECORD_TYPES[record_type].column(column).allowed == allowed


@pytest.mark.parametrize("record_type", list(ALL_COLUMNS))
def test_empty_frame_has_the_spec_dtypes(record_type):
    spec = RECORD_TYPES[record_type]
    frame = spec.empty_frame()
    assert list(frame.columns) == [*spec.names, "source_row"]
    assert len(frame) == 0
    for col in spec.columns:
        assert frame[col.name].dtype == pd.Series([], dtype=DTYPES[col.kind]).dtype


@pytest.mark.parametrize("record_type", list(ALL_COLUMNS))
def test_references_point_at_real_record_types_and_columns(record_type):
    for ref in RECORD_TYPES[record_type].references:
        assert ref.target_column in RECORD_TYPES[ref.target].names


def test_fixture_rows_use_only_canonical_columns(good_rows):
    for name, rows in good_rows.items():
        assert set(rows[0]) <= set(RECORD_TYPES[name].names), name


def test_score_and_risk_ranges():
    assert RECORD_TYPES["customer_surveys"].column("score").min == 0
    assert RECORD_TYPES["customer_surveys"].column("score").max == 10
    assert RECORD_TYPES["risks"].column("likelihood").max == 5
    assert RECORD_TYPES["kpi_measurements"].column("period").dtype == "period[M]"


def test_record_spec_names_known_types_on_error():
    assert record_spec("complaints") is RECORD_TYPES["complaints"]
    with pytest.raises(ConfigError, match="unknown record type 'complaint'.*complaints"):
        record_spec("complaint")


def test_spec_refuses_rules_on_unknown_columns():
    with pytest.raises(ValueError, match="unknown columns"):
        RecordSpec(
            name="x",
            title="x",
            clauses=(),
            description="",
            columns=(Column("a", "date"),),
            key=("a",),
            orders=(Order("a", "b"),),
        )
    with pytest.raises(ValueError, match="twice"):
        RecordSpec("x", "x", (), "", (Column("a", "id"), Column("a", "id")), ("a",))


def test_data_dictionary_documents_every_column_and_check():
    text = data_dictionary()
    for spec in RECORD_TYPES.values():
        assert f"## {spec.name}" in text
        for col in spec.columns:
            assert f"| `{col.name}` |" in text
    for check in CHECKS:
        assert f"`{check}`" in text
    assert "thousands separators" in text.lower()


def test_committed_data_dictionary_is_up_to_date():
    committed = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"
    assert committed.read_text(encoding="utf-8") == data_dictionary(), (
        "run `qms dictionary` to regenerate docs/data-dictionary.md"
    )


def test_write_data_dictionary_writes_atomically(tmp_path):
    path = write_data_dictionary(tmp_path / "docs" / "dd.md")
    assert path.read_text(encoding="utf-8") == data_dictionary()
    assert [p.name for p in path.parent.iterdir()] == ["dd.md"]


# --- the four record types of issues 11 and 12 ------------------------------------------------

NEW_SPEC_FACTS = [
    # record type, clauses, event date, privacy flags
    (
        "changes",
        ("6.3", "10.2", "10.3"),
        "implemented_date",
        {"description": "free_text", "owner": "personal"},
    ),
    ("audit_programme", ("9.2",), "planned_date", {"lead_auditor": "personal"}),
    ("training_records", ("7.2", "7.3"), "due_date", {"person": "personal"}),
    ("documents", ("7.5",), None, {"approved_by": "personal"}),
]


@pytest.mark.parametrize(("record_type", "clauses", "event_date", "private"), NEW_SPEC_FACTS)
def test_new_specs_declare_clauses_event_date_and_privacy(
    record_type, clauses, event_date, private
):
    spec = RECORD_TYPES[record_type]
    assert spec.clauses == clauses
    assert spec.event_date == event_date
    assert spec.private == private
    assert spec.key == (NEW_COLUMNS[record_type].split()[0],)
    assert spec.column(spec.key[0]).required


def test_new_specs_required_columns_and_future_dates():
    assert RECORD_TYPES["changes"].required == ["change_id", "implemented_date"]
    assert RECORD_TYPES["audit_programme"].required == ["audit_id", "planned_date"]
    assert RECORD_TYPES["training_records"].required == ["record_id", "person", "course"]
    assert RECORD_TYPES["documents"].required == ["doc_id"]
    future_ok = {(rt, c.name) for rt, s in RECORD_TYPES.items() for c in s.columns if c.future_ok}
    assert {
        ("changes", "implemented_date"),
        ("audit_programme", "planned_date"),
        ("training_records", "due_date"),
        ("documents", "review_due"),
    } <= future_ok
    # conducted and completed dates are facts: never in the future
    assert ("audit_programme", "conducted_date") not in future_ok
    assert ("training_records", "completed_date") not in future_ok
    assert RECORD_TYPES["changes"].column("evaluation_months").kind == "count"


def test_new_references():
    refs = {
        (rt, r.column): (r.target, r.target_column)
        for rt, s in RECORD_TYPES.items()
        for r in s.references
    }
    assert refs[("changes", "capa_id")] == ("corrective_actions", "capa_id")
    assert refs[("changes", "action_id")] == ("review_actions", "action_id")
    assert refs[("changes", "objective_id")] == ("objectives", "objective_id")
    assert refs[("audit_findings", "audit_id")] == ("audit_programme", "audit_id")


def test_new_status_rules_and_later_facts():
    rules = {
        (rt, r.status, r.values, r.requires)
        for rt, s in RECORD_TYPES.items()
        for r in s.status_rules
    }
    assert ("audit_programme", "status", ("done",), "conducted_date") in rules
    assert ("training_records", "effectiveness", ("yes", "no"), "completed_date") in rules
    assert ("documents", "status", ("approved",), "approved_date") in rules
    programme = RECORD_TYPES["audit_programme"].later_facts[0]
    assert (programme.date, programme.values, programme.reset_to) == (
        "conducted_date",
        ("done",),
        "planned",
    )
    training = RECORD_TYPES["training_records"].later_facts[0]
    assert (training.date, training.status, training.reset_to) == (
        "completed_date",
        "effectiveness",
        "pending",
    )
    assert [(o.low, o.high) for o in RECORD_TYPES["documents"].orders] == [
        ("approved_date", "review_due")
    ]


@pytest.mark.parametrize(
    ("clauses", "ok"),
    [
        ("5.1", True),
        ("5.1; 9.3", True),
        ("8.5.1;8.6; 10.2", True),
        ("5.1, 9.3", False),
        ("ISO 5.1", False),
        ("5.1;", False),
        ("11.1", False),
    ],
)
def test_audit_programme_clause_lists(clauses, ok):
    import re

    pattern = RECORD_TYPES["audit_programme"].column("clauses").pattern
    assert bool(re.fullmatch(pattern, clauses)) is ok


def test_audit_id_reference_is_skipped_when_the_programme_is_not_configured(tmp_path, good_rows):
    from workbooks import write_workbook

    import qmsdata

    findings = pd.DataFrame(good_rows["audit_findings"], dtype="str")
    findings.loc[1, "audit_id"] = "A99"  # in no programme
    frames = {"audit_findings": findings}
    wb = qmsdata.load(write_workbook(tmp_path / "alone", frames), record_types=["audit_findings"])
    assert len(wb.rejects["audit_findings"]) == 0
    frames["audit_programme"] = pd.DataFrame(good_rows["audit_programme"], dtype="str")
    wb = qmsdata.load(write_workbook(tmp_path / "both", frames))
    rejected = wb.failures[wb.failures["record_type"] == "audit_findings"]
    assert list(zip(rejected["check"], rejected["column"], strict=True)) == [
        ("reference", "audit_id")
    ]


def test_as_at_hides_later_audits_and_training(tmp_path, good_rows):
    from workbooks import write_workbook

    import qmsdata

    frames = {
        rt: pd.DataFrame(good_rows[rt], dtype="str")
        for rt in ("audit_programme", "training_records")
    }
    frames["training_records"].loc[0, "completed_date"] = "2026-04-20"  # late, after its due date
    wb = qmsdata.load(write_workbook(tmp_path / "wb", frames))
    programme = wb.as_at("2026-02-28").audit_programme.set_index("audit_id")
    assert programme.loc["A1", "status"] == "planned"  # conducted 2026-03-01: not yet
    assert pd.isna(programme.loc["A1", "conducted_date"])
    training = wb.as_at("2026-04-05").training_records.set_index("record_id")
    assert training.loc["T1", "effectiveness"] == "pending"  # completed 2026-04-20: not yet
    assert pd.isna(training.loc["T1", "completed_date"])
    assert "T2" not in training.index  # due 2026-12-31: not known as at 2026-04-05
