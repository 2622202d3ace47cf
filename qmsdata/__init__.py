"""qmsdata: analytics and management-review workbook for ISO 9001 quality management systems.

The public verbs live here and are imported lazily, so ``import qmsdata`` stays fast (pandas,
great-expectations and plotly load only when a verb that needs them is first used).

>>> import qmsdata
>>> wb = qmsdata.load("data/demo")                                  # doctest: +SKIP
>>> chart = qmsdata.control_chart(df, "u", value="complaints", n="units")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import os
from typing import Any

__version__ = "0.1.0"

# python-pptx (the meeting deck) brings lxml, and openpyxl switches its XML reader and writer to
# lxml when it is importable: other bytes for the same workbook (the demo's exports are pinned
# by hash) and formula cells saved without their cached values. Keep openpyxl on the path the
# project tests (set before openpyxl is imported; OPENPYXL_LXML=True in the environment wins).
os.environ.setdefault("OPENPYXL_LXML", "False")

# public name -> module that defines it. A plain dict registry: add a line when a verb lands.
_EXPORTS: dict[str, str] = {
    # errors
    "QmsError": "qmsdata.errors",
    "ConfigError": "qmsdata.errors",
    "SourceError": "qmsdata.errors",
    "SchemaError": "qmsdata.errors",
    "DataError": "qmsdata.errors",
    "PackError": "qmsdata.errors",
    # workbook: records, loading, validation (foundation)
    "load": "qmsdata.workbook",
    "Workbook": "qmsdata.workbook",
    "validate": "qmsdata.validation",
    "RECORD_TYPES": "qmsdata.records",
    "record_spec": "qmsdata.records",
    # demo workbook
    "write_demo": "qmsdata.demo",
    # statistics engine
    "control_chart": "qmsdata.stats.spc",
    "ControlChart": "qmsdata.stats.spc",
    "CHARTS": "qmsdata.stats.spc",
    "RULE_SETS": "qmsdata.stats.rules",
    "trend_test": "qmsdata.stats.trends",
    "TrendResult": "qmsdata.stats.trends",
    "pareto": "qmsdata.stats.pareto",
    "capability": "qmsdata.stats.capability",
    "capability_indices": "qmsdata.stats.capability",
    "Capability": "qmsdata.stats.capability",
    "screen": "qmsdata.stats.screen",
    "ppm": "qmsdata.stats.rates",
    "dpmo": "qmsdata.stats.rates",
    "sigma_level": "qmsdata.stats.rates",
    "dpmo_from_sigma": "qmsdata.stats.rates",
    "first_pass_yield": "qmsdata.stats.rates",
    "rolled_throughput_yield": "qmsdata.stats.rates",
    "funnel_limits": "qmsdata.stats.rates",
    # quality analytics per ISO 9001 area
    "complaint_counts": "qmsdata.analytics.complaints",
    "complaint_rate": "qmsdata.analytics.complaints",
    "complaint_pareto": "qmsdata.analytics.complaints",
    "complaint_severity": "qmsdata.analytics.complaints",
    "complaint_time_to_close": "qmsdata.analytics.complaints",
    "repeat_complaints": "qmsdata.analytics.complaints",
    "complaint_analysis": "qmsdata.analytics.complaints",
    "nc_rates": "qmsdata.analytics.nonconformities",
    "nc_rate_chart": "qmsdata.analytics.nonconformities",
    "defect_pareto_shift": "qmsdata.analytics.nonconformities",
    "disposition_mix": "qmsdata.analytics.nonconformities",
    "copq": "qmsdata.analytics.nonconformities",
    "site_first_pass_yield": "qmsdata.analytics.nonconformities",
    "capa_status": "qmsdata.analytics.capa",
    "capa_aging": "qmsdata.analytics.capa",
    "capa_overdue": "qmsdata.analytics.capa",
    "capa_recurrence": "qmsdata.analytics.capa",
    "capa_effect": "qmsdata.analytics.capa",
    "audit_findings_matrix": "qmsdata.analytics.audits",
    "audit_findings_by_type": "qmsdata.analytics.audits",
    "audit_open_findings": "qmsdata.analytics.audits",
    "audit_repeat_findings": "qmsdata.analytics.audits",
    "audit_coverage": "qmsdata.analytics.audits",
    "objective_status": "qmsdata.analytics.objectives",
    "objective_chart": "qmsdata.analytics.objectives",
    "supplier_scorecard": "qmsdata.analytics.suppliers",
    "supplier_monthly": "qmsdata.analytics.suppliers",
    "supplier_rejection_chart": "qmsdata.analytics.suppliers",
    "supplier_funnel": "qmsdata.analytics.suppliers",
    "supplier_reevaluation": "qmsdata.analytics.suppliers",
    "survey_summary": "qmsdata.analytics.customers",
    "survey_distribution": "qmsdata.analytics.customers",
    "risk_status": "qmsdata.analytics.risks",
    "risk_matrix": "qmsdata.analytics.risks",
    "context_changes": "qmsdata.analytics.risks",
    "signals": "qmsdata.analytics.signals",
    # PDCA: what was changed and whether it worked (issue 11)
    "change_effect": "qmsdata.stats.effect",
    "ChangeEffect": "qmsdata.stats.effect",
    "change_register": "qmsdata.analytics.changes",
    "change_effects": "qmsdata.analytics.changes",
    "readiness_report": "qmsdata.analytics.readiness",
    "parse_period": "qmsdata.analytics.periods",
    "previous_period": "qmsdata.analytics.periods",
    "same_period_last_year": "qmsdata.analytics.periods",
    "ytd_months": "qmsdata.analytics.periods",
    # review packs
    "build_pack": "qmsdata.pack.build",
    "verify_pack": "qmsdata.pack.verify",
    "save_extract": "qmsdata.pack.notebook",
    "show_table": "qmsdata.pack.notebook",
    "narrate": "qmsdata.pack.notebook",
    "show_filterable_table": "qmsdata.pack.notebook",
    "key_numbers": "qmsdata.pack.narrative",
    "summary_findings": "qmsdata.pack.narrative",
    "data_quality_verdict": "qmsdata.pack.narrative",
    "objective_matrix": "qmsdata.pack.narrative",
    "evidence_table": "qmsdata.pack.narrative",
    "months_of_data": "qmsdata.pack.narrative",
    "suggested_actions": "qmsdata.pack.narrative",
    "insufficient_note": "qmsdata.pack.narrative",
    "section_workbook": "qmsdata.pack.notebook",
    "section_context": "qmsdata.pack.context",
    "section_signals": "qmsdata.pack.context",
}

# public name -> module exported whole (a namespace of small helpers for notebooks)
_MODULES: dict[str, str] = {
    # the pack's wording of numbers, dates and flags: qmsdata.fmt.percent(0.25) == "25%"
    "fmt": "qmsdata.pack.formatting",
}

__all__ = sorted([*_EXPORTS, *_MODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        namespace = importlib.import_module(_MODULES[name])
        globals()[name] = namespace
        return namespace
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qmsdata' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
