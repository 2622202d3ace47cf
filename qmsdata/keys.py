"""The user's keys: the pack-signing key pair and the redaction secret (``qms keys init``).

Keys live in the user's configuration folder — ``$XDG_CONFIG_HOME/qmsdata/`` or
``~/.config/qmsdata/`` — never in a workbook or a pack, so whoever can write a reports folder
cannot also forge the signature of a pack or reverse its pseudonyms. The folder is created 0700
and the private files 0600; a private file that others can read is refused (as ssh does).

Files
-----
``signing-key.pem``
    Ed25519 private key (PKCS#8 PEM, unencrypted, 0600). Signs ``manifest.json``.
``signing-key.pub``
    The matching public key (SubjectPublicKeyInfo PEM, 0644). Hand it to whoever verifies packs
    (``qms verify --public-key FILE`` or ``QMS_PUBLIC_KEY=FILE``).
``redact.key``
    32 random bytes (hex, 0600): the HMAC key of ``qms pack --redact``'s pseudonyms. To give
    several users of one organisation the same pseudonyms, copy this file between their
    configuration folders (it is a secret: whoever has it can test guesses of names).
``cache.key``
    32 random bytes (hex, 0600), created on first use: the HMAC-SHA256 key that authenticates
    the section cache under ``<reports>/.cache`` (:mod:`qmsdata.pack.cache`). Whoever can write
    the reports folder cannot forge a cache entry without it; replacing it only means the next
    build re-runs every section.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdata.errors import QmsError

PRIVATE_KEY = "signing-key.pem"
PUBLIC_KEY = "signing-key.pub"
REDACT_KEY = "redact.key"
CACHE_KEY = "cache.key"
#: environment variable naming the public key ``qms verify`` checks against
PUBLIC_KEY_ENV = "QMS_PUBLIC_KEY"


class KeyFileError(QmsError):
    """A key file is missing, unreadable, unsafe or would be overwritten."""


def config_dir() -> Path:
    """Return the configuration folder: ``$XDG_CONFIG_HOME/qmsdata``, else ``~/.config/qmsdata``."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "qmsdata"


def _ensure_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _write_new(path: Path, data: bytes, mode: int, *, force: bool) -> None:
    """Write ``data`` to ``path`` with ``mode``; atomic; never clobber unless ``force``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic and fails when path exists
            except FileExistsError:
                raise KeyFileError(
                    "a key already exists and was left unchanged",
                    file=path,
                    hint="Use --force to replace it (packs signed with the old key then no "
                    "longer verify against the new public key).",
                ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _read_private(path: Path) -> bytes:
    """Read a private file, refusing one that group or others can read or that is a symlink."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise KeyFileError(f"cannot read the key: {exc}", file=path) from exc
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
        raise KeyFileError("the key is not a regular file", file=path)
    if os.name == "posix" and st.st_mode & 0o077:
        raise KeyFileError(
            "the key file can be read by other users, so it is not used",
            file=path,
            hint=f"Run: chmod 600 {path}",
        )
    return path.read_bytes()


def fingerprint(public_key: Any) -> str:
    """Return ``SHA256:<base64>`` of an Ed25519 public key's raw 32 bytes (as OpenSSH shows)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


@dataclass(frozen=True)
class KeyInit:
    """What :func:`init_keys` wrote."""

    private_key: Path
    public_key: Path
    redact_key: Path
    fingerprint: str
    redact_created: bool

    def __str__(self) -> str:
        lines = [
            f"signing key written to {self.private_key} (private, 0600: keep it there)",
            f"public key: {self.public_key}",
            f"fingerprint: {self.fingerprint}",
            f"redaction secret: {self.redact_key}"
            + (" (created)" if self.redact_created else " (kept)"),
            "Packs built from now on are signed; give the public key to whoever runs qms verify.",
        ]
        return "\n".join(lines)


def init_keys(folder: str | Path | None = None, *, force: bool = False) -> KeyInit:
    """Create the signing key pair (and the redaction secret when missing) in ``folder``.

    Refuses to replace an existing signing key unless ``force``. The redaction secret is kept
    when it exists (replacing it would change every pseudonym), even with ``force``.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    root = _ensure_dir(Path(folder) if folder else config_dir())
    priv_path, pub_path = root / PRIVATE_KEY, root / PUBLIC_KEY
    if not force and (priv_path.exists() or pub_path.exists()):
        raise KeyFileError(
            "a signing key already exists and was left unchanged",
            file=priv_path if priv_path.exists() else pub_path,
            hint="Use --force to replace it (packs signed with the old key then no longer "
            "verify against the new public key).",
        )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    pub = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    _write_new(priv_path, pem, 0o600, force=force)
    _write_new(pub_path, pub, 0o644, force=True)
    redact_path = root / REDACT_KEY
    created = not redact_path.exists()
    if created:
        redaction_secret(root, create=True)
    return KeyInit(priv_path, pub_path, redact_path, fingerprint(key.public_key()), created)


