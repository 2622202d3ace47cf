"""Verify a pack: its files against ``manifest.json``, and the manifest against its signature.

What is checked, with or without a key:

- every file the manifest lists is present and has the recorded SHA-256; no file was added;
- every path the manifest names stays inside the pack: absolute paths, ``..``, backslashes and
  symbolic links (a pack never contains one) are refused, and nothing outside is opened;
- the expected file set is not empty: ``pack.html`` (``pack.pdf`` too when the manifest records
  that PDF was requested and not skipped), each section's executed notebook and extracts must be
  listed and present — deleting a file *and* its entry is detected;
- a malformed manifest (bad JSON, wrong types, missing keys) is one clear error, exit 2.

Without a signature all of this is checked against a manifest that anyone who can write the
folder can rewrite. With a trusted public key (``--public-key``, ``$QMS_PUBLIC_KEY``, or the
user's own ``signing-key.pub``), ``manifest.sig`` must be a valid Ed25519 signature over the
manifest's exact bytes (:mod:`qmsdata.pack.signing`); an unsigned pack then fails.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from qmsdata.pack.manifest import FORMAT, MANIFEST, sha256_file
from qmsdata.pack.signing import SIGNATURE, SignatureCheck, check_signature

#: a manifest larger than this is refused before it is parsed
MAX_MANIFEST_BYTES = 64 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Verification:
    """The result of :func:`verify_pack`.

    Attributes
    ----------
    path
        The pack folder.
    checked
        Number of files listed in the manifest.
    altered, missing, extra
        Relative paths whose hash differs, that are gone (or expected but not listed), and that
        the manifest does not list.
    unsafe
        Paths that would lead outside the pack, or symbolic links: never opened.
    signature
        The signature check (:class:`~qmsdata.pack.signing.SignatureCheck`).
    """

    path: Path
    checked: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    signature: SignatureCheck | None = None
    about: str = ""  # what the manifest says the pack is (period, site, redacted)

    @property
    def files_ok(self) -> bool:
        """True when the files match the manifest (whatever the signature says)."""
        return not (self.altered or self.missing or self.extra or self.unsafe)

    @property
    def ok(self) -> bool:
        """True when the files match the manifest and the signature is acceptable."""
        return self.files_ok and (self.signature is None or self.signature.ok)

    def __str__(self) -> str:
        if self.files_ok:
            lines = [f"{self.path}: files intact ({self.checked} files match manifest.json)"]
        else:
            lines = [f"{self.path}: NOT intact"]
            for label, items in (
                ("altered", self.altered),
                ("missing", self.missing),
                ("extra", self.extra),
                ("unsafe", self.unsafe),
            ):
                lines += [f"  {label}: {p}" for p in items]
        if self.about:
            lines.append(f"  manifest: {self.about}")
        sig = self.signature
        if sig is not None:
            text = sig.describe()
            if sig.status == "valid" and not self.files_ok:
                text = (
                    f"signed by {sig.fingerprint}: the manifest is authentic, "
                    "the files above differ from it"
                )
            lines.append(text)
        return "\n".join(lines)


def _malformed(root: Path, why: str) -> Exception:
    from qmsdata.errors import PackError

    return PackError(
        f"manifest.json is malformed: {why}",
        file=root / MANIFEST,
        hint="The pack cannot be verified; rebuild it or restore it from a copy.",
    )


def _load(root: Path) -> tuple[bytes, dict[str, Any]]:
    """Read the manifest's bytes once and check its shape; raise PackError when malformed."""
    from qmsdata.errors import PackError

    path = root / MANIFEST
    if path.is_symlink() or not path.is_file():
        raise PackError(
            "no manifest.json in this folder, so it is not a pack that can be verified"
            if not path.is_symlink()
            else "manifest.json is a symbolic link, so it is not a pack that can be verified",
            file=path,
            hint="Point at a pack folder such as reports/2026-10.",
        )
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise _malformed(root, f"larger than {MAX_MANIFEST_BYTES >> 20} MB")
        data = path.read_bytes()
        doc = json.loads(data.decode("utf-8"))
    except PackError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PackError(f"manifest.json cannot be read: {exc}", file=path) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PackError(
            f"manifest.json is not a {FORMAT} manifest", file=path, hint="Rebuild the pack."
        )
    outputs = doc.get("outputs")
    if not isinstance(outputs, list):
        raise _malformed(root, '"outputs" is missing or not a list')
    seen: set[str] = set()
    for i, item in enumerate(outputs):
        if not isinstance(item, dict):
            raise _malformed(root, f"outputs[{i}] is not an object")
        rel, digest = item.get("path"), item.get("sha256")
        if not isinstance(rel, str) or not rel:
            raise _malformed(root, f'outputs[{i}] has no "path" text')
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            raise _malformed(root, f'outputs[{i}] ({rel!r}) has no 64-hex "sha256"')
        size = item.get("bytes")
        if size is not None and (type(size) is not int or size < 0):
            raise _malformed(root, f'outputs[{i}] ({rel!r}) has a "bytes" that is not a count')
        if rel in seen:
            raise _malformed(root, f"{rel!r} is listed twice")
        seen.add(rel)
    params = doc.get("parameters", {})
    if not isinstance(params, dict):
        raise _malformed(root, '"parameters" is not an object')
    formats = params.get("formats")
    if formats is not None and not (
        isinstance(formats, list) and all(isinstance(f, str) for f in formats)
    ):
        raise _malformed(root, '"parameters.formats" is not a list of names')
    skipped = doc.get("skipped", {})
    if not isinstance(skipped, dict):
        raise _malformed(root, '"skipped" is not an object')
    sections = doc.get("sections", [])
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        raise _malformed(root, '"sections" is not a list of objects')
    for s in sections:
        for key in ("extracts", "pack_files"):
            v = s.get(key, [])
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise _malformed(root, f'a section\'s "{key}" is not a list of paths')
        if s.get("notebook") is not None and not isinstance(s.get("notebook"), str):
            raise _malformed(root, 'a section\'s "notebook" is not a path')
    return data, doc


