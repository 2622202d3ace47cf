"""The section cache: keys, store, restore and pruning (``<out>/.cache``).

A section is served from the cache when its key matches, in two steps
(:mod:`qmsdata.pack.lookup`): its base key (:func:`base_key`: its notebook, its parameters, the
qmsdata code, ``qms.toml``, the trends documents it links; the site and product only when its
own code reads them), then for each read set recorded under that base (:func:`read_sets`: what
it read when it last ran, :mod:`qmsdata.pack.reads`) the content key (:func:`content_key`) over
the current content of exactly those reads. A section that read something the recorder cannot
follow is keyed on every input file (:func:`input_fingerprint`), the site and the product. A
workbook with a database-server source cannot be hashed, so it is never served from the cache.

Entries are authenticated: :func:`store` seals each section entry with an HMAC-SHA256 over its
key and every file in it (names, sizes, SHA-256), keyed by :func:`qmsdata.keys.cache_secret`
(kept in the user's configuration folder, never in the reports folder); :func:`restore` copies
the entry into the build and checks the seal on the copy, so an edited, added or removed file
(a forged conclusion, a ``<script>`` in a fragment) raises :class:`CacheMismatch` and the build
runs the section again instead of pasting it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ENGINE_VERSION = "1"

#: the seal of a section cache entry (HMAC-SHA256, hex), inside the entry
SEAL_FILE = "hmac-sha256"
#: what a section read (:mod:`qmsdata.pack.reads`), inside its entry
READS_FILE = "reads.json"


class CacheMismatch(Exception):  # noqa: N818 - what it is, not an error of the program
    """A cache entry whose seal is missing or does not match its files (edited, or foreign)."""


#: cache entries kept per kind (least recently used ones beyond this are removed)
CACHE_LIMITS = {
    "snapshots": 6,
    "sections": 400,
    "section-reads": 400,
    "figures": 2000,
    "pdf": 24,
    "validation": 200,
    "answers": 24,
}


def sha(*parts: Any) -> str:
    """Return the SHA-256 of the JSON of ``parts`` (keys sorted)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def _file_sha(path: Path) -> str:
    from qmsdata.pack.manifest import sha256_file

    return sha256_file(path)


def input_fingerprint(workbook: Path) -> str | None:
    """Return a hash of every file the workbook is read from, or None when it cannot be hashed.

    Every file under the workbook folder counts (``qms.toml`` included), plus any source file the
    configuration names outside the folder. A source that is a database server (a SQLAlchemy URL
    other than SQLite) cannot be hashed, so such a workbook is never served from the cache.
    """
    from qmsdata.config import read_config
    from qmsdata.errors import QmsError

    parts: list[tuple[Any, ...]] = []
    for p in sorted(workbook.rglob("*")):
        rel = p.relative_to(workbook)
        if p.is_file() and not any(s.startswith(".") for s in rel.parts):
            parts.append((rel.as_posix(), p.stat().st_size, _file_sha(p)))
    try:
        records = read_config(workbook).records
    except QmsError:  # the load reports it; nothing outside the folder can be named
        records = {}
    for rt, spec in sorted(records.items()):
        source = spec.source
        if "://" in source:
            if not source.startswith("sqlite:///"):
                return None
            source = source.removeprefix("sqlite:///")
        if not source:
            continue
        path = (workbook / source).resolve()
        if path.is_file() and not path.is_relative_to(workbook.resolve()):
            parts.append((rt, str(path), _file_sha(path)))
        elif not path.exists():
            parts.append((rt, str(path), None))
    return sha(parts)


#: files of the qmsdata package that make its output: code, templates, styles and data (the
#: ISO 9001 clause tables of qmsdata/standards are JSON)
_CODE_SUFFIXES = (".py", ".toml", ".css", ".html", ".j2", ".json")


def code_fingerprint() -> str:
    """Return a hash of the qmsdata source, library versions and Python (changes invalidate)."""
    from qmsdata.pack.manifest import package_versions

    root = Path(__file__).resolve().parents[1]
    parts = [
        (p.relative_to(root).as_posix(), _file_sha(p))
        for p in sorted(root.rglob("*"))
        if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts
    ]
    return sha(ENGINE_VERSION, parts, package_versions(), sys.version)


