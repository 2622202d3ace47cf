"""Management review outputs and their follow-up (ISO 9001 9.3.3, 9.3.2 a)."""

from qmsdata.records._spec import (
    OPEN_CLOSED_CANCELLED,
    Order,
    RecordSpec,
    c,
    closed_needs_date,
    closure,
)

SPEC = RecordSpec(
    name="review_actions",
    title="Management review actions",
    clauses=("9.3.3", "9.3.2 a"),
    description=(
        "One row per decision or action from a management review: improvement opportunities, "
        "changes to the QMS, resource needs. Next review's input a."
    ),
    columns=(
        c("action_id", "id", "action number", required=True),
        c("review_date", "date", "date of the review that decided it", required=True),
        c(
            "output_type",
            "enum",
            "9.3.3 a, b or c",
            required=True,
            allowed=("improvement", "qms_change", "resources"),
        ),
        c("description", "text", "the action", required=True, privacy="free_text"),
        c("owner", "text", "person responsible", privacy="personal"),
        c("due_date", "date", "date due", future_ok=True),
        c(
            "status",
            "enum",
            "open, closed or cancelled",
            required=True,
            allowed=OPEN_CLOSED_CANCELLED,
        ),
        c("closed_date", "date", "date closed"),
    ),
    key=("action_id",),
    orders=(Order("review_date", "closed_date"), Order("review_date", "due_date")),
    status_rules=(closed_needs_date(),),
    event_date="review_date",
    later_facts=(closure(),),
)
