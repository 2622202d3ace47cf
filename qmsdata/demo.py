"""Write the deterministic demo workbook: a fictional SMT electronics manufacturer, 36 months.

The demo is the project's test bed and its showcase. :func:`write_demo` writes a complete
workbook folder — ``qms.toml`` plus one source per record type, in the formats real exports come
in, with the column names those exports use (mapped to the canonical names in ``qms.toml``) and
enum values in display form ("Major NC", "Use as is") that the loader normalises:

========================  ===============================================================
complaints.csv            CRM export, UK dates (``date_format = "%d/%m/%Y"``)
mes-ncr-export.csv        MES export, ``;``-separated, about 100k rows
production.parquet        data-warehouse extract, one row per working day, site and product
audit-findings.xlsx       audit programme workbook
capa-register.csv         CAPA tool of the Brno site, cp1250-encoded, Czech headers
quality-objectives.xlsx   objectives with the 6.2.2 plan fields
kpi-measurements.csv      monthly KPI results
erp-goods-in.sqlite       ERP goods-in table (``sqlite:///erp-goods-in.sqlite``)
customer-survey.csv       survey tool export
qms-registers.xlsx        review actions, risk register, context issues (three sheets)
========================  ===============================================================

Each export also carries a column that is not mapped (``Logged By``, ``Line``, ...), which the
loader keeps.

The company is **Calderbrook Electronics Ltd**, a contract manufacturer of SMT printed-circuit
assemblies with two sites, Leeds (UK) and Brno (Czech Republic). Every series is stable
common-cause noise (Poisson counts, binomial proportions, rates that do not drift and have no
seasonality) except the five planted signals below, which the analytics (issue 4) must find
with direction "concern". ``E`` is the last month (``end``); ``as_of`` in ``qms.toml`` is the last
day of ``E`` so validation is reproducible.

Planted signals (:data:`PLANTED_SIGNALS`, :func:`planted_signals`)
------------------------------------------------------------------
``defect_step``
    Nonconformities, Reflow soldering at Leeds: the defect rate (NC quantity per unit inspected)
    steps up 2.2x from month E-6 and stays there to E (the rate of every other process and of
    Reflow soldering at Brno is unchanged).
``complaint_rise``
    Complaints per million units shipped drift up linearly from month E-17 (x1.03) to E (x1.6),
    about +60% over 18 months; shipped volume itself is flat. Before E-17 the rate is flat.
``supplier_deterioration``
    Supplier receipts of SUP-004 (Kestrel Semiconductor Distribution, the fourth-largest supplier
    by receipts): the rejection rate (quantity_rejected / quantity_received) rises from E-7,
    x1.6 at E-7 to x6 at E.
``capa_overdue_cluster``
    Eleven corrective actions on Wave soldering at Brno, all owned by Tomáš Dvořák, raised from
    nonconformities in months E-5 to E-3, due 30-45 days later (before E) and still open at
    ``as_of``: a cluster of overdue actions on one process and one owner.
``objective_missed``
    Objective OBJ-02, on-time delivery >= 95 %: the monthly KPI is binomial around 92.8 % on
    about 1,800 order lines, so its whole control band lies below the target over the whole
    period, including the last 12 months (assurance ``consistent_fail``).

Planted invalid rows (:data:`PLANTED_INVALID`)
----------------------------------------------
A few rows per check kind are *added* (never replacing a valid row, so the signals stay intact)
at fixed positions (``source_row``, first data row = 1) so the quarantine has work: an unknown
severity, a duplicated complaint number (both copies), closed before received, a date after
``as_of`` (placed 4+ months after E), an unknown CAPA / supplier / objective, a negative
quantity, a quantity "12 pcs", a cost with a thousands separator, a score of 11, an unparseable
date, a missing required value, a closed row without a closed date, numerator > denominator,
rejected > received, inspected > produced, a malformed clause. Every other row is valid.

Examples
--------
>>> from qmsdata.demo import write_demo
>>> summary = write_demo("data/demo")                               # doctest: +SKIP
>>> print(summary)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.errors import QmsError

__all__ = ["PLANTED_INVALID", "PLANTED_SIGNALS", "DemoSummary", "planted_signals", "write_demo"]

DEFAULT_SEED = 9001
DEFAULT_END = "2026-10"
N_MONTHS = 36
ORGANISATION = "Calderbrook Electronics Ltd"
SITES = ("Leeds", "Brno")
MARKER = ".qms-demo.json"
_GENERATOR = "qmsdata.demo"

# --- the company ---------------------------------------------------------------------------

#: (site, product, mean units per working day, has through-hole parts (wave soldered), unit cost)
_LINES: tuple[tuple[str, str, float, bool, float], ...] = (
    ("Leeds", "MC-200", 700.0, True, 48.0),
    ("Leeds", "PSU-450", 900.0, True, 36.0),
    ("Leeds", "LED-310", 800.0, False, 14.0),
    ("Leeds", "GW-120", 400.0, False, 62.0),
    ("Brno", "SEN-080", 1000.0, False, 9.5),
    ("Brno", "HMI-700", 350.0, False, 85.0),
    ("Brno", "PSU-450", 500.0, True, 36.0),
    ("Brno", "BMS-330", 450.0, True, 44.0),
)

_SITE_FACTOR = {"Leeds": 1.0, "Brno": 0.9}

#: process -> (defects per unit inspected, where found, [(defect code, category, weight), ...])
_PROCESSES: dict[str, tuple[float, str, list[tuple[str, str, float]]]] = {
    "Goods-in inspection": (
        0.0011,
        "incoming",
        [
            ("WRONG-PART-RECEIVED", "Material", 3),
            ("DAMAGED-REEL", "Material", 3),
            ("MSL-BAG-BREACHED", "Material", 2),
            ("SOLDERABILITY", "Material", 1),
            ("DIMENSIONS-OUT-OF-SPEC", "Material", 1),
        ],
    ),
    "Solder paste printing": (
        0.0050,
        "in_process",
        [
            ("INSUFFICIENT-PASTE", "Solder", 5),
            ("PASTE-SMEAR", "Solder", 3),
            ("PASTE-MISALIGNED", "Solder", 2),
        ],
    ),
    "SMT placement": (
        0.0066,
        "in_process",
        [
            ("MISSING-COMPONENT", "Component", 5),
            ("WRONG-COMPONENT", "Component", 2),
            ("POLARITY", "Component", 3),
            ("MISALIGNED-COMPONENT", "Component", 4),
        ],
    ),
    "Reflow soldering": (
        0.0055,
        "in_process",
        [
            ("SOLDER-BRIDGE", "Solder", 5),
            ("TOMBSTONE", "Component", 3),
            ("INSUFFICIENT-SOLDER", "Solder", 3),
            ("VOIDS", "Solder", 2),
            ("SOLDER-BALLS", "Solder", 2),
            ("LIFTED-LEAD", "Solder", 1),
        ],
    ),
    "AOI": (
        0.0028,
        "in_process",
        [("AOI-ESCAPE", "Inspection", 3), ("AOI-PROGRAMME-ERROR", "Inspection", 1)],
    ),
    "Wave soldering": (
        0.0088,
        "in_process",
        [
            ("SOLDER-BRIDGE", "Solder", 4),
            ("INSUFFICIENT-HOLE-FILL", "Solder", 4),
            ("SOLDER-SKIP", "Solder", 2),
            ("LIFTED-LEAD", "Solder", 1),
        ],
    ),
    "Manual assembly": (
        0.0033,
        "in_process",
        [
            ("DAMAGED-COMPONENT", "Component", 3),
            ("POLARITY", "Component", 2),
            ("CONNECTOR-NOT-SEATED", "Component", 2),
            ("COSMETIC", "Cosmetic", 2),
        ],
    ),
    "Final test": (
        0.0044,
        "final",
        [
            ("FUNCTIONAL-FAIL", "Functional", 5),
            ("PROGRAMMING-FAIL", "Functional", 2),
            ("PARAMETRIC-OUT-OF-SPEC", "Functional", 3),
        ],
    ),
    "Packing": (
        0.0009,
        "final",
        [
            ("WRONG-LABEL", "Packaging", 3),
            ("PACKAGING-DAMAGE", "Packaging", 2),
            ("COSMETIC", "Cosmetic", 2),
        ],
    ),
}

_OWNERS: dict[str, tuple[str, str]] = {  # process -> (Leeds owner, Brno owner)
    "Goods-in inspection": ("Helen Marsh", "Jiří Novotný"),
    "Solder paste printing": ("Gareth Holt", "Lukáš Procházka"),
    "SMT placement": ("Priya Nair", "Lukáš Procházka"),
    "Reflow soldering": ("Gareth Holt", "Zuzana Veselá"),
    "AOI": ("Priya Nair", "Zuzana Veselá"),
    "Wave soldering": ("Dan Whitaker", "Tomáš Dvořák"),
    "Manual assembly": ("Dan Whitaker", "Petra Šimková"),
    "Final test": ("Aisha Rahman", "Petra Šimková"),
    "Packing": ("Aisha Rahman", "Jiří Novotný"),
    "Planning & logistics": ("Helen Marsh", "Jiří Novotný"),
    "Management": ("Richard Calder", "Eva Horáková"),
    "Sales & contract review": ("Sophie Grant", "Martin Král"),
    "Purchasing": ("Helen Marsh", "Martin Král"),
    "SMT production": ("Gareth Holt", "Lukáš Procházka"),
    "Wave & manual assembly": ("Dan Whitaker", "Tomáš Dvořák"),
    "Test & inspection": ("Aisha Rahman", "Petra Šimková"),
    "Despatch": ("Aisha Rahman", "Jiří Novotný"),
    "Calibration & maintenance": ("Owen Price", "Radek Svoboda"),
    "Training & competence": ("Sophie Grant", "Eva Horáková"),
    "New product introduction": ("Priya Nair", "Radek Svoboda"),
    "Document control": ("Richard Calder", "Eva Horáková"),
    "Improvement": ("Richard Calder", "Eva Horáková"),
}

#: audited process -> ISO 9001 clauses its audits cover. 4.3, 6.3, 7.4 and 10.3 are never
#: audited (the coverage gap the audit analytics must list).
_AUDIT_SCOPE: dict[str, list[str]] = {
    "Management": ["4.1", "4.2", "5.1", "5.2", "5.3", "6.2", "9.3"],
    "Sales & contract review": ["8.2.1", "8.2.2", "8.2.3", "9.1.2"],
    "Purchasing": ["8.4.1", "8.4.2", "8.4.3"],
    "SMT production": ["8.1", "8.5.1", "8.5.2", "7.1.5"],
    "Wave & manual assembly": ["8.5.1", "8.5.2", "7.1.4"],
    "Test & inspection": ["8.6", "8.7", "7.1.5", "9.1.1"],
    "Despatch": ["8.5.3", "8.5.4", "8.5.5"],
    "Calibration & maintenance": ["7.1.3", "7.1.5"],
    "Training & competence": ["7.1.2", "7.2", "7.3"],
    "New product introduction": ["8.3", "8.5.6", "4.4"],
    "Document control": ["7.5.1", "7.5.2", "7.5.3"],
    "Improvement": ["6.1", "9.1.3", "9.2", "10.1", "10.2"],
}
NEVER_AUDITED = ("4.3", "6.3", "7.4", "10.3")

_SUPPLIERS: tuple[tuple[str, str, str, float, float, float], ...] = (
    # id, name, commodity, receipts per month, base rejection ppm, on-time probability
    ("SUP-001", "Pennine Passives Ltd", "Passives", 55, 300, 0.96),
    ("SUP-002", "Moravské Konektory s.r.o.", "Connectors", 38, 800, 0.94),
    ("SUP-003", "Eastgate PCB Fabrication", "Bare PCBs", 30, 500, 0.92),
    ("SUP-004", "Kestrel Semiconductor Distribution", "Semiconductors", 24, 1200, 0.95),
    ("SUP-005", "Vltava Plastics a.s.", "Enclosures", 19, 600, 0.90),
    ("SUP-006", "Humber Magnetics", "Magnetics", 15, 2000, 0.93),
    ("SUP-007", "Brightline Optoelectronics", "LEDs", 12, 400, 0.97),
    ("SUP-008", "Solent Solder Supplies", "Solder & flux", 10, 900, 0.98),
    ("SUP-009", "Ostrava Cable Works", "Cable assemblies", 8, 1500, 0.91),
    ("SUP-010", "Chiltern Crystal Devices", "Crystals", 6, 700, 0.95),
    ("SUP-011", "Danube Display Modules", "Displays", 5, 2500, 0.88),
    ("SUP-012", "Wensleydale Fasteners", "Hardware", 4, 1000, 0.97),
    ("SUP-013", "Tatra Thermal Solutions", "Heat sinks", 3, 3000, 0.90),
    ("SUP-014", "Mersey Labels & Packaging", "Packaging", 3, 600, 0.96),
    ("SUP-015", "Bohemia Batteries s.r.o.", "Cells", 2, 1800, 0.93),
)
_BAD_SUPPLIER = "SUP-004"

_CUSTOMERS: tuple[tuple[str, str], ...] = (  # name, site that mainly serves it
    ("Aurora Medical Devices", "Leeds"),
    ("Nordlicht Fahrzeugtechnik GmbH", "Brno"),
    ("Pennine Rail Systems", "Leeds"),
    ("Vltava Automation s.r.o.", "Brno"),
    ("Brightwater Lighting", "Leeds"),
    ("Helix Robotics", "Leeds"),
    ("Kestrel Aerospace Interiors", "Leeds"),
    ("Moravia Agritech", "Brno"),
    ("Orbital Smart Home", "Leeds"),
    ("Tamarind Energy Storage", "Brno"),
    ("Greystone Security", "Leeds"),
    ("Lindqvist Marine AB", "Brno"),
    ("Quorum Instruments", "Leeds"),
    ("Ridgeway HVAC Controls", "Leeds"),
    ("Sable Audio", "Leeds"),
    ("Tatra Mobility a.s.", "Brno"),
    ("Westmoor Pumps", "Leeds"),
    ("Zephyr E-Bikes", "Brno"),
    ("Albion Test & Measurement", "Leeds"),
    ("Danube Power Electronics", "Brno"),
)

#: complaint category -> (weight, process that owns the corrective action, description templates)
_COMPLAINT_CATEGORIES: dict[str, tuple[float, str, tuple[str, ...]]] = {
    "Functional failure": (
        0.28,
        "Final test",
        (
            "{qty} x {product} dead on arrival at customer's incoming test",
            "{qty} x {product} failed in the field after a few weeks",
            "Intermittent fault on {product}; customer returned {qty} units",
        ),
    ),
    "Solder joint defect": (
        0.20,
        "Reflow soldering",
        (
            "Solder bridge found on {product} by customer's AOI, {qty} units",
            "Dry joints on {product} connector, {qty} units quarantined",
        ),
    ),
    "Wrong or missing component": (
        0.14,
        "SMT placement",
        (
            "Missing component on {qty} x {product}",
            "Wrong capacitor value fitted on {product}, {qty} units",
        ),
    ),
    "Cosmetic damage": (
        0.12,
        "Manual assembly",
        ("Scratched conformal coating on {qty} x {product}", "Flux residue on {product}"),
    ),
    "Labelling or documentation": (
        0.10,
        "Packing",
        (
            "Wrong revision on label of {product}",
            "Certificate of conformity missing for {product} delivery",
        ),
    ),
    "Packaging or transit damage": (
        0.08,
        "Packing",
        ("{qty} x {product} arrived with crushed ESD packaging",),
    ),
    "Late delivery": (
        0.08,
        "Planning & logistics",
        ("Delivery of {product} arrived {days} days late", "Short shipment of {product}"),
    ),
}

_ROOT_CAUSES = ("Method", "Machine", "Material", "Man", "Measurement", "Environment")
_AUDITORS_INTERNAL = {
    "Leeds": ("Sarah Whitfield", "Mark Oduya"),
    "Brno": ("Jana Horáková", "Petr Kučera"),
}

# --- source layouts: canonical column -> column name in the export --------------------------

_COLUMNS: dict[str, dict[str, str]] = {
    "complaints": {
        "complaint_id": "Complaint No.",
        "received_date": "Date Received",
        "customer": "Customer Name",
        "product": "Part Number",
        "site": "Manufacturing Site",
        "category": "Complaint Category",
        "severity": "Severity",
        "status": "Status",
        "closed_date": "Date Closed",
        "capa_id": "CAPA Ref",
        "cost": "Cost of Complaint (GBP)",
        "quantity_affected": "Qty Affected",
        "description": "Customer Description",
    },
    "nonconformities": {
        "nc_id": "NCR Number",
        "detected_date": "Date Raised",
        "site": "Plant",
        "process": "Process Step",
        "product": "Assembly",
        "source": "Detected At",
        "defect_code": "Defect Code",
        "defect_category": "Defect Group",
        "quantity": "Qty",
        "disposition": "Disposition",
        "cost": "NC Cost",
        "supplier_id": "Vendor",
        "capa_id": "CAPA",
        "status": "NCR Status",
        "closed_date": "Date Closed",
        "description": "Remarks",
    },
    "production": {
        "date": "Prod Date",
        "site": "Plant",
        "product": "Assembly",
        "units_produced": "Qty Built",
        "units_inspected": "Qty Inspected",
        "units_shipped": "Qty Despatched",
    },
    "audit_findings": {
        "finding_id": "Finding Ref",
        "audit_id": "Audit Ref",
        "audit_date": "Audit Date",
        "audit_type": "Audit Type",
        "auditor": "Lead Auditor",
        "process": "Process Audited",
        "clause": "ISO 9001 Clause",
        "finding_type": "Grade",
        "description": "Finding",
        "status": "Status",
        "due_date": "Response Due",
        "closed_date": "Closed On",
        "capa_id": "CAPA Ref",
        "site": "Site",
    },
    "corrective_actions": {
        "capa_id": "CAPA č.",
        "opened_date": "Datum otevření",
        "source_type": "Source Type",
        "source_id": "Source Ref",
        "process": "Proces",
        "owner": "Vlastník",
        "root_cause_category": "Root Cause (6M)",
        "due_date": "Termín",
        "closed_date": "Datum uzavření",
        "status": "Stav",
        "effectiveness_due": "Effectiveness Check Due",
        "effective": "Effective?",
        "description": "Action",
    },
    "objectives": {
        "objective_id": "Objective ID",
        "name": "Objective",
        "process": "Process",
        "owner": "Owner",
        "unit": "Unit",
        "direction": "Better When",
        "target": "Target",
        "valid_from": "Valid From",
        "valid_to": "Valid To",
        "frequency": "Reporting Frequency",
        "action_plan": "What Will Be Done",
        "resources": "Resources Required",
        "responsible": "Who Is Responsible",
        "plan_due": "When Complete",
        "evaluation_method": "How Results Are Evaluated",
    },
    "kpi_measurements": {
        "objective_id": "Objective",
        "period": "Month",
        "value": "Result",
        "numerator": "Numerator",
        "denominator": "Denominator",
    },
    "supplier_receipts": {
        "receipt_id": "GRN No",
        "supplier_id": "Supplier Code",
        "received_date": "Receipt Date",
        "due_date": "Promised Date",
        "quantity_received": "Qty Received",
        "quantity_rejected": "Qty Rejected",
        "supplier_name": "Supplier Name",
    },
    "customer_surveys": {
        "response_id": "Response ID",
        "customer": "Company",
        "response_date": "Submitted At",
        "score": "How likely are you to recommend us? (0-10)",
        "site": "Site",
        "comment": "Comments",
    },
    "review_actions": {
        "action_id": "Action No",
        "review_date": "Review Date",
        "output_type": "Output Type",
        "description": "Action",
        "owner": "Owner",
        "due_date": "Due",
        "status": "Status",
        "closed_date": "Completed",
    },
    "risks": {
        "risk_id": "Risk ID",
        "kind": "Risk / Opportunity",
        "process": "Process",
        "description": "Description",
        "likelihood": "Likelihood (1-5)",
        "impact": "Impact (1-5)",
        "action": "Treatment",
        "action_due": "Treatment Due",
        "action_status": "Treatment Status",
        "effective": "Effective?",
        "date_identified": "Date Identified",
    },
    "context_issues": {
        "issue_id": "Issue ID",
        "date_noted": "Date Noted",
        "kind": "External / Internal",
        "description": "Issue",
        "impact": "Impact on QMS",
        "status": "Status",
    },
}

#: record type -> how it is written: file, and the extra qms.toml settings.
_SOURCES: dict[str, dict[str, str]] = {
    "complaints": {"source": "complaints.csv", "date_format": "%d/%m/%Y"},
    "nonconformities": {"source": "mes-ncr-export.csv", "delimiter": ";"},
    "production": {"source": "production.parquet"},
    "audit_findings": {"source": "audit-findings.xlsx", "sheet": "Findings"},
    "corrective_actions": {"source": "capa-register.csv", "encoding": "cp1250"},
    "objectives": {"source": "quality-objectives.xlsx", "sheet": "Objectives 6.2"},
    "kpi_measurements": {"source": "kpi-measurements.csv"},
    "supplier_receipts": {"source": "sqlite:///erp-goods-in.sqlite", "table": "goods_receipts"},
    "customer_surveys": {"source": "customer-survey.csv"},
    "review_actions": {"source": "qms-registers.xlsx", "sheet": "Review actions"},
    "risks": {"source": "qms-registers.xlsx", "sheet": "Risk register"},
    "context_issues": {"source": "qms-registers.xlsx", "sheet": "Context issues"},
}

#: enum columns an export shows in display form ("Major NC", "Use as is"); the loader's
#: normalisation (trim, lower case, spaces and hyphens to "_") turns them back into codes.
_DISPLAYED: dict[str, tuple[str, ...]] = {
    "complaints": ("severity", "status"),
    "nonconformities": ("source", "disposition", "status"),
    "audit_findings": ("audit_type", "finding_type", "status"),
    "objectives": ("direction", "frequency"),
    "review_actions": ("output_type", "status"),
    "risks": ("kind", "action_status", "effective"),
    "context_issues": ("kind", "impact", "status"),
}
_SPECIAL = {
    "ofi": "OFI",
    "major_nc": "Major NC",
    "minor_nc": "Minor NC",
    "qms_change": "QMS change",
    "in_process": "In-process",
}

#: extra source columns a real export carries (internal name -> export name); not mapped in
#: qms.toml, so the loader keeps them as they are.
_EXTRA_COLUMNS = {
    "logged_by": "Logged By",
    "line": "Line",
    "commodity": "Commodity",
    "note": "Poznámka",
}


def _parse_end(end: str | pd.Period) -> pd.Period:
    try:
        period = pd.Period(end, freq="M")
    except (ValueError, TypeError) as exc:
        raise QmsError(
            f"demo end month {end!r} is not a month",
            hint="Give it as YYYY-MM, for example --end 2026-10.",
        ) from exc
    if pd.isna(period):
        raise QmsError(f"demo end month {end!r} is not a month", hint="Give it as YYYY-MM.")
    return period


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
    e = _parse_end(end)
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
                f"Rejection rate of {_BAD_SUPPLIER} (Kestrel Semiconductor Distribution) rises "
                f"from {e - 7}: x1.6 at first, x6 by {e}."
            ),
            "supplier_id": _BAD_SUPPLIER,
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
]


# --- result -----------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What :func:`write_demo` wrote; ``str()`` is a short human summary."""

    directory: Path
    seed: int
    first_month: pd.Period
    end: pd.Period
    files: list[str]
    rows: dict[str, int]
    signals: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        lines = [
            f"demo workbook for {ORGANISATION} written to {self.directory}",
            f"  months {self.first_month} to {self.end} (seed {self.seed}), sites "
            f"{', '.join(SITES)}",
            f"  files: qms.toml, {', '.join(self.files)}",
            f"  rows: {rows}",
            "  planted signals: "
            + "; ".join(f"{s['key']} from {s['start']}" for s in self.signals),
            f"  planted invalid rows: {len(self.invalid)} (quarantined by validation)",
            f"  next: qms validate {self.directory}",
        ]
        return "\n".join(lines)


