"""Generate every table of the demo from one seed: one independent random stream per table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.demo.company import Calendar, rng_for
from qmsdata.demo.generators.audits import make_audit_findings, make_audit_programme
from qmsdata.demo.generators.capa import make_corrective_actions
from qmsdata.demo.generators.changes import make_changes
from qmsdata.demo.generators.complaints import make_complaints
from qmsdata.demo.generators.nonconformities import make_nonconformities, plant_change_effects
from qmsdata.demo.generators.objectives import make_kpi_measurements, make_objectives
from qmsdata.demo.generators.production import make_production
from qmsdata.demo.generators.readiness import make_documents, make_training_records
from qmsdata.demo.generators.registers import make_context_issues, make_review_actions, make_risks
from qmsdata.demo.generators.suppliers import make_supplier_receipts
from qmsdata.demo.generators.surveys import make_customer_surveys
from qmsdata.demo.invalid import (
    bad_audit_findings,
    bad_audit_programme,
    bad_changes,
    bad_complaints,
    bad_context_issues,
    bad_corrective_actions,
    bad_documents,
    bad_kpis,
    bad_nonconformities,
    bad_objectives,
    bad_production,
    bad_receipts,
    bad_review_actions,
    bad_risks,
    bad_surveys,
    bad_training_records,
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
    # the tables of issues 11 and 12 come after, so the twelve above draw exactly as before
    bad_ncs = bad_nonconformities(cal, ncs)  # NCR numbers beyond every generated one
    changes = make_changes(cal, capas, ncs)
    ncs = plant_change_effects(rng_for(seed, 9), cal, ncs)  # CHG-001 worked
    programme = make_audit_programme(cal, findings)
    training = make_training_records(cal)
    documents = make_documents(cal)
    return {
        "complaints": (complaints, bad_complaints(cal, complaints)),
        "nonconformities": (ncs, bad_ncs),
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
        "changes": (changes, bad_changes(cal, changes)),
        "audit_programme": (programme, bad_audit_programme(cal, programme)),
        "training_records": (training, bad_training_records(cal, training)),
        "documents": (documents, bad_documents(cal, documents)),
    }
