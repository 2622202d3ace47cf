"""Record types: one declarative spec per module, collected in the :data:`RECORD_TYPES` registry.

The specs are the single source of truth for the loader's typing, the great-expectations suites
and the data dictionary (``docs/data-dictionary.md``, written by :func:`write_data_dictionary`).
"""

from __future__ import annotations

import os
from pathlib import Path

from qmsdata.errors import ConfigError
from qmsdata.io.settings import SETTINGS_DOC
from qmsdata.records import (
    audit_findings,
    audit_programme,
    changes,
    complaints,
    context_issues,
    corrective_actions,
    customer_surveys,
    documents,
    kpi_measurements,
    nonconformities,
    objectives,
    production,
    review_actions,
    risks,
    supplier_receipts,
    training_records,
)
from qmsdata.records._spec import (
    DTYPES,
    KIND_NOTES,
    Column,
    LaterFact,
    Order,
    RecordSpec,
    Reference,
    StatusRule,
)

__all__ = [
    "RECORD_TYPES",
    "Column",
    "LaterFact",
    "Order",
    "RecordSpec",
    "Reference",
    "StatusRule",
    "data_dictionary",
    "record_spec",
    "write_data_dictionary",
]

#: record type name -> spec: the twelve management-review inputs in their order, then the
#: change register (PDCA) and the certification-readiness records (programme, training, documents).
RECORD_TYPES: dict[str, RecordSpec] = {
    m.SPEC.name: m.SPEC
    for m in (
        complaints,
        nonconformities,
        production,
        audit_findings,
        corrective_actions,
        objectives,
        kpi_measurements,
        supplier_receipts,
        customer_surveys,
        review_actions,
        risks,
        context_issues,
        changes,
        audit_programme,
        training_records,
        documents,
    )
}


def record_spec(record_type: str) -> RecordSpec:
    """Return the spec of ``record_type``.

    Raises
    ------
    ConfigError
        When the record type is unknown; the message lists the known ones.
    """
    try:
        return RECORD_TYPES[record_type]
    except KeyError:
        raise ConfigError(
            f"unknown record type {record_type!r}",
            record_type=record_type,
            hint=f"Use one of: {', '.join(RECORD_TYPES)}.",
        ) from None


# --- data dictionary -------------------------------------------------------------------------

_NORMALISATION = """\
## How values are read

- **Headers**: a byte-order mark and leading/trailing spaces are removed from source column names.
  A mapped name (`[records.<type>.columns] canonical = "Source name"`) is matched exactly, then
  case-insensitively. Source columns that are not mapped and not canonical are kept unchanged.
- **Missing values**: an empty cell (or one holding only spaces) is missing. Text such as `NA`,
  `N/A` or `null` is *not* treated as missing — it is a value like any other — unless the
  source lists it in `missing` (see *Reading settings per source*).
- **Text and ids**: leading and trailing spaces are removed.
- **Codes (enums)**: trimmed, lower-cased, and runs of inner spaces or hyphens become one `_`
  (`"Use as is"` -> `use_as_is`, `"Major NC"` -> `major_nc`). The result must be one of the
  allowed values.
- **Dates**: ISO 8601 (`2026-03-21`, optionally with a time) unless `date_format` is given for the
  record type in `qms.toml` (a `strftime` format such as `%d/%m/%Y`). Dates that are real dates
  in the source (Excel date cells, Parquet timestamps, SQL dates) are used as they are. Day/month
  order is never guessed. Stored as `datetime64[us]`, which holds any date a source can write.
- **"No date" placeholders**: many systems write a far-future or far-past date such as
  `9999-12-31` or `1900-01-01` for "no date". List them per record type,
  `missing_dates = ["9999-12-31"]` under `[records.<type>]` (or once under `[workbook]` for
  every record type): such dates are read as missing (a required column then fails `not_null`).
- **Plausible dates**: a date or month before 1950-01-01 or after 2199-12-31 fails check
  `plausible_date` (usually a typo such as 1926 for 2026, or an undeclared placeholder). Change
  the window with `earliest_date = 1900-01-01` / `latest_date = 2250-12-31` under
  `[records.<type>]` or `[workbook]` (within 1678-01-01 .. 2261-12-31).
- **Months** (`period`): `2026-10`, `2026-10-01` or `Oct 2026` / `October 2026`; stored as
  `Period[M]`.
- **Numbers**: a plain decimal with `.` as the decimal point (`1234.5`, `-3`, `1e3`).
  Thousands separators (`1,234`) and currency symbols are not guessed: such a cell is rejected
  with check `type`, unless the source sets `decimal` / `thousands` (`1.234,50`). Counts must
  be whole numbers. All numbers are stored as `float64`.
- **Site** columns must name one of the `[workbook] sites` when that list is given; the match
  ignores case and surrounding spaces and the value is written as in `sites` (`leeds` -> `Leeds`).
- **Row numbers**: `source_row` counts data rows from 1 in source order, in every format.
  `source_line` (rejects and failures, CSV and Excel only) is the line of the file where the
  row starts, as a text editor or Excel numbers it: the title block above `header_row`, blank
  lines (not rows) and cells holding line breaks are counted. It is what every report shows as
  the line to look at; empty for Parquet and SQL, and when it could not be told.

## Checks

Every failing row is quarantined (never dropped) into `wb.rejects[record_type]` with its original
values, its `source_row` (first data row = 1), its `source_line` (the line in the file, CSV and
Excel) and the reasons.
Rows in = accepted + rejected, always.

| check | meaning |
|---|---|
| `type` | the value cannot be read as the column's type (number, whole number, date, month) |
| `plausible_date` | a date or month is outside the plausible window (1950-01-01 .. 2199-12-31) |
| `not_null` | a required column is empty |
| `allowed_values` | a code is not one of the allowed values |
| `pattern` | text does not have the required form (audit clause) |
| `range` | a number is outside its range (quantities, costs >= 0; score 0-10; 1-5 scores) |
| `unique` | the key is repeated; every row sharing it is quarantined (which is right is unknown) |
| `date_order` | closed before opened, due before opened, valid_to before valid_from |
| `not_future` | an event date (or month) is after `as_of`; due dates may be in the future |
| `reference` | an id is not in the referenced record type's source (see below) |
| `numerator_le_denominator` | a part exceeds its whole (also `rejected_le_received`, ...) |
| `status_consistency` | a closed row has no closed date |

References (capa_id, objective_id, supplier_id) are checked only when the referenced record type
is configured, against every id in its source (accepted or rejected): quarantine does not cascade.

A missing required *column* is a structural error (`SchemaError`), not a row failure.

## Data date and reporting date

`as_of` above is the *data date*: when the export was taken (`[workbook] as_of`, else today).
A pack for an earlier period looks at the records *as at its reporting date* (`wb.as_at(date)`):
rows whose event date (named under each record type below) is after the reporting date are left
out, not known yet (they are not rejects), and facts recorded later are hidden — a
`closed_date` after the reporting date is emptied and a closed or cancelled status shows as open.
"""


