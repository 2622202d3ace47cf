"""A build's section cache: each section keyed on what it read, looked up by its read sets.

A section's base key (:func:`section_base`, :func:`qmsdata.pack.cache.base_key`) is its
notebook, its own parameters, the qmsdata code, ``qms.toml`` and the trends documents it links;
the site and product only when its code reads them itself
(:func:`qmsdata.pack.reads.notebook_code`). A section whose own code uses the workbook folder
(the ``workbook`` parameter, a path of the context) is keyed on every input whatever its
kernel saw (``run.reads_all``). Under the base, the read sets of its earlier builds
(what it read, recorded in its kernel: :mod:`qmsdata.pack.reads`) name the content keys to look
for: the hash of the current content of exactly those reads, as this pack's sections see them
(the site's rows in a site pack). The first entry found whose sealed ``reads.json`` is that read
set is restored (:func:`restore`); a section that ran is stored under the key of what it read
this time (:func:`store`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qmsdata.pack import cache as C
from qmsdata.pack.reads import READS_FILE, Content, normalise, notebook_code


def section_base(
    run: Any,
    nb: Path,
    req: Any,
    params: dict[str, Any],
    input_fp: str | None,
    code_fp: str,
    config_sha: str,
) -> dict[str, Any]:
    """Key a section on its base: set ``run.base`` and ``run.reads_all``; return the named parts.

    The notebook is read once (:func:`qmsdata.pack.reads.notebook_code`): its hash, whether
    its code reads the site or product itself, whether it reads every input itself, whether
    it links the trends documents. ``inputs`` is kept in the parts for :func:`why_ran`, not in
    the base. A workbook with a database-server source (``input_fp`` None) is never cached.
    """
    code = notebook_code(nb)
    key_params = {**params, **dict(run.section.params)}
    if not code.site:  # the site and product reach it only through the data it reads
        key_params = {k: v for k, v in key_params.items() if k not in ("site", "product")}
    if req.redact:
        key_params["redacted"] = True
    outside = C.outside_reads(code.evidence_links, req.out, req.period, req.site)
    parts = C.key_parts(code.sha, key_params, input_fp, code_fp, outside, config_sha)
    run.reads_all = code.everything
    run.base = C.base_key(run.section.id, parts) if input_fp else ""
    return parts


def inputs_changed(seen: dict[str, Any], pack: str, runs: list[Any], input_fp: str | None) -> bool:
    """Return True when this pack has no last build, or its input files changed since (then
    some section will likely run, and the pool's kernels start while the workbook loads)."""
    for run in runs:
        last = seen.get(f"{pack}/{run.section.id}")
        if not isinstance(last, dict) or last.get("inputs") != C.sha(input_fp)[:16]:
            return True
    return False


def restore(
    run: Any,
    req: Any,
    cache: Path,
    build: Path,
    read_sets: list[dict[str, Any]],
    content: Content,
    reject: Any,
) -> bool:
    """Restore the section from the first entry matching one of its read sets; True if done."""
    if req.force or not run.base:
        return False
    C.touch(cache / "section-reads" / f"{run.base}.json")  # kept while the section is used
    for reads in read_sets:
        if run.reads_all and "everything" not in reads:
            continue  # its code reads every input: only a read set of everything keys it
        key = C.content_key(run.base, reads, content.items(reads))
        entry = cache / "sections" / key
        if not (entry / "fragment.json").is_file():
            continue
        try:
            run.fragment_json = C.restore(entry, build, run.section.id, run.notebook, reads=reads)
        except (C.CacheMismatch, OSError) as exc:
            reject(run, entry, build, exc)
            return False
        run.key, run.reads = key, reads
        carry_view(build / run.notebook, {"site": req.site, "product": req.product})
        run.extracts, run.pack_files = C.collect(build / "work" / run.section.id)
        run.status, run.cached = "ok", True
        return True
    return False


def store(
    run: Any, cache: Path, build: Path, content: Content, signal_reads: dict[str, Any] | None
) -> None:
    """Store a section that ran, keyed on what it read (none recorded: it is not stored)."""
    work = build / "work" / run.section.id
    try:
        raw = json.loads((work / READS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no record of its reads: run again next time rather than guess
    reads = normalise(raw, signal_reads, run.reads_all)
    run.reads = reads
    if isinstance(raw, dict):
        content.seed(raw.get("answers"))  # its own answers: no replay to key it
    run.key = C.content_key(run.base, reads, content.items(reads))
    C.store(cache / "sections" / run.key, build, run.section.id, run.notebook, reads=reads)
    C.remember_read_set(cache, run.base, reads)


def carry_view(notebook: Path, view: dict[str, Any]) -> None:
    """Give a restored notebook this pack's site and product in its injected parameters.

    A section whose reads do not depend on the site is served to a site pack from a build of
    another view; its notebook then says so (``metadata.qmsdata.served_from``) instead of
    showing the other pack's site.
    """
    try:  # its JSON as it is: nbformat (its schema check) only for a notebook to change
        old = dict(json.loads(notebook.read_bytes())["metadata"]["papermill"]["parameters"])
    except Exception:  # noqa: BLE001 - checked by its seal; an odd one is read below
        old = None
    if old is not None and all(old.get(k) == v for k, v in view.items()):
        return
    import nbformat

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception:  # noqa: BLE001 - checked by its seal; leave an odd one as it is
        return
    old = dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    if all(old.get(k) == v for k, v in view.items()):
        return
    from papermill.parameterize import parameterize_notebook

    from qmsdata.files import atomic_write

    merged = {**old, **view}
    nb = parameterize_notebook(nb, merged)
    nb.metadata.setdefault("papermill", {})["parameters"] = merged
    nb.metadata.setdefault("qmsdata", {})["served_from"] = {k: old.get(k) for k in view}
    atomic_write(notebook, nbformat.writes(nb))
