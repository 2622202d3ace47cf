"""The demo's test answers: planted signals, changes, readiness gaps and invalid rows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.demo.company import (
    BAD_SUPPLIER,
    CHANGE_PLAN,
    DEFAULT_END,
    DOCUMENTS,
    EFFECTIVE_FACTOR,
    EXTRA_AUDITS,
    REFLOW_COURSE,
    WAVE_RECERT,
    change_date,
    extra_audit_id,
    parse_end,
    training_plan,
)

# --- planted signals --------------------------------------------------------------------------


def planted_signals(end: str | pd.Period = DEFAULT_END) -> list[dict[str, Any]]:
    """Return the planted signals for a demo ending at ``end``.

    Parameters
    ----------
    end
        Last month of the demo (``YYYY-MM`` or a monthly Period).

    Returns
    -------
    list of dict
        One dict per signal with keys ``key, area, record_type, description, site, process,
        product, supplier_id, objective_id, start`` (a monthly ``pd.Period``) and ``direction``
        (always ``"concern"``).
    """
    e = parse_end(end)
    base = dict(site=None, process=None, product=None, supplier_id=None, objective_id=None)
    return [
        {
            **base,
            "key": "defect_step",
            "area": "nonconformities",
            "record_type": "nonconformities",
            "description": (
                "Defect rate (NC quantity per unit inspected) of Reflow soldering at Leeds steps "
                f"up 2.2x from {e - 6} and stays up to {e}."
            ),
            "site": "Leeds",
            "process": "Reflow soldering",
            "start": e - 6,
            "direction": "concern",
        },
        {
            **base,
            "key": "complaint_rise",
            "area": "complaints",
            "record_type": "complaints",
            "description": (
                "Complaints per million units shipped rise steadily from "
                f"{e - 17} to {e} (about +60% over 18 months); shipped volume is flat."
            ),
            "start": e - 17,
            "direction": "concern",
        },
        {
            **base,
            "key": "supplier_deterioration",
            "area": "suppliers",
            "record_type": "supplier_receipts",
            "description": (
                f"Rejection rate of {BAD_SUPPLIER} (Kestrel Semiconductor Distribution) rises "
                f"from {e - 7}: x1.6 at first, x6 by {e}."
            ),
            "supplier_id": BAD_SUPPLIER,
            "start": e - 7,
            "direction": "concern",
        },
        {
            **base,
            "key": "capa_overdue_cluster",
            "area": "corrective_actions",
            "record_type": "corrective_actions",
            "description": (
                "Eleven corrective actions on Wave soldering at Brno (owner Tomáš Dvořák) "
                f"opened {e - 5} to {e - 3}, due before {e} and still open: overdue."
            ),
            "site": "Brno",
            "process": "Wave soldering",
            "start": e - 5,
            "direction": "concern",
        },
        {
            **base,
            "key": "objective_missed",
            "area": "objectives",
            "record_type": "kpi_measurements",
            "description": (
                "OBJ-02 on-time delivery (target >= 95 %) runs at about 92.8 % every month: "
                "the whole control band is below target (assurance consistent_fail)."
            ),
            "objective_id": "OBJ-02",
            "start": e - 11,
            "direction": "concern",
        },
    ]


PLANTED_SIGNALS: list[dict[str, Any]] = planted_signals(DEFAULT_END)


def _inv(record_type: str, source_row: int, check: str, column: str, description: str) -> dict:
    return {
        "record_type": record_type,
        "source_row": source_row,
        "check": check,
        "column": column,
        "description": description,
    }


#: Invalid rows planted in every demo (positions are fixed, whatever the seed or end).
PLANTED_INVALID: list[dict[str, Any]] = [
    _inv("complaints", 120, "allowed_values", "severity", "severity 'Urgent' is not a severity"),
    _inv("complaints", 230, "unique", "complaint_id", "complaint number exported twice (1st)"),
    _inv("complaints", 260, "unique", "complaint_id", "complaint number exported twice (2nd)"),
    _inv("complaints", 400, "date_order", "closed_date", "closed 10 days before it was received"),
    _inv("complaints", 520, "not_future", "received_date", "received 4 months after the end"),
    _inv("complaints", 640, "reference", "capa_id", "CAPA-09999 does not exist"),
    _inv("complaints", 760, "type", "received_date", "31/02 is not a date"),
    _inv("complaints", 880, "not_null", "received_date", "date received left empty"),
    _inv("complaints", 1000, "range", "cost", "negative cost -250.00"),
    _inv("complaints", 1120, "status_consistency", "closed_date", "Closed but no date closed"),
    _inv("complaints", 1240, "type", "cost", "cost '1,250.00' has a thousands separator"),
    _inv("nonconformities", 5000, "range", "quantity", "negative quantity -3"),
    _inv("nonconformities", 15000, "type", "quantity", "quantity '12 pcs' is not a number"),
    _inv("nonconformities", 25000, "allowed_values", "source", "'Supplier' is not a source"),
    _inv("nonconformities", 35000, "not_future", "detected_date", "raised 4 months after end"),
    _inv("nonconformities", 45000, "reference", "capa_id", "CAPA-09998 does not exist"),
    _inv("nonconformities", 55000, "status_consistency", "closed_date", "Closed, no date"),
    _inv("nonconformities", 65000, "reference", "supplier_id", "SUP-099 never delivered"),
    _inv("nonconformities", 75000, "not_null", "detected_date", "date raised left empty"),
    _inv("production", 100, "range", "units_shipped", "negative units despatched"),
    _inv("production", 200, "inspected_le_produced", "units_produced", "inspected > built"),
    _inv("audit_findings", 50, "allowed_values", "finding_type", "grade 'Critical' unknown"),
    _inv("audit_findings", 100, "date_order", "closed_date", "closed before the audit"),
    _inv("audit_findings", 150, "type", "due_date", "response due 'TBC' is not a date"),
    _inv("audit_findings", 200, "pattern", "clause", "clause 'ISO 8.5' is not a clause number"),
    _inv("corrective_actions", 60, "date_order", "due_date", "due before it was opened"),
    _inv("corrective_actions", 120, "allowed_values", "status", "'In progress' is not a status"),
    _inv("corrective_actions", 180, "allowed_values", "effective", "'maybe' is not yes/no"),
    _inv("corrective_actions", 240, "not_null", "opened_date", "date opened left empty"),
    _inv("objectives", 8, "date_order", "valid_to", "valid to before valid from"),
    _inv("kpi_measurements", 30, "numerator_le_denominator", "denominator", "numerator > denom."),
    _inv("kpi_measurements", 90, "reference", "objective_id", "OBJ-99 is not an objective"),
    _inv("kpi_measurements", 150, "type", "value", "result 'n/a' is not a number"),
    _inv("supplier_receipts", 1000, "range", "quantity_received", "negative quantity received"),
    _inv("supplier_receipts", 3000, "type", "received_date", "2025-02-30 is not a date"),
    _inv("supplier_receipts", 5000, "rejected_le_received", "quantity_received", "rej. > rec."),
    _inv("customer_surveys", 200, "range", "score", "score 11 on a 0-10 scale"),
    _inv("customer_surveys", 400, "type", "score", "score '8/10' is not a number"),
    _inv("review_actions", 10, "allowed_values", "output_type", "'Training' is not an output"),
    _inv("review_actions", 20, "status_consistency", "closed_date", "Closed, no completion"),
    _inv("risks", 8, "allowed_values", "kind", "'Threat' is not risk/opportunity"),
    _inv("risks", 12, "range", "likelihood", "likelihood 7 on a 1-5 scale"),
    _inv("context_issues", 5, "not_future", "date_noted", "noted 5 months after the end"),
    _inv("changes", 3, "allowed_values", "kind", "change type 'Tweak' is not a kind"),
    _inv("changes", 7, "reference", "capa_id", "CAPA-09997 does not exist"),
    _inv("audit_programme", 40, "status_consistency", "conducted_date", "Done, no date"),
    _inv("audit_programme", 80, "pattern", "clauses", "clauses '5.1, 9.3' use commas"),
    _inv("training_records", 10, "status_consistency", "completed_date", "effective, not done"),
    _inv("documents", 5, "date_order", "review_due", "review due before approval"),
]


# --- planted changes (issue 11) ---------------------------------------------------------------


def planted_changes(end: str | pd.Period = DEFAULT_END) -> list[dict[str, Any]]:
    """Return the planted changes of a demo ending at ``end`` and the verdict each must get.

    Returns
    -------
    list of dict
        One dict per implemented planted change with keys ``key, change_id, implemented_date``
        (a Timestamp), ``month`` (its monthly Period), ``site, process, metric,
        expected_direction, verdict`` (``"sustained improvement"``, ``"no detectable change"``,
        ``"too early to judge"`` or ``"deterioration"``), ``magnitude`` (the planted factor on
        the metric from the change on; 1.0 for none) and ``description``.
    """
    e = parse_end(end)
    magnitude = {"effective": EFFECTIVE_FACTOR, "worse": 2.2}
    out = []
    for plan in CHANGE_PLAN:
        key, change_id, ago, day, site, process, _kind, metric, direction, status = plan[:10]
        verdict, text = plan[13], plan[14]
        if status != "implemented":
            continue
        when = change_date(e, ago, day)
        out.append(
            {
                "key": key,
                "change_id": change_id,
                "implemented_date": when,
                "month": when.to_period("M"),
                "site": site,
                "process": process,
                "metric": metric,
                "expected_direction": direction,
                "verdict": verdict,
                "magnitude": magnitude.get(key, 1.0),
                "description": text,
            }
        )
    return out


PLANTED_CHANGES: list[dict[str, Any]] = planted_changes(DEFAULT_END)


# --- planted readiness gaps (issue 12) --------------------------------------------------------


def planted_readiness_gaps(end: str | pd.Period = DEFAULT_END) -> list[dict[str, Any]]:
    """Return the gaps (and the one piece of silent evidence) the readiness rules must report.

    Returns
    -------
    list of dict
        Keys ``key, record_type, clause, ids`` (record ids behind it), ``kind`` (``"gap"``, or
        ``"evidence"`` for audits that found nothing) and ``description``.
    """
    e = parse_end(end)
    training = training_plan(e)

    def tagged_training(tag: str) -> list[str]:
        return [r["record_id"] for r in training if r["gap"] == tag]

    def tagged_audits(tag: str) -> list[str]:
        return [extra_audit_id(a[0], e, a[1]) for a in EXTRA_AUDITS if a[9] == tag]

    def tagged_documents(tag: str) -> list[str]:
        return [d[0] for d in DOCUMENTS if d[9] == tag]

    def gap(key, record_type, clause, ids, description, kind="gap"):
        return dict(
            key=key,
            record_type=record_type,
            clause=clause,
            ids=ids,
            kind=kind,
            description=description,
        )

    return [
        gap(
            "training_overdue",
            "training_records",
            "7.2",
            tagged_training("training_overdue"),
            f"Three Brno wave-solder operators' required recertification ({WAVE_RECERT}) was "
            f"due {(e - 2).end_time.date()} and is not done.",
        ),
        gap(
            "training_not_effective",
            "training_records",
            "7.2",
            tagged_training("training_not_effective"),
            f"Kirsty Dale's {REFLOW_COURSE} (Leeds reflow, before CHG-003) was judged not "
            "effective.",
        ),
        gap(
            "documents_review_overdue",
            "documents",
            "7.5",
            tagged_documents("documents_review_overdue"),
            "Three approved documents are past their review date (calibration procedure, "
            "reflow profiling and goods-in instructions).",
        ),
        gap(
            "document_draft",
            "documents",
            "7.5",
            tagged_documents("document_draft"),
            "The management-of-change procedure (clause 6.3) is still a draft, never approved.",
        ),
        gap(
            "clause_planned_not_audited",
            "audit_programme",
            "6.3",
            tagged_audits("clause_planned_not_audited"),
            f"Clause 6.3 has never been audited; its first audit is planned for {e + 2}.",
        ),
        gap(
            "audit_overdue",
            "audit_programme",
            "7.4",
            tagged_audits("audit_overdue"),
            f"The audit of clause 7.4 at Brno was planned for {e - 1} and has not been done.",
        ),
        gap(
            "supplier_audit_postponed",
            "audit_programme",
            "8.4",
            tagged_audits("supplier_audit_postponed"),
            f"The audit of {BAD_SUPPLIER} (the deteriorating supplier) was postponed.",
        ),
        gap(
            "clauses_not_in_programme",
            "audit_programme",
            "9.2",
            ["4.3", "10.3"],
            "Clauses 4.3 and 10.3 are neither audited nor planned in the programme.",
        ),
        gap(
            "audited_without_findings",
            "audit_programme",
            "5.1",
            tagged_audits("audited_without_findings"),
            "Clause 5.1 was audited at both sites in the last 12 months with no finding "
            "against it: evidence of an audit, not a gap.",
            kind="evidence",
        ),
    ]


PLANTED_READINESS_GAPS: list[dict[str, Any]] = planted_readiness_gaps(DEFAULT_END)
