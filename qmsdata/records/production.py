"""Production volumes: the denominators of every rate (ISO 9001 9.1.1, 9.3.2 c 3)."""

from qmsdata.records._spec import Order, RecordSpec, c

SPEC = RecordSpec(
    name="production",
    title="Production volumes",
    clauses=("9.1.1", "9.3.2 c 3"),
    description=(
        "Units produced, inspected and shipped per date, site and product (daily or monthly "
        "rows; analytics aggregate them to months). Rates divide by these."
    ),
    columns=(
        c(
            "date",
            "date",
            "production date (or first day of the month for monthly rows)",
            required=True,
        ),
        c("site", "site", "site", required=True),
        c("product", "text", "product or product family; empty for site totals"),
        c("units_produced", "count", "units produced", required=True, min=0),
        c("units_inspected", "count", "units inspected", min=0),
        c("units_shipped", "count", "units shipped to customers", min=0),
    ),
    key=("date", "site", "product"),
    orders=(Order("units_inspected", "units_produced", check="inspected_le_produced"),),
    event_date="date",
    blank_product="site_total",  # no product: the site's total over its products
)