def unsafe_reason(root: Path, rel: str) -> str | None:
    """Return why ``rel`` may not be opened inside the pack ``root``, or None when it is safe.

    Safe means: a relative POSIX path without ``..``, ``.``, empty parts, backslashes or control
    characters, none of whose parts is a symbolic link, resolving inside ``root``.
    """
    if any(ord(c) < 32 for c in rel) or "\\" in rel:
        return "control character or backslash in the path"
    pure = PurePosixPath(rel)
    if pure.is_absolute() or rel.startswith("/") or re.match(r"[A-Za-z]:", rel):
        return "absolute path"
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "path leaves the pack or is not normalised"
    here = root
    for part in parts:
        here = here / part
        try:
            if stat.S_ISLNK(here.lstat().st_mode):
                return "symbolic link"
        except FileNotFoundError:
            break  # missing: reported as missing
        except OSError as exc:
            return f"cannot be inspected ({exc.strerror})"
    try:
        if not (root / rel).resolve().is_relative_to(root.resolve()):
            return "resolves outside the pack"
    except (OSError, RuntimeError):
        return "cannot be resolved"
    return None


def _walk(root: Path) -> tuple[list[str], list[str]]:
    """Return (files, symlinks) under ``root`` as POSIX relative paths, never following links."""
    files: list[str] = []
    links: list[str] = []
    for top, dirs, names in os.walk(root, followlinks=False):
        base = Path(top)
        for d in list(dirs):
            if (base / d).is_symlink():
                links.append((base / d).relative_to(root).as_posix())
                dirs.remove(d)
        for n in names:
            p = base / n
            rel = p.relative_to(root).as_posix()
            (links if p.is_symlink() else files).append(rel)
    return sorted(files), sorted(links)


def expected_files(doc: dict[str, Any]) -> list[str]:
    """Return the files a manifest's own record says the pack must have.

    ``pack.html`` (or, when the manifest records the requested formats, ``pack.html`` for html and
    ``pack.pdf`` for pdf unless it records the PDF as skipped), each rendered section's executed
    notebook, and every section's extracts and pack-level files.
    """
    formats = doc.get("parameters", {}).get("formats")
    skipped = doc.get("skipped", {})
    want: list[str] = []
    if formats is None or "html" in formats:
        want.append("pack.html")
    if formats is not None and "pdf" in formats and "pdf" not in skipped:
        want.append("pack.pdf")
    if not want:
        want.append("pack.html")
    for s in doc.get("sections", []):
        if s.get("notebook") and s.get("status", "ok") == "ok":  # a failed run may have none
            want.append(s["notebook"])
        want += list(s.get("extracts", [])) + list(s.get("pack_files", []))
    return list(dict.fromkeys(want))


def _about(doc: dict[str, Any]) -> str:
    """Say which pack the manifest describes, so a pack copied under another name shows."""
    bits = []
    for key, label in (("period", "period"), ("site", "site"), ("as_of", "as of")):
        v = doc.get(key)
        if isinstance(v, (str, int)) and v != "":
            bits.append(f"{label} {v}")
    if doc.get("parameters", {}).get("redact") is True:
        bits.append("redacted")
    return ", ".join(bits)


def verify_pack(path: str | Path, *, public_key: str | Path | None = None) -> Verification:
    """Re-hash every file of a pack, compare with ``manifest.json`` and check its signature.

    Parameters
    ----------
    path
        The pack folder, e.g. ``reports/2026-10``.
    public_key
        The trusted public key file; default ``$QMS_PUBLIC_KEY``, else the configuration
        folder's ``signing-key.pub``; with none, the signature is not checked (and the result
        says so).

    Returns
    -------
    Verification
        ``.ok`` is True when the pack is intact (and, with a key, signed by it); otherwise the
        altered, missing, extra and unsafe files and the signature's verdict.

    Raises
    ------
    PackError
        When the folder has no manifest, or the manifest is malformed.
    KeyFileError
        When the public key given or configured cannot be read.
    """
    root = Path(path)
    data, doc = _load(root)
    result = Verification(root, checked=len(doc["outputs"]), about=_about(doc))
    result.signature = check_signature(root, public_key, manifest_bytes=data)
    listed: set[str] = set()
    for item in doc["outputs"]:
        rel = item["path"]
        listed.add(rel)
        why = unsafe_reason(root, rel)
        if why is not None:
            result.unsafe.append(f"{rel} ({why})")
            continue
        target = root / rel
        if not target.is_file():
            result.missing.append(rel)
        elif sha256_file(target) != item["sha256"]:
            result.altered.append(rel)
    for rel in expected_files(doc):
        if rel in listed:
            continue
        why = unsafe_reason(root, rel)
        if why is not None:
            result.unsafe.append(f"{rel} ({why})")
        else:
            result.missing.append(f"{rel} (expected by the manifest but not listed)")
    files, links = _walk(root)
    own = {MANIFEST, SIGNATURE}
    result.extra = [p for p in files if p not in listed and p not in own]
    result.unsafe += [f"{p} (symbolic link)" for p in links if p not in listed]
    return result
