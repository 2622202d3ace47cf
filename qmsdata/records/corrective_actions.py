"""Corrective actions, CAPA (ISO 9001 10.2: causes, action, review of effectiveness)."""

from qmsdata.records._spec import (
    OPEN_CLOSED_CANCELLED,
    Order,
    RecordSpec,
    c,
    closed_needs_date,
    closure,
)

SPEC = RecordSpec(
    name="corrective_actions",
    title="Corrective actions (CAPA)",
    clauses=("10.2", "9.3.2 c 4"),
    description="One row per corrective action, with its source, due date and effectiveness.",
    columns=(
        c("capa_id", "id", "corrective action number", required=True),
        c("opened_date", "date", "date opened", required=True),
        c(
            "source_type",
            "enum",
            "what raised it",
            allowed=("complaint", "nonconformity", "audit", "review", "risk", "other"),
        ),
        c("source_id", "id", "id of the complaint, nonconformity, finding ... that raised it"),
        c("process", "text", "process owning the action"),
        c("owner", "text", "person responsible", privacy="personal"),
        c("root_cause_category", "text", "root-cause category (method, machine, material, ...)"),
        c("due_date", "date", "date the action is due", future_ok=True),
        c("closed_date", "date", "date it was closed"),
        c(
            "status",
            "enum",
            "open, closed or cancelled",
            required=True,
            allowed=OPEN_CLOSED_CANCELLED,
        ),
        c("effectiveness_due", "date", "date the effectiveness review is due", future_ok=True),
        c("effective", "enum", "was the action judged effective", allowed=("yes", "no", "pending")),
        c("description", "text", "the action", privacy="free_text"),
    ),
    key=("capa_id",),
    orders=(Order("opened_date", "closed_date"), Order("opened_date", "due_date")),
    status_rules=(closed_needs_date(),),
    event_date="opened_date",
    later_facts=(closure(clear=("effective",)),),
)
