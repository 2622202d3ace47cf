"""Risks and opportunities register (ISO 9001 6.1, 9.3.2 e)."""

from qmsdata.records._spec import OPEN_CLOSED_CANCELLED, RecordSpec, c

SPEC = RecordSpec(
    name="risks",
    title="Risks and opportunities",
    clauses=("6.1", "9.3.2 e"),
    description=(
        "One row per risk or opportunity with its 1-5 likelihood and impact scores and the "
        "action taken on it."
    ),
    columns=(
        c("risk_id", "id", "risk number", required=True),
        c("kind", "enum", "risk or opportunity", required=True, allowed=("risk", "opportunity")),
        c("process", "text", "process concerned"),
        c("description", "text", "the risk or opportunity", required=True, privacy="free_text"),
        c("likelihood", "count", "likelihood score, 1 (rare) to 5 (almost certain)", min=1, max=5),
        c("impact", "count", "impact score, 1 (negligible) to 5 (severe)", min=1, max=5),
        c("action", "text", "action planned", privacy="free_text"),
        c("action_due", "date", "date the action is due", future_ok=True),
        c("action_status", "enum", "open, closed or cancelled", allowed=OPEN_CLOSED_CANCELLED),
        c("effective", "enum", "was the action effective", allowed=("yes", "no", "pending")),
        c("date_identified", "date", "date the risk was identified"),
    ),
    key=("risk_id",),
    event_date="date_identified",
)
