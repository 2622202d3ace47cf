"""The review pack's sections: a plain registry, in the order of ISO 9001 clause 9.3.

Each section is one thin notebook in ``qmsdata/notebooks/pack/`` (package data, found with
:mod:`importlib.resources`, so an installed wheel has them). The registry keeps its id, the
9.3.2 review inputs it answers (``inputs``) and the record types it reads (for coverage). A
section whose notebook does not exist yet is left out of the pack and listed as not covered.

The clause numbers and labels of the review-input sections belong to an edition of the standard:
they come from the selected clause profile (:mod:`qmsdata.standards`, ``[workbook] standard``),
by section id (:func:`section_label`, :func:`labelled`). :data:`SECTIONS` carries the labels of
the default profile (the newest published edition); a pack relabels its sections with its own.
Sections that answer no review input (summary, outputs, appendices) keep the registry's clause
and title, in our own words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
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
        ISO 9001 clause the section answers, e.g. ``"9.3.2 c) 2"`` (for a review-input section,
        as the profile numbers it: see :func:`labelled`).
    title
        Short title (for a review-input section, the profile's label of the input).
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
    inputs
        Ids of the 9.3.2 review inputs the section answers (``("c2",)``), as in the profiles'
        ``inputs``; empty for the summary, the outputs and the appendices.
    """

    id: str
    clause: str
    title: str
    records: tuple[str, ...] = ()
    source: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    group: bool = False
    inputs: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the table-of-contents label: ``"<clause> — <title>"`` (or the title alone).

        E.g. ``"9.3.2 c) 2 — How far the quality objectives are met"``.
        """
        return f"{self.clause} — {self.title}" if self.clause else self.title

    def notebook(self, notebook_dir: Path | None = None) -> Path:
        """Return the path of the section's notebook in ``notebook_dir``."""
        return Path(notebook_dir or NOTEBOOK_DIR) / f"{self.source or self.id}.ipynb"


def input_clause(clause: str) -> str:
    """Return a profile's 9.3.2 clause reference as the pack writes it.

    >>> input_clause("9.3.2 c 2"), input_clause("9.3.2 b")
    ('9.3.2 c) 2', '9.3.2 b)')
    """
    head, _, rest = clause.partition(" ")
    parts = rest.split()
    if not parts or not parts[0].isalpha():
        return clause
    return " ".join([head, parts[0] + ")", *parts[1:]])


def resolve_profile(profile: Any = None) -> Any:
    """Return the :class:`qmsdata.standards.Profile` for a profile, its name, or None (default)."""
    from qmsdata.standards import Profile
    from qmsdata.standards import profile as by_name

    return profile if isinstance(profile, Profile) else by_name(profile)


def standard_label(profile: Any = None) -> str:
    """Return the standard's name as the pack shows it; a draft edition says it is provisional.

    >>> standard_label("ISO 9001:2026")
    'ISO 9001:2026 (provisional: draft standard, not yet published)'
    """
    prof = resolve_profile(profile)
    if prof.provisional:
        return f"{prof.name} (provisional: draft standard, not yet published)"
    return str(prof.name)


def labelled(section: Section, profile: Any = None) -> Section:
    """Return ``section`` with the clause and title of its review inputs in ``profile``.

    The profile's ``inputs`` whose ``section`` is this section's id give the clause (``9.3.2
    c) 2``) and the title (their labels, joined by ``;``; a provisional input says so). A
    section that answers no input of the profile is returned as it is.

    Parameters
    ----------
    profile
        A :class:`qmsdata.standards.Profile` or its name; None: the default profile (the
        newest published edition).
    """
    prof = resolve_profile(profile)
    mine = [i for i in prof.inputs if i.section == section.id]
    if not mine:
        return section
    clauses = list(dict.fromkeys(input_clause(i.clause) for i in mine))
    labels = [i.label + (" (provisional)" if i.provisional else "") for i in mine]
    title = "; ".join([labels[0], *(x[:1].lower() + x[1:] for x in labels[1:])])
    return dataclasses.replace(section, clause=", ".join(clauses), title=title)


def section_label(section: Section, profile: Any = None) -> str:
    """Return the section's table-of-contents label under ``profile``.

    >>> section_label(SECTIONS["32_objectives"], "ISO 9001:2015")
    '9.3.2 c) 2 — How far the quality objectives are met'
    """
    return labelled(section, profile).label


def sections_for(profile: Any = None, sections: Iterable[Section] | None = None) -> list[Section]:
    """Return ``sections`` (default: the registry) labelled with ``profile`` (:func:`labelled`)."""
    prof = resolve_profile(profile)
    return [labelled(s, prof) for s in (SECTIONS.values() if sections is None else sections)]


def _s(id: str, clause: str, title: str, *records: str) -> Section:
    return Section(id, clause, title, tuple(records))


def _i(id: str, inputs: str, *records: str) -> Section:
    """A section answering the review ``inputs`` (ids), labelled by the default profile."""
    return labelled(Section(id, "", "", tuple(records), inputs=tuple(inputs.split())))


#: section id -> section, in pack order (9.3.2 a-f, c1-c7, then 9.3.3 outputs and appendices).
SECTIONS: dict[str, Section] = {
    s.id: s
    for s in (
        _s("00_summary", "9.3", "Executive summary"),
        _i("10_previous_actions", "a", "review_actions"),
        _i("20_context", "b b2", "context_issues"),
        _i(
            "31_customers",
            "c1",
            "complaints",
            "customer_surveys",
            "production",
        ),
        _i("32_objectives", "c2", "objectives", "kpi_measurements"),
        _i("33_conformity", "c3", "nonconformities", "production"),
        _i("34_nc_capa", "c4", "nonconformities", "corrective_actions"),
        _i("35_monitoring", "c5"),
        _i("36_audits", "c6", "audit_findings"),
        _i("37_suppliers", "c7", "supplier_receipts"),
        Section(
            "38_fleet",
            "9.1.3, 9.3.2 c)",
            "Sites side by side: fleet screening",
            ("nonconformities", "production", "complaints"),
            group=True,
        ),
        _i("40_resources", "d", "corrective_actions", "review_actions"),
        _i("50_risks", "e", "risks"),
        _i("60_improvement", "f", "audit_findings"),
        _s("80_outputs", "9.3.3", "Review outputs: decisions and actions", "review_actions"),
        _s("90_data_quality", "7.5, 9.1.3", "Data quality"),
        _s(
            "95_readiness",
            "4–10",
            "Certification readiness from the records",
            "context_issues",
            "objectives",
            "training_records",
            "documents",
            "audit_programme",
            "audit_findings",
            "corrective_actions",
        ),
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
