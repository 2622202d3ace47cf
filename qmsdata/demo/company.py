"""The fictional company: sites, product lines, processes, owners, suppliers, customers, registers.

Plain data plus the demo calendar (:class:`Calendar`) and the seeded random streams
(:func:`rng_for`). Nothing here draws random numbers or touches the file system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.errors import QmsError

DEFAULT_SEED = 9001
DEFAULT_END = "2026-10"
N_MONTHS = 36
ORGANISATION = "Calderbrook Electronics Ltd"
SITES = ("Leeds", "Brno")
MARKER = ".qms-demo.json"
GENERATOR = "qmsdata.demo"

# --- the company ---------------------------------------------------------------------------

#: (site, product, mean units per working day, has through-hole parts (wave soldered), unit cost)
LINES: tuple[tuple[str, str, float, bool, float], ...] = (
    ("Leeds", "MC-200", 700.0, True, 48.0),
    ("Leeds", "PSU-450", 900.0, True, 36.0),
    ("Leeds", "LED-310", 800.0, False, 14.0),
    ("Leeds", "GW-120", 400.0, False, 62.0),
    ("Brno", "SEN-080", 1000.0, False, 9.5),
    ("Brno", "HMI-700", 350.0, False, 85.0),
    ("Brno", "PSU-450", 500.0, True, 36.0),
    ("Brno", "BMS-330", 450.0, True, 44.0),
)

SITE_FACTOR = {"Leeds": 1.0, "Brno": 0.9}

#: process -> (defects per unit inspected, where found, [(defect code, category, weight), ...])
PROCESSES: dict[str, tuple[float, str, list[tuple[str, str, float]]]] = {
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

OWNERS: dict[str, tuple[str, str]] = {  # process -> (Leeds owner, Brno owner)
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
AUDIT_SCOPE: dict[str, list[str]] = {
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

SUPPLIERS: tuple[tuple[str, str, str, float, float, float], ...] = (
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
BAD_SUPPLIER = "SUP-004"

CUSTOMERS: tuple[tuple[str, str], ...] = (  # name, site that mainly serves it
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
COMPLAINT_CATEGORIES: dict[str, tuple[float, str, tuple[str, ...]]] = {
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

ROOT_CAUSES = ("Method", "Machine", "Material", "Man", "Measurement", "Environment")
AUDITORS_INTERNAL = {
    "Leeds": ("Sarah Whitfield", "Mark Oduya"),
    "Brno": ("Jana Horáková", "Petr Kučera"),
}


def parse_end(end: str | pd.Period) -> pd.Period:
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


#: objective id -> (name, process, owner, unit, direction, target, plan fields complete)
# fmt: off
OBJECTIVES: tuple[tuple[str, str, str, str, str, str, float, bool], ...] = (
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


REVIEW_ACTIONS = (
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


# fmt: off
RISKS = (
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


# fmt: off
CONTEXT = (
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


def rng_for(seed: int, stream: int) -> np.random.Generator:
    """Return an independent generator per table, so one table's draws never shift another's."""
    return np.random.default_rng([seed, stream])


@dataclass
class Calendar:
    end: pd.Period
    months: pd.PeriodIndex
    first_day: pd.Timestamp
    as_of: pd.Timestamp
    workdays: pd.DatetimeIndex

    @classmethod
    def of(cls, end: pd.Period) -> Calendar:
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


# --- change register (issue 11) ---------------------------------------------------------------

#: the planted changes: key -> (change_id, months before E (negative: after), day of month or
#: None for the first working day, site, process, kind, metric, expected direction, status,
#: owner, review action, objective, verdict the PDCA analysis must return, description).
#: ``effective`` is planted in the nonconformities (:data:`EFFECTIVE_FACTOR` from its date);
#: ``worse`` is the existing planted signal defect_step (x2.2 from the first day of E-6).
# fmt: off
CHANGE_PLAN: tuple[tuple[str, str, int, int | None, str | None, str, str, str, str, str, str,
                         str | None, str | None, str | None, str], ...] = (
    ("effective", "CHG-001", 12, None, "Brno", "SMT placement", "process_change", "defect_rate",
     "decrease", "implemented", "Lukáš Procházka", "MR-021", None, "sustained improvement",
     "Feeder verification at every changeover and a daily nozzle-cleaning interval on the Brno "
     "SMT lines (first-pass-yield project)"),
    ("no_effect", "CHG-002", 11, None, "Leeds", "AOI", "improvement", "defect_rate", "decrease",
     "implemented", "Priya Nair", None, None, "no detectable change",
     "New AOI library for 0201 passives at Leeds"),
    ("worse", "CHG-003", 6, None, "Leeds", "Reflow soldering", "process_change", "defect_rate",
     "decrease", "implemented", "Gareth Holt", None, None, "deterioration",
     "New reflow profile for the low-voiding solder paste on the Leeds oven"),
    ("too_early", "CHG-004", 0, 12, "Brno", "Packing", "process_change", "defect_rate",
     "decrease", "implemented", "Jiří Novotný", None, None, "too early to judge",
     "Label printer with barcode verification at Brno packing"),
    ("planned", "CHG-005", -2, 1, None, "Planning & logistics", "objective_action", "objective",
     "increase", "planned", "Helen Marsh", None, "OBJ-02", None,
     "Finite-capacity scheduling to lift on-time delivery (OBJ-02)"),
)
# fmt: on

#: Brno SMT placement keeps this share of its nonconformities from CHG-001 on (a 40 % drop).
EFFECTIVE_FACTOR = 0.6

#: (site, process) pairs a corrective-action change must not sit on: the planted changes and
#: signals move them, so a CAPA there would not be "no detectable change".
MOVED_SERIES = {
    ("Brno", "SMT placement"),
    ("Leeds", "AOI"),
    ("Leeds", "Reflow soldering"),
    ("Brno", "Packing"),
    ("Brno", "Wave soldering"),
}


def first_workday(month: pd.Period) -> pd.Timestamp:
    """Return the first Monday-to-Friday day of ``month``."""
    start = month.start_time.normalize()
    return pd.Timestamp(np.busday_offset(start.date(), 0, roll="forward"))


def change_date(end: pd.Period, months_before: int, day: int | None) -> pd.Timestamp:
    """Return the date of a planned change ``months_before`` months before ``end``."""
    month = end - months_before
    if day is None:
        return first_workday(month)
    return month.start_time.normalize() + pd.Timedelta(days=day - 1)


# --- certification readiness (issue 12): people, training, documents --------------------------

# fmt: off
#: (person, role, process, site)
TRAINEES: tuple[tuple[str, str, str, str], ...] = (
    ("Gareth Holt", "Process engineer", "Reflow soldering", "Leeds"),
    ("Kirsty Dale", "SMT operator", "Reflow soldering", "Leeds"),
    ("Liam Booth", "SMT operator", "SMT placement", "Leeds"),
    ("Nadia Iqbal", "SMT operator", "Solder paste printing", "Leeds"),
    ("Dan Whitaker", "Production supervisor", "Wave soldering", "Leeds"),
    ("Chloe Barker", "Wave solder operator", "Wave soldering", "Leeds"),
    ("Aisha Rahman", "Test engineer", "Final test", "Leeds"),
    ("Tom Ashworth", "Test technician", "Final test", "Leeds"),
    ("Sarah Whitfield", "Internal auditor", "Improvement", "Leeds"),
    ("Mark Oduya", "Internal auditor", "Improvement", "Leeds"),
    ("Tomáš Dvořák", "Production supervisor", "Wave soldering", "Brno"),
    ("Jan Černý", "Wave solder operator", "Wave soldering", "Brno"),
    ("Pavel Kříž", "Wave solder operator", "Wave soldering", "Brno"),
    ("Lenka Marková", "Wave solder operator", "Wave soldering", "Brno"),
    ("Lukáš Procházka", "Process engineer", "SMT placement", "Brno"),
    ("Veronika Pokorná", "SMT operator", "SMT placement", "Brno"),
    ("Zuzana Veselá", "Process engineer", "Reflow soldering", "Brno"),
    ("Petra Šimková", "Test engineer", "Final test", "Brno"),
    ("Jana Horáková", "Internal auditor", "Improvement", "Brno"),
    ("Petr Kučera", "Internal auditor", "Improvement", "Brno"),
)
# fmt: on

WAVE_RECERT = "Wave solder operation (J-STD-001 recertification)"
REFLOW_COURSE = "Reflow profile set-up for low-voiding paste"


def training_plan(end: pd.Period) -> list[dict[str, Any]]:
    """Return the training records of a demo ending at ``end``, each with its ``gap`` tag.

    Plain rules, no random numbers: the record ids (``TR-0001`` ...) and the planted gaps are
    the same for every seed. Gaps: the Brno wave-solder recertifications due at the end of E-2
    and not done (``training_overdue``); Kirsty Dale's reflow course, completed before the
    CHG-003 profile change and judged not effective (``training_not_effective``).
    """
    rows: list[dict[str, Any]] = []

    def add(person, role, process, site, course, required, due, completed, eff, gap=None):
        rows.append(
            dict(
                person=person,
                role=role,
                process=process,
                site=site,
                course=course,
                required=required,
                due_date=due,
                completed_date=completed,
                effectiveness=eff,
                gap=gap,
            )
        )

    def month_end(k: int) -> pd.Timestamp:
        return (end - k).end_time.normalize()

    for i, (person, role, process, site) in enumerate(TRAINEES):
        esd = "ESD awareness (IEC 61340-5-1)"
        for cycle in (18, 6):
            due = month_end(cycle - i % 6)
            add(person, role, process, site, esd, "yes", due, due - pd.Timedelta(days=12), "yes")
        if "operator" in role or "technician" in role:
            due = month_end(20 - i % 4)
            done = due - pd.Timedelta(days=20)
            add(person, role, process, site, "IPC-A-610 workmanship", "yes", due, done, "yes")
        if role == "Internal auditor":
            due = month_end(30)
            done = due - pd.Timedelta(days=9)
            add(
                person,
                role,
                process,
                site,
                "Internal auditor (ISO 19011)",
                "yes",
                due,
                done,
                "yes",
            )
        if role in ("Process engineer", "Production supervisor"):
            done = month_end(15) - pd.Timedelta(days=5)
            add(person, role, process, site, "8D problem solving", "no", pd.NaT, done, "yes")
        if role == "Wave solder operator":
            due = month_end(2)
            if site == "Brno":
                add(
                    person,
                    role,
                    process,
                    site,
                    WAVE_RECERT,
                    "yes",
                    due,
                    pd.NaT,
                    "pending",
                    "training_overdue",
                )
            else:
                add(
                    person,
                    role,
                    process,
                    site,
                    WAVE_RECERT,
                    "yes",
                    due,
                    due - pd.Timedelta(days=16),
                    "yes",
                )
        if person == "Kirsty Dale":
            due = (end - 6).start_time.normalize() + pd.Timedelta(days=14)
            add(
                person,
                role,
                process,
                site,
                REFLOW_COURSE,
                "yes",
                due,
                due - pd.Timedelta(days=19),
                "no",
                "training_not_effective",
            )
        if site == "Leeds" and "operator" in role:
            add(
                person,
                role,
                process,
                site,
                "J-STD-001 soldering refresher",
                "yes",
                month_end(-2),
                pd.NaT,
                "pending",
            )
    for n, row in enumerate(rows, 1):
        row["record_id"] = f"TR-{n:04d}"
    return rows


# fmt: off
#: doc id, title, process, clause, site, months before E approved, review interval (months),
#: version, status, gap tag. Approved on the 10th; approver: the process owner (QP: R. Calder).
DOCUMENTS: tuple[tuple[str, str, str, str, str | None, int | None, int, str, str,
                       str | None], ...] = (
    ("QM-01", "Quality manual", "Management", "4.4", None, 20, 24, "7", "approved", None),
    ("QP-01", "Context, interested parties and scope", "Management", "4.3", None, 14, 24, "3",
     "approved", None),
    ("QP-02", "Risks and opportunities", "Management", "6.1", None, 9, 24, "4", "approved", None),
    ("QP-03", "Quality objectives and planning", "Management", "6.2", None, 11, 24, "3",
     "approved", None),
    ("QP-04", "Management of change", "Management", "6.3", None, None, 24, "0.3", "draft",
     "document_draft"),
    ("QP-05", "Competence and training", "Training & competence", "7.2", None, 16, 24, "2",
     "approved", None),
    ("QP-06", "Control of documented information", "Document control", "7.5.3", None, 7, 24, "5",
     "approved", None),
    ("QP-07", "Purchasing and supplier evaluation", "Purchasing", "8.4.1", None, 18, 24, "4",
     "approved", None),
    ("QP-08", "Control of nonconforming output", "Test & inspection", "8.7", None, 5, 24, "6",
     "approved", None),
    ("QP-09", "Internal audit", "Improvement", "9.2", None, 12, 24, "3", "approved", None),
    ("QP-10", "Management review", "Management", "9.3", None, 10, 24, "3", "approved", None),
    ("QP-11", "Corrective action (8D)", "Improvement", "10.2", None, 8, 24, "5", "approved",
     None),
    ("QP-12", "Calibration of monitoring and measuring equipment", "Calibration & maintenance",
     "7.1.5", None, 28, 24, "2", "approved", "documents_review_overdue"),
    ("QP-13", "Supplier approval (superseded by QP-07)", "Purchasing", "8.4.1", None, 40, 24, "2",
     "obsolete", None),
    ("WI-SPP-01", "Solder paste printing set-up", "Solder paste printing", "8.5.1", "Leeds", 6,
     12, "4", "approved", None),
    ("WI-SMT-01", "Pick-and-place programme and feeder set-up", "SMT placement", "8.5.1", "Brno",
     1, 12, "6", "approved", None),
    ("WI-REF-01", "Reflow oven profiling", "Reflow soldering", "8.5.1", "Leeds", 15, 12, "3",
     "approved", "documents_review_overdue"),
    ("WI-WAV-01", "Wave solder machine operation", "Wave soldering", "8.5.1", "Brno", 4, 12, "5",
     "approved", None),
    ("WI-AOI-01", "AOI programme library", "AOI", "8.6", "Leeds", 3, 12, "8", "approved", None),
    ("WI-TST-01", "Functional test", "Final test", "8.6", None, 9, 12, "4", "approved", None),
    ("WI-PCK-01", "Packing and labelling", "Packing", "8.5.4", "Brno", 0, 12, "3", "approved",
     None),
    ("WI-GIN-01", "Goods-in inspection and MSL handling", "Goods-in inspection", "8.4.2", "Leeds",
     13, 12, "2", "approved", "documents_review_overdue"),
)
# fmt: on


# --- audit programme (issue 12) ---------------------------------------------------------------

# fmt: off
#: audits the findings do not show: (audit id pattern, months before E (negative: after),
#: day, type, site, processes, clauses, lead auditor, status, tag).
#: {y}/{m} are the year and month of the audit.
EXTRA_AUDITS: tuple[tuple[str, int, int, str, str, str, str, str, str, str], ...] = (
    ("LA-BRQ-{y}-{m}", 8, 18, "internal", "Brno", "Management", "5.1; 5.3; 9.3",
     "Jana Horáková", "done", "audited_without_findings"),
    ("LA-LDS-{y}-{m}", 3, 22, "internal", "Leeds", "Management", "5.1; 5.2; 5.3",
     "Sarah Whitfield", "done", "audited_without_findings"),
    ("PA-BRQ-{y}-{m}", 1, 15, "internal", "Brno", "Management", "7.4", "Petr Kučera",
     "planned", "audit_overdue"),
    ("SA-{y}-{m}-K", 1, 21, "supplier", "Leeds", "Purchasing", "8.4.1; 8.4.2; 8.4.3",
     "Sarah Whitfield", "postponed", "supplier_audit_postponed"),
    ("PA-LDS-{y}-{m}", -2, 8, "internal", "Leeds", "Management; Improvement", "6.3",
     "Mark Oduya", "planned", "clause_planned_not_audited"),
)
# fmt: on


def extra_audit_id(pattern: str, end: pd.Period, months_before: int) -> str:
    """Return the id of an :data:`EXTRA_AUDITS` row in a demo ending at ``end``."""
    month = end - months_before
    return pattern.format(y=month.year, m=f"{month.month:02d}")
