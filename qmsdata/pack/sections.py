"""The review pack's sections: a plain registry, in the order of ISO 9001 clause 9.3.

Each section is one thin notebook in ``qmsdata/notebooks/pack/`` (package data, found with
:mod:`importlib.resources`, so an installed wheel has them). The registry gives its clause label
(shown in the pack's table of contents) and the record types it reads (for coverage). A section
whose notebook does not exist yet is left out of the pack and listed as not covered.

Clause numbers follow ISO 9001:2015 with Amendment 1:2024; the labels are our own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: Folder of the pack's section notebooks: package data ``qmsdata/notebooks/pack``.
NOTEBOOK_DIR = Path(str(resources.files("qmsdata").joinpath("notebooks", "pack")))


@dataclass(frozen=True)
class Section:
    """One section of the review pack.

    Attributes
    ----------
    id
        File stem of the notebook, e.g. ``"32_objectives"``; sorts in pack order.
    clause
        ISO 9001 clause the section answers, e.g. ``"9.3.2 c) 2"``.
    title
        Short title in our own words.
    records
        Record types the section reads (for the coverage table).
    source
        File stem of the notebook when it differs from ``id`` (one notebook run for several
        subjects, e.g. the PDCA analyses); empty: the notebook is ``<id>.ipynb``.
    params
        Extra notebook parameters of this section, as ``(name, value)`` pairs (part of its
        cache key).
    group
        A section of the group pack only (``qms pack --group``): sites side by side.
    """

    id: str
    clause: str
    title: str
    records: tuple[str, ...] = ()
    source: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    group: bool = False

    @property
    def label(self) -> str:
        """Return the table-of-contents label, e.g. ``"9.3.2 c) 2 — Quality objectives"``."""
        return f"{self.clause} — {self.title}" if self.clause else self.title

    def notebook(self, notebook_dir: Path | None = None) -> Path:
        """Return the path of the section's notebook in ``notebook_dir``."""
        return Path(notebook_dir or NOTEBOOK_DIR) / f"{self.source or self.id}.ipynb"


def _s(id: str, clause: str, title: str, *records: str) -> Section:
    return Section(id, clause, title, tuple(records))


#: section id -> section, in pack order (9.3.2 a-f, c1-c7, then 9.3.3 outputs and appendices).
SECTIONS: dict[str, Section] = {
    s.id: s
    for s in (
        _s("00_summary", "9.3", "Executive summary"),
        _s("10_previous_actions", "9.3.2 a)", "Actions from previous reviews", "review_actions"),
        _s("20_context", "9.3.2 b)", "Changes in external and internal issues", "context_issues"),
        _s(
            "31_customers",
            "9.3.2 c) 1",
            "Customer satisfaction and feedback",
            "complaints",
            "customer_surveys",
            "production",
        ),
        _s("32_objectives", "9.3.2 c) 2", "Quality objectives", "objectives", "kpi_measurements"),
        _s(
            "33_conformity",
            "9.3.2 c) 3",
            "Process performance and product conformity",
            "nonconformities",
            "production",
        ),
        _s(
            "34_nc_capa",
            "9.3.2 c) 4",
            "Nonconformities and corrective actions",
            "nonconformities",
            "corrective_actions",
        ),
        _s("35_monitoring", "9.3.2 c) 5", "Monitoring and measurement results"),
        _s("36_audits", "9.3.2 c) 6", "Audit results", "audit_findings"),
        _s("37_suppliers", "9.3.2 c) 7", "Performance of external providers", "supplier_receipts"),
        Section(
            "38_fleet",
            "9.1.3, 9.3.2 c)",
            "Sites side by side: fleet screening",
            ("nonconformities", "production", "complaints"),
            group=True,
        ),
        _s(
            "40_resources",
            "9.3.2 d)",
            "Adequacy of resources",
            "corrective_actions",
            "review_actions",
        ),
        _s("50_risks", "9.3.2 e)", "Actions on risks and opportunities", "risks"),
        _s("60_improvement", "9.3.2 f)", "Opportunities for improvement", "audit_findings"),
        _s("80_outputs", "9.3.3", "Review outputs: decisions and actions", "review_actions"),
        _s("90_data_quality", "7.5, 9.1.3", "Data quality"),
        _s("99_evidence", "7.5", "Evidence: inputs, parameters and hashes"),
    )
}


def available_sections(
    notebook_dir: Path | None = None,
    registry: dict[str, Section] | None = None,
    *,
    group: bool = False,
) -> list[Section]:
    """Return the registered sections whose notebook exists, in pack order.

    Group sections (:attr:`Section.group`, the fleet screening) are included only with
    ``group`` (``qms pack --group``): a site pack and the default pack keep their sections.

    Notebooks in ``notebook_dir`` that are not in the registry are included too (after the
    registered ones, by file name), labelled with their file stem, so a new section shows up
    in the pack as soon as its notebook is added.
    """
    folder = Path(notebook_dir or NOTEBOOK_DIR)
    reg = SECTIONS if registry is None else registry
    found = {p.stem for p in folder.glob("[0-9]*.ipynb")}
    sections = [s for s in reg.values() if s.id in found and (group or not s.group)]
    extra = sorted(found - set(reg))
    sections += [
        Section(stem, "", stem.split("_", 1)[-1].replace("_", " ").capitalize()) for stem in extra
    ]
    return sorted(sections, key=lambda s: s.id)