# --- entry point ------------------------------------------------------------------------------


def write_demo(
    directory: str | os.PathLike[str],
    *,
    seed: int = DEFAULT_SEED,
    end: str | pd.Period = DEFAULT_END,
) -> DemoSummary:
    """Write the demo workbook into ``directory`` and return a summary.

    The folder is built in a temporary sibling folder and moved into place, so a failure never
    leaves a half-written workbook. An existing ``directory`` is replaced only when it is empty
    or holds an earlier demo (it has the ``.qms-demo.json`` marker).

    Parameters
    ----------
    directory
        Folder to write (created if missing).
    seed
        Random seed; the same seed and end always give byte-identical files.
    end
        Last month of the 36 months of data, ``YYYY-MM`` (default 2026-10; never today's date).

    Returns
    -------
    DemoSummary
        Where, which files, rows per record type, planted signals and invalid rows.

    Raises
    ------
    QmsError
        When ``end`` is not a month, ``seed`` is not a non-negative integer, or ``directory``
        exists, is not empty and is not an earlier demo workbook.
    """
    e = _parse_end(end)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise QmsError(
            f"demo seed must be a non-negative whole number, got {seed!r}",
            hint="Pass --seed 9001 or another whole number.",
        )
    target = Path(directory)
    _check_target(target)
    tables = _generate(int(seed), e)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~_UMASK)
        files = _write_sources(tmp, tables, e)
        marker = {"generator": _GENERATOR, "seed": int(seed), "end": str(e)}
        _atomic_bytes(tmp / MARKER, (json.dumps(marker, indent=2) + "\n").encode("utf-8"))
        _replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    rows = {rt: len(tables[rt][0]) + len(tables[rt][1]) for rt in _COLUMNS}
    return DemoSummary(
        directory=target,
        seed=int(seed),
        first_month=e - (N_MONTHS - 1),
        end=e,
        files=files,
        rows=rows,
        signals=planted_signals(e),
        invalid=list(PLANTED_INVALID),
    )


