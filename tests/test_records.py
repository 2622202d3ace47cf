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
]


def test_registry_holds_the_twelve_record_types_in_issue_order():
    assert list(RECORD_TYPES) == list(ISSUE_COLUMNS)


@pytest.mark.parametrize("record_type", list(ISSUE_COLUMNS))
def test_spec_has_every_canonical_column_of_the_issue(record_type):
    spec = RECORD_TYPES[record_type]
    missing = set(ISSUE_COLUMNS[record_type].split()) - set(spec.names)
    assert not missing
    assert spec.name == record_type
    assert set(spec.key) <= set(spec.names)
    assert spec.required, "every record type has at least its key required"
    assert all(spec.column(k).required for k in spec.key if k != "product")


@pytest.mark.parametrize(("record_type", "column", "allowed"), ISSUE_ALLOWED)
def test_allowed_values_match_the_issue(record_type, column, allowed):
    assert RECORD_TYPES[record_type].column(column).allowed == allowed


@pytest.mark.parametrize("record_type", list(ISSUE_COLUMNS))
def test_empty_frame_has_the_spec_dtypes(record_type):
    spec = RECORD_TYPES[record_type]
    frame = spec.empty_frame()
    assert list(frame.columns) == [*spec.names, "source_row"]
    assert len(frame) == 0
    for col in spec.columns:
        assert frame[col.name].dtype == pd.Series([], dtype=DTYPES[col.kind]).dtype


@pytest.mark.parametrize("record_type", list(ISSUE_COLUMNS))
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
