"""The register of documented information: procedures, instructions, forms (ISO 9001 7.5)."""

from qmsdata.records._spec import Order, RecordSpec, StatusRule, c

SPEC = RecordSpec(
    name="documents",
    title="Documented information",
    clauses=("7.5",),
    description=(
        "One row per controlled document: its version, who approved it and when (7.5.2 c), when "
        "its next review is due and its status (draft, approved or obsolete)."
    ),
    columns=(
        c("doc_id", "id", "document number", required=True),
        c("title", "text", "document title"),
        c("process", "text", "process the document belongs to"),
        c(
            "clause",
            "text",
            "ISO 9001 clause the document serves, such as 8.5.1",
            pattern=r"(?:[4-9]|10)(?:\.\d{1,2}){0,3}",
        ),
        c("version", "text", "version or revision"),
        c("approved_by", "text", "person who approved it", privacy="personal"),
        c("approved_date", "date", "date it was approved"),
        c("review_due", "date", "date its next review is due", future_ok=True),
        c(
            "status",
            "enum",
            "draft, approved or obsolete",
            allowed=("draft", "approved", "obsolete"),
        ),
        c("site", "site", "site, when the document is site-specific"),
    ),
    key=("doc_id",),
    orders=(Order("approved_date", "review_due"),),
    status_rules=(StatusRule("status", ("approved",), "approved_date"),),
    blank_site_is_organisation=True,  # no site: the whole organisation's
)
