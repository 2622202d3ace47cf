"""Small hand-made workbooks for tests (a plain module: import it, never import conftest).

``GOOD`` holds two valid rows for every one of the sixteen record types (canonical column names,
text cells as an export would hold them). :func:`write_workbook` writes any set of record frames as
CSV (or xlsx / parquet) plus a ``qms.toml`` and returns the folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

AS_OF = "2026-10-31"
SITES = ["Leeds", "Brno"]

GOOD: dict[str, list[dict[str, str]]] = {
    "complaints": [
        dict(
            complaint_id="C1",
            received_date="2026-01-05",
            customer="Acme",
            product="P1",
            site="Leeds",
            category="quality",
            severity="major",
            status="closed",
            closed_date="2026-01-20",
            capa_id="CA1",
            cost="100.5",
            quantity_affected="5",
            description="solder balls",
        ),
        dict(
            complaint_id="C2",
            received_date="2026-02-05",
            customer="Beta",
            product="P2",
            site="Brno",
            category="delivery",
            severity="minor",
            status="open",
            closed_date="",
            capa_id="",
            cost="",
            quantity_affected="",
            description="late",
        ),
    ],
    "nonconformities": [
        dict(
            nc_id="NC1",
            detected_date="2026-02-01",
            site="Leeds",
            process="SMT",
            product="P1",
            source="incoming",
            defect_code="D1",
            defect_category="solder",
            quantity="3",
            disposition="scrap",
            cost="10",
            supplier_id="S1",
            capa_id="CA1",
            status="closed",
            closed_date="2026-02-10",
        ),
        dict(
            nc_id="NC2",
            detected_date="2026-03-01",
            site="Brno",
            process="Test",
            product="P2",
            source="in_process",
            defect_code="D2",
            defect_category="function",
            quantity="1",
            disposition="rework",
            cost="0",
            supplier_id="",
            capa_id="",
            status="open",
            closed_date="",
        ),
    ],
    "production": [
        dict(
            date="2026-01-01",
            site="Leeds",
            product="P1",
            units_produced="1000",
            units_inspected="1000",
            units_shipped="990",
        ),
        dict(
            date="2026-01-01",
            site="Brno",
            product="P1",
            units_produced="500",
            units_inspected="450",
            units_shipped="500",
        ),
    ],
    "audit_findings": [
        dict(
            finding_id="F1",
            audit_id="A1",
            audit_date="2026-03-01",
            audit_type="internal",
            auditor="Ann",
            process="SMT",
            clause="8.5.1",
            finding_type="minor_nc",
            description="no work instruction",
            status="open",
            due_date="2026-12-01",
            closed_date="",
            capa_id="CA1",
            site="Leeds",
        ),
        dict(
            finding_id="F2",
            audit_id="A1",
            audit_date="2026-03-01",
            audit_type="internal",
            auditor="Ann",
            process="Test",
            clause="7.1.5",
            finding_type="ofi",
            description="calibration labels",
            status="closed",
            due_date="2026-04-01",
            closed_date="2026-03-20",
            capa_id="",
            site="Brno",
        ),
    ],
    "corrective_actions": [
        dict(
            capa_id="CA1",
            opened_date="2026-01-10",
            source_type="complaint",
            source_id="C1",
            process="SMT",
            owner="Bob",
            root_cause_category="method",
            due_date="2026-03-01",
            closed_date="2026-02-20",
            status="closed",
            effectiveness_due="2026-06-01",
            effective="yes",
        ),
        dict(
            capa_id="CA2",
            opened_date="2026-04-10",
            source_type="audit",
            source_id="F1",
            process="Test",
            owner="Cy",
            root_cause_category="machine",
            due_date="2027-01-01",
            closed_date="",
            status="open",
            effectiveness_due="",
            effective="pending",
        ),
    ],
    "objectives": [
        dict(
            objective_id="O1",
            name="Complaint rate",
            process="Sales",
            owner="Eve",
            unit="ppm",
            direction="decrease",
            target="50",
            valid_from="2026-01-01",
            valid_to="2026-12-31",
            frequency="monthly",
            action_plan="8D on top defects",
            resources="2 engineers",
            responsible="Eve",
            plan_due="2026-12-31",
            evaluation_method="monthly u-chart",
        ),
        dict(
            objective_id="O2",
            name="On-time delivery",
            process="Logistics",
            owner="Fay",
            unit="%",
            direction="increase",
            target="95",
            valid_from="2026-01-01",
            valid_to="2026-12-31",
            frequency="monthly",
            action_plan="buffer stock",
            resources="warehouse",
            responsible="Fay",
            plan_due="2026-06-30",
            evaluation_method="monthly p-chart",
        ),
    ],
    "kpi_measurements": [
        dict(objective_id="O1", period="2026-01", value="40", numerator="4", denominator="100000"),
        dict(objective_id="O2", period="2026-01", value="96.5", numerator="193", denominator="200"),
    ],
    "supplier_receipts": [
        dict(
            receipt_id="R1",
            supplier_id="S1",
            received_date="2026-01-15",
            due_date="2026-01-14",
            quantity_received="1000",
            quantity_rejected="2",
        ),
        dict(
            receipt_id="R2",
            supplier_id="S2",
            received_date="2026-01-16",
            due_date="2026-01-20",
            quantity_received="500",
            quantity_rejected="0",
        ),
    ],
    "customer_surveys": [
        dict(response_id="SV1", customer="Acme", response_date="2026-02-01", score="9"),
        dict(response_id="SV2", customer="Beta", response_date="2026-02-03", score="6"),
    ],
    "review_actions": [
        dict(
            action_id="RA1",
            review_date="2026-01-30",
            output_type="improvement",
            description="reduce solder defects",
            owner="Eve",
            due_date="2026-06-30",
            status="open",
            closed_date="",
        ),
        dict(
            action_id="RA2",
            review_date="2026-01-30",
            output_type="resources",
            description="second AOI machine",
            owner="Bob",
            due_date="2026-04-30",
            status="closed",
            closed_date="2026-04-15",
        ),
    ],
    "risks": [
        dict(
            risk_id="RK1",
            kind="risk",
            process="SMT",
            description="single solder paste supplier",
            likelihood="3",
            impact="4",
            action="qualify second source",
            action_due="2026-05-01",
            action_status="open",
            effective="pending",
        ),
        dict(
            risk_id="RK2",
            kind="opportunity",
            process="Sales",
            description="new market",
            likelihood="2",
            impact="3",
            action="",
            action_due="",
            action_status="",
            effective="",
        ),
    ],
    "context_issues": [
        dict(
            issue_id="CI1",
            date_noted="2026-01-01",
            kind="external",
            description="energy prices",
            impact="medium",
            status="open",
        ),
        dict(
            issue_id="CI2",
            date_noted="2026-02-01",
            kind="internal",
            description="climate change relevant: flood risk at Brno",
            impact="low",
            status="open",
        ),
    ],
    "changes": [
        dict(
            change_id="CH1",
            implemented_date="2026-03-02",
            site="Leeds",
            process="SMT",
            product="P1",
            kind="corrective_action",
            description="new stencil",
            capa_id="CA1",
            action_id="RA1",
            objective_id="O1",
            metric="defect_rate",
            expected_direction="decrease",
            evaluation_months="3",
            status="implemented",
            owner="Dee",
        ),
        dict(
            change_id="CH2",
            implemented_date="2027-01-15",
            site="",
            process="Logistics",
            product="",
            kind="objective_action",
            description="scheduling tool",
            capa_id="",
            action_id="",
            objective_id="O2",
            metric="objective",
            expected_direction="increase",
            evaluation_months="",
            status="planned",
            owner="Fay",
        ),
    ],
    "audit_programme": [
        dict(
            audit_id="A1",
            audit_type="internal",
            planned_date="2026-02-25",
            conducted_date="2026-03-01",
            site="Leeds",
            processes="SMT; Test",
            clauses="8.5.1; 8.6; 5.1",
            lead_auditor="Gil",
            status="done",
        ),
        dict(
            audit_id="A2",
            audit_type="internal",
            planned_date="2026-12-01",
            conducted_date="",
            site="Brno",
            processes="Management",
            clauses="6.3",
            lead_auditor="Gil",
            status="planned",
        ),
    ],
    "training_records": [
        dict(
            record_id="T1",
            person="Hal",
            role="Operator",
            process="SMT",
            site="Leeds",
            course="IPC-A-610",
            required="yes",
            due_date="2026-03-31",
            completed_date="2026-03-10",
            effectiveness="yes",
        ),
        dict(
            record_id="T2",
            person="Ivy",
            role="Inspector",
            process="Test",
            site="Brno",
            course="ESD awareness",
            required="yes",
            due_date="2026-12-31",
            completed_date="",
            effectiveness="pending",
        ),
    ],
    "documents": [
        dict(
            doc_id="D1",
            title="Reflow procedure",
            process="SMT",
            clause="8.5.1",
            version="3",
            approved_by="Jo",
            approved_date="2025-11-01",
            review_due="2026-11-01",
            status="approved",
            site="Leeds",
        ),
        dict(
            doc_id="D2",
            title="Test plan",
            process="Test",
            clause="8.6",
            version="0.1",
            approved_by="",
            approved_date="",
            review_due="",
            status="draft",
            site="",
        ),
    ],
}


def good_frame(record_type: str) -> pd.DataFrame:
    """Return the valid rows of ``record_type`` as a text DataFrame."""
    return pd.DataFrame(GOOD[record_type], dtype="str")


def write_workbook(
    folder: Path,
    frames: dict[str, pd.DataFrame],
    *,
    formats: dict[str, str] | None = None,
    columns: dict[str, dict[str, str]] | None = None,
    extra: dict[str, str] | None = None,
    workbook_toml: str | None = None,
) -> Path:
    """Write ``frames`` as sources of a workbook in ``folder`` and return the folder.

    Parameters
    ----------
    formats
        Record type -> ``csv`` (default), ``xlsx`` or ``parquet``.
    columns
        Record type -> ``{canonical: source name}``; the frame's columns are renamed to the
        source names before writing and the mapping goes into qms.toml.
    extra
        Record type -> extra TOML lines for its ``[records.<type>]`` table.
    workbook_toml
        Replaces the default ``[workbook]`` table.
    """
    folder.mkdir(parents=True, exist_ok=True)
    formats = formats or {}
    columns = columns or {}
    extra = extra or {}
    lines = [
        workbook_toml
        or (
            '[workbook]\norganisation = "Test Electronics Ltd"\nsites = ["Leeds", "Brno"]\n'
            f"fiscal_year_start = 4\nas_of = {AS_OF}\n"
        )
    ]
    for name, frame in frames.items():
        fmt = formats.get(name, "csv")
        mapping = columns.get(name, {})
        out = frame.rename(columns={k: v for k, v in mapping.items()})
        file = f"{name}.{fmt}"
        if fmt == "csv":
            out.to_csv(folder / file, index=False)
        elif fmt == "xlsx":
            out.to_excel(folder / file, index=False, sheet_name=name)
        else:
            out.to_parquet(folder / file, index=False)
        lines.append(f'\n[records.{name}]\nsource = "{file}"')
        if name in extra:
            lines.append(extra[name])
        if mapping:
            lines.append(f"[records.{name}.columns]")
            lines += [f'{k} = "{v}"' for k, v in mapping.items()]
    (folder / "qms.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
