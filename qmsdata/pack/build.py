"""Build a review pack: lock, load and validate once, snapshot, sections, export, swap into place.

The build happens in a temporary folder beside the target (``reports/.2026-10.build-*``) and is
swapped into place only when complete, so a crash or Ctrl-C leaves the previous pack intact, and
packs for different periods can build at the same time (a lock file stops two builds of the same
pack). Executed sections are cached under ``<out>/.cache`` (:mod:`qmsdata.pack.cache`).

The flow: :class:`~qmsdata.pack.request.PackRequest` (validated arguments) ->
:func:`build_pack` (lock, temp folder, swap) -> ``_build`` (snapshot, the
:class:`~qmsdata.pack.context.SectionContext` and the shared signals, sections on the
:class:`~qmsdata.pack.execute.SectionPool`, extracts, coverage, HTML/PDF, manifest).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmsdata.errors import PackError
from qmsdata.files import atomic_write, file_lock
from qmsdata.pack import cache as C
from qmsdata.pack import lookup as L
from qmsdata.pack.context import (
    ASSESSABILITY_FILE,
    CONTEXT_FILE,
    SIGNALS_FILE,
    SectionContext,
    compute_assessability,
    compute_signals,
    resolve_standard,
)
from qmsdata.pack.execute import SectionPool, SectionRun
from qmsdata.pack.export import (
    Fragment,
    assemble,
    find_chromium,
    print_pdf,
)
from qmsdata.pack.request import DEFAULT_FORMATS, PackRequest
from qmsdata.pack.sections import Section, available_sections, sections_for, standard_label


@dataclass
class PackResult:
    """The outcome of :func:`build_pack`.

    Attributes
    ----------
    path
        The pack folder (``reports/<period>`` or ``reports/<period>-<site>``).
    sections
        One :class:`SectionRun` per section, in pack order.
    skipped
        Output format -> why it was not produced (e.g. ``{"pdf": "Chromium not found ..."}``).
    seconds
        Wall time of the build.
    """

    path: Path
    sections: list[SectionRun]
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    not_covered: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    signed: bool = False
    #: the complete pack a build with failed sections did not replace (``path`` is then the
    #: failed build, kept under ``<out>/.failed/``); None when the build was swapped into place
    kept_pack: Path | None = None
    #: what each review input could be assessed on (an Assessability; None: not computed)
    assessability: Any = None
    #: section id -> why it ran instead of coming from the cache (``"first build"``,
    #: ``"parameters changed: site"``, ``"input files changed"``, ``"--force"``, ...)
    reran: dict[str, str] = field(default_factory=dict)
    #: what the load did not validate again: ``"snapshot"`` (the cached snapshot of the whole
    #: workbook), or the record types whose validation came from the validation cache
    validation_reused: str | list[str] = field(default_factory=list)

    @property
    def quality_verdict(self) -> str:
        """Return the data-quality verdict ("Fit to report", ..., "Not fit to report: ...")."""
        return self.assessability.quality_verdict() if self.assessability is not None else ""

    @property
    def not_fit(self) -> list[str]:
        """Return the labels of the review inputs that are not fit to report."""
        a = self.assessability
        return [a.label(i) for i in a.not_fit()] if a is not None else []

    @property
    def failed(self) -> list[SectionRun]:
        """Return the sections that failed."""
        return [s for s in self.sections if s.status == "failed"]

    @property
    def ok(self) -> bool:
        """Return True when every section rendered."""
        return not self.failed


def build_pack(
    workbook: str | Path,
    period: str,
    *,
    site: str | None = None,
    out: str | Path = "reports",
    formats: Sequence[str] = DEFAULT_FORMATS,
    jobs: int | None = None,
    force: bool = False,
    as_of: str | None = None,
    baseline_months: int = 12,
    rules: str = "anhoej",
    notebook_dir: str | Path | None = None,
    sections: Sequence[Section] | None = None,
    progress: bool = True,
    timeout: float | None = 600,
    kernel_name: str = "python3",
    reuse_kernels: bool = True,
    redact: bool = False,
    product: str | None = None,
    data_as_of: str | None = None,
    kind: str = "pack",
    group: bool = False,
) -> PackResult:
    """Build the management-review pack for one period (ISO 9001 9.3).

    Loads and validates the workbook once, runs every section notebook with papermill (up to
    ``jobs`` at a time), exports them into one offline ``pack.html`` (and ``pack.pdf`` when
    Chromium is available), keeps the executed notebooks and the data extracts, and writes a
    ``manifest.json`` that :func:`verify_pack` checks. A failing section becomes an error page;
    the other sections still render.

    Parameters
    ----------
    workbook
        Workbook folder with ``qms.toml``.
    period
        Month ``YYYY-MM``, quarter ``YYYYQn`` or fiscal quarter ``FYyyyyQn``.
    site
        Restrict the pack to one site (output folder ``<period>-<site>``).
    out
        Parent folder of the packs.
    formats
        Any of ``"html"``, ``"pdf"``, ``"pptx"`` (the meeting deck, :mod:`qmsdata.pack.deck`).
    jobs
        Notebooks run at once (default: number of CPU cores).
    force
        Ignore the cache and re-run every section.
    as_of
        Reporting date ``YYYY-MM-DD`` (default: last day of ``period``, or the data date when the
        period is still in progress; never the clock). The pack shows the records as at this
        date (:meth:`qmsdata.Workbook.as_at`).
    baseline_months, rules
        Months of baseline for control limits; run-rule set name. In the section context every
        section reads (:class:`~qmsdata.pack.context.SectionContext`).
    notebook_dir, sections
        Where the section notebooks are, and which sections to build (default: every registered
        section whose notebook exists).
    progress
        Show a progress bar with the section names (on stderr).
    timeout
        Seconds allowed per notebook cell.
    kernel_name
        Jupyter kernel to run the notebooks with.
    reuse_kernels
        Keep one kernel per worker across its sections (namespace emptied before each section);
        a kernel that dies or times out is replaced. False starts a fresh kernel per section.
    redact
        Pseudonymise customer names and free-text descriptions (:mod:`qmsdata.pack.redact`);
        the pack goes to ``<period>-redacted`` so the board's pack is not replaced.
    product
        Restrict the pack to one product (folder ``<period>[-<site>]-<product>``).
    data_as_of
        Data date ``YYYY-MM-DD``: when the data were extracted; rows are validated against it.
        Default: ``[workbook] as_of`` in ``qms.toml``, else today. Must not be before ``as_of``.
    kind
        ``"pack"``, or ``"trends"`` for the PDCA trend analyses (no 9.3.2 coverage table; an
        index page and one document per objective; see :func:`qmsdata.pack.trends.build_trends`).
    group
        The group pack: the whole QMS with the fleet section (``38_fleet``: every site's
        series screened side by side, funnel plots across sites, small multiples). Not with
        ``site`` or ``product``. Only with this flag, never from the number of sites: the
        default pack of a multi-site workbook keeps its sections.

    Returns
    -------
    PackResult
        The pack folder, per-section status, skipped formats.

    Raises
    ------
    PackError
        Bad arguments, a build of the same pack already running.
    QmsError
        The workbook cannot be loaded (structural problem).
    """
    t_start = time.perf_counter()
    req = PackRequest.create(
        workbook,
        period,
        site=site,
        product=product,
        out=out,
        formats=formats,
        jobs=jobs,
        force=force,
        as_of=as_of,
        data_as_of=data_as_of,
        baseline_months=baseline_months,
        rules=rules,
        redact=redact,
        kind=kind,
    )
    if group and (site or product):
        raise PackError(
            "a group pack covers every site: --group goes without --site and --product",
            hint="Build the site packs with --site; their numbers equal the group pack's.",
        )
    nb_dir = Path(notebook_dir).resolve() if notebook_dir else None
    todo = list(sections) if sections is not None else available_sections(nb_dir, group=group)
    if not todo:
        raise PackError("no section notebooks found", file=nb_dir, hint="Check --notebooks.")
    req.out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    run_options = _RunOptions(nb_dir, progress, timeout, kernel_name, reuse_kernels)

    with file_lock(req.out / f".{req.name}.lock", what="this pack", error=PackError):
        clean_stale_builds(req.out, req.name)
        # the owner's PID in the name: a build killed outright is recognised and removed later
        build = Path(tempfile.mkdtemp(prefix=f".{req.name}.build-{os.getpid()}-", dir=req.out))
        umask = os.umask(0)
        os.umask(umask)
        build.chmod(0o777 & ~umask)
        try:
            with interrupt_guard():
                result = _build(req, build, todo, run_options)
                normalise_modes(build)
                stop_if_interrupted()  # never swap after Ctrl-C, even one a library swallowed
                result.path, result.kept_pack = place_build(build, req.target, result.ok)
            C.prune_cache(req.out / ".cache")
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    result.seconds = time.perf_counter() - t_start
    return result


@dataclass(frozen=True)
class _RunOptions:
    """How the sections run (not part of the pack's content)."""

    notebook_dir: Path | None
    progress: bool
    timeout: float | None
    kernel_name: str
    reuse_kernels: bool


def _build(req: PackRequest, build: Path, todo: list[Section], opt: _RunOptions) -> PackResult:
    from qmsdata.config import read_config
    from qmsdata.pack.reads import Content
    from qmsdata.standards import profile

    # the clause profile ([workbook] standard, else the edition in force on the reporting
    # date), resolved once: its labels head the sections, the contents and the coverage
    config = read_config(req.workbook)
    prof = profile(resolve_standard(config, req.as_of))
    todo = sections_for(prof, todo)
    cache = req.out / ".cache"
    (build / "sections").mkdir()
    code_fp = C.code_fingerprint()
    input_fp = C.input_fingerprint(req.workbook)
    if req.redact and input_fp:  # a redacted snapshot and its sections are cached apart
        from qmsdata.pack.redact import secret_id

        input_fp = C.sha("redacted", secret_id(), input_fp)  # a new secret, new pseudonyms

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    params = req.parameters()
    runs = [SectionRun(s, notebook=f"sections/{s.id}.ipynb") for s in todo]
    config_sha = C.config_hash(req.workbook)
    key_parts: dict[str, dict[str, Any]] = {}
    for run in runs:
        nb = run.section.notebook(opt.notebook_dir)
        if not nb.is_file():
            raise PackError(f"section notebook for {run.section.id} not found", file=nb)
        # sets run.base ("" for a workbook with a database-server source: never cached)
        key_parts[run.section.id] = L.section_base(
            run, nb, req, params, input_fp, code_fp, config_sha
        )

    # each section is looked up by what it read last time (its read sets), so the snapshot comes
    # first; the sections certain to run start the pool's kernels while the workbook loads
    seen = C.last_parts(cache)
    known = {r.section.id: C.read_sets(cache, r.base) if r.base else [] for r in runs}
    certain = req.force or any(not known[r.section.id] for r in runs)
    early = certain or L.inputs_changed(seen, req.name, runs, input_fp)
    fragments: dict[str, Fragment] = {}
    pending: list[SectionRun] = []
    reran: dict[str, str] = {}
    bar: Any = _NoBar()
    with contextlib.ExitStack() as stack:
        pool = None
        if early:
            pool = stack.enter_context(
                SectionPool(
                    min(req.jobs, len(runs)), opt.kernel_name, opt.timeout, opt.reuse_kernels
                )
            )
        try:
            bar = _progress(len(runs), f"pack {req.name}", opt.progress)
            bar.set_postfix_str("loading and validating the workbook", refresh=True)
            # 1. load and validate once (against the data date); sections read the snapshot
            # of the records as at the reporting date
            snapshot, facts = _snapshot(req, cache, build, input_fp, code_fp)
            shared = build / "shared"
            shared.mkdir()
            ctx = SectionContext(
                workbook=str(req.workbook),
                period=req.period,
                start=req.start,
                end=req.end,
                as_of=req.as_of,
                data_as_of=req.data_as_of,
                site=req.site,
                product=req.product,
                baseline_months=req.baseline_months,
                rules=req.rules,
                out_dir=str(build / "work"),
                organisation=config.organisation,
                fiscal_year_start=config.fiscal_year_start,
                snapshot=str(snapshot),
                signals=str(shared / SIGNALS_FILE),
                assessability=str(shared / ASSESSABILITY_FILE),
                standard=prof.name,
            )
            # computed once here instead of in every section that shows them
            view, assessability, as_read = _write_shared(ctx, shared)
            content = Content(view, as_read, C.sha("everything", input_fp, req.site, req.product))
            # the answers of an unchanged assessability are known from the last build with it
            answers = C.answers_entry(cache, code_fp, as_read)
            known_answers = C.read_answers(answers)
            content.seed(known_answers)
            # cached sections are restored (the content of what they read unchanged)
            for run in runs:
                sets = known[run.section.id]
                if not L.restore(run, req, cache, build, sets, content, _reject_cache_entry):
                    pending.append(run)
                else:
                    fragments[run.section.id] = Fragment.from_json(run.fragment_json)
            view_of = {"site": req.site, "product": req.product}
            for r in pending:
                reran[r.section.id] = _why_ran(r, req, cache, key_parts, seen, content, view_of)
            signal_reads = _write_signals(view, ctx, shared) if pending else None
            atomic_write(shared / CONTEXT_FILE, ctx.to_json())
            timings["load"] = time.perf_counter() - clock
            clock = time.perf_counter()

            # 2. run the sections
            bar.update(len(runs) - len(pending))
            if pending and pool is None:
                pool = stack.enter_context(
                    SectionPool(
                        min(req.jobs, len(pending)), opt.kernel_name, opt.timeout, opt.reuse_kernels
                    )
                )
            run_params = {
                **{k: v for k, v in params.items() if k != "data_as_of"},
                "snapshot": str(snapshot),  # for notebooks written before the context
                "context": str(shared / CONTEXT_FILE),
            }
            running: set[str] = set()
            running_lock = threading.Lock()

            def started(run: SectionRun) -> None:  # called on a worker thread
                with running_lock:
                    running.add(run.section.id)

            tasks = C.longest_first(
                [(r, r.section.notebook(opt.notebook_dir)) for r in pending], cache
            )
            for run, fragment in (
                pool.run_all(tasks, run_params, build, on_start=started) if pool else ()
            ):
                sid = run.section.id
                with running_lock:
                    running.discard(sid)
                    names = _names(running)
                fragments[sid] = fragment
                if run.status == "ok" and run.base:
                    L.store(run, cache, build, content, signal_reads)
                bar.update(1)
                bar.set_postfix_str(
                    (f"{sid} FAILED; " if run.status == "failed" else f"{sid} done; ") + names,
                    refresh=True,
                )
        finally:
            bar.close()

    C.record_seconds(runs, cache)
    # for the next build's "why it ran": the base parts, and what each section read (a section
    # that failed has no record of its reads, and the next build says "no cache entry")
    remembered: dict[str, dict[str, Any]] = {}
    for r in runs:
        if r.base:
            remembered[r.section.id] = {
                **key_parts[r.section.id],
                "view": {"site": req.site, "product": req.product},
            }
            if r.reads is not None:
                remembered[r.section.id]["content"] = content.items(r.reads)
                remembered[r.section.id]["read_set"] = r.reads
    C.remember_parts(cache, remembered, req.name)
    C.write_answers(answers, content.answers(), known_answers)
    stop_if_interrupted()
    # 3. extracts into data/
    (build / "data").mkdir()
    for run in runs:
        work = build / "work" / run.section.id
        for fname in run.extracts:
            shutil.copy2(work / "data" / fname, build / "data" / f"{run.section.id}--{fname}")
        for fname in run.pack_files:
            if (build / fname).exists():
                raise PackError(
                    f"section {run.section.id} writes {fname}, which another section wrote too",
                    file=run.section.notebook(opt.notebook_dir),
                )
            shutil.copy2(work / "pack" / fname, build / fname)
    shutil.rmtree(build / "work", ignore_errors=True)
    shutil.rmtree(build / "shared", ignore_errors=True)

    timings["sections"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # 4. export
    from qmsdata.pack.coverage import coverage_fragment, not_covered_labels
    from qmsdata.pack.manifest import pack_facts
    from qmsdata.pack.scope import pack_scope

    ordered = [fragments[r.section.id] for r in runs]
    title = f"Management review pack — {req.period}" + (f" — {req.site}" if req.site else "")
    # what a site's or product's pack left out (no site / product recorded), from the snapshot
    scope = pack_scope(build, snapshot, site=req.site, product=req.product)
    fact_list = pack_facts(req, config.organisation, standard=standard_label(prof), scope=scope)
    if req.kind == "trends":  # the analyses are no review pack: no 9.3.2 coverage
        from qmsdata.pack.trends import write_trend_outputs

        title = "PDCA trend analyses — " + title.split(" — ", 1)[1]
        not_covered = []
        write_trend_outputs(build, runs, fragments, fact_list, title, pdf="pdf" in req.formats)
    else:
        not_covered = not_covered_labels((r.section.id for r in runs), prof)
        # coverage of the 9.3.2 inputs by this pack and the packs before it (their manifests)
        cov_frag = coverage_fragment(
            req.target,
            {r.section.id: r.status for r in runs},
            build,
            assessability=assessability,
            profile=prof,
        )
        at = next((i for i, f in enumerate(ordered) if f.section_id >= "98"), len(ordered))
        ordered.insert(at, cov_frag)
    skipped: dict[str, str] = {}
    if "html" in req.formats:
        page = assemble(ordered, title=title, facts=fact_list, mode="html", not_covered=not_covered)
        (build / "pack.html").write_text(page, encoding="utf-8")
    timings["html"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stop_if_interrupted()
    deck_pngs: dict[str, bytes] = {}  # the deck's charts, drawn in the PDF's browser run
    deck_todo: list[dict[str, Any]] = []
    if "pptx" in req.formats:
        from qmsdata.pack.deck import cached_pngs, deck_figures

        _, deck_todo = cached_pngs(deck_figures(build, ordered, req.target), cache)
    if "pdf" in req.formats:
        with temp_inside(build):  # a killed build leaves the browser's temp files in `build`
            reason = _make_pdf(
                build,
                cache,
                ordered,
                title,
                fact_list,
                not_covered,
                req.force,
                deck_todo,
                deck_pngs,
            )
        stop_if_interrupted()
        if reason:
            skipped["pdf"] = reason

    timings["pdf"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # 5. manifest
    from qmsdata.pack.manifest import manifest_info, write_manifest

    if snapshot.is_relative_to(build):
        shutil.rmtree(snapshot, ignore_errors=True)
    info = manifest_info(
        req, runs, facts, input_fp, code_fp, not_covered, skipped, standard=prof, scope=scope
    )
    if "pptx" in req.formats:  # the deck reads the extracts and the manifest's content
        from qmsdata.pack.deck import make_deck

        with temp_inside(build):
            deck_note = make_deck(
                build, cache, ordered, title, fact_list, info, req.target, deck_pngs
            )
        stop_if_interrupted()
        if deck_note:
            skipped["pptx charts"] = deck_note
    timings["pptx"] = time.perf_counter() - clock
    write_manifest(build, info)
    from qmsdata.pack.signing import sign_manifest

    signed = sign_manifest(build)  # None: no key (`qms keys init`), the pack stays unsigned
    timings["manifest"] = time.perf_counter() - clock
    return PackResult(
        req.target,
        runs,
        skipped,
        not_covered=not_covered,
        timings=timings,
        signed=signed is not None,
        assessability=assessability,
        reran=reran,
        validation_reused=facts.get("validation_reused", []),
    )


def _snapshot(
    req: PackRequest, cache: Path, build: Path, input_fp: str | None, code_fp: str
) -> tuple[Path, dict[str, Any]]:
    """Load, validate (and redact) the workbook once; return the snapshot folder and its facts."""
    import json

    snap_key = C.sha("snapshot", input_fp, req.as_of, req.data_as_of, code_fp) if input_fp else None
    snapshot = cache / "snapshots" / snap_key if snap_key else build / "snapshot"
    sealed = snap_key is not None and _sealed_snapshot(snapshot, snap_key)
    reused: str | list[str] = "snapshot"  # what the manifest says was not validated again
    if req.force or not sealed:
        from qmsdata import load
        from qmsdata.check import ensure_loadable
        from qmsdata.pack.snapshot import write_snapshot

        ensure_loadable(req.workbook)  # every structural problem at once, before any rows
        # unchanged record types reuse their validation (not with --force: a true cold build)
        loaded = load(
            req.workbook,
            as_of=req.data_as_of,
            cache_dir=None if req.force else cache,
        )
        reused = loaded.reused
        wb = loaded.as_at(req.as_of)
        if req.redact:
            from qmsdata.pack.redact import redact_workbook

            wb = redact_workbook(wb)
        write_snapshot(wb, snapshot)
        if snap_key is not None and not sealed:
            C.seal(snapshot, snap_key)
    facts = json.loads((snapshot / "meta.json").read_text(encoding="utf-8"))
    facts["validation_reused"] = reused
    C.touch(snapshot)
    return snapshot, facts


def _sealed_snapshot(snapshot: Path, key: str) -> bool:
    """Return True for a cached snapshot whose seal checks; remove one that fails (rebuilt)."""
    if not (snapshot / "meta.json").is_file():
        return False
    try:
        C.check_seal(snapshot, key)
    except C.CacheMismatch:
        C.discard(snapshot)  # edited (forged records for every section) or from an older version
        return False
    return True


def _write_shared(ctx: SectionContext, shared: Path) -> tuple[Any, Any, Any]:
    """Compute, once on the sections' workbook, what every section shares.

    Returns that workbook (the view each section reads: the pack's site and product), the
    assessability (what each review input can be assessed on), always computed: the coverage
    section and the exit code need it even when every section comes from the cache; and the
    assessability as the sections read it, from the JSON written (its answers key them).
    """
    from qmsdata.analytics.assessability import Assessability
    from qmsdata.pack.notebook import section_workbook

    wb = section_workbook(context=ctx)
    assessability = compute_assessability(wb, ctx)
    text = assessability.to_json()
    atomic_write(shared / ASSESSABILITY_FILE, text)
    return wb, assessability, Assessability.from_json(text)


def _write_signals(wb: Any, ctx: SectionContext, shared: Path) -> dict[str, Any]:
    """Compute :func:`qmsdata.signals` once (a section runs); return what it read.

    A section that reads the signals is keyed on what they were computed from.
    """
    import io

    from qmsdata.pack.reads import Tracker, tracked

    tracker = Tracker()
    buf = io.BytesIO()
    compute_signals(tracked(wb, tracker), ctx).to_parquet(buf)
    atomic_write(shared / SIGNALS_FILE, buf.getvalue())
    return tracker.to_json()


def swap_into_place(new: Path, target: Path) -> None:
    """Move the finished build ``new`` to ``target``, replacing any previous pack.

    Uses an atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``) when available, so the target
    is never missing; elsewhere the old pack is renamed aside first and removed afterwards.
    """
    if not target.exists():
        os.rename(new, target)
        return
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_exchange = -100, 2
            rc = renameat2(
                at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(target), rename_exchange
            )
            if rc == 0:
                shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old pack
                return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


#: failed builds kept beside a complete pack: ``<out>/.failed/<name>-<UTC time>`` (this many)
FAILED_DIR, FAILED_KEEP = ".failed", 5


def place_build(build: Path, target: Path, complete: bool) -> tuple[Path, Path | None]:
    """Put a finished build in place; return (where it went, the complete pack it spared).

    A complete build (every section rendered) is swapped into ``target``. A build with failed
    sections replaces ``target`` only when ``target`` is not a complete pack itself (missing, or
    with failed sections too); otherwise the complete pack stays and the failed build is kept
    at ``<out>/.failed/<name>-<UTC time>`` (hidden, so coverage and listings of the reports
    folder do not take it for a pack; the last :data:`FAILED_KEEP` per pack are kept).
    """
    if complete or not is_complete_pack(target):
        swap_into_place(build, target)
        return target, None
    folder = target.parent / FAILED_DIR
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = folder / f"{target.name}-{stamp}"
    n = 1
    while kept.exists():
        n += 1
        kept = folder / f"{target.name}-{stamp}-{n}"
    os.rename(build, kept)
    stamped = re.compile(re.escape(target.name) + r"-\d{8}T\d{6}Z(-\d+)?")
    old = sorted(p for p in folder.iterdir() if stamped.fullmatch(p.name))
    for p in old[:-FAILED_KEEP]:
        shutil.rmtree(p, ignore_errors=True)
    return kept, target


def is_complete_pack(pack: Path) -> bool:
    """Return True when ``pack`` has a readable manifest whose every section rendered."""
    import json

    try:
        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
        sections = manifest["sections"]
        return bool(sections) and all(s["status"] == "ok" for s in sections)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def clean_stale_builds(out: Path, name: str) -> list[Path]:
    """Remove what builds of pack ``name`` killed outright (SIGKILL, power loss) left in ``out``.

    Called with the pack's lock held, so no other build of ``name`` runs. Temp build folders
    ``.<name>.build-<pid>-*`` (and swap leftovers ``.<name>.old-<pid>``) whose PID is not a live
    process are removed; so are folders of the older ``.<name>.build-*`` form, which name no
    PID. Also removes ``qms-figs-*`` / ``qms-chromium-*`` folders of this user older than a day
    from the system temp folder (left there by versions that drew figures outside the build).
    Returns what was removed.
    """
    removed = []
    for kind in ("build", "old"):
        prefix = f".{name}.{kind}-"
        for p in out.glob(f"{prefix}*"):
            pid_text, sep, _ = p.name[len(prefix) :].partition("-")
            if kind == "old":
                pid_text, sep = p.name[len(prefix) :], "-"
            if sep and pid_text.isdigit() and _pid_alive(int(pid_text)):
                continue
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p)
    day_ago = time.time() - 86400
    with contextlib.suppress(OSError):
        for p in Path(tempfile.gettempdir()).iterdir():
            if not p.name.startswith(("qms-figs-", "qms-chromium-")):
                continue
            with contextlib.suppress(OSError):
                st = p.lstat()
                if st.st_uid == os.getuid() and st.st_mtime < day_ago and p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
    return removed


@contextlib.contextmanager
def temp_inside(build: Path) -> Iterator[Path]:
    """Make Python's temp files (figure drawing, the browser's profile) go inside ``build``.

    Only for steps that run on the main thread alone (the section pool is closed): the setting
    is process-wide. A build killed outright then leaves its temp files in its own folder,
    which :func:`clean_stale_builds` removes.
    """
    tmp = build / ".tmp"
    tmp.mkdir(exist_ok=True)
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp)
    try:
        yield tmp
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(tmp, ignore_errors=True)


_interrupted = threading.Event()
_interrupt_signal: list[int] = []  # the signal that stopped the build (SIGINT or SIGTERM)


def _cancel_running_loop() -> bool:
    """Cancel the tasks of an asyncio loop the main thread is running (a browser step)."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False

    def cancel_all() -> None:
        for task in asyncio.all_tasks(loop):
            task.cancel()

    loop.call_soon_threadsafe(cancel_all)
    return True


@contextlib.contextmanager
def interrupt_guard() -> Iterator[None]:
    """Remember any Ctrl-C (SIGINT) or SIGTERM during the block, and stop the build on it.

    SIGINT raises KeyboardInterrupt where it lands, except inside an asyncio loop (the browser
    that draws the static figures): there, as ``asyncio.run`` does, the first one cancels the
    loop's tasks so the browser shuts down instead of hanging. Whatever a library then does
    with it (catching every error, returning "no figures"), :func:`stop_if_interrupted` raises
    it again at the next step boundary and before the swap. SIGTERM stops the build the same
    way (exit 143), so its kernels are shut down and its temp folder removed. A second signal
    always raises. Installed on the main thread only.
    """
    _interrupted.clear()
    _interrupt_signal.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: Any) -> None:
        first = not _interrupted.is_set()
        _interrupted.set()
        _interrupt_signal.append(signum)
        if first and _cancel_running_loop():
            return
        _raise_for(signum)

    saved: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if previous is signal.SIG_IGN:  # started with the signal ignored (nohup, &): keep it
            continue
        saved[sig] = previous
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig_restored, handler in saved.items():
            signal.signal(sig_restored, handler)


def _raise_for(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise SystemExit(128 + signal.SIGTERM)
    raise KeyboardInterrupt


def stop_if_interrupted() -> None:
    """Stop the build when Ctrl-C or SIGTERM arrived during it (even if it was swallowed)."""
    if _interrupted.is_set():
        _raise_for(_interrupt_signal[0] if _interrupt_signal else signal.SIGINT)


def normalise_modes(folder: Path) -> None:
    """Give every file in the pack ``0666 & ~umask`` and every folder ``0777 & ~umask``.

    Whatever wrote them (temp files created 0600, copies from an older cache keeping its modes,
    a library's own writer), a pack's files are readable like any other output (0644 under the
    usual umask 022), never a mix.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.islink(p):
                os.chmod(p, 0o777 & ~umask)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, 0o666 & ~umask)
    os.chmod(folder, 0o777 & ~umask)


def _why_ran(
    run: SectionRun,
    req: PackRequest,
    cache: Path,
    key_parts: dict[str, dict[str, Any]],
    seen: dict[str, Any],
    content: Any = None,
    view: dict[str, Any] | None = None,
) -> str:
    """Return why a section runs instead of coming from the cache, in words."""
    if req.force:
        return "--force"
    if not run.base:
        return "inputs cannot be hashed (a database-server source)"
    if run.cache_rejected:
        return "its cache entry failed the integrity check"
    parts = key_parts[run.section.id]
    return C.why_ran(cache, run.section.id, parts, req.name, seen, content, view)


def _reject_cache_entry(run: SectionRun, entry: Path, build: Path, exc: BaseException) -> None:
    """A cache entry failed its check: drop it and whatever it left, so the section is rebuilt."""
    run.cache_rejected = str(exc) if isinstance(exc, C.CacheMismatch) else f"unreadable: {exc}"
    C.discard(entry)
    shutil.rmtree(build / "work" / run.section.id, ignore_errors=True)
    (build / run.notebook).unlink(missing_ok=True)


def _make_pdf(
    build: Path,
    cache: Path,
    fragments: list[Fragment],
    title: str,
    facts: list[tuple[str, str]],
    not_covered: list[str],
    force: bool = False,
    pngs: list[dict[str, Any]] | None = None,
    drawn: dict[str, bytes] | None = None,
) -> str | None:
    """Print pack.pdf; return why it was skipped, or None when it was written.

    The printed page's hash keys the PDF cache (``force``: print anyway). ``pngs``: figures
    the deck needs as PNG, drawn by the same browser run when the PDF is printed and put in
    ``drawn`` (figure id -> PNG; not part of the page's hash: they are never printed).
    """
    import hashlib
    import secrets

    from qmsdata.pack.export import read_pngs, with_pngs

    if find_chromium() is None:
        return (
            "Chromium not found (install it with `make chromium` or `apt install chromium`, "
            "or set QMS_CHROMIUM); the HTML pack was built without it"
        )
    # one browser: the page's own plotly.js draws each figure's SVG, then Chromium prints it
    # (kaleido drew them in a second Chromium first: 10.9 s for the demo's 13 figures, quiet),
    # and draws the deck's PNGs in the same run (kaleido before: pdf + pptx 13.9 -> 7.0 s wall)
    text = assemble(fragments, title=title, facts=facts, mode="pdf", not_covered=not_covered)
    page = text.encode("utf-8")
    pdf_cache = cache / "pdf" / f"{hashlib.sha256(page).hexdigest()}.pdf"
    cached_pdf = None if force else C.read_sealed(pdf_cache)  # None: print (again)
    if cached_pdf is not None:  # re-printed only when the page changed
        atomic_write(build / "pack.pdf", cached_pdf)
        C.touch(pdf_cache)
        return None
    with tempfile.TemporaryDirectory(prefix=".print-", dir=build) as tmp:
        html_path = Path(tmp) / "pack-print.html"
        nonce = secrets.token_hex(16)
        html_path.write_text(with_pngs(text, pngs or [], nonce), encoding="utf-8")
        try:
            dom = print_pdf(html_path, build / "pack.pdf", dump_dom=bool(pngs))
            if dom and drawn is not None:
                drawn.update(read_pngs(dom, nonce))
        except PackError as exc:
            (build / "pack.pdf").unlink(missing_ok=True)
            return str(exc)
    C.write_sealed(pdf_cache, (build / "pack.pdf").read_bytes())
    return None


def _names(ids: Any) -> str:
    names = sorted(ids)
    return ("running: " + ", ".join(names)) if names else "exporting"


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit="section", file=sys.stderr, leave=True, dynamic_ncols=True
    )