def _check_target(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise QmsError(
            "cannot write the demo workbook: the path exists and is not a folder",
            file=target,
            hint="Choose a new folder name, for example data/demo.",
        )
    if not any(target.iterdir()):
        return
    marker = target / MARKER
    try:
        ok = json.loads(marker.read_text(encoding="utf-8")).get("generator") == _GENERATOR
    except (OSError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise QmsError(
            "refusing to overwrite a folder that is not an earlier demo workbook",
            file=target,
            hint="Choose an empty or new folder; the demo only replaces folders it wrote itself.",
        )


def _replace_dir(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- generation -------------------------------------------------------------------------------

_Table = tuple[pd.DataFrame, list[tuple[int, dict[str, Any]]]]  # valid rows, (source_row, row)


def _rng(seed: int, stream: int) -> np.random.Generator:
    """Return an independent generator per table, so one table's draws never shift another's."""
    return np.random.default_rng([seed, stream])


@dataclass
class _Calendar:
    end: pd.Period
    months: pd.PeriodIndex
    first_day: pd.Timestamp
    as_of: pd.Timestamp
    workdays: pd.DatetimeIndex

    @classmethod
    def of(cls, end: pd.Period) -> _Calendar:
        months = pd.period_range(end - (N_MONTHS - 1), end, freq="M")
        first = months[0].start_time.normalize()
        as_of = end.end_time.normalize()
        days = pd.bdate_range(first, as_of)
        shutdown = ((days.month == 12) & (days.day >= 24)) | ((days.month == 1) & (days.day == 1))
        return cls(end, months, first, as_of, days[~shutdown])

    def month_index(self, dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
        d = pd.DatetimeIndex(dates)
        first = self.months[0]
        return (d.year - first.year) * 12 + (d.month - first.month)


def _generate(seed: int, end: pd.Period) -> dict[str, _Table]:
    cal = _Calendar.of(end)
    production = _production(_rng(seed, 1), cal)
    ncs = _nonconformities(_rng(seed, 2), cal, production)
    complaints = _complaints(_rng(seed, 3), cal, production)
    findings = _audit_findings(_rng(seed, 4), cal)
    receipts = _supplier_receipts(_rng(seed, 5), cal)
    surveys = _customer_surveys(_rng(seed, 6), cal)
    capas = _corrective_actions(_rng(seed, 7), cal, complaints, ncs, findings)
    objectives = _objectives(cal)
    kpis = _kpi_measurements(_rng(seed, 8), cal, surveys)
    return {
        "complaints": (complaints, _bad_complaints(cal, complaints)),
        "nonconformities": (ncs, _bad_nonconformities(cal, ncs)),
        "production": (production, _bad_production(cal, production)),
        "audit_findings": (findings, _bad_audit_findings(cal, findings)),
        "corrective_actions": (capas, _bad_corrective_actions(cal, capas)),
        "objectives": (objectives, _bad_objectives(cal)),
        "kpi_measurements": (kpis, _bad_kpis(cal)),
        "supplier_receipts": (receipts, _bad_receipts(cal, receipts)),
        "customer_surveys": (surveys, _bad_surveys(cal)),
        "review_actions": (_review_actions(cal), _bad_review_actions(cal)),
        "risks": (_risks(cal), _bad_risks(cal)),
        "context_issues": (_context_issues(cal), _bad_context_issues(cal)),
    }


def _production(rng: np.random.Generator, cal: _Calendar) -> pd.DataFrame:
    days = cal.workdays
    n_days, n_lines = len(days), len(_LINES)
    means = np.array([line[2] for line in _LINES])
    # day-to-day variation of about 13 % around a constant mean: no trend, no seasonality
    produced = np.rint(means * rng.gamma(60.0, 1 / 60.0, size=(n_days, n_lines))).astype(np.int64)
    shipped = rng.binomial(produced, 0.985)
    return pd.DataFrame(
        {
            "date": np.repeat(days.values, n_lines),
            "site": np.tile([line[0] for line in _LINES], n_days),
            "product": np.tile([line[1] for line in _LINES], n_days),
            "units_produced": produced.ravel(),
            "units_inspected": produced.ravel(),  # 100 % AOI and test
            "units_shipped": shipped.ravel(),
        }
    )


def _nonconformities(rng: np.random.Generator, cal: _Calendar, prod: pd.DataFrame) -> pd.DataFrame:
    procs = list(_PROCESSES)
    n_lines = len(_LINES)
    inspected = prod["units_inspected"].to_numpy(float).reshape(-1, n_lines)  # (days, lines)
    day_month = cal.month_index(cal.workdays)
    rate = np.zeros((len(cal.workdays), n_lines, len(procs)))
    for j, (line_site, _product, _mean, wave, _cost) in enumerate(_LINES):
        for k, proc in enumerate(procs):
            r = _PROCESSES[proc][0] * _SITE_FACTOR[line_site]
            if proc == "Wave soldering" and not wave:
                r = 0.0
            rate[:, j, k] = r
    # planted signal defect_step: Reflow soldering at Leeds x2.2 from E-6
    step = day_month >= N_MONTHS - 7
    leeds = [j for j, line in enumerate(_LINES) if line[0] == "Leeds"]
    k_reflow = procs.index("Reflow soldering")
    for j in leeds:
        rate[step, j, k_reflow] *= 2.2
    mean_qty = 1.3  # quantity per NC row = 1 + Poisson(0.3)
    counts = rng.poisson(inspected[:, :, None] * rate / mean_qty)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    d_idx, j_idx, k_idx = np.unravel_index(cell, counts.shape)
    n = len(cell)
    site = np.array([line[0] for line in _LINES])[j_idx]
    product = np.array([line[1] for line in _LINES])[j_idx]
    unit_cost = np.array([line[4] for line in _LINES])[j_idx]
    process = np.array(procs, dtype=object)[k_idx]
    detected = cal.workdays.values[d_idx]
    quantity = 1 + rng.poisson(0.3, size=n)

    code = np.empty(n, dtype=object)
    category = np.empty(n, dtype=object)
    source = np.empty(n, dtype=object)
    for k, proc in enumerate(procs):
        m = k_idx == k
        _rate, src, codes = _PROCESSES[proc]
        w = np.array([c[2] for c in codes], float)
        pick = rng.choice(len(codes), size=int(m.sum()), p=w / w.sum())
        code[m] = np.array([c[0] for c in codes], dtype=object)[pick]
        category[m] = np.array([c[1] for c in codes], dtype=object)[pick]
        source[m] = src
    # about 1 % of in-process and final findings are customer returns
    returns = (source != "incoming") & (rng.random(n) < 0.01)
    source[returns] = "customer"

    incoming = source == "incoming"
    disposition = np.where(
        incoming,
        rng.choice(["return_to_supplier", "scrap", "use_as_is"], size=n, p=[0.7, 0.1, 0.2]),
        rng.choice(["rework", "scrap", "use_as_is"], size=n, p=[0.75, 0.15, 0.10]),
    ).astype(object)
    delay = rng.geometric(0.25, size=n)
    closed = detected + delay.astype("timedelta64[D]")
    is_open = closed > np.datetime64(cal.as_of)
    pending = is_open & (rng.random(n) < 0.5)
    disposition[pending] = "pending"
    cost = np.where(
        disposition == "scrap",
        quantity * np.where(incoming, 2.0, unit_cost),
        np.where(disposition == "rework", quantity * 8.5, 0.0),
    ).round(2)
    cost = np.where(pending, np.nan, cost)

    supplier = np.full(n, None, dtype=object)
    weights = np.array([s[3] for s in _SUPPLIERS], float)
    supplier[incoming] = np.array([s[0] for s in _SUPPLIERS], dtype=object)[
        rng.choice(len(_SUPPLIERS), size=int(incoming.sum()), p=weights / weights.sum())
    ]
    line_no = rng.integers(1, 4, size=n)
    df = pd.DataFrame(
        {
            "detected_date": detected,
            "site": site,
            "process": process,
            "product": product,
            "source": source,
            "defect_code": code,
            "defect_category": category,
            "quantity": quantity,
            "disposition": disposition,
            "cost": cost,
            "supplier_id": supplier,
            "capa_id": None,
            "status": np.where(is_open, "open", "closed"),
            "closed_date": np.where(is_open, np.datetime64("NaT"), closed),
            "line": np.char.add(
                np.char.add(np.where(site == "Leeds", "L", "B"), "-SMT"), line_no.astype(str)
            ),
        }
    )
    df["closed_date"] = pd.to_datetime(df["closed_date"])
    df["description"] = df["defect_code"].str.lower().str.replace("-", " ") + " on " + df["product"]
    df = df.sort_values(["detected_date", "site", "line"], kind="stable").reset_index(drop=True)
    df.insert(0, "nc_id", [f"NCR-{i:06d}" for i in range(1, len(df) + 1)])
    return df


def _monthly_shipped(cal: _Calendar, prod: pd.DataFrame) -> pd.DataFrame:
    m = cal.month_index(prod["date"])
    return prod.assign(m=m).groupby(["m", "site", "product"], sort=True)["units_shipped"].sum()


def _complaints(rng: np.random.Generator, cal: _Calendar, prod: pd.DataFrame) -> pd.DataFrame:
    shipped = _monthly_shipped(cal, prod)
    base_pm = 360.0  # complaints per million units shipped
    m = np.arange(N_MONTHS)
    # planted signal complaint_rise: linear drift from E-17 (x1.033) to E (x1.6)
    mult = np.where(m >= N_MONTHS - 18, 1 + 0.6 * (m - (N_MONTHS - 19)) / 18, 1.0)
    cats = list(_COMPLAINT_CATEGORIES)
    cat_w = np.array([_COMPLAINT_CATEGORIES[c][0] for c in cats])
    cust_w = 1 / np.arange(1, len(_CUSTOMERS) + 1) ** 0.8
    rows = []
    for mi in m:
        month_ship = shipped.loc[mi]
        total = float(month_ship.sum())
        n = rng.poisson(total * base_pm * mult[mi] / 1e6)
        combos = list(month_ship.index)
        p = month_ship.to_numpy(float) / total
        start = cal.months[mi].start_time.normalize()
        ndays = cal.months[mi].days_in_month
        for _ in range(n):
            site, product = combos[rng.choice(len(combos), p=p)]
            received = start + pd.Timedelta(days=int(rng.integers(0, ndays)))
            cat = cats[rng.choice(len(cats), p=cat_w / cat_w.sum())]
            severity = rng.choice(["critical", "major", "minor"], p=[0.05, 0.30, 0.65])
            qty = {
                "minor": 1 + rng.geometric(0.5),
                "major": 2 + rng.geometric(0.2),
                "critical": 5 + rng.geometric(0.05),
            }[severity] - 1
            cost = {"minor": 150.0, "major": 900.0, "critical": 6000.0}[severity]
            cost = round(float(cost * rng.lognormal(0.0, 0.5)), 2)
            median_days = {"critical": 10, "major": 18, "minor": 25}[severity]
            closed = received + pd.Timedelta(days=int(rng.lognormal(np.log(median_days), 0.5)))
            customer = _CUSTOMERS[rng.choice(len(_CUSTOMERS), p=cust_w / cust_w.sum())][0]
            template = _COMPLAINT_CATEGORIES[cat][2]
            text = template[rng.integers(len(template))].format(
                qty=qty, product=product, days=int(rng.integers(2, 15))
            )
            rows.append(
                {
                    "received_date": received,
                    "customer": customer,
                    "product": product,
                    "site": site,
                    "category": cat,
                    "severity": str(severity),
                    "status": "closed" if closed <= cal.as_of else "open",
                    "closed_date": closed if closed <= cal.as_of else pd.NaT,
                    "capa_id": None,
                    "cost": cost,
                    "quantity_affected": int(qty),
                    "description": text,
                    "logged_by": _OWNERS["Sales & contract review"][0 if site == "Leeds" else 1],
                }
            )
    df = pd.DataFrame(rows).sort_values("received_date", kind="stable").reset_index(drop=True)
    df.insert(0, "complaint_id", [f"CC-{i:05d}" for i in range(1, len(df) + 1)])
    return df


def _audit_findings(rng: np.random.Generator, cal: _Calendar) -> pd.DataFrame:
    procs = list(_AUDIT_SCOPE)
    rows = []

    def add(audit_id, date, audit_type, auditor, site, proc, n, types, p, offset=None):
        scope = _AUDIT_SCOPE[proc]
        for k in range(n):
            ftype = types[rng.choice(len(types), p=p)]
            if offset is None:
                clause = scope[rng.integers(len(scope))]
            else:  # internal audits walk through the scope: every clause covered each year
                clause = scope[(offset + k) % len(scope)]
            due_days = {"major_nc": 30, "minor_nc": 60, "observation": 90, "ofi": 90}[ftype]
            due = date + pd.Timedelta(days=due_days)
            if rng.random() < 0.85:
                closed = date + pd.Timedelta(days=int(due_days * rng.uniform(0.4, 1.0)))
            else:
                closed = due + pd.Timedelta(days=int(rng.lognormal(np.log(20), 0.6)))
            done = closed <= cal.as_of
            rows.append(
                {
                    "audit_id": audit_id,
                    "audit_date": date,
                    "audit_type": audit_type,
                    "auditor": auditor,
                    "process": proc,
                    "clause": clause,
                    "finding_type": ftype,
                    "description": _finding_text(ftype, proc, clause),
                    "status": "closed" if done else "open",
                    "due_date": due,
                    "closed_date": closed if done else pd.NaT,
                    "capa_id": None,
                    "site": site,
                }
            )

    internal_types = ["major_nc", "minor_nc", "observation", "ofi"]
    for mi, month in enumerate(cal.months):
        start = month.start_time.normalize()
        for s, site in enumerate(SITES):
            proc = procs[(mi + 6 * s) % len(procs)]
            date = start + pd.Timedelta(days=int(rng.integers(7, 20)))
            code = "LDS" if site == "Leeds" else "BRQ"
            # each process is audited once a year per site (Leeds and Brno six months apart);
            # between them the two audits raise findings against every clause in its scope
            half = len(_AUDIT_SCOPE[proc]) // 2
            add(
                f"IA-{code}-{month.strftime('%Y-%m')}",
                date,
                "internal",
                _AUDITORS_INTERNAL[site][mi % 2],
                site,
                proc,
                max(1 + int(rng.poisson(2.5)), len(_AUDIT_SCOPE[proc]) - half),
                internal_types,
                [0.04, 0.28, 0.38, 0.30],
                offset=half * s,
            )
        # external: certification surveillance every March, supplier and customer audits
        if month.month == 3:
            for site in SITES:
                for proc in rng.choice(procs, size=2, replace=False):
                    add(
                        f"CERT-{month.year}-{site[:3].upper()}",
                        start + pd.Timedelta(days=14),
                        "certification",
                        "Certa Assurance (D. Lowe)",
                        site,
                        str(proc),
                        1 + int(rng.poisson(1.5)),
                        internal_types,
                        [0.05, 0.45, 0.30, 0.20],
                    )
        if month.month in (2, 5, 8, 11):
            add(
                f"SA-{month.strftime('%Y-%m')}",
                start + pd.Timedelta(days=21),
                "supplier",
                _AUDITORS_INTERNAL["Leeds"][0],
                "Leeds",
                "Purchasing",
                1 + int(rng.poisson(1.0)),
                internal_types,
                [0.0, 0.4, 0.4, 0.2],
            )
        if month.month in (6, 10):
            add(
                f"CA-{month.strftime('%Y-%m')}",
                start + pd.Timedelta(days=3),
                "customer",
                "Aurora Medical Devices (supplier quality)",
                "Leeds" if month.month == 6 else "Brno",
                "Test & inspection" if month.month == 6 else "SMT production",
                1 + int(rng.poisson(2.0)),
                internal_types,
                [0.05, 0.35, 0.35, 0.25],
            )
    df = pd.DataFrame(rows).sort_values(["audit_date", "audit_id"], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "finding_id", [f"AF-{i:04d}" for i in range(1, len(df) + 1)])
    return df


def _finding_text(ftype: str, proc: str, clause: str) -> str:
    lead = {
        "major_nc": "Requirement not met, systemic",
        "minor_nc": "Requirement not fully met",
        "observation": "Potential weakness noted",
        "ofi": "Opportunity for improvement",
    }[ftype]
    return f"{lead}: {proc} against clause {clause}"


def _supplier_receipts(rng: np.random.Generator, cal: _Calendar) -> pd.DataFrame:
    lots = np.array([1000, 2000, 2500, 4000, 5000, 10000])
    lot_p = np.array([0.15, 0.2, 0.15, 0.2, 0.2, 0.1])
    days_by_month = [cal.workdays[cal.month_index(cal.workdays) == mi] for mi in range(N_MONTHS)]
    frames = []
    for sid, name, commodity, per_month, ppm, on_time in _SUPPLIERS:
        counts = rng.poisson(per_month, size=N_MONTHS)
        mi = np.repeat(np.arange(N_MONTHS), counts)
        n = len(mi)
        received = np.array(
            [days_by_month[m][rng.integers(len(days_by_month[m]))] for m in mi],
            dtype="datetime64[ns]",
        )
        qty = rng.choice(lots, size=n, p=lot_p)
        p = np.full(n, ppm / 1e6)
        if sid == _BAD_SUPPLIER:  # planted signal supplier_deterioration from E-7
            k = mi - (N_MONTHS - 8)
            p = np.where(k >= 0, p * (1 + 5 * (k + 1) / 8), p)
        rejected = rng.binomial(qty, p)
        late = rng.random(n) > on_time
        offset = np.where(late, -rng.integers(1, 11, size=n), rng.integers(0, 6, size=n))
        frames.append(
            pd.DataFrame(
                {
                    "supplier_id": sid,
                    "received_date": received,
                    "due_date": received + offset.astype("timedelta64[D]"),
                    "quantity_received": qty,
                    "quantity_rejected": rejected,
                    "supplier_name": name,
                    "commodity": commodity,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["received_date", "supplier_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "receipt_id", [f"GRN-{i:06d}" for i in range(1, len(df) + 1)])
    return df


_SCORE_P = np.array([0.004, 0.004, 0.008, 0.012, 0.018, 0.035, 0.06, 0.13, 0.26, 0.26, 0.209])


def _customer_surveys(rng: np.random.Generator, cal: _Calendar) -> pd.DataFrame:
    counts = rng.poisson(45, size=N_MONTHS)
    mi = np.repeat(np.arange(N_MONTHS), counts)
    n = len(mi)
    offs = np.array([rng.integers(cal.months[m].days_in_month) for m in mi])
    starts = np.array([cal.months[m].start_time.normalize() for m in mi], dtype="datetime64[ns]")
    cust_w = 1 / np.arange(1, len(_CUSTOMERS) + 1) ** 0.6
    cust = rng.choice(len(_CUSTOMERS), size=n, p=cust_w / cust_w.sum())
    score = rng.choice(11, size=n, p=_SCORE_P / _SCORE_P.sum())
    comments = {
        0: "Repeated quality problems",
        3: "Too many escapes reaching our line",
        5: "Deliveries often late",
        6: "Communication could be faster",
        10: "Excellent support from the Brno team",
        9: "Good quality and responsive engineers",
    }
    df = pd.DataFrame(
        {
            "response_date": starts + offs.astype("timedelta64[D]"),
            "customer": np.array([c[0] for c in _CUSTOMERS], dtype=object)[cust],
            "score": score,
            "site": np.array([c[1] for c in _CUSTOMERS], dtype=object)[cust],
            "comment": [comments.get(int(s)) if rng.random() < 0.3 else None for s in score],
        }
    )
    df = df.sort_values("response_date", kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"SR-{i:05d}" for i in range(1, len(df) + 1)])
    return df


def _corrective_actions(
    rng: np.random.Generator,
    cal: _Calendar,
    complaints: pd.DataFrame,
    ncs: pd.DataFrame,
    findings: pd.DataFrame,
) -> pd.DataFrame:
    """Raise CAPAs from complaints, NCs and audit findings; link them back (capa_id)."""
    sources: list[dict[str, Any]] = []

    def owner(proc: str, site: str) -> str:
        return _OWNERS[proc][0 if site == "Leeds" else 1]

    # every critical complaint and 30 % of major ones
    pick = (complaints["severity"] == "critical") | (
        (complaints["severity"] == "major") & (rng.random(len(complaints)) < 0.3)
    )
    for i in np.flatnonzero(pick.to_numpy()):
        r = complaints.iloc[i]
        proc = _COMPLAINT_CATEGORIES[r["category"]][1]
        sources.append(
            dict(
                table="complaints",
                row=i,
                source_type="complaint",
                source_id=r["complaint_id"],
                opened=r["received_date"] + pd.Timedelta(days=int(rng.integers(0, 4))),
                process=proc,
                owner=owner(proc, r["site"]),
                text=f"Correct {r['category'].lower()} reported by {r['customer']}",
            )
        )
    # every major and minor audit nonconformity
    for i in np.flatnonzero(findings["finding_type"].isin(["major_nc", "minor_nc"]).to_numpy()):
        r = findings.iloc[i]
        sources.append(
            dict(
                table="findings",
                row=i,
                source_type="audit",
                source_id=r["finding_id"],
                opened=r["audit_date"] + pd.Timedelta(days=3),
                process=r["process"],
                owner=owner(r["process"], r["site"]),
                text=f"Address audit finding on clause {r['clause']}",
            )
        )
    # about three NCs a month, plus the planted cluster
    month = cal.month_index(ncs["detected_date"])
    cluster_months = {N_MONTHS - 6: 4, N_MONTHS - 5: 4, N_MONTHS - 4: 3}  # E-5, E-4, E-3
    wave_brno = (ncs["process"] == "Wave soldering").to_numpy() & (ncs["site"] == "Brno").to_numpy()
    cluster_rows: set[int] = set()
    for mi, k in cluster_months.items():
        cand = np.flatnonzero(wave_brno & (month == mi))
        # take NCs from the first half of the month so the action is opened in the same month
        cand = cand[ncs["detected_date"].iloc[cand].dt.day.to_numpy() <= 14]
        cluster_rows.update(int(x) for x in rng.choice(cand, size=k, replace=False))
    for mi in range(N_MONTHS):
        cand = np.flatnonzero((month == mi) & (ncs["quantity"].to_numpy() >= 3))
        for i in rng.choice(cand, size=3, replace=False):
            if int(i) not in cluster_rows:
                r = ncs.iloc[int(i)]
                sources.append(
                    dict(
                        table="ncs",
                        row=int(i),
                        source_type="nonconformity",
                        source_id=r["nc_id"],
                        opened=r["detected_date"] + pd.Timedelta(days=int(rng.integers(1, 8))),
                        process=r["process"],
                        owner=owner(r["process"], r["site"]),
                        text=f"Stop recurrence of {r['defect_code'].lower()} on {r['product']}",
                    )
                )
    for row in sorted(cluster_rows):
        r = ncs.iloc[row]
        sources.append(
            dict(
                table="ncs",
                row=row,
                source_type="nonconformity",
                source_id=r["nc_id"],
                opened=r["detected_date"] + pd.Timedelta(days=2),
                process="Wave soldering",
                owner="Tomáš Dvořák",
                cluster=True,
                text=f"Wave solder pot: {r['defect_code'].lower()} on {r['product']}",
            )
        )

    rows = []
    for s in sources:
        opened: pd.Timestamp = s["opened"]
        if opened > cal.as_of:
            continue
        if s.get("cluster"):
            due = opened + pd.Timedelta(days=int(rng.choice([30, 45])))
            status, closed, root = "open", pd.NaT, "Machine"
        else:
            duration = int(rng.choice([30, 45, 60, 90]))
            due = opened + pd.Timedelta(days=duration)
            root = _ROOT_CAUSES[rng.integers(len(_ROOT_CAUSES))]
            u = rng.random()
            if u < 0.02:
                closed = opened + pd.Timedelta(days=int(rng.integers(5, 21)))
                status = "cancelled"
            elif u < 0.87:
                closed = opened + pd.Timedelta(days=int(duration * rng.uniform(0.3, 1.0)))
                status = "closed"
            else:
                closed = due + pd.Timedelta(days=int(rng.lognormal(np.log(25), 0.6)))
                status = "closed"
            if closed > cal.as_of:
                status, closed = "open", pd.NaT
        if status == "cancelled":
            eff_due, effective = pd.NaT, None
        else:
            eff_due = (due if pd.isna(closed) else closed) + pd.Timedelta(days=90)
            if status == "open" or eff_due > cal.as_of:
                effective = "pending"
            else:
                effective = "yes" if rng.random() < 0.85 else "no"
        rows.append(
            {
                "opened_date": opened,
                "source_type": s["source_type"],
                "source_id": s["source_id"],
                "process": s["process"],
                "owner": s["owner"],
                "root_cause_category": root,
                "due_date": due,
                "closed_date": closed,
                "status": status,
                "effectiveness_due": eff_due,
                "effective": effective,
                "description": s["text"],
                "_table": s["table"],
                "_row": s["row"],
            }
        )
    df = pd.DataFrame(rows).sort_values(["opened_date", "source_id"], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "capa_id", [f"CAPA-{i:05d}" for i in range(1, len(df) + 1)])
    for table, frame in (("complaints", complaints), ("ncs", ncs), ("findings", findings)):
        sel = df["_table"] == table
        frame.loc[df.loc[sel, "_row"].to_numpy(), "capa_id"] = df.loc[sel, "capa_id"].to_numpy()
    df["note"] = df["source_type"].map({"nonconformity": "8D požadováno"})
    return df.drop(columns=["_table", "_row"])


#: objective id -> (name, process, owner, unit, direction, target, plan fields complete)
# fmt: off
_OBJECTIVES: tuple[tuple[str, str, str, str, str, str, float, bool], ...] = (
    ("OBJ-01", "First-pass yield at final test", "Final test", "Aisha Rahman", "%",
     "increase", 98.0, True),
    ("OBJ-02", "On-time delivery to customers (order lines)", "Planning & logistics",
     "Helen Marsh", "%", "increase", 95.0, True),
    ("OBJ-03", "Customer satisfaction, mean survey score", "Sales & contract review",
     "Sophie Grant", "score", "increase", 7.5, True),
    ("OBJ-04", "Scrap cost as a share of sales", "SMT production", "Gareth Holt", "%",
     "decrease", 1.0, True),
    ("OBJ-05", "Preventive maintenance completed on schedule", "Calibration & maintenance",
     "Owen Price", "%", "increase", 95.0, True),
    ("OBJ-06", "Energy use per 1,000 boards", "Management", "Richard Calder", "kWh",
     "decrease", 420.0, True),
    ("OBJ-07", "Training plan completion", "Training & competence", "Eva Horáková", "%",
     "increase", 90.0, False),  # the objective whose 6.2.2 plan fields are missing
)
# fmt: on


def _objectives(cal: _Calendar) -> pd.DataFrame:
    valid_to = pd.Timestamp(year=cal.end.year, month=12, day=31)
    rows = []
    for oid, name, proc, owner, unit, direction, target, complete in _OBJECTIVES:
        rows.append(
            {
                "objective_id": oid,
                "name": name,
                "process": proc,
                "owner": owner,
                "unit": unit,
                "direction": direction,
                "target": target,
                "valid_from": cal.first_day,
                "valid_to": valid_to,
                "frequency": "monthly",
                "action_plan": f"Monthly review of {name.lower()} with actions on misses"
                if complete
                else None,
                "resources": "Process engineer time; data from MES and ERP" if complete else None,
                "responsible": owner,
                "plan_due": valid_to if complete else pd.NaT,
                "evaluation_method": "Control chart of the monthly KPI against target"
                if complete
                else None,
            }
        )
    return pd.DataFrame(rows)


def _kpi_measurements(
    rng: np.random.Generator, cal: _Calendar, surveys: pd.DataFrame
) -> pd.DataFrame:
    n = N_MONTHS
    survey_mean = surveys.groupby(cal.month_index(surveys["response_date"]))["score"].mean()
    series: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = {}

    def ratio(den_mean: float, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        den = rng.poisson(den_mean, size=n).astype(float)
        num = rng.binomial(den.astype(np.int64), p).astype(float)
        return np.round(100 * num / den, 2), num, den

    series["OBJ-01"] = ratio(110_000, 0.9855)
    series["OBJ-02"] = ratio(1_800, 0.928)  # planted signal objective_missed
    series["OBJ-03"] = (np.round(survey_mean.reindex(range(n)).to_numpy(), 2), None, None)
    sales = np.round(rng.normal(4_200_000, 150_000, size=n), 0)
    scrap = np.round(sales * rng.normal(0.0072, 0.0004, size=n), 0)
    series["OBJ-04"] = (np.round(100 * scrap / sales, 3), scrap, sales)
    series["OBJ-05"] = ratio(400, 0.985)
    series["OBJ-06"] = (np.round(rng.normal(385, 6, size=n), 1), None, None)
    series["OBJ-07"] = ratio(200, 0.96)
    frames = []
    for oid, (value, num, den) in series.items():
        frames.append(
            pd.DataFrame(
                {
                    "objective_id": oid,
                    "period": cal.months,
                    "value": value,
                    "numerator": num if num is not None else np.nan,
                    "denominator": den if den is not None else np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(
        ["period", "objective_id"], kind="stable", ignore_index=True
    )


_REVIEW_ACTIONS = (
    ("improvement", "Launch a first-pass-yield improvement project on the SMT lines"),
    ("resources", "Recruit a second quality engineer for Brno"),
    ("qms_change", "Merge the two sites' CAPA procedures into one"),
    ("improvement", "Introduce supplier scorecards at quarterly business reviews"),
    ("resources", "Budget a 3D solder-paste inspection machine for Leeds"),
    ("qms_change", "Add climate-related risks to the risk register (ISO 9001 Amd 1:2024)"),
    ("improvement", "Reduce complaint response time to under 10 working days"),
    ("qms_change", "Revise the internal audit programme to cover every clause in 3 years"),
    ("resources", "Train two more internal auditors at Brno"),
    ("improvement", "Pilot traceability labels for the PSU-450 family"),
)


def _review_actions(cal: _Calendar) -> pd.DataFrame:
    """Six reviews, six actions each; status fixed by rule so the register tells one story."""
    rows = []
    review_months = [
        N_MONTHS - 33,
        N_MONTHS - 27,
        N_MONTHS - 21,
        N_MONTHS - 15,
        N_MONTHS - 9,
        N_MONTHS - 3,
    ]  # E-32, E-26, E-20, E-14, E-8, E-2
    owners = [
        "Richard Calder",
        "Eva Horáková",
        "Helen Marsh",
        "Gareth Holt",
        "Martin Král",
        "Sophie Grant",
    ]
    n = 0
    for r, mi in enumerate(review_months):
        review = cal.months[mi].start_time.normalize() + pd.Timedelta(days=13)
        for a in range(6):
            n += 1
            output_type, text = _REVIEW_ACTIONS[(r * 6 + a) % len(_REVIEW_ACTIONS)]
            days = (60, 90, 120, 180, 90, 120)[a] if r < 5 else (90, 120, 150, 180, 120, 150)[a]
            due = review + pd.Timedelta(days=days)
            # open and overdue: one from E-20, one from E-14, two from E-8; all of E-2 open
            still_open = (r == 2 and a == 3) or (r == 3 and a == 1) or (r == 4 and a in (0, 2, 4))
            still_open = still_open or r == 5
            closed = pd.NaT if still_open else review + pd.Timedelta(days=int(days * 0.8))
            if not still_open and closed > cal.as_of:
                closed = cal.as_of
            rows.append(
                {
                    "action_id": f"MR-{n:03d}",
                    "review_date": review,
                    "output_type": output_type,
                    "description": text,
                    "owner": owners[(r + a) % len(owners)],
                    "due_date": due,
                    "status": "open" if still_open else "closed",
                    "closed_date": closed,
                }
            )
    return pd.DataFrame(rows)


# fmt: off
_RISKS = (
    # kind, process, description, likelihood, impact, action, due (months from E), status, eff.
    ("risk", "Purchasing", "Single source for the PSU-450 controller IC", 3, 5,
     "Qualify a second source", 3, "open", "pending"),
    ("risk", "SMT production", "Reflow oven ageing at Leeds causes profile drift", 3, 4,
     "Quarterly oven profiling and overhaul budget", -1, "open", "pending"),
    ("risk", "Management", "Flooding of the Leeds site (River Aire) in extreme weather", 2, 5,
     "Flood barriers and raised storage for MSL parts", -4, "closed", "yes"),
    ("risk", "Training & competence", "Loss of key wave-soldering operators at Brno", 3, 3,
     "Cross-train two operators per shift", -2, "open", "pending"),
    ("risk", "Test & inspection", "Test fixtures for HMI-700 without spares", 2, 4,
     "Build a spare fixture", -8, "closed", "yes"),
    ("risk", "Purchasing", "Counterfeit semiconductors from brokers", 2, 5,
     "Buy only from franchised distributors", -14, "closed", "yes"),
    ("risk", "Despatch", "ESD packaging damaged in transit to EU customers", 3, 2,
     "Change carrier packaging specification", -10, "closed", "no"),
    ("opportunity", "SMT production", "3D solder-paste inspection could cut print defects", 4, 3,
     "Business case for 3D SPI", 2, "open", "pending"),
    ("opportunity", "Sales & contract review", "Medical-device customers want ISO 13485", 3, 4,
     "Gap analysis against ISO 13485", 5, "open", "pending"),
    ("risk", "Document control", "Obsolete drawings used on the line", 2, 3,
     "Electronic work instructions at every station", -18, "closed", "yes"),
    ("risk", "Management", "Energy price rises squeeze margins", 4, 3,
     "Energy-efficiency programme (OBJ-06)", -6, "closed", "yes"),
    ("opportunity", "Management", "Solar panels on the Brno roof", 3, 2,
     "Feasibility study", -3, "open", "pending"),
    ("risk", "Calibration & maintenance", "Calibration supplier lead time too long", 2, 2,
     "Second accredited calibration lab", -12, "closed", "yes"),
    ("risk", "Improvement", "CAPA backlog on Wave soldering at Brno", 3, 3,
     "Weekly CAPA review with the process owner", 1, "open", "pending"),
    ("opportunity", "New product introduction", "Design-for-manufacture reviews with customers",
     3, 3, "DFM checklist in NPI gate 2", -9, "closed", "yes"),
    ("risk", "Purchasing", "Conflict minerals reporting demanded by customers", 2, 2,
     "CMRT collection from suppliers", -20, "cancelled", None),
    ("risk", "SMT production", "Moisture-sensitive parts exposed too long", 3, 3,
     "Dry cabinets and MSL tracking", -16, "closed", "yes"),
    ("opportunity", "Management", "Customers ask for product carbon footprints", 4, 3,
     "Carbon footprint for two product families", 4, "open", "pending"),
)
# fmt: on


def _risks(cal: _Calendar) -> pd.DataFrame:
    rows = []
    for i, (kind, proc, text, lik, imp, action, due_m, status, eff) in enumerate(_RISKS, 1):
        due = (cal.end + due_m).start_time.normalize() + pd.Timedelta(days=27)
        identified = (cal.end + min(due_m, 0) - 6 - (i % 5)).start_time.normalize()
        rows.append(
            {
                "risk_id": f"R-{i:03d}",
                "kind": kind,
                "process": proc,
                "description": text,
                "likelihood": lik,
                "impact": imp,
                "action": action,
                "action_due": due,
                "action_status": status,
                "effective": eff,
                "date_identified": identified,
            }
        )
    return pd.DataFrame(rows)


# fmt: off
_CONTEXT = (
    # months before E noted, kind, description, impact, status
    (30, "external", "Component shortages and long lead times for semiconductors", "high",
     "closed"),
    (24, "external", "Customers moving from UK to EU final assembly (rules of origin)", "medium",
     "open"),
    (20, "internal", "Brno site expansion: second SMT line", "medium", "closed"),
    (18, "external",
     "Climate change: flood risk at Leeds, heat on the Brno lines and customers' carbon "
     "reporting demands (relevant; ISO 9001 Amd 1:2024)", "high", "open"),
    (15, "external", "Energy prices and grid carbon intensity", "medium", "open"),
    (12, "internal", "Retirement of two senior process engineers", "medium", "open"),
    (10, "external", "EU Cyber Resilience Act for connected products (GW-120)", "high", "open"),
    (8, "external", "Medical customers asking for ISO 13485", "medium", "open"),
    (6, "internal", "New MES rolled out at Leeds", "low", "closed"),
    (4, "external", "Main customer Nordlicht reducing its supplier base", "high", "open"),
    (2, "internal", "Reflow oven at Leeds reaching end of life", "medium", "open"),
)
# fmt: on


def _context_issues(cal: _Calendar) -> pd.DataFrame:
    rows = []
    for i, (ago, kind, text, impact, status) in enumerate(_CONTEXT, 1):
        rows.append(
            {
                "issue_id": f"CI-{i:02d}",
                "date_noted": (cal.end - ago).start_time.normalize() + pd.Timedelta(days=9),
                "kind": kind,
                "description": text,
                "impact": impact,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


# --- planted invalid rows ---------------------------------------------------------------------


def _where(record_type: str, check: str, column: str | None = None) -> list[int]:
    return [
        r["source_row"]
        for r in PLANTED_INVALID
        if r["record_type"] == record_type
        and r["check"] == check
        and (column is None or r["column"] == column)
    ]


def _future(cal: _Calendar, months: int) -> pd.Timestamp:
    return (cal.end + months).start_time.normalize() + pd.Timedelta(days=9)


def _bad_complaints(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_nonconformities(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_production(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_audit_findings(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_corrective_actions(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_objectives(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_kpis(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_receipts(cal: _Calendar, df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_surveys(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_review_actions(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_risks(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


def _bad_context_issues(cal: _Calendar) -> list[tuple[int, dict[str, Any]]]:
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


# --- writing ----------------------------------------------------------------------------------


def _interleave(valid: pd.DataFrame, bad: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    """Return the valid rows with each bad row placed so its 1-based position is source_row."""
    if not bad:
        return valid.reset_index(drop=True)
    bad = sorted(bad, key=lambda t: t[0])
    total = len(valid) + len(bad)
    positions = [pos for pos, _ in bad]
    if positions[-1] > total or len(set(positions)) != len(positions):
        raise QmsError("demo generator: planted invalid rows do not fit the table")
    is_bad = np.zeros(total, dtype=bool)
    is_bad[np.array(positions) - 1] = True
    bad_frame = pd.DataFrame([row for _, row in bad], columns=valid.columns)
    order = np.empty(total, dtype=np.int64)
    order[~is_bad] = np.arange(len(valid))
    order[is_bad] = len(valid) + np.arange(len(bad))
    both = pd.concat([valid.astype(object), bad_frame.astype(object)], ignore_index=True)
    return both.iloc[order].reset_index(drop=True)


def _text_column(col: pd.Series, date_format: str) -> pd.Series:
    """Format one column as a CSV export would: dates in ``date_format``, empty for missing."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime(date_format).fillna("").astype(object)
    if pd.api.types.is_integer_dtype(col):
        return col.astype(str).astype(object)
    na = col.isna().to_numpy()
    if pd.api.types.is_float_dtype(col):
        v = np.where(na, 0.0, col.to_numpy(float))
        whole = v == np.round(v)
        text = np.where(
            whole,
            np.round(v).astype(np.int64).astype(str),
            np.where(np.abs(v) >= 1, np.char.mod("%.2f", v), np.char.mod("%.4g", v)),
        )
    else:
        text = col.astype(object).astype(str).to_numpy()
    return pd.Series(np.where(na, "", text), index=col.index, dtype=object)


def _cell(v: Any, date_format: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).strftime(date_format)
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, float | np.floating):
        x = float(v)
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.2f}" if abs(x) >= 1 else f"{x:.4g}"
    return str(v)


def _export_frame(
    record_type: str, valid: pd.DataFrame, bad: list[tuple[int, dict[str, Any]]]
) -> tuple[pd.DataFrame, list[tuple[int, dict[str, Any]]]]:
    """Return the valid rows and the bad rows with the export's column names."""
    mapping = _COLUMNS[record_type]
    cols = [c for c in mapping if c in valid.columns]
    extra = {k: v for k, v in _EXTRA_COLUMNS.items() if k in valid.columns}
    names = {**mapping, **extra}
    frame = valid[cols + list(extra)].copy()
    for col in _DISPLAYED.get(record_type, ()):
        frame[col] = frame[col].map(
            lambda v: _SPECIAL.get(v, v.replace("_", " ").capitalize()) if isinstance(v, str) else v
        )
    frame = frame.rename(columns=names)
    bad = [(pos, {names[k]: row.get(k) for k in cols + list(extra)}) for pos, row in bad]
    return frame, bad


def _write_sources(tmp: Path, tables: dict[str, _Table], end: pd.Period) -> list[str]:
    written: list[str] = []
    sheets: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for rt, (valid, bad) in tables.items():
        spec = _SOURCES[rt]
        name = spec["source"]
        frame, bad_rows = _export_frame(rt, valid, bad)
        if name.endswith(".csv"):
            fmt = spec.get("date_format", "%Y-%m-%d")
            text = pd.DataFrame({c: _text_column(frame[c], fmt) for c in frame.columns})
            bad_text = [(pos, {k: _cell(v, fmt) for k, v in row.items()}) for pos, row in bad_rows]
            text = _interleave(text, bad_text)
            _atomic_bytes(
                tmp / name,
                text.to_csv(
                    index=False, sep=spec.get("delimiter", ","), lineterminator="\n"
                ).encode(spec.get("encoding", "utf-8")),
            )
        elif name.startswith("sqlite:///"):
            name = name.removeprefix("sqlite:///")
            _write_sqlite(tmp / name, spec["table"], _interleave(frame, bad_rows))
        elif name.endswith(".parquet"):
            typed = _interleave(frame, bad_rows)
            for col in typed.columns:
                if col.startswith("Qty"):
                    typed[col] = typed[col].astype(np.int64)
            typed[_COLUMNS[rt]["date"]] = pd.to_datetime(typed[_COLUMNS[rt]["date"]])
            typed = typed.astype({_COLUMNS[rt]["site"]: str, _COLUMNS[rt]["product"]: str})
            buf = io.BytesIO()
            typed.to_parquet(buf, index=False, engine="pyarrow")
            _atomic_bytes(tmp / name, buf.getvalue())
        else:
            sheets.setdefault(name, []).append((spec["sheet"], _interleave(frame, bad_rows)))
        if name not in written:
            written.append(name)
    for name, parts in sheets.items():
        _write_xlsx(tmp / name, parts)
    _atomic_bytes(tmp / "qms.toml", _qms_toml(end).encode("utf-8"))
    return written


def _write_sqlite(path: Path, table: str, frame: pd.DataFrame) -> None:
    """Write ``frame`` as one SQLite table, as an ERP database extract would hold it."""
    import sqlite3

    def value(v: Any) -> Any:
        v = _xlsx_cell(v)
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d")
        return v

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            marks = ", ".join("?" for _ in frame.columns)
            con.execute(f'CREATE TABLE "{table}" ({cols})')
            con.executemany(
                f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',  # noqa: S608 - fixed names
                [tuple(value(v) for v in row) for row in frame.itertuples(index=False)],
            )
            con.commit()
        finally:
            con.close()
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_xlsx(path: Path, parts: list[tuple[str, pd.DataFrame]]) -> None:
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD"
    ) as writer:
        for sheet, frame in parts:
            cells = frame.map(_xlsx_cell)
            cells.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            for i, col in enumerate(frame.columns):
                width = max(len(str(col)), *(len(str(v)) for v in cells[col].head(50))) + 2
                ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = min(
                    width, 60
                )
    _atomic_bytes(path, _normalise_zip(buf.getvalue()))


def _xlsx_cell(v: Any) -> Any:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _normalise_zip(data: bytes) -> bytes:
    """Return the xlsx with fixed timestamps, so the same input gives the same bytes."""
    fixed = "2000-01-01T00:00:00Z"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + fixed.encode() + rb"\g<3>",
                    content,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _qms_toml(end: pd.Period) -> str:
    as_of = end.end_time.normalize().strftime("%Y-%m-%d")
    lines = [
        "# Demo workbook written by `qms demo` (qmsdata.demo). Fictional company, generated data.",
        "# Column mappings: canonical name = column name in the export.",
        "",
        "[workbook]",
        f"organisation = {_toml_str(ORGANISATION)}",
        f"sites = [{', '.join(_toml_str(s) for s in SITES)}]",
        "fiscal_year_start = 1",
        f"as_of = {as_of}",
        "",
    ]
    for rt, spec in _SOURCES.items():
        lines.append(f"[records.{rt}]")
        for key in ("source", "sheet", "table", "encoding", "delimiter", "date_format"):
            if key in spec:
                lines.append(f"{key} = {_toml_str(spec[key])}")
        lines.append("")
        lines.append(f"[records.{rt}.columns]")
        for canonical, source in _COLUMNS[rt].items():
            lines.append(f"{canonical} = {_toml_str(source)}")
        lines.append("")
    return "\n".join(lines)
