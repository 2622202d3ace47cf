"""Which ISO 9001 9.3.2 review inputs a pack covered, and across the last packs (their manifests).

ISO 9001 9.3.2 asks that the review takes every input a) to f) into account; a month may
legitimately skip one, but a year of packs should not. The table is read from the
``manifest.json`` of the packs already in the reports folder plus the pack being built.

The inputs and their labels are those of the pack's clause profile (``[workbook] standard``,
:func:`qmsdata.pack.sections.labelled`): one row per section answering a review input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd


def review_inputs(profile: Any = None) -> dict[str, tuple[str, str]]:
    """Return review input (its clause) -> (label, section id), from the section registry.

    The review inputs are the registered sections answering ISO 9001 9.3.2 a) to f) and the
    outputs 9.3.3 (:data:`qmsdata.pack.sections.SECTIONS`), labelled with ``profile`` (a
    :class:`qmsdata.standards.Profile` or its name; None: the default profile); nothing here
    restates them.
    """
    from qmsdata.pack.sections import sections_for

    return {
        s.clause: (f"{s.clause} {s.title}", s.id)
        for s in sections_for(profile)
        if s.clause.startswith("9.3.2 ") or s.clause == "9.3.3"
    }


#: review input -> (label, section id answering it), from the registry and the default profile
INPUTS: dict[str, tuple[str, str]] = review_inputs()
MARK = {"ok": "covered", "failed": "failed", None: "not covered"}
#: the status of an input whose section rendered but whose records are not there
NOT_ASSESSED = "not assessed"


def manifest_status(
    manifest: dict[str, Any], inputs: dict[str, tuple[str, str]] | None = None
) -> dict[str, str]:
    """Return review input -> ``covered`` / ``failed`` / ``not covered`` from one manifest.

    ``inputs`` is :func:`review_inputs` of the pack's profile (default :data:`INPUTS`).
    """
    by_id = {s.get("id"): s.get("status") for s in manifest.get("sections", [])}
    return {k: MARK.get(by_id.get(sid), "failed") for k, (_, sid) in (inputs or INPUTS).items()}


def coverage_table(
    reports: str | Path,
    current: str,
    current_status: dict[str, str],
    *,
    limit: int = 12,
    assessability: Any = None,
    profile: Any = None,
) -> pd.DataFrame:
    """Return the coverage of the review inputs by the last ``limit`` packs in ``reports``.

    Parameters
    ----------
    reports
        The reports folder (parent of the pack folders).
    current
        Folder name of the pack being built (its old manifest, if any, is replaced by
        ``current_status``).
    current_status
        Section id -> ``"ok"`` / ``"failed"`` for the pack being built.
    limit
        Packs shown, the most recent by period (then name).
    assessability
        This pack's :class:`~qmsdata.analytics.assessability.Assessability`: an input whose
        section rendered without the records it needs is ``not assessed``, never covered.
    profile
        The pack's clause profile (or its name; None: the default): the rows and their labels.
        Earlier packs are read by section id, so they line up whatever profile they had.

    Returns
    -------
    DataFrame
        Indexed by the input's label; one column per pack (oldest first), the current pack last.
    """
    inputs = review_inputs(profile)
    packs: list[tuple[str, str, dict[str, str]]] = []
    folder = Path(reports)
    if folder.is_dir():
        for m in sorted(folder.glob("*/manifest.json")):
            if m.parent.name == current or m.parent.name.startswith("."):
                continue
            try:
                manifest = json.loads(m.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            packs.append(
                (str(manifest.get("period", "")), m.parent.name, manifest_status(manifest, inputs))
            )
    current_sections = [{"id": k, "status": v} for k, v in current_status.items()]
    now = manifest_status({"sections": current_sections}, inputs)
    if assessability is not None:
        for k in now:
            if now[k] == "covered" and not assessability.assessed(k):
                now[k] = NOT_ASSESSED
    packs = sorted(packs)[-(limit - 1) :] if limit > 1 else []
    cols = {name: st for _, name, st in packs}
    cols[current] = now
    table = pd.DataFrame(cols)
    table.index = [inputs[k][0] for k in table.index]
    table.index.name = "review input"
    return table


def coverage_html(table: pd.DataFrame, current: str, assessability: Any = None) -> str:
    """Return the coverage section's HTML (escaped) with its stated conclusion.

    With ``assessability`` the conclusion names every input not assessed and why
    ("covers 2 of 13 review inputs; 11 not assessed: ..."), the inputs not fit to report,
    and the inputs whose series had too little history for a verdict on stability or trend.
    """
    from qmsdata.pack.templates import render

    sym = {"covered": "✔", "failed": "✘ failed", "not covered": "—", NOT_ASSESSED: "— not assessed"}
    rows = [(str(i), [sym.get(v, str(v)) for v in r]) for i, r in table.iterrows()]
    now = table[current]
    missing = [str(i) for i, v in now.items() if v not in ("covered", NOT_ASSESSED)]
    never = [str(i) for i, r in table.iterrows() if (r != "covered").all()]
    n = len(table.columns)
    if assessability is not None:
        a = assessability
        labels = {a.label(i) for i in a.not_assessed()}
        covered = int((now == "covered").sum())
        gone = [i for i in a.not_assessed()]
        text = f"This pack covers {covered} of {len(now)} review inputs"
        if gone:
            text += f"; {len(gone)} not assessed: " + "; ".join(
                f"{a.label(i)} ({a.reason(i)})" for i in gone
            )
        rest = [m for m in missing if m not in labels]
        text += (f"; not covered: {', '.join(rest)}" if rest else "") + ". "
        unfit = a.not_fit()
        if unfit:
            text += (
                "Not fit to report: "
                + ", ".join(f"{a.label(i)} ({', '.join(a.unfit_records(i))})" for i in unfit)
                + ". "
            )
        short = [x for x in a.inputs_not_screened() if x not in labels]
        if short:
            text += "Stability and trend not assessed for: " + "; ".join(short) + ". "
    else:
        text = (
            f"This pack covers {len(now) - len(missing)} of {len(now)} review inputs"
            + (f"; not covered: {', '.join(missing)}" if missing else "")
            + ". "
        )
    if n < 2:
        text += "Insufficient data for a trend: this is the only pack in the reports folder."
    else:
        text += f"Across the last {n} packs, " + (
            f"never covered: {', '.join(never)}."
            if never
            else "every input was covered at least once."
        )
    return render(
        "pack_coverage.html.j2",
        packs=[str(c) for c in table.columns],
        rows=rows,
        conclusion=text,
    )


def not_covered_labels(built: Any, profile: Any = None) -> list[str]:
    """Return the labels of the registered sections not in this pack (``built``: section ids).

    Labelled with the pack's ``profile`` (None: the default profile).
    """
    from qmsdata.pack.sections import sections_for

    ids = set(built)
    return [s.label for s in sections_for(profile) if s.id not in ids]


def coverage_fragment(
    target: Path,
    status: dict[str, str],
    build: Path,
    *,
    assessability: Any = None,
    profile: Any = None,
) -> Any:
    """Write ``data/98_coverage--coverage.csv`` into ``build`` and return the coverage section.

    ``target`` is the pack folder being built (its siblings' manifests give the history);
    ``status`` maps section id -> ``ok`` / ``failed`` for this pack; ``profile`` is the pack's
    clause profile (its labels; the title names it, and says when it is provisional).
    """
    from qmsdata.files import atomic_write
    from qmsdata.pack.export import Fragment
    from qmsdata.pack.sections import resolve_profile, standard_label

    prof = resolve_profile(profile)
    table = coverage_table(
        target.parent, target.name, status, assessability=assessability, profile=prof
    )
    atomic_write(build / "data" / "98_coverage--coverage.csv", table.to_csv())
    if assessability is not None:  # the reasons behind every "not assessed", for the auditor
        from qmsdata.files import write_csv

        write_csv(assessability.table(), build / "data" / "98_coverage--assessability.csv")
    return Fragment(
        "98_coverage",
        f"9.3.2 — Coverage of the review inputs of {standard_label(prof)}",
        "9.3.2",
        coverage_html(table, target.name, assessability),
    )
