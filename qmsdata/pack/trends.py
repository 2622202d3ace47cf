"""PDCA trend analyses built by the pack engine: ``qms trends`` -> ``reports/trends/<period>/``.

The same engine as ``qms pack`` (:func:`qmsdata.pack.build.build_pack` with ``kind="trends"``):
the validated snapshot, parallel kernels, the section cache, the atomic swap, the manifest and
its signature, ``qms verify``, HTML and PDF. What differs is the notebook set and what is
assembled around it:

- the sections are *subjects*, one run of a notebook in ``qmsdata/notebooks/pdca/`` each
  (:func:`trend_sections`): ``analysis.ipynb`` for a process (optionally at one site),
  ``objective.ipynb`` for a quality objective (its evidence of achievement and its PDCA);
- ``index.html`` (Jinja2, autoescaped) lists every subject with its latest change and verdict,
  concerns first (:func:`qmsdata.analytics.pdca.rank_subjects` on the subjects' extracts);
- ``objectives/<objective_id>.html``: one evidence document per objective;
- ``decisions.csv``: every subject's proposed decisions, in the review_actions schema
  (``qms actions import``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from qmsdata.errors import PackError
from qmsdata.pack.sections import Section

#: Folder of the PDCA notebooks: package data ``qmsdata/notebooks/pdca``.
TREND_NOTEBOOK_DIR = Path(str(resources.files("qmsdata").joinpath("notebooks", "pdca")))
TRENDS_FOLDER = "trends"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "x"


def process_section(process: str, site: str | None) -> Section:
    """Return the section analysing ``process`` (at ``site``; None: all sites)."""
    subject = f"{site} / {process}" if site else process
    return Section(
        id=f"p-{_slug(subject)}",
        clause="6.3, 9.1.3, 10.3",
        title=f"PDCA: {subject}",
        records=("changes", "nonconformities", "production", "corrective_actions"),
        source="analysis",
        params=(("process", process), ("subject_site", site)),
    )


def objective_section(objective_id: str) -> Section:
    """Return the section analysing objective ``objective_id`` (its evidence and its PDCA)."""
    return Section(
        id=f"q-{_slug(objective_id)}",
        clause="6.2, 9.1.3",
        title=f"Objective {objective_id}: evidence and PDCA",
        records=("objectives", "kpi_measurements", "changes"),
        source="objective",
        params=(("objective_id", objective_id),),
    )


def trend_sections(
    workbook: Any,
    *,
    as_of: Any = None,
    process: str | None = None,
    site: str | None = None,
    objective: str | None = None,
    all_subjects: bool = False,
) -> list[Section]:
    """Return the subjects to analyse as sections, processes first, then objectives.

    ``all_subjects``: every process (at its site) with at least one documented change, and
    every objective (subjects with derived changes only are analysed when named with
    ``process``). ``process`` / ``objective``: that subject (``site``: at that site).

    Raises
    ------
    PackError
        Nothing selected, or the named objective is not recorded.
    """
    from qmsdata.analytics.changes import change_subjects

    if not (all_subjects or process or objective):
        raise PackError(
            "no subject chosen", hint="Give --process P [--site S], --objective O, or --all."
        )
    out: list[Section] = []
    subjects = change_subjects(workbook, as_of=as_of)
    if all_subjects:
        procs = subjects[(subjects["subject_type"] == "process") & (subjects["changes"] > 0)]
        if site:
            procs = procs[procs["site"] == site]
        for _, r in procs.iterrows():
            out.append(process_section(str(r["process"]), r["site"] if r["site"] else None))
        for oid in subjects.loc[subjects["subject_type"] == "objective", "objective_id"]:
            out.append(objective_section(str(oid)))
    if process:
        out.append(process_section(process, site))
    if objective:
        known = set(subjects.loc[subjects["subject_type"] == "objective", "objective_id"])
        if objective not in known:
            raise PackError(
                f"objective {objective!r} is not recorded"
                + (f" in the records of site {site}" if site else ""),
                hint=f"Known objectives: {', '.join(sorted(map(str, known))) or 'none'}.",
            )
        out.append(objective_section(objective))
    unique = {s.id: s for s in out}
    return sorted(unique.values(), key=lambda s: s.id)


def _read_extract(path: Path) -> Any:
    import pandas as pd

    from qmsdata.files import unneutralise_cell

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.map(unneutralise_cell)


def write_trend_outputs(
    build: Path,
    runs: Sequence[Any],
    fragments: dict[str, Any],
    facts: Any,
    title: str,
    *,
    pdf: bool = False,
) -> None:
    """Write ``index.html``, ``objectives/<id>.html`` and ``decisions.csv`` into the build.

    Called by the engine after the sections' extracts are in ``build/data`` and before the
    manifest, so these files are hashed and signed with the rest. ``pdf``: the build prints
    ``pack.pdf`` (the index links to it).
    """
    from qmsdata.analytics.pdca import rank_subjects
    from qmsdata.files import atomic_write
    from qmsdata.pack.export import CSP, _css, assemble
    from qmsdata.pack.templates import render

    summaries = []
    by_subject: dict[str, Any] = {}
    for run in runs:
        sid = run.section.id
        extract = build / "data" / f"{sid}--subject.csv"
        params = dict(run.section.params)
        row: dict[str, Any]
        if run.status == "ok" and extract.is_file():
            row = _read_extract(extract).iloc[0].to_dict()
            row["concern"] = str(row.get("concern")).lower() == "true"
            row["rank_key"] = float(row.get("rank_key") or 6)
        else:
            row = {"subject": run.section.title, "latest_verdict": "not assessed (failed)",
                   "concern": True, "rank_key": -1.0}  # fmt: skip
        row["_section"] = sid
        summaries.append(row)
        evidence = None
        if run.section.source == "objective" and sid in fragments:
            oid = str(params["objective_id"])
            evidence = f"objectives/{_slug(oid)}.html"
            page = assemble(
                [fragments[sid]],
                title=f"Evidence of objective achievement — {oid} — {title.split(' — ', 1)[-1]}",
                facts=facts,
                mode="html",
            )
            atomic_write(build / evidence, page)
        by_subject[sid] = {"evidence": evidence, "failed": run.status != "ok"}
    ranked = rank_subjects(summaries) if summaries else None
    rows = []
    if ranked is not None and len(ranked):
        for _, r in ranked.iterrows():
            sid = r["_section"]
            row = {k: ("" if _missing(v) else v) for k, v in r.items()}
            rows.append({**row, "section_id": sid, **by_subject[sid]})
    page = render(
        "trends_index.html.j2",
        csp=CSP,
        css=_css(),
        title=title,
        facts=facts,
        rows=rows,
        has_pdf=pdf,
    )
    atomic_write(build / "index.html", page)
    _merge_decisions(build)


def _missing(v: Any) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _merge_decisions(build: Path) -> None:
    """Concatenate the subjects' ``decisions-*.csv`` into ``decisions.csv`` (one header)."""
    from qmsdata.files import atomic_write

    parts = sorted(build.glob("decisions-*.csv"))
    lines: list[str] = []
    for p in parts:
        text = p.read_text(encoding="utf-8").splitlines()
        if not text:
            continue
        lines += text if not lines else text[1:]
    if not lines:
        from qmsdata.records import RECORD_TYPES

        lines = [",".join(c.name for c in RECORD_TYPES["review_actions"].columns)]
    atomic_write(build / "decisions.csv", "\n".join(lines) + "\n")


