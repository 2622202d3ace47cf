"""Audit findings: internal, external, certification, supplier, customer (ISO 9001 9.2)."""

from qmsdata.records._spec import (
    OPEN_CLOSED,
    Order,
    RecordSpec,
    Reference,
    c,
    closed_needs_date,
    closure,
)

SPEC = RecordSpec(
    name="audit_findings",
    title="Audit findings",
    clauses=("9.2", "9.3.2 c 6"),
    description="One row per audit finding (including observations and opportunities).",
    columns=(
        c("finding_id", "id", "finding number", required=True),
        c("audit_id", "id", "audit the finding belongs to", required=True),
        c("audit_date", "date", "date of the audit", required=True),
        c(
            "audit_type",
            "enum",
            "kind of audit",
            required=True,
            allowed=("internal", "external", "certification", "supplier", "customer"),
        ),
        c("auditor", "text", "lead auditor", privacy="personal"),
        c("process", "text", "process audited"),
        c(
            "clause",
            "text",
            "ISO 9001 clause, such as 8.5.1 (4 to 10 followed by sub-clauses)",
            pattern=r"(?:[4-9]|10)(?:\.\d{1,2}){0,3}",
        ),
        c(
            "finding_type",
            "enum",
            "major nonconformity, minor nonconformity, observation or opportunity for improvement",
            required=True,
            allowed=("major_nc", "minor_nc", "observation", "ofi"),
        ),
        c("description", "text", "the finding", privacy="free_text"),
        c("status", "enum", "open or closed", allowed=OPEN_CLOSED),
        c("due_date", "date", "date the correction is due", future_ok=True),
        c("closed_date", "date", "date it was closed"),
        c("capa_id", "id", "corrective action raised for it, if any"),
        c("site", "site", "site audited"),
    ),
    key=("finding_id",),
    references=(
        Reference("capa_id", "corrective_actions", "capa_id"),
        Reference("audit_id", "audit_programme", "audit_id"),
    ),
    orders=(Order("audit_date", "closed_date"), Order("audit_date", "due_date")),
    status_rules=(closed_needs_date(),),
    event_date="audit_date",
    later_facts=(closure(),),
)
