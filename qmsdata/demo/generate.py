"""Generate every table of the demo from one seed: one independent random stream per table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.demo.company import Calendar, rng_for
from qmsdata.demo.generators.audits import make_audit_findings
from qmsdata.demo.generators.capa import make_corrective_actions
from qmsdata.demo.generators.complaints import make_complaints
from qmsdata.demo.generators.nonconformities import make_nonconformities
from qmsdata.demo.generators.objectives import make_kpi_measurements, make_objectives
from qmsdata.demo.generators.production import make_production
from qmsdata.demo.generators.registers import make_context_issues, make_review_actions, make_risks
from qmsdata.demo.generators.suppliers import make_supplier_receipts
from qmsdata.demo.generators.surveys import make_customer_surveys
from qmsdata.demo.invalid import (
    bad_audit_findings,
    bad_complaints,
    bad_context_issues,
    bad_corrective_actions,
    bad_kpis,
    bad_nonconformities,
    bad_objectives,
    bad_production,
    bad_receipts,
    bad_review_actions,
    bad_risks,
    bad_surveys,
)

#: one generated table: the valid rows and the planted invalid rows as (source_row, row)
Table = tuple[pd.DataFrame, list[tuple[int, dict[str, Any]]]]


def generate(seed: int, end: pd.Period) -> dict[str, Table]:
    cal = Calendar.of(end)
    production = make_production(rng_for(seed, 1), cal)
    ncs = make_nonconformities(rng_for(seed, 2), cal, production)
    complaints = make_complaints(rng_for(seed, 3), cal, production)
    findings = make_audit_findings(rng_for(seed, 4), cal)
    receipts = make_supplier_receipts(rng_for(seed, 5), cal)
    surveys = make_customer_surveys(rng_for(seed, 6), cal)
    capas = make_corrective_actions(rng_for(seed, 7), cal, complaints, ncs, findings)
    objectives = make_objectives(cal)
    kpis = make_kpi_measurements(rng_for(seed, 8), cal, surveys)
    return {
        "complaints": (complaints, bad_complaints(cal, complaints)),
        "nonconformities": (ncs, bad_nonconformities(cal, ncs)),
        "production": (production, bad_production(cal, production)),
        "audit_findings": (findings, bad_audit_findings(cal, findings)),
        "corrective_actions": (capas, bad_corrective_actions(cal, capas)),
        "objectives": (objectives, bad_objectives(cal)),
        "kpi_measurements": (kpis, bad_kpis(cal)),
        "supplier_receipts": (receipts, bad_receipts(cal, receipts)),
        "customer_surveys": (surveys, bad_surveys(cal)),
        "review_actions": (make_review_actions(cal), bad_review_actions(cal)),
        "risks": (make_risks(cal), bad_risks(cal)),
        "context_issues": (make_context_issues(cal), bad_context_issues(cal)),
    }