def build_trends(
    workbook: str | Path,
    period: str,
    *,
    process: str | None = None,
    site: str | None = None,
    objective: str | None = None,
    all_subjects: bool = False,
    out: str | Path = "reports",
    **options: Any,
) -> Any:
    """Build the PDCA trend analyses of a period into ``<out>/trends/<period>[-<site>]/``.

    The workbook is loaded and validated once, into the engine's snapshot cache, which the
    subjects are listed from and the build then reuses. ``options`` are those of
    :func:`qmsdata.pack.build.build_pack` (formats, jobs, force, as_of, data_as_of,
    baseline_months, rules, progress, timeout, ...).

    Returns
    -------
    PackResult
        As :func:`build_pack`; ``path`` is the analyses' folder.
    """
    import tempfile

    from qmsdata.pack import cache as C
    from qmsdata.pack.build import _snapshot, build_pack
    from qmsdata.pack.request import PackRequest
    from qmsdata.pack.snapshot import read_snapshot

    target_out = Path(out) / TRENDS_FOLDER
    req_kw = {k: options[k] for k in ("as_of", "data_as_of") if k in options}
    req = PackRequest.create(workbook, period, site=site, out=target_out, kind="trends", **req_kw)
    req.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".subjects-", dir=req.out) as tmp:
        snap, _ = _snapshot(
            req,
            req.out / ".cache",
            Path(tmp),
            C.input_fingerprint(req.workbook),
            C.code_fingerprint(),
        )
        wb = read_snapshot(snap)
        if site:  # the analyses see the site's records only, as the notebooks will
            wb = wb.for_site(site)
        sections = trend_sections(
            wb,
            as_of=req.as_of,
            process=process,
            site=site,
            objective=objective,
            all_subjects=all_subjects,
        )
    return build_pack(
        workbook,
        period,
        site=site,
        out=target_out,
        notebook_dir=TREND_NOTEBOOK_DIR,
        sections=sections,
        kind="trends",
        **options,
    )


def evidence_links(context: Any, objective_ids: Sequence[str]) -> dict[str, str]:
    """Return objective id -> relative link from a review pack to its evidence document.

    For a section of a pack build (``context.out_dir`` is ``<out>/.<pack>.build-*/work/<id>``)
    the link is ``../trends/<period>[-<site>]/objectives/<id>.html``, given only where
    ``qms trends`` has written that document; interactively, or without the analyses, ``{}``.
    """
    from qmsdata.pack.request import pack_name

    out_dir = getattr(context, "out_dir", None)
    if not out_dir:
        return {}
    reports = Path(out_dir).resolve().parents[2]
    folder = pack_name(str(context.period), getattr(context, "site", None))
    links = {}
    for oid in objective_ids:
        rel = f"{TRENDS_FOLDER}/{folder}/objectives/{_slug(str(oid))}.html"
        if (reports / rel).is_file():
            links[str(oid)] = f"../{rel}"
    return links