def load_private_key(folder: str | Path | None = None) -> Any | None:
    """Return the user's Ed25519 signing key, or None when ``qms keys init`` was never run."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    path = (Path(folder) if folder else config_dir()) / PRIVATE_KEY
    try:
        data = _read_private(path)
    except FileNotFoundError:
        return None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"the signing key cannot be read: {exc}", file=path) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError("the signing key is not an Ed25519 key", file=path)
    return key


def load_public_key(path: str | Path) -> Any:
    """Read an Ed25519 public key (PEM SubjectPublicKeyInfo, or 32 raw bytes as base64/hex)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the public key: {exc}", file=p) from exc
    try:
        if b"-----BEGIN" in data:
            key = load_pem_public_key(data)
        else:
            text = data.decode("ascii").strip()
            raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
            key = Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"the public key cannot be read: {exc}", file=p) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError("the public key is not an Ed25519 key", file=p)
    return key


def trusted_public_key_path(given: str | Path | None = None) -> tuple[Path | None, str]:
    """Return (path, where from) of the public key to verify against, or (None, "").

    In order: ``given`` (``--public-key``), ``$QMS_PUBLIC_KEY``, the configuration folder's
    ``signing-key.pub``. A key given or named by the variable must exist.
    """
    if given:
        return Path(given), "--public-key"
    env = os.environ.get(PUBLIC_KEY_ENV, "").strip()
    if env:
        return Path(env), f"${PUBLIC_KEY_ENV}"
    own = config_dir() / PUBLIC_KEY
    if own.is_file():
        return own, "the configuration folder"
    return None, ""


def redaction_secret(folder: str | Path | None = None, *, create: bool = True) -> bytes:
    """Return the organisation's redaction secret (32 bytes), creating it on first use.

    Raises
    ------
    KeyFileError
        When the secret is missing and ``create`` is False, unreadable, or readable by others.
    """
    root = Path(folder) if folder else config_dir()
    path = root / REDACT_KEY
    try:
        text = _read_private(path)
    except FileNotFoundError:
        if not create:
            raise KeyFileError(
                "no redaction secret", file=path, hint="Run: qms keys init"
            ) from None
        _ensure_dir(root)
        # created meanwhile by another process (KeyFileError): use that one
        with contextlib.suppress(KeyFileError):
            _write_new(path, secrets.token_hex(32).encode() + b"\n", 0o600, force=False)
        text = _read_private(path)
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError("the redaction secret is not hex text", file=path) from exc
    if len(secret) < 16:
        raise KeyFileError("the redaction secret is shorter than 16 bytes", file=path)
    return secret


def cache_secret(folder: str | Path | None = None) -> bytes:
    """Return the key that authenticates the pack cache (32 bytes), creating it on first use.

    Kept in the configuration folder (0600), never in a reports folder or a workbook.

    Raises
    ------
    KeyFileError
        When the key is unreadable, readable by others, or not hex text.
    """
    root = Path(folder) if folder else config_dir()
    path = root / CACHE_KEY
    try:
        text = _read_private(path)
    except FileNotFoundError:
        _ensure_dir(root)
        with contextlib.suppress(KeyFileError):  # created meanwhile by another build: use it
            _write_new(path, secrets.token_hex(32).encode() + b"\n", 0o600, force=False)
        text = _read_private(path)
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError("the cache key is not hex text", file=path) from exc
    if len(secret) < 16:
        raise KeyFileError("the cache key is shorter than 16 bytes", file=path)
    return secret
