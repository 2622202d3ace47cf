"""Monthly measurements of the quality objectives (ISO 9001 9.1.1, 9.1.3, 6.2)."""

from qmsdata.records._spec import Order, RecordSpec, Reference, c

SPEC = RecordSpec(
    name="kpi_measurements",
    title="KPI measurements",
    clauses=("9.1.1", "9.3.2 c 2", "9.3.2 c 5"),
    description=(
        "One row per objective and month. `value` is the measured result in the objective's "
        "unit; for ratios give `numerator` and `denominator` too (then numerator <= denominator)."
    ),
    columns=(
        c("objective_id", "id", "objective measured", required=True),
        c("period", "period", "month measured", required=True),
        c("value", "number", "measured value", required=True),
        c("numerator", "number", "numerator of a ratio", min=0),
        c("denominator", "number", "denominator of a ratio", min=0),
    ),
    key=("objective_id", "period"),
    references=(Reference("objective_id", "objectives", "objective_id"),),
    orders=(Order("numerator", "denominator", check="numerator_le_denominator"),),
    event_date="period",
)
