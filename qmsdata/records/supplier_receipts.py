"""Goods received from external providers (ISO 9001 8.4, 9.3.2 c 7)."""

from qmsdata.records._spec import Order, RecordSpec, c

SPEC = RecordSpec(
    name="supplier_receipts",
    title="Supplier receipts",
    clauses=("8.4", "9.3.2 c 7"),
    description=(
        "One row per receipt (delivery) inspected at goods-in: quantity received and rejected, "
        "and the promised date for on-time delivery."
    ),
    columns=(
        c("receipt_id", "id", "receipt number", required=True),
        c("supplier_id", "id", "supplier number", required=True),
        c("received_date", "date", "date received", required=True),
        c("due_date", "date", "date promised", future_ok=True),
        c("quantity_received", "count", "units received", required=True, min=0),
        c("quantity_rejected", "count", "units rejected at inspection", min=0),
        c("supplier_name", "text", "supplier name"),
    ),
    key=("receipt_id",),
    orders=(Order("quantity_rejected", "quantity_received", check="rejected_le_received"),),
    event_date="received_date",
)
