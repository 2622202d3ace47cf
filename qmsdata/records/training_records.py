"""Training records: who needs which training, by when, and did it work (ISO 9001 7.2, 7.3)."""

from qmsdata.records._spec import LaterFact, RecordSpec, StatusRule, c

SPEC = RecordSpec(
    name="training_records",
    title="Training records",
    clauses=("7.2", "7.3"),
    description=(
        "One row per person and course: whether the training is required for the role, when it "
        "is due, when it was completed and whether it was judged effective (7.2 d: evaluate the "
        "effectiveness of the actions taken)."
    ),
    columns=(
        c("record_id", "id", "training record number", required=True),
        c("person", "text", "person trained", required=True, privacy="personal"),
        c("role", "text", "the person's role"),
        c("process", "text", "process the competence is needed for"),
        c("site", "site", "site"),
        c("course", "text", "course or competence", required=True),
        c("required", "enum", "is the training required for the role", allowed=("yes", "no")),
        c("due_date", "date", "date the training is due", future_ok=True),
        c("completed_date", "date", "date the training was completed"),
        c(
            "effectiveness",
            "enum",
            "was the training judged effective",
            allowed=("yes", "no", "pending"),
        ),
    ),
    key=("record_id",),
    status_rules=(StatusRule("effectiveness", ("yes", "no"), "completed_date"),),
    event_date="due_date",
    later_facts=(LaterFact("completed_date", "effectiveness", ("yes", "no"), "pending"),),
)