def data_dictionary() -> str:
    """Return the data dictionary as Markdown, generated from :data:`RECORD_TYPES`."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the record specs in `qmsdata/records/` by `qms dictionary`; do not edit.",
        "",
        "A workbook is a folder with `qms.toml`; each `[records.<type>]` table names a source "
        "(CSV, Excel .xlsx, Parquet or a SQLAlchemy URL with `table` or `query`) and maps "
        "canonical column names to source column names under `[records.<type>.columns]`.",
        "",
        _NORMALISATION,
        SETTINGS_DOC,
        "## Types",
        "",
        "| kind | pandas dtype | meaning |",
        "|---|---|---|",
    ]
    for kind, dtype in DTYPES.items():
        lines.append(f"| {kind} | `{dtype}` | {KIND_NOTES[kind]} |")
    lines.append("")
    for spec in RECORD_TYPES.values():
        lines += [
            f"## {spec.name}",
            "",
            f"**{spec.title}** (ISO 9001 {', '.join(spec.clauses)}). {spec.description}",
            "",
            "| column | kind | required | rule | description |",
            "|---|---|---|---|---|",
        ]
        for col in spec.columns:
            lines.append(
                f"| `{col.name}` | {col.kind} | {'yes' if col.required else ''} | "
                f"{_column_rule(col)} | {col.description} |"
            )
        lines += ["", f"- Unique key: {', '.join(f'`{k}`' for k in spec.key)}."]
        for ref in spec.references:
            lines.append(
                f"- Reference: `{ref.column}` must be a `{ref.target_column}` of "
                f"`{ref.target}` (when `{ref.target}` is configured)."
            )
        for order in spec.orders:
            lines.append(f"- `{order.check}`: `{order.low}` <= `{order.high}` when both are given.")
        for rule in spec.status_rules:
            lines.append(
                f"- `{rule.check}`: `{rule.status}` {'/'.join(rule.values)} needs "
                f"`{rule.requires}`."
            )
        if spec.event_date:
            lines.append(
                f"- Event date: `{spec.event_date}`; as at an earlier reporting date, rows dated "
                "after it are left out."
            )
        if spec.blank_site_is_organisation:
            lines.append(
                "- A row without a `site` is organisation-wide: a site's pack keeps it, labelled "
                "organisation-wide (not as the site's own)."
            )
        site = spec.column("site") if "site" in spec.names else None
        if site is not None and not site.required and not spec.blank_site_is_organisation:
            lines.append(
                "- A row without a `site` has an unknown site: it is in no site's pack, and "
                "each site's pack lists it as left out (count and IDs)."
            )
        if "product" in spec.names:
            lines.append(
                {
                    "unknown": "- A row without a `product` has an unknown product: it is in no "
                    "product's pack, and each product's pack lists it as left out.",
                    "every_product": "- A row without a `product` is not specific to one "
                    "product: a product's pack leaves it out and lists it as such.",
                    "site_total": "- A row without a `product` is a site total: a product's "
                    "pack leaves it out (it is no product's row).",
                }[spec.blank_product]
            )
        for fact in spec.later_facts:
            cleared = "".join(f", `{c}` emptied" for c in fact.clear)
            lines.append(
                f"- Later fact: as at a reporting date before `{fact.date}`, `{fact.date}` is "
                f"emptied, `{fact.status}` {'/'.join(fact.values)} shows as `{fact.reset_to}`"
                f"{cleared}."
            )
        lines.append("")
    return "\n".join(lines)


def _column_rule(col: Column) -> str:
    parts = []
    if col.allowed:
        parts.append(" \\| ".join(f"`{v}`" for v in col.allowed))
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g} <= "
        hi = "" if col.max is None else f" <= {col.max:g}"
        parts.append(f"{lo}x{hi}")
    if col.pattern:
        parts.append(f"matches `{col.pattern}`".replace("|", "\\|"))
    if col.kind == "date" and not col.future_ok:
        parts.append("not after as_of")
    if col.kind == "period":
        parts.append("not after the as_of month")
    return "; ".join(parts)


def write_data_dictionary(path: str | os.PathLike[str] = "docs/data-dictionary.md") -> Path:
    """Write the data dictionary to ``path`` atomically and return the path."""
    from qmsdata.files import atomic_write

    return atomic_write(path, data_dictionary())
