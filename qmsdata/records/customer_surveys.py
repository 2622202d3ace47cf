"""Customer survey responses (ISO 9001 9.1.2)."""

from qmsdata.records._spec import RecordSpec, c

SPEC = RecordSpec(
    name="customer_surveys",
    title="Customer survey responses",
    clauses=("9.1.2", "9.3.2 c 1"),
    description="One row per survey response; score is 0-10 (likelihood to recommend, for NPS).",
    columns=(
        c("response_id", "id", "response number", required=True),
        c("customer", "text", "customer", privacy="personal"),
        c("response_date", "date", "date of the response", required=True),
        c("score", "number", "score from 0 to 10", required=True, min=0, max=10),
        c("site", "site", "site serving the customer"),
        c("comment", "text", "free-text comment", privacy="free_text"),
    ),
    key=("response_id",),
    event_date="response_date",
)
