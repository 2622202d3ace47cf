"""External and internal issues, the organisation's context (ISO 9001 4.1, 9.3.2 b)."""

from qmsdata.records._spec import OPEN_CLOSED, RecordSpec, c

SPEC = RecordSpec(
    name="context_issues",
    title="Context issues",
    clauses=("4.1", "9.3.2 b"),
    description=(
        "One row per external or internal issue relevant to the QMS (including whether climate "
        "change is relevant, ISO 9001 Amd 1:2024)."
    ),
    columns=(
        c("issue_id", "id", "issue number", required=True),
        c("date_noted", "date", "date the issue was noted or last changed", required=True),
        c("kind", "enum", "external or internal", required=True, allowed=("external", "internal")),
        c("description", "text", "the issue", required=True, privacy="free_text"),
        c("impact", "enum", "expected effect on the QMS", allowed=("low", "medium", "high")),
        c("status", "enum", "open (being monitored) or closed", allowed=OPEN_CLOSED),
    ),
    key=("issue_id",),
    event_date="date_noted",
)
