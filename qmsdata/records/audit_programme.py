"""The internal and external audit programme: audits planned and conducted (ISO 9001 9.2).

An audit that found nothing is evidence too: coverage of clauses and processes comes from the
programme (``processes`` and ``clauses`` are ``;``-separated lists), not only from the findings.
"""

from qmsdata.records._spec import LaterFact, RecordSpec, StatusRule, c

#: one ISO 9001 clause number (4 to 10, then up to three sub-clause levels), as in audit findings
_CLAUSE = r"(?:[4-9]|10)(?:\.\d{1,2}){0,3}"

SPEC = RecordSpec(
    name="audit_programme",
    title="Audit programme",
    clauses=("9.2",),
    description=(
        "One row per audit in the programme (ISO 9001 9.2, ISO 19011): when it is planned, when "
        "it was conducted, what it covers (processes and clauses, `;`-separated) and its status. "
        "Audit findings refer to it by audit_id."
    ),
    columns=(
        c("audit_id", "id", "audit number (the audit_id of its findings)", required=True),
        c(
            "audit_type",
            "enum",
            "kind of audit",
            allowed=("internal", "external", "certification", "supplier", "customer"),
        ),
        c("planned_date", "date", "date the audit is planned", required=True, future_ok=True),
        c("conducted_date", "date", "date the audit was conducted"),
        c("site", "site", "site audited"),
        c("processes", "text", "processes covered, `;`-separated"),
        c(
            "clauses",
            "text",
            "ISO 9001 clauses covered, `;`-separated (such as 5.1; 9.3)",
            pattern=rf"{_CLAUSE}(?:\s*;\s*{_CLAUSE})*",
        ),
        c("lead_auditor", "text", "lead auditor", privacy="personal"),
        c(
            "status",
            "enum",
            "planned, done, postponed or cancelled",
            allowed=("planned", "done", "postponed", "cancelled"),
        ),
    ),
    key=("audit_id",),
    status_rules=(StatusRule("status", ("done",), "conducted_date"),),
    event_date="planned_date",
    later_facts=(LaterFact("conducted_date", "status", ("done",), "planned"),),
)
