"""Customer complaints (ISO 9001 9.1.2 customer satisfaction, 8.2.1 customer communication)."""

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
    name="complaints",
    title="Customer complaints",
    clauses=("9.1.2", "9.3.2 c 1"),
    description="One row per customer complaint received.",
    columns=(
        c("complaint_id", "id", "complaint number", required=True),
        c("received_date", "date", "date the complaint was received", required=True),
        c("customer", "text", "customer name or number", privacy="personal"),
        c("product", "text", "product or part number concerned"),
        c("site", "site", "site that made or shipped the product"),
        c("category", "text", "complaint category (delivery, quality, documentation, ...)"),
        c("severity", "enum", "severity", allowed=("critical", "major", "minor")),
        c("status", "enum", "open or closed", required=True, allowed=OPEN_CLOSED),
        c("closed_date", "date", "date the complaint was closed"),
        c("capa_id", "id", "corrective action raised for it, if any"),
        c("cost", "number", "cost of the complaint (credit, replacement, handling)", min=0),
        c("quantity_affected", "count", "units affected", min=0),
        c("description", "text", "what the customer reported", privacy="free_text"),
    ),
    key=("complaint_id",),
    references=(Reference("capa_id", "corrective_actions", "capa_id"),),
    orders=(Order("received_date", "closed_date"),),
    status_rules=(closed_needs_date(),),
    event_date="received_date",
    later_facts=(closure(),),
)
