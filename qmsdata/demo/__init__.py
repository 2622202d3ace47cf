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
change-register.xlsx      change log (sheet "Change log"), issue 11
audit-programme.csv       audit programme export, ``;``-separated lists in a cell, issue 12
training-matrix.xlsx      HR training matrix (sheet "Training records"), issue 12
document-register.csv     document management system export, issue 12
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

Planted changes (:data:`PLANTED_CHANGES`, :func:`planted_changes`), issue 11
------------------------------------------------------------------------------
The change register (``changes``) holds, with the verdict the PDCA analysis must return:

``CHG-001`` effective -> **sustained improvement**
    Process change on SMT placement at Brno, first working day of E-12 (2025-10-01): the
    defect rate drops to x0.6 and stays there (planted by thinning the generated NCs; NCR
    numbers of the prevented defects stay unused, every other table is untouched). Measured on
    seed 9001: 5.88 -> 3.46 per 1,000 inspected, all 13 months after below every month before.
``CHG-002`` no_effect -> **no detectable change**
    Improvement on AOI at Leeds, first working day of E-11; the series is stable noise
    (measured ratio after/before 0.97).
``CHG-003`` worse -> **deterioration**
    Process change on Reflow soldering at Leeds, first working day of E-6: the planted signal
    ``defect_step`` (x2.2) is its effect.
``CHG-004`` too_early -> **too early to judge**
    Process change on Packing at Brno on the 12th of E: one month after it.

Also: ``CHG-005``, a planned objective action for OBJ-02 dated E+2, and ``CHG-101..103``,
three closed CAPAs judged effective and put in place on stable series (E-26..E-12): their
defect rates show no change (measured after/before 0.95-0.99; not asserted as answers).

Planted readiness gaps (:data:`PLANTED_READINESS_GAPS`), issue 12
------------------------------------------------------------------
Training: three required Brno wave-solder recertifications due at the end of E-2 and not done;
one course judged not effective (Leeds reflow). Documents: three approved documents past their
review date, the management-of-change procedure (6.3) still a draft. Audit programme: every
audit of the findings (covering the whole scope of its processes, so 5.1 is audited at Brno
without a finding), two leadership audits with no findings (5.1), an overdue planned audit of
7.4, a postponed audit of SUP-004, the first audit of 6.3 planned for E+2, and 4.3 and 10.3
neither audited nor planned.

Planted invalid rows (:data:`PLANTED_INVALID`)
----------------------------------------------
A few rows per check kind are *added* (never replacing a valid row, so the signals stay intact)
at fixed positions (``source_row``, first data row = 1) so the quarantine has work: an unknown
severity, a duplicated complaint number (both copies), closed before received, a date after
``as_of`` (placed 4+ months after E), an unknown CAPA / supplier / objective, a negative
quantity, a quantity "12 pcs", a cost with a thousands separator, a score of 11, an unparseable
date, a missing required value, a closed row without a closed date, numerator > denominator,
rejected > received, inspected > produced, a malformed clause; for the newer record types an
unknown change type, an unknown CAPA, an audit done without a date, a clause list with commas,
training judged effective but never completed, a review due before approval. Every other row is
valid.

Examples
--------
>>> from qmsdata.demo import write_demo
>>> summary = write_demo("data/demo")                               # doctest: +SKIP
>>> print(summary)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it; imported on first use, so ``import qmsdata.demo``
# does no work (no pandas, no generated tables, no umask reads).
_EXPORTS: dict[str, str] = {
    "write_demo": "qmsdata.demo.write",
    "DemoSummary": "qmsdata.demo.write",
    "planted_signals": "qmsdata.demo.planted",
    "PLANTED_SIGNALS": "qmsdata.demo.planted",
    "PLANTED_INVALID": "qmsdata.demo.planted",
    "planted_changes": "qmsdata.demo.planted",
    "PLANTED_CHANGES": "qmsdata.demo.planted",
    "planted_readiness_gaps": "qmsdata.demo.planted",
    "PLANTED_READINESS_GAPS": "qmsdata.demo.planted",
    "NEVER_AUDITED": "qmsdata.demo.company",
    "DEFAULT_SEED": "qmsdata.demo.company",
    "DEFAULT_END": "qmsdata.demo.company",
    "N_MONTHS": "qmsdata.demo.company",
    "ORGANISATION": "qmsdata.demo.company",
    "SITES": "qmsdata.demo.company",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qmsdata.demo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
