"""Build the planted invalid rows listed in :data:`~qmsdata.demo.planted.PLANTED_INVALID`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.demo.company import N_MONTHS, Calendar
from qmsdata.demo.planted import PLANTED_INVALID

# --- planted invalid rows ---------------------------------------------------------------------


def _where(record_type: str, check: str, column: str | None = None) -> list[int]:
    return [
        r["source_row"]
        for r in PLANTED_INVALID
        if r["record_type"] == record_type
        and r["check"] == check
        and (column is None or r["column"] == column)
    ]


def _future(cal: Calendar, months: int) -> pd.Timestamp:
    return (cal.end + months).start_time.normalize() + pd.Timedelta(days=9)


def bad_complaints(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    n = len(df)
    base = df.iloc[n // 2].to_dict() | {"capa_id": None}
    mid = base["received_date"]

    def row(i: int, **kw: Any) -> dict[str, Any]:
        return base | {"complaint_id": f"CC-{n + i:05d}"} | kw

    (dup_first, dup_second) = _where("complaints", "unique")
    out = [
        (_where("complaints", "allowed_values")[0], row(1, severity="Urgent")),
        # the duplicate pair: two copies of one new complaint
        (dup_first, row(2)),
        (dup_second, row(2)),
        (
            _where("complaints", "date_order")[0],
            row(3, status="closed", closed_date=mid - pd.Timedelta(days=10)),
        ),
        (
            _where("complaints", "not_future")[0],
            row(4, received_date=_future(cal, 4), status="open", closed_date=pd.NaT),
        ),
        (_where("complaints", "reference")[0], row(5, capa_id="CAPA-09999")),
        (
            _where("complaints", "type", "received_date")[0],
            row(6, received_date=f"31/02/{cal.end.year}"),
        ),
        (_where("complaints", "not_null")[0], row(7, received_date=None)),
        (_where("complaints", "range")[0], row(8, cost=-250.0)),
        (
            _where("complaints", "status_consistency")[0],
            row(9, status="Closed", closed_date=pd.NaT),
        ),
        (_where("complaints", "type", "cost")[0], row(10, cost="1,250.00")),
    ]
    return out


def bad_nonconformities(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    n = len(df)
    base = df.iloc[n // 2].to_dict() | {"capa_id": None}

    def row(i: int, **kw: Any) -> dict[str, Any]:
        return base | {"nc_id": f"NCR-{n + i:06d}"} | kw

    rt = "nonconformities"
    return [
        (_where(rt, "range")[0], row(1, quantity=-3)),
        (_where(rt, "type")[0], row(2, quantity="12 pcs")),
        (_where(rt, "allowed_values")[0], row(3, source="Supplier")),
        (
            _where(rt, "not_future")[0],
            row(
                4,
                detected_date=_future(cal, 4),
                status="open",
                closed_date=pd.NaT,
                disposition="pending",
                cost=np.nan,
            ),
        ),
        (_where(rt, "reference", "capa_id")[0], row(5, capa_id="CAPA-09998")),
        (_where(rt, "status_consistency")[0], row(6, status="closed", closed_date=pd.NaT)),
        (
            _where(rt, "reference", "supplier_id")[0],
            row(
                7,
                source="incoming",
                process="Goods-in inspection",
                supplier_id="SUP-099",
                defect_code="DAMAGED-REEL",
                defect_category="Material",
                disposition="return_to_supplier",
                cost=0.0,
            ),
        ),
        (_where(rt, "not_null")[0], row(8, detected_date=None)),
    ]


def bad_production(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    # weekend dates: no regular production row shares the key
    sundays = pd.date_range(cal.first_day, cal.as_of, freq="W-SUN")
    base = {
        "site": "Leeds",
        "product": "MC-200",
        "units_produced": 120,
        "units_inspected": 120,
        "units_shipped": 100,
    }
    return [
        (_where("production", "range")[0], base | {"date": sundays[10], "units_shipped": -40}),
        (
            _where("production", "inspected_le_produced")[0],
            base | {"date": sundays[20], "units_inspected": 150},
        ),
    ]


def bad_audit_findings(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    n = len(df)
    base = df.iloc[n // 2].to_dict() | {"capa_id": None, "finding_type": "observation"}

    def row(i: int, **kw: Any) -> dict[str, Any]:
        return base | {"finding_id": f"AF-{n + i:04d}"} | kw

    rt = "audit_findings"
    return [
        (_where(rt, "allowed_values")[0], row(1, finding_type="Critical")),
        (
            _where(rt, "date_order")[0],
            row(2, status="closed", closed_date=base["audit_date"] - pd.Timedelta(days=5)),
        ),
        (_where(rt, "type")[0], row(3, due_date="TBC")),
        (_where(rt, "pattern")[0], row(4, clause="ISO 8.5")),
    ]


def bad_corrective_actions(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    n = len(df)
    base = df[df["status"] == "closed"].iloc[0].to_dict()

    def row(i: int, **kw: Any) -> dict[str, Any]:
        return base | {"capa_id": f"CAPA-{n + i:05d}"} | kw

    rt = "corrective_actions"
    return [
        (_where(rt, "date_order")[0], row(1, due_date=base["opened_date"] - pd.Timedelta(days=7))),
        (
            _where(rt, "allowed_values", "status")[0],
            row(2, status="In progress", closed_date=pd.NaT),
        ),
        (_where(rt, "allowed_values", "effective")[0], row(3, effective="maybe")),
        (_where(rt, "not_null")[0], row(4, opened_date=None)),
    ]


def bad_objectives(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            _where("objectives", "date_order")[0],
            {
                "objective_id": "OBJ-08",
                "name": "Stencil cleaning interval compliance",
                "process": "SMT production",
                "owner": "Gareth Holt",
                "unit": "%",
                "direction": "increase",
                "target": 98.0,
                "valid_from": pd.Timestamp(year=cal.end.year, month=12, day=31),
                "valid_to": pd.Timestamp(year=cal.end.year, month=1, day=1),
                "frequency": "monthly",
                "responsible": "Gareth Holt",
            },
        )
    ]


def bad_kpis(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    before = cal.months[0] - 1  # a month with no regular row, so the key stays unique
    return [
        (
            _where("kpi_measurements", "numerator_le_denominator")[0],
            {
                "objective_id": "OBJ-05",
                "period": before,
                "value": 101.0,
                "numerator": 404.0,
                "denominator": 400.0,
            },
        ),
        (
            _where("kpi_measurements", "reference")[0],
            {"objective_id": "OBJ-99", "period": cal.months[5], "value": 50.0},
        ),
        (
            _where("kpi_measurements", "type")[0],
            {"objective_id": "OBJ-06", "period": before, "value": "n/a"},
        ),
    ]


def bad_receipts(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    n = len(df)
    base = df[df["supplier_id"] == "SUP-001"].iloc[0].to_dict()

    def row(i: int, **kw: Any) -> dict[str, Any]:
        return base | {"receipt_id": f"GRN-{n + i:06d}"} | kw

    rt = "supplier_receipts"
    return [
        (_where(rt, "range")[0], row(1, quantity_received=-500, quantity_rejected=None)),
        (_where(rt, "type")[0], row(2, received_date="2025-02-30")),
        (
            _where(rt, "rejected_le_received")[0],
            row(3, quantity_received=100, quantity_rejected=250),
        ),
    ]


def bad_surveys(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    base = {
        "customer": "Helix Robotics",
        "response_date": cal.months[3].start_time.normalize(),
        "site": "Leeds",
    }
    return [
        (_where("customer_surveys", "range")[0], base | {"response_id": "SR-90001", "score": 11}),
        (
            _where("customer_surveys", "type")[0],
            base | {"response_id": "SR-90002", "score": "8/10"},
        ),
    ]


def bad_review_actions(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    review = cal.months[N_MONTHS - 21].start_time.normalize() + pd.Timedelta(days=13)
    base = {
        "review_date": review,
        "description": "Refresh auditor training",
        "owner": "Eva Horáková",
        "due_date": review + pd.Timedelta(days=90),
    }
    return [
        (
            _where("review_actions", "allowed_values")[0],
            base | {"action_id": "MR-901", "output_type": "Training", "status": "open"},
        ),
        (
            _where("review_actions", "status_consistency")[0],
            base | {"action_id": "MR-902", "output_type": "Improvement", "status": "Closed"},
        ),
    ]


def bad_risks(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    base = {
        "process": "Purchasing",
        "description": "Tariff changes on imported parts",
        "impact": 3,
        "likelihood": 3,
        "action_status": "open",
        "effective": "pending",
    }
    return [
        (_where("risks", "allowed_values")[0], base | {"risk_id": "R-901", "kind": "Threat"}),
        (_where("risks", "range")[0], base | {"risk_id": "R-902", "kind": "risk", "likelihood": 7}),
    ]


def bad_context_issues(cal: Calendar) -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            _where("context_issues", "not_future")[0],
            {
                "issue_id": "CI-90",
                "date_noted": _future(cal, 5),
                "kind": "external",
                "description": "New packaging regulation (entered in advance by mistake)",
                "impact": "low",
                "status": "open",
            },
        ),
    ]


def bad_changes(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    base = df[df["change_id"] == "CHG-002"].iloc[0].to_dict()
    rt = "changes"
    return [
        (_where(rt, "allowed_values")[0], base | {"change_id": "CHG-901", "kind": "Tweak"}),
        (
            _where(rt, "reference")[0],
            base | {"change_id": "CHG-902", "kind": "corrective_action", "capa_id": "CAPA-09997"},
        ),
    ]


def bad_audit_programme(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    base = df[df["status"] == "done"].iloc[len(df) // 2].to_dict()
    rt = "audit_programme"
    return [
        (
            _where(rt, "status_consistency")[0],
            base | {"audit_id": "AP-901", "status": "Done", "conducted_date": pd.NaT},
        ),
        (_where(rt, "pattern")[0], base | {"audit_id": "AP-902", "clauses": "5.1, 9.3"}),
    ]


def bad_training_records(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    base = df[df["effectiveness"] == "yes"].iloc[0].to_dict()
    return [
        (
            _where("training_records", "status_consistency")[0],
            base | {"record_id": "TR-9001", "completed_date": pd.NaT, "effectiveness": "Yes"},
        )
    ]


def bad_documents(cal: Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    base = df[df["status"] == "approved"].iloc[0].to_dict()
    approved = (cal.end - 3).start_time.normalize() + pd.Timedelta(days=9)
    return [
        (
            _where("documents", "date_order")[0],
            base
            | {
                "doc_id": "QP-90",
                "title": "Customer property",
                "approved_date": approved,
                "review_due": approved - pd.Timedelta(days=30),
            },
        )
    ]