def key_parts(
    notebook_sha: str,
    params: dict[str, Any],
    input_fp: str | None,
    code_fp: str,
    reads: dict[str, Any] | None = None,
    config_sha: str = "",
) -> dict[str, Any]:
    """Return the named parts of a section's cache key (what :func:`why_ran` compares).

    ``notebook_sha``: the SHA-256 of its notebook; ``reads``: what else it reads outside the
    workbook (:func:`outside_reads`), left out when empty; ``config_sha``: ``qms.toml``
    (:func:`config_hash`).
    """
    parts: dict[str, Any] = {
        "notebook": notebook_sha,
        "parameters": params,
        "inputs": input_fp,
        "code": code_fp,
        "config": config_sha,
    }
    if reads:
        parts["reads"] = reads
    return parts


def outside_reads(evidence_links: bool, out: Path, period: str, site: str | None) -> dict[str, Any]:
    """Return what a section reads outside the workbook, from what its own code calls.

    A notebook that calls ``evidence_links`` (``evidence_links``: from its code,
    :func:`qmsdata.pack.reads.notebook_code`) links to the objective evidence documents that
    ``qms trends`` wrote (``<out>/trends/<pack>/objectives/*.html``): their names and hashes
    are part of its key, so a cached section that said "not linked" is rebuilt once they exist
    (and the other way round).
    """
    from qmsdata.pack.request import pack_name
    from qmsdata.pack.trends import TRENDS_FOLDER

    if not evidence_links:
        return {}
    folder = out / TRENDS_FOLDER / pack_name(period, site) / "objectives"
    docs = sorted(folder.glob("*.html")) if folder.is_dir() else []
    return {"trends documents": [(p.name, _file_sha(p)) for p in docs if p.is_file()]}


def config_hash(workbook: Path) -> str:
    """Return the SHA-256 of the workbook's ``qms.toml`` (part of every section's base key)."""
    path = workbook / "qms.toml"
    return _file_sha(path) if path.is_file() else ""


def base_key(section_id: str, parts: dict[str, Any]) -> str:
    """Return a section's base key: what it is keyed on before what it read.

    ``parts`` (:func:`key_parts`; ``inputs`` is left out): its notebook, its parameters (the
    site and product only when its own code reads them,
    :func:`qmsdata.pack.reads.notebook_code`), the qmsdata code, ``qms.toml``, the trends
    documents it links. The read sets recorded under it (:func:`read_sets`) say which content
    keys to look for.
    """
    named = {k: v for k, v in parts.items() if k != "inputs"}
    return sha("section-base", ENGINE_VERSION, section_id, named)


def content_key(base: str, reads: dict[str, Any], items: dict[str, str]) -> str:
    """Return the cache key of a section: its base, its read set and the content of each read."""
    return sha("section-content", ENGINE_VERSION, base, reads, items)


#: read sets kept per base key (the most recent first)
READ_SETS_KEPT = 8


