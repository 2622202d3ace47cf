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
    "complaints",
    "nonconformities",
    "production",
    "audit_findings",
    "corrective_actions",
    "objectives",
    "kpi_measurements",
    "supplier_receipts",
    "customer_surveys",
    "review_actions",
    "risks",
    "context_issues",
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
        "audits": lambda: (
            q.audit_findings_matrix(wb, period),
            q.audit_findings_by_type(wb, period),
            q.audit_open_findings(wb, period),
            q.audit_repeat_findings(wb, period),
            q.audit_coverage(wb, period),
        ),
        "objective_status": lambda: q.objective_status(wb, period),
        "suppliers": lambda: (
            q.supplier_scorecard(wb, period),
            q.supplier_funnel(wb, period),
            q.supplier_reevaluation(wb, period),
        ),
        "survey_summary": lambda: (q.survey_summary(wb, period), q.survey_distribution(wb, period)),
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


def time_once(wb: Any) -> dict[str, float]:
    """Return the seconds of each analytic and of the whole set, one run."""
    out: dict[str, float] = {}
    for name, call in analytics_set(wb).items():
        start = time.perf_counter()
        call()
        out[name] = time.perf_counter() - start
    out["TOTAL"] = sum(out.values())
    return out


def time_pair(small: Any, big: Any, repeats: int) -> tuple[dict, dict]:
    """Time both workbooks in alternation (so load on a shared machine hits both alike).

    Returns per-analytic lists of seconds for the small and the big workbook.
    """
    runs_small: dict[str, list[float]] = {}
    runs_big: dict[str, list[float]] = {}
    for _ in range(repeats):
        for wb, runs in ((small, runs_small), (big, runs_big)):
            for name, took in time_once(wb).items():
                runs.setdefault(name, []).append(took)
    return runs_small, runs_big


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
    time_once(wb)  # warm-up: imports, template caches
    small_runs, big_runs = time_pair(wb, big, args.repeats)
    med_s = {k: statistics.median(v) for k, v in small_runs.items()}
    med_b = {k: statistics.median(v) for k, v in big_runs.items()}
    print(
        f"rows: demo {rows:,}, scaled {big_rows:,} (x{big_rows / rows:.1f}); "
        f"median of {args.repeats} alternating runs"
    )
    print(f"{'analytic':24s} {'demo s':>9s} {'scaled s':>9s} {'ratio':>7s}")
    for name in med_s:
        ratio = med_b[name] / med_s[name] if med_s[name] > 0 else float("nan")
        print(f"{name:24s} {med_s[name]:9.3f} {med_b[name]:9.3f} {ratio:7.1f}")
    ratio = med_b["TOTAL"] / med_s["TOTAL"]
    best = min(big_runs["TOTAL"]) / min(small_runs["TOTAL"])
    verdict = "OK" if ratio <= args.scale else "SLOWER THAN DATA"
    print(
        f"whole set: median ratio {ratio:.1f} (best-of-runs ratio {best:.1f}) for "
        f"x{args.scale} data -> {verdict}"
    )


if __name__ == "__main__":
    main()
