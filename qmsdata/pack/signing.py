"""Detached Ed25519 signature of a pack's ``manifest.json`` (``manifest.sig``).

A manifest alone proves nothing against a forger: whoever can rewrite ``pack.html`` can rewrite
its hash in ``manifest.json`` too. The signature, made with a private key kept outside the pack
(:mod:`qmsdata.keys`), binds the manifest's exact bytes — and through their SHA-256 every file of
the pack — to the holder of that key. ``qms verify`` checks it against a public key the verifier
trusts (given, ``$QMS_PUBLIC_KEY``, or their own configuration folder), never against a key the
pack itself names.

``manifest.sig`` is JSON::

    {"format": "qmsdata-sig/1", "algorithm": "Ed25519", "signed_file": "manifest.json",
     "manifest_sha256": "<hex>", "public_key_fingerprint": "SHA256:<base64>",
     "signature": "<base64 of the 64-byte signature over the manifest bytes>"}

The signature is over the manifest file's bytes exactly as written, so it can also be checked
with any Ed25519 tool (e.g. ``openssl pkeyutl -verify -rawin``).

The build calls :func:`sign_manifest` right after ``manifest.json`` is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdata.files import atomic_write
from qmsdata.pack.manifest import MANIFEST

SIGNATURE = "manifest.sig"
SIG_FORMAT = "qmsdata-sig/1"
MAX_SIGNATURE_BYTES = 64 << 10


def sign_manifest(
    pack_dir: str | Path, *, key: Any = None, key_folder: str | Path | None = None
) -> Path | None:
    """Sign ``<pack_dir>/manifest.json``; write ``manifest.sig``; return its path.

    Parameters
    ----------
    pack_dir
        A pack folder whose ``manifest.json`` is final (call this right after writing it).
    key
        An ``Ed25519PrivateKey``; default the user's (``qms keys init``).
    key_folder
        Where to look for the user's key (default :func:`qmsdata.keys.config_dir`).

    Returns
    -------
    Path or None
        ``manifest.sig``, or None when no signing key exists (the pack stays unsigned and
        ``qms verify`` says so).

    Raises
    ------
    KeyFileError
        When the key exists but is unreadable or readable by other users.
    PackError
        When the folder has no manifest, or the key lies inside the pack.
    """
    from qmsdata.errors import PackError
    from qmsdata.keys import PRIVATE_KEY, config_dir, fingerprint, load_private_key

    root = Path(pack_dir)
    if key is None:
        folder = Path(key_folder) if key_folder else config_dir()
        if (folder / PRIVATE_KEY).resolve().is_relative_to(root.resolve()):
            raise PackError(
                "the signing key lies inside the pack folder; it would be published with it",
                file=folder / PRIVATE_KEY,
                hint="Keep keys in the configuration folder (qms keys init).",
            )
        key = load_private_key(folder)
        if key is None:
            return None
    manifest = root / MANIFEST
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise PackError(f"cannot sign: {exc}", file=manifest) from exc
    doc = {
        "format": SIG_FORMAT,
        "algorithm": "Ed25519",
        "signed_file": MANIFEST,
        "manifest_sha256": hashlib.sha256(data).hexdigest(),
        "public_key_fingerprint": fingerprint(key.public_key()),
        "signature": base64.b64encode(key.sign(data)).decode("ascii"),
    }
    return atomic_write(root / SIGNATURE, json.dumps(doc, indent=2) + "\n")


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of :func:`check_signature`.

    ``status`` is one of ``"valid"`` (signed by the trusted key, manifest unchanged),
    ``"unsigned"`` (no manifest.sig), ``"unchecked"`` (signed, but no trusted key to check
    against), ``"mismatch"`` (not made by the trusted key over these manifest bytes) or
    ``"malformed"`` (manifest.sig unreadable).
    """

    status: str
    fingerprint: str | None = None  # the trusted key's, else the one manifest.sig names
    claimed: str | None = None  # the fingerprint manifest.sig names
    key_source: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the pack may be called intact as far as the signature goes.

        An unsigned or unchecked pack is acceptable only when the verifier has no key at all;
        with a key, anything but a valid signature fails.
        """
        if self.status == "valid":
            return True
        return self.status in ("unsigned", "unchecked") and not self.key_source

    def describe(self) -> str:
        """One plain sentence for ``qms verify``."""
        if self.status == "valid":
            return f"signed by {self.fingerprint}, intact"
        if self.status == "unsigned":
            text = "UNSIGNED: integrity only against the manifest, which anyone can rewrite"
            if self.key_source:
                text += f" (a public key is configured: {self.key_source}, so this fails)"
            return text
        if self.status == "unchecked":
            return (
                f"NOT CHECKED: manifest.sig names key {self.claimed}, but no trusted public key "
                "was given (--public-key, $QMS_PUBLIC_KEY or qms keys init), so integrity is "
                "only against the manifest, which anyone can rewrite"
            )
        if self.status == "mismatch":
            return f"signature does not match: {self.detail}"
        return f"signature does not match: manifest.sig is malformed ({self.detail})"


def _fail(status: str, detail: str, **kw: Any) -> SignatureCheck:
    return SignatureCheck(status, detail=detail, **kw)


def check_signature(
    pack_dir: str | Path,
    public_key: str | Path | None = None,
    *,
    manifest_bytes: bytes | None = None,
) -> SignatureCheck:
    """Check ``manifest.sig`` against the trusted public key.

    Parameters
    ----------
    pack_dir
        The pack folder.
    public_key
        A public key file; default ``$QMS_PUBLIC_KEY``, else the configuration folder's own
        ``signing-key.pub`` (:func:`qmsdata.keys.trusted_public_key_path`).
    manifest_bytes
        The manifest's bytes as already read by the caller (so the bytes checked are the bytes
        parsed); read from the folder when None.
    """
    from cryptography.exceptions import InvalidSignature

    from qmsdata.keys import fingerprint, load_public_key, trusted_public_key_path

    root = Path(pack_dir)
    key_path, source = trusted_public_key_path(public_key)
    trusted = load_public_key(key_path) if key_path is not None else None
    trusted_fp = fingerprint(trusted) if trusted is not None else None
    source = f"{key_path} ({source})" if key_path is not None else ""
    sig_path = root / SIGNATURE
    if sig_path.is_symlink() or (sig_path.exists() and not sig_path.is_file()):
        return _fail("malformed", "not a regular file", fingerprint=trusted_fp, key_source=source)
    if not sig_path.exists():
        return SignatureCheck("unsigned", fingerprint=trusted_fp, key_source=source)
    try:
        if sig_path.stat().st_size > MAX_SIGNATURE_BYTES:
            raise ValueError("larger than any signature file")
        doc = json.loads(sig_path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != SIG_FORMAT:
            raise ValueError(f"not a {SIG_FORMAT} file")
        if doc.get("algorithm") != "Ed25519" or doc.get("signed_file") != MANIFEST:
            raise ValueError("unknown algorithm or signed file")
        claimed = doc.get("public_key_fingerprint")
        if not isinstance(claimed, str) or not isinstance(doc.get("signature"), str):
            raise ValueError("fingerprint or signature missing")
        signature = base64.b64decode(doc["signature"], validate=True)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return _fail("malformed", str(exc), fingerprint=trusted_fp, key_source=source)
    if trusted is None:
        return SignatureCheck("unchecked", fingerprint=claimed, claimed=claimed)
    data = manifest_bytes if manifest_bytes is not None else (root / MANIFEST).read_bytes()
    try:
        trusted.verify(signature, data)
    except InvalidSignature:
        why = (
            f"manifest.sig was made by key {claimed}, not the trusted key {trusted_fp}"
            if claimed != trusted_fp
            else f"manifest.json was changed after it was signed by {trusted_fp}"
        )
        return _fail("mismatch", why, fingerprint=trusted_fp, claimed=claimed, key_source=source)
    return SignatureCheck("valid", fingerprint=trusted_fp, claimed=claimed, key_source=source)
