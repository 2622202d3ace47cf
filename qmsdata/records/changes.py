"""Changes and interventions: what was changed, when, and what it should move (6.3, 10.2, 10.3).

The "Do" of Plan-Do-Check-Act: a process change, an improvement, a corrective action put in place.
The PDCA analyses judge each implemented change against the series named in ``metric``.
"""

from qmsdata.records._spec import RecordSpec, Reference, c

SPEC = RecordSpec(
    name="changes",
    title="Changes and interventions",
    clauses=("6.3", "10.2", "10.3"),
    description=(
        "One row per documented change to a process, product or the QMS: when it was put in "
        "place, where, why (the linked CAPA, review action or objective), which series it is "
        "meant to move and in which direction, and how many months to wait before judging it "
        "(evaluation_months; 3 when empty). Planned changes may be dated in the future."
    ),
    columns=(
        c("change_id", "id", "change number", required=True),
        c(
            "implemented_date",
            "date",
            "date the change was (or is planned to be) put in place",
            required=True,
            future_ok=True,
        ),
        c("site", "site", "site changed; empty for every site"),
        c("process", "text", "process changed"),
        c("product", "text", "product or product family, when the change is product-specific"),
        c(
            "kind",
            "enum",
            "what kind of change",
            allowed=(
                "corrective_action",
                "improvement",
                "process_change",
                "objective_action",
                "other",
            ),
        ),
        c("description", "text", "what was changed", privacy="free_text"),
        c("capa_id", "id", "corrective action the change implements, if any"),
        c("action_id", "id", "management review action the change implements, if any"),
        c("objective_id", "id", "quality objective the change serves, if any"),
        c(
            "metric",
            "enum",
            "the series the change is meant to move",
            allowed=(
                "defect_rate",
                "complaint_rate",
                "supplier_rejection_rate",
                "objective",
                "other",
            ),
        ),
        c(
            "expected_direction",
            "enum",
            "which way the series should move",
            allowed=("decrease", "increase"),
        ),
        c(
            "evaluation_months",
            "count",
            "months after the change before its effect is judged (3 when empty)",
            min=1,
        ),
        c(
            "status",
            "enum",
            "planned, implemented or cancelled",
            allowed=("planned", "implemented", "cancelled"),
        ),
        c("owner", "text", "person responsible for the change", privacy="personal"),
    ),
    key=("change_id",),
    references=(
        Reference("capa_id", "corrective_actions", "capa_id"),
        Reference("action_id", "review_actions", "action_id"),
        Reference("objective_id", "objectives", "objective_id"),
    ),
    event_date="implemented_date",
    blank_site_is_organisation=True,  # no site: the whole organisation's
    blank_product="every_product",  # no product: not specific to one product
)
