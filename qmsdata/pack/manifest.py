"""The pack's manifest: what went in, with which parameters, and a hash of everything that came out.

ISO 9001 7.5.3 asks that retained documented information be protected from unintended change;
``manifest.json`` makes a pack verifiable (``qms verify``): every output file with its SHA-256,
every input with path, SHA-256 and row counts, parameters, package versions, the qmsdata version
and git commit.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from qmsdata.files import atomic_write

MANIFEST = "manifest.json"
FORMAT = "qmsdata-pack/1"
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "great_expectations",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "plotly",
    "kaleido",
)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    """Return the installed versions of the packages that shape a pack's numbers and looks."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(start: str | Path | None = None) -> str | None:
    """Return the git commit of the qmsdata source checkout, or None when not in a checkout."""
    here = Path(start or Path(__file__).resolve().parent)
    if not any((p / ".git").exists() for p in (here, *here.parents)):
        return None
    try:
        proc = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH is the point
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def output_files(pack_dir: str | Path) -> list[str]:
    """Return every file of a pack (POSIX relative paths, sorted) but manifest and signature."""
    from qmsdata.pack.signing import SIGNATURE

    root = Path(pack_dir)
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in (MANIFEST, SIGNATURE)
    )


def write_manifest(pack_dir: str | Path, info: dict[str, Any]) -> Path:
    """Hash every output in ``pack_dir`` and write ``manifest.json`` (atomically) with ``info``."""
    root = Path(pack_dir)
    outputs = [
        {"path": rel, "sha256": sha256_file(root / rel), "bytes": (root / rel).stat().st_size}
        for rel in output_files(root)
    ]
    doc = {"format": FORMAT, **info, "outputs": outputs}
    target = root / MANIFEST
    atomic_write(target, json.dumps(doc, indent=2, default=str) + "\n")
    return target


def pack_facts(
    request: Any,
    organisation: str,
    *,
    standard: str | None = None,
    scope: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """Return the pack header's facts (label, value) for a :class:`PackRequest`.

    ``standard`` is the clause profile as the pack shows it
    (:func:`qmsdata.pack.sections.standard_label`: a draft edition says it is provisional);
    ``scope`` the manifest's (:func:`qmsdata.pack.scope.pack_scope`): a site's or product's
    pack says, after its site and product, which records it left out because the records do
    not name their site or product.
    """
    from qmsdata import __version__
    from qmsdata.pack.scope import scope_fact

    facts = [
        ("Organisation", organisation or request.workbook.name),
        ("Period", request.period),
        ("Site", request.site or "all sites"),
    ]
    if request.product:
        facts.append(("Product", request.product))
    left_out = scope_fact(
        (scope or {}).get("left_out") or [], site=request.site, product=request.product
    )
    if left_out:
        facts.append(left_out)
    facts += [
        ("Reporting date", request.as_of),
        ("Data extracted", request.data_as_of),
        ("Workbook", request.workbook.name),
    ]
    if standard:
        facts.append(("Standard", standard))
    return [*facts, ("Built by", f"qmsdata {__version__}")]


def manifest_info(
    request: Any,
    runs: list[Any],
    facts: dict[str, Any],
    input_fp: str | None,
    code_fp: str,
    not_covered: list[str],
    skipped: dict[str, str],
    *,
    standard: Any = None,
    scope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the manifest's content (without ``outputs``) for a finished build.

    ``request`` is the :class:`~qmsdata.pack.request.PackRequest`, ``runs`` its
    :class:`~qmsdata.pack.execute.SectionRun` list, ``facts`` the snapshot's ``meta.json``,
    ``standard`` the clause profile the pack followed (recorded as ``standard``: its name and
    whether it is provisional), ``scope`` the view and the records it left out
    (:func:`qmsdata.pack.scope.pack_scope`; every ID).
    """
    import sys

    from qmsdata import __version__

    wb = request.workbook
    return {
        "qmsdata_version": __version__,
        "git_commit": git_commit(),
        "period": request.period,
        "site": request.site,
        "as_of": request.as_of,
        "data_as_of": request.data_as_of,
        "parameters": {
            **request.parameters(),
            "formats": list(request.formats),
            "redact": request.redact,
        },
        "workbook": {
            "path": str(wb),
            "qms_toml_sha256": sha256_file(wb / "qms.toml"),
            "fingerprint": input_fp,
        },
        "inputs": facts.get("inputs", []),
        "validation": facts.get("validation", {}),
        # "snapshot" (the whole validated snapshot reused) or the record types whose
        # validation the validation cache supplied
        "validation_reused": facts.get("validation_reused", []),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "sections": [
            {
                "id": r.section.id,
                "clause": r.section.clause,
                "title": r.section.title,
                "status": r.status,
                "cached": r.cached,
                "cache_key": r.key or None,
                "notebook": r.notebook,
                "error": r.error,
                "extracts": [f"data/{r.section.id}--{x}" for x in r.extracts],
                "pack_files": r.pack_files,
            }
            for r in runs
        ],
        "not_covered": not_covered,
        "standard": (
            {"name": standard.name, "provisional": standard.provisional}
            if standard is not None
            else None
        ),
        "code_fingerprint": code_fp,
        "skipped": skipped,
        "scope": scope,
    }


def read_manifest(pack_dir: str | Path) -> dict[str, Any]:
    """Read a pack's manifest.

    Raises
    ------
    PackError
        When the folder has no readable manifest.
    """
    from qmsdata.errors import PackError

    path = Path(pack_dir) / MANIFEST
    if not path.is_file():
        raise PackError(
            "no manifest.json in this folder, so it is not a pack that can be verified",
            file=path,
            hint="Point at a pack folder such as reports/2026-10.",
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"manifest.json cannot be read: {exc}", file=path) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or "outputs" not in doc:
        raise PackError(
            f"manifest.json is not a {FORMAT} manifest", file=path, hint="Rebuild the pack."
        )
    return doc
