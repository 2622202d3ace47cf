"""Benchmark: the whole quality-analytics set on the demo workbook and on a 10x scaled copy.

The demo workbook is generated (seed 9001, ending 2026-10) and loaded once. The scaled workbook
replicates every record ``--scale`` times with new ids: each copy gets its own sites, processes,
suppliers, objectives, customers and audit/CAPA ids, so both the rows and the number of
monitored series grow by the factor (what a group of ten plants looks like). Loading is not
timed (see load_validate.py); each analytic is timed on the in-memory workbook, medians of
``--repeats`` runs, and the ratio scaled / demo is printed per analytic and for the whole set.

Goal (issue 4): time grows no faster than the data (ratio <= scale).

Run:  .venv/bin/python benchmarks/analytics.py [--scale 10] [--repeats 3] [--workbook DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from types import SimpleNamespace
from typing import Any

import pandas as pd

import qmsdata

PERIOD = "2026-10"
RECORD_TYPES = (
    "complaints", "nonconformities", "production", "audit_findings", "corrective_actions",
    "objectives", "kpi_measurements", "supplier_receipts", "customer_surveys",
    "review_actions", "risks", "context_issues",
)
#: columns given a copy suffix in the scaled workbook (ids and the series they define)
SUFFIXED = {
    "complaints": ("complaint_id", "customer", "site", "capa_id"),
    "nonconformities": ("nc_id", "site", "supplier_id", "capa_id"),
    "production": ("site",),
    "audit_findings": ("finding_id", "audit_id", "process", "capa_id"),
    "corrective_actions": ("capa_id", "source_id", "process", "owner"),
    "objectives": ("objective_id",),
    "kpi_measurements": ("objective_id",),
    "supplier_receipts": ("receipt_id", "supplier_id"),
    "customer_surveys": ("response_id", "customer"),
    "review_actions": ("action_id",),
    "risks": ("risk_id",),
    "context_issues": ("issue_id",),
}


def analytics_set(wb: Any, period: str = PERIOD) -> dict[str, Any]:
    """Return the calls a review pack makes: name -> zero-argument function."""
    q = qmsdata
    return {
        "complaint_analysis": lambda: q.complaint_analysis(wb, period),
        "nc_rates": lambda: q.nc_rates(wb, period),
        "defect_pareto_shift": lambda: q.defect_pareto_shift(wb, period),
        "disposition_mix": lambda: q.disposition_mix(wb, period),
        "copq": lambda: q.copq(wb, period),
        "site_first_pass_yield": lambda: q.site_first_pass_yield(wb, period),
        "capa_status": lambda: q.capa_status(wb, period),
        "capa_aging": lambda: q.capa_aging(wb, period),
        "capa_recurrence": lambda: q.capa_recurrence(wb, period),
        "audits": lambda: (q.audit_findings_matrix(wb, period),
                           q.audit_findings_by_type(wb, period),
                           q.audit_open_findings(wb, period),
                           q.audit_repeat_findings(wb, period), q.audit_coverage(wb, period)),
        "objective_status": lambda: q.objective_status(wb, period),
        "suppliers": lambda: (q.supplier_scorecard(wb, period), q.supplier_funnel(wb, period),
                              q.supplier_reevaluation(wb, period)),
        "survey_summary": lambda: (q.survey_summary(wb, period),
                                   q.survey_distribution(wb, period)),
        "risks_context": lambda: (q.risk_status(wb, period), q.context_changes(wb, period)),
        "signals": lambda: q.signals(wb, period),
    }


def scaled(wb: Any, factor: int) -> SimpleNamespace:
    """Return a workbook with every record replicated ``factor`` times under new ids."""
    out = SimpleNamespace(config=wb.config)
    for name in RECORD_TYPES:
        frame = getattr(wb, name)
        copies = []
        for k in range(factor):
            c = frame.copy()
            for col in SUFFIXED[name]:
                if col in c.columns:
                    dtype = c[col].dtype
                    text = c[col].astype("string")
                    c[col] = (text + f"~{k}").astype(dtype)  # same dtype as the loader's
            copies.append(c)
        setattr(out, name, pd.concat(copies, ignore_index=True))
    return out


def time_set(wb: Any, repeats: int) -> dict[str, float]:
    """Return the median seconds of each analytic and of the whole set."""
    calls = analytics_set(wb)
    times: dict[str, list[float]] = {name: [] for name in calls}
    times["TOTAL"] = []
    for _ in range(repeats):
        total = 0.0
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            took = time.perf_counter() - start
            times[name].append(took)
            total += took
        times["TOTAL"].append(total)
    return {name: statistics.median(v) for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workbook", help="an existing workbook folder (default: the demo)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workbook
        if folder is None:
            from qmsdata.demo import write_demo

            folder = f"{tmp}/demo"
            write_demo(folder, seed=9001, end=PERIOD)
        wb = qmsdata.load(folder)
    big = scaled(wb, args.scale)
    rows = sum(len(getattr(wb, n)) for n in RECORD_TYPES)
    big_rows = sum(len(getattr(big, n)) for n in RECORD_TYPES)
    time_set(wb, 1)  # warm-up: imports, template caches
    small_t = time_set(wb, args.repeats)
    big_t = time_set(big, args.repeats)
    print(f"rows: demo {rows:,}, scaled {big_rows:,} (x{big_rows / rows:.1f}); "
          f"median of {args.repeats} runs")
    print(f"{'analytic':24s} {'demo s':>9s} {'scaled s':>9s} {'ratio':>7s}")
    for name in small_t:
        ratio = big_t[name] / small_t[name] if small_t[name] > 0 else float("nan")
        print(f"{name:24s} {small_t[name]:9.3f} {big_t[name]:9.3f} {ratio:7.1f}")
    verdict = "OK" if big_t["TOTAL"] / small_t["TOTAL"] <= args.scale else "SLOWER THAN DATA"
    print(f"whole set: ratio {big_t['TOTAL'] / small_t['TOTAL']:.1f} for x{args.scale} data "
          f"-> {verdict}")


if __name__ == "__main__":
    main()