def read_sets(cache: Path, base: str) -> list[dict[str, Any]]:
    """Return the read sets recorded under ``base`` (newest first; empty when none).

    Only a hint where to look: a read set names a content key, and the entry under it is sealed
    with the read set it was stored with (:func:`restore` checks both), so an edited list can
    only make a section run again.
    """
    try:
        found = json.loads((cache / "section-reads" / f"{base}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    from qmsdata.pack.reads import well_formed

    return [r for r in found if well_formed(r)] if isinstance(found, list) else []


def remember_read_set(cache: Path, base: str, reads: dict[str, Any]) -> None:
    """Put ``reads`` first in the read sets of ``base``."""
    from qmsdata.files import atomic_write

    sets = [reads] + [r for r in read_sets(cache, base) if r != reads]
    path = cache / "section-reads" / f"{base}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(sets[:READ_SETS_KEPT], sort_keys=True))


def answers_entry(cache: Path, code_fp: str, assessability: Any) -> Path:
    """Return where the answers to questions asked of ``assessability`` are kept.

    An answer depends only on the assessability (as the sections read it, from its JSON) and
    the qmsdata code (its methods, pandas): keyed on both, a warm build with the same
    assessability does not replay the questions (0.4 CPU s of a warm demo build).
    """
    return cache / "answers" / f"{sha('answers', code_fp, assessability.to_json())}.json"


def read_answers(entry: Path) -> dict[str, str]:
    """Return the answers kept in ``entry`` (empty when none, or when it fails its seal).

    Sealed like a figure (:func:`read_sealed`): a forged answer would key a lookup on an entry
    of other answers, a stale section.
    """
    data = read_sealed(entry)
    try:
        found = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def write_answers(entry: Path, answers: dict[str, str], known: dict[str, str]) -> None:
    """Keep ``answers`` in ``entry`` (sealed), unless it holds them already (``known``)."""
    if answers == known:
        touch(entry)
        return
    entry.parent.mkdir(parents=True, exist_ok=True)
    write_sealed(entry, json.dumps(answers, sort_keys=True).encode())


#: the key parts of each section's last build with this cache (for :func:`why_ran`)
KEY_PARTS_FILE = "section-key-parts.json"


def _digest(value: Any) -> str:
    return sha(value)[:16]


def last_parts(cache: Path) -> dict[str, Any]:
    """Return the key parts recorded by :func:`remember_parts` (empty when none or unreadable)."""
    try:
        seen = json.loads((cache / KEY_PARTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return seen if isinstance(seen, dict) else {}


def why_ran(
    cache: Path,
    section_id: str,
    parts: dict[str, Any],
    pack: str = "",
    seen: dict[str, Any] | None = None,
    content: Any = None,
    view: dict[str, Any] | None = None,
) -> str:
    """Return why a section was not served from the cache, in words, against its last build.

    The last build of the same pack (``pack``: its folder name, e.g. ``2026-10-Leeds``) when
    there was one, else the section's last build in any pack of this cache. ``"first build"``
    when the cache never built it; else the parts of the key that changed (``"parameters
    changed: site"``, ``"input files changed"``, ``"notebook changed"``, ``"trends documents
    changed"``, ``"qmsdata code changed"``), or ``"no cache entry"``. ``seen``: the result
    of :func:`last_parts`, read once for all the sections of a build.

    With ``content`` (:class:`qmsdata.pack.reads.Content`) and ``parts`` without ``inputs``
    (keyed on what the section read): when the base is unchanged, the reads of its last build
    whose content changed (``"complaints changed"``, ``"complaints, validation changed"``),
    prefixed with the view when the site or product differ (``"site Leeds: complaints
    changed"``); ``view``: this build's site and product.
    """
    seen = last_parts(cache) if seen is None else seen  # one read per build: pass it in
    last = seen.get(f"{pack}/{section_id}") or seen.get(section_id)
    if not isinstance(last, dict):
        return "first build"
    words = _base_words(parts, last)
    if words:
        return "; ".join(words)
    read, read_set = last.get("content"), last.get("read_set")
    from qmsdata.pack.reads import well_formed

    if content is None or not isinstance(read, dict) or not well_formed(read_set):
        if "inputs" in parts and _digest(parts.get("inputs")) != last.get("inputs"):
            return "input files changed"  # its last build was keyed on every input file
        return "no cache entry"
    from qmsdata.pack.reads import item_words

    now = content.items(read_set)
    changed = [i for i in sorted(set(read) | set(now)) if now.get(i) != read.get(i)]
    last_view = last["view"] if isinstance(last.get("view"), dict) else {}
    moved = {k: v for k, v in sorted((view or {}).items()) if v != last_view.get(k)}
    if changed == ["everything"] and _digest(parts.get("inputs")) == last.get("inputs"):
        changed = []  # it reads every input and the view: the files are the same
        if moved:
            return "parameters changed: " + ", ".join(moved)
    if not changed:
        return "no cache entry"
    said = ", ".join(item_words(i) for i in changed) + " changed"
    where = ", ".join(f"{k} {v or 'all'}" for k, v in moved.items())
    return f"{where}: {said}" if where else said


def _base_words(parts: dict[str, Any], last: dict[str, Any]) -> list[str]:
    """Return which parts of the base key changed against ``last``, in words."""
    words = []
    params = parts.get("parameters", {})
    old_params = last.get("parameters", {})
    if isinstance(old_params, dict) and isinstance(params, dict):
        changed = sorted(
            k for k in set(params) | set(old_params) if params.get(k) != old_params.get(k)
        )
        if changed:
            words.append("parameters changed: " + ", ".join(changed))
    labels = {
        "notebook": "notebook changed",
        "reads": "trends documents changed",
        "code": "qmsdata code changed",
        "config": "qms.toml changed",
    }
    for name, label in labels.items():
        if name in parts and _digest(parts.get(name)) != last.get(name):
            words.append(label)
    return words


def remember_parts(cache: Path, parts: dict[str, dict[str, Any]], pack: str = "") -> None:
    """Record each section's key parts (parameters as they are, the rest as digests).

    Under the section id (its last build in any pack) and under ``<pack>/<section id>``. A
    part ``content`` (read item -> content hash, :meth:`qmsdata.pack.reads.Content.items`) and
    ``view`` (site, product) are kept as they are, for :func:`why_ran`.
    """
    from qmsdata.files import atomic_write

    path = cache / KEY_PARTS_FILE
    seen = last_parts(cache)
    for sid, p in parts.items():
        seen[sid] = seen[f"{pack}/{sid}"] = {
            "parameters": p.get("parameters", {}),
            **{k: _digest(p.get(k)) for k in ("inputs", "notebook", "reads", "code", "config")},
            **{k: p[k] for k in ("content", "read_set") if isinstance(p.get(k), dict)},
            **({"view": p["view"]} if isinstance(p.get("view"), dict) else {}),
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(seen, sort_keys=True, indent=1, default=str))


def touch(path: Path) -> None:
    """Mark a cache entry as used (its mtime orders :func:`prune_cache`)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _copytree_atomic(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` through a temp folder; keep an existing ``dst`` (same content)."""
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    try:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        os.rename(tmp, dst)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def collect(work: Path) -> tuple[list[str], list[str]]:
    """Return the extracts (``data/``) and pack-level files (``pack/``) a section wrote."""
    found: dict[str, list[str]] = {"data": [], "pack": []}
    for sub in found:
        if (work / sub).is_dir():
            found[sub] = sorted(p.name for p in (work / sub).glob("*.csv"))
    return found["data"], found["pack"]


def entry_mac(folder: Path, name: str, key: bytes | None = None) -> str:
    """Return the HMAC-SHA256 (hex) of a cache entry: its name and every file under ``folder``.

    The name binds an entry to its cache key (a valid entry moved under another key fails);
    relative path, size and SHA-256 of each file (the seal itself excepted) cover its content
    and its file set.
    """
    from qmsdata.keys import cache_secret

    files: list[tuple[Any, ...]] = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if rel == SEAL_FILE:
            continue
        if p.is_symlink() or not (p.is_file() or p.is_dir()):
            files.append((rel, "not a regular file"))
        elif p.is_file():
            files.append((rel, p.stat().st_size, _file_sha(p)))
    msg = json.dumps(["qmsdata-cache", ENGINE_VERSION, name, files]).encode()
    return hmac.new(key or cache_secret(), msg, hashlib.sha256).hexdigest()


def seal(folder: Path, name: str) -> None:
    """Write the seal of the entry staged in ``folder`` that will be stored as ``name``."""
    from qmsdata.files import atomic_write

    atomic_write(folder / SEAL_FILE, entry_mac(folder, name) + "\n")


def check_seal(folder: Path, name: str) -> None:
    """Raise :class:`CacheMismatch` unless ``folder`` holds the seal of its files under ``name``."""
    try:
        found = (folder / SEAL_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CacheMismatch(f"cache entry {name[:12]} has no seal") from exc
    if not hmac.compare_digest(found, entry_mac(folder, name)):
        raise CacheMismatch(f"cache entry {name[:12]} does not match its seal")


_SEALED_MAGIC = b"qmsdata-sealed-v1 "


def _file_mac(name: str, data: bytes) -> str:
    from qmsdata.keys import cache_secret

    msg = json.dumps(["qmsdata-cache-file", ENGINE_VERSION, name, hashlib.sha256(data).hexdigest()])
    return hmac.new(cache_secret(), msg.encode(), hashlib.sha256).hexdigest()


def write_sealed(path: Path, data: bytes) -> None:
    """Write a one-file cache entry (a drawn figure, a printed PDF) with its seal in front."""
    from qmsdata.files import atomic_write

    seal_line = _SEALED_MAGIC + _file_mac(path.name, data).encode() + b"\n"
    atomic_write(path, seal_line + data)


def read_sealed(path: Path) -> bytes | None:
    """Return the content of a one-file cache entry, or None when missing or failing its seal.

    An entry that fails (edited, or written by an older version without a seal) is removed, so
    the caller draws or prints afresh and stores a sealed copy.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, sep, data = raw.partition(b"\n")
    found = head.removeprefix(_SEALED_MAGIC).decode("ascii", "replace")
    if (
        sep
        and head.startswith(_SEALED_MAGIC)
        and hmac.compare_digest(found, _file_mac(path.name, data))
    ):
        return data
    path.unlink(missing_ok=True)
    return None


def store(
    entry: Path, build: Path, section_id: str, notebook: str, reads: dict[str, Any] | None = None
) -> None:
    """Copy a successful section (executed notebook, extracts, fragment) into the cache, sealed.

    ``reads``: what the section read (:mod:`qmsdata.pack.reads`), sealed in as ``reads.json``.
    """
    src = Path(tempfile.mkdtemp(prefix=".stage-", dir=build))
    if reads is not None:
        (src / READS_FILE).write_text(json.dumps(reads, sort_keys=True), encoding="utf-8")
    shutil.copy2(build / notebook, src / "section.ipynb")
    work = build / "work" / section_id
    shutil.copy2(work / "fragment.json", src / "fragment.json")
    for sub in ("data", "pack"):
        if (work / sub).is_dir():
            shutil.copytree(work / sub, src / sub)
    seal(src, entry.name)
    _copytree_atomic(src, entry)
    shutil.rmtree(src, ignore_errors=True)


def restore(
    entry: Path, build: Path, section_id: str, notebook: str, reads: dict[str, Any] | None = None
) -> str:
    """Copy a cached section into the build; return its fragment's JSON.

    The entry is copied into the build first and its seal checked on the copy, so the files
    used are the files checked (no window to swap them in between). With ``reads``, the read
    set the entry was looked up by: the entry's sealed ``reads.json`` must be exactly it.

    Raises
    ------
    CacheMismatch
        The entry has no seal or does not match it; nothing of it is left in the build.
    """
    staged = build / f".restore-{section_id}"
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(entry, staged, symlinks=True)
    try:
        check_seal(staged, entry.name)
        if reads is not None and _sealed_reads(staged) != json.loads(json.dumps(reads)):
            raise CacheMismatch(f"cache entry {entry.name[:12]} records other reads")
        work = build / "work" / section_id
        work.mkdir(parents=True, exist_ok=True)
        os.replace(staged / "section.ipynb", build / notebook)
        for sub in ("data", "pack"):
            if (staged / sub).is_dir():
                shutil.rmtree(work / sub, ignore_errors=True)
                os.replace(staged / sub, work / sub)
        fragment = (staged / "fragment.json").read_text(encoding="utf-8")
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    touch(entry)
    return fragment


def _sealed_reads(folder: Path) -> Any:
    try:
        return json.loads((folder / READS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discard(entry: Path) -> None:
    """Remove a cache entry that failed its check (the rebuilt section is stored afresh)."""
    shutil.rmtree(entry, ignore_errors=True)


def prune_cache(cache: Path, limits: dict[str, int] | None = None) -> int:
    """Remove the least recently used cache entries beyond ``limits``; return how many."""
    removed = 0
    for kind, keep in (limits or CACHE_LIMITS).items():
        folder = cache / kind
        if not folder.is_dir():
            continue
        removed += _remove_stale_temp(folder)
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
            removed += 1
    return removed


#: a temp entry (``.name.*``: a copy or write in progress) older than this was left by a
#: process killed outright
STALE_TEMP_SECONDS = 3600


def _remove_stale_temp(folder: Path) -> int:
    """Remove half-written entries (hidden temp names) that a killed build left; return how many."""
    import time

    removed = 0
    cutoff = time.time() - STALE_TEMP_SECONDS
    for p in folder.iterdir():
        with contextlib.suppress(OSError):
            if p.name.startswith(".") and p.lstat().st_mtime < cutoff:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
                removed += 1
    return removed


TIMINGS_FILE = "section-seconds.json"


def longest_first(tasks: list[tuple[Any, Path]], cache: Path) -> list[tuple[Any, Path]]:
    """Order ``(run, notebook)`` tasks longest first, so the last to start are short ones.

    Seconds come from the previous builds with this cache (:func:`record_seconds`); a section
    not timed yet counts by its notebook's size, ahead of every timed one. With the long
    sections first, no worker sits idle at the end waiting for one that started late.
    """
    try:
        seconds = json.loads((cache / TIMINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seconds = {}

    def cost(task: tuple[Any, Path]) -> tuple[int, float]:
        run, notebook = task
        known = seconds.get(run.section.id)
        if isinstance(known, (int, float)):
            return (0, float(known))
        return (1, float(notebook.stat().st_size) if notebook.is_file() else 0.0)

    return sorted(tasks, key=cost, reverse=True)


def record_seconds(runs: list[Any], cache: Path) -> None:
    """Remember how long each section that ran (not from the cache) took, for the next order."""
    path = cache / TIMINGS_FILE
    try:
        seconds = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seconds = {}
    if not isinstance(seconds, dict):
        seconds = {}
    for run in runs:
        if not run.cached and run.status == "ok":
            seconds[run.section.id] = round(run.seconds, 2)
    from qmsdata.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(seconds, sort_keys=True, indent=1))
