"""Quality objectives and their plans (ISO 9001 6.2.1, 6.2.2)."""

from qmsdata.records._spec import Order, RecordSpec, c

SPEC = RecordSpec(
    name="objectives",
    title="Quality objectives",
    clauses=("6.2", "9.3.2 c 2"),
    description=(
        "One row per quality objective with its target and the 6.2.2 plan: what will be done "
        "(action_plan), with what (resources), who (responsible), when (plan_due) and how the "
        "results are evaluated (evaluation_method)."
    ),
    columns=(
        c("objective_id", "id", "objective number", required=True),
        c("name", "text", "what is measured", required=True),
        c("process", "text", "process the objective belongs to"),
        c("owner", "text", "person accountable", privacy="personal"),
        c("unit", "text", "unit of the measure (%, ppm, days, score)"),
        c(
            "direction",
            "enum",
            "which way is better",
            required=True,
            allowed=("increase", "decrease"),
        ),
        c("target", "number", "target value", required=True),
        c("valid_from", "date", "first day the target applies", future_ok=True),
        c("valid_to", "date", "last day the target applies", future_ok=True),
        c(
            "frequency",
            "enum",
            "how often it is measured",
            allowed=("monthly", "quarterly", "annual"),
        ),
        c("action_plan", "text", "6.2.2 a: what will be done", privacy="free_text"),
        c("resources", "text", "6.2.2 b: what resources are required", privacy="free_text"),
        c("responsible", "text", "6.2.2 c: who is responsible", privacy="personal"),
        c("plan_due", "date", "6.2.2 d: when it will be completed", future_ok=True),
        c(
            "evaluation_method",
            "text",
            "6.2.2 e: how the results are evaluated",
            privacy="free_text",
        ),
        c("site", "site", "site, when the objective is site-specific"),
    ),
    key=("objective_id",),
    orders=(Order("valid_from", "valid_to"),),
    blank_site_is_organisation=True,  # no site: the whole organisation's
)
