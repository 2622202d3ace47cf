"""Nonconformities: internal, incoming and customer-found (ISO 9001 8.7, 10.2)."""

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
    name="nonconformities",
    title="Nonconformities",
    clauses=("8.7", "10.2", "9.3.2 c 3", "9.3.2 c 4"),
    description="One row per recorded nonconformity (a defect found at a point of inspection).",
    columns=(
        c("nc_id", "id", "nonconformity number", required=True),
        c("detected_date", "date", "date the nonconformity was found", required=True),
        c("site", "site", "site where it was found", required=True),
        c("process", "text", "process where it was found (SMT, wave solder, test, ...)"),
        c("product", "text", "product or part number"),
        c(
            "source",
            "enum",
            "where it was found",
            required=True,
            allowed=("incoming", "in_process", "final", "customer"),
        ),
        c("defect_code", "text", "defect code"),
        c("defect_category", "text", "defect category"),
        c("quantity", "count", "units nonconforming", required=True, min=0),
        c(
            "disposition",
            "enum",
            "what was done with the units",
            allowed=("scrap", "rework", "use_as_is", "return_to_supplier", "pending"),
        ),
        c("cost", "number", "cost of the nonconformity", min=0),
        c("supplier_id", "id", "supplier, for incoming nonconformities"),
        c("capa_id", "id", "corrective action raised for it, if any"),
        c("status", "enum", "open or closed", allowed=OPEN_CLOSED),
        c("closed_date", "date", "date it was closed"),
        c("description", "text", "what was found", privacy="free_text"),
    ),
    key=("nc_id",),
    references=(
        Reference("capa_id", "corrective_actions", "capa_id"),
        Reference("supplier_id", "supplier_receipts", "supplier_id"),
    ),
    orders=(Order("detected_date", "closed_date"),),
    status_rules=(closed_needs_date(),),
    event_date="detected_date",
    later_facts=(closure(),),
)
