"""Pseudonymise a workbook for a pack distributed beyond the review board (``qms pack --redact``).

Which columns are hidden is read from the record specs, not listed here: every column whose
spec marks it ``privacy="personal"`` (customers, owners, auditors, people responsible, ...) or
``privacy="free_text"`` (descriptions, comments, action plans, ...) — see
:attr:`qmsdata.records.RecordSpec.private`. A record type or column added to the specs is
redacted without touching this module.

Customer names become ``Customer-3f9a1c0d5e7b2a48``, other personal names ``Person-...`` and
free text ``Text-...``: stable (the same value gives the same pseudonym in every pack made with
the same secret, so trends, repeats and backlogs per owner stay visible) and not reversible from
the pack. Extra source columns (not in the record specs) are dropped, the quarantined rows keep
only their row numbers, and failure cases in redacted columns are pseudonymised too, so no
original text of those columns reaches the pack.

The pseudonym is the first 16 hex digits (64 bits) of HMAC-SHA256 keyed with the organisation's
redaction secret (:func:`qmsdata.keys.redaction_secret`: 32 random bytes in the user's
configuration folder, created by ``qms keys init`` or the first ``--redact``; never written into
a pack or a workbook).

What it protects against
    Reading names and free text off a redacted pack, and dictionary attacks by its readers:
    without the secret, hashing guesses (customer lists, staff names, texts templated from the
    process names the pack shows) gives nothing to compare with. 64 bits keep accidental
    collisions negligible (about 1 in 10^10 for 500,000 distinct values).
What it does not protect against
    Anyone who has the secret (or can run ``qms pack --redact`` as its owner) can confirm a
    guess. Pseudonyms are stable, so counts, recurrences and which rows share an owner remain
    visible, and a reader who knows one fact (e.g. "the CAPA Priya raised in March") can link
    that pseudonym. Columns the specs do not mark private (process, product, site, category)
    are shown as they are. Replacing the secret changes every pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import pandas as pd

#: pseudonym prefix per privacy class of :class:`qmsdata.records.Column`
PRIVACY_PREFIX = {"personal": "Person", "free_text": "Text"}
#: columns whose pseudonym says what they are (a customer is not a colleague)
COLUMN_PREFIX = {"customer": "Customer"}
#: hex digits of the HMAC shown (64 bits)
DIGITS = 16


def pseudonym_prefix(column: str, privacy: str) -> str:
    """Return the pseudonym prefix for ``column`` of privacy class ``privacy``."""
    if privacy == "personal" and column in COLUMN_PREFIX:
        return COLUMN_PREFIX[column]
    return PRIVACY_PREFIX.get(privacy, "Text")


def redacted_columns(record_type: str) -> dict[str, str]:
    """Return ``{column: pseudonym prefix}`` for the private columns of ``record_type``.

    Read from the record spec (:attr:`~qmsdata.records.RecordSpec.private`); an unknown record
    type has none.
    """
    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        return {}
    return {col: pseudonym_prefix(col, kind) for col, kind in spec.private.items()}


def _secret(secret: bytes | None) -> bytes:
    if secret is not None:
        return secret
    from qmsdata.keys import redaction_secret

    return redaction_secret(create=True)


def secret_id(secret: bytes | None = None) -> str:
    """Return a public identifier of the redaction secret (for cache keys; reveals nothing).

    A redacted build's cache key must include it: after the secret changes, cached redacted
    sections (with the old pseudonyms) must not be reused.
    """
    mac = hmac.new(_secret(secret), b"qmsdata redaction secret id", hashlib.sha256)
    return mac.hexdigest()[:DIGITS]


def pseudonym(value: Any, prefix: str = "Customer", *, secret: bytes | None = None) -> Any:
    """Return the stable pseudonym of ``value`` (missing values stay missing).

    ``secret`` is the redaction secret; default the user's (created on first use).
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return value
    text = str(value).strip()
    if not text:
        return value
    mac = hmac.new(_secret(secret), f"{prefix}\0{text}".encode(), hashlib.sha256)
    return f"{prefix}-{mac.hexdigest()[:DIGITS]}"


def redact_frame(
    frame: pd.DataFrame,
    canonical: list[str],
    private: Mapping[str, str],
    *,
    secret: bytes | None = None,
) -> pd.DataFrame:
    """Return ``frame`` with only its canonical columns (and source_row), private text hidden.

    Parameters
    ----------
    frame
        A record type's accepted rows.
    canonical
        The spec's column names; any other column is dropped.
    private
        ``{column: "personal" | "free_text"}`` (the spec's ``private``): those columns are
        replaced by their pseudonyms.
    secret
        The redaction secret (default the user's, :func:`qmsdata.keys.redaction_secret`).
    """
    key = _secret(secret)
    keep = [c for c in frame.columns if c in canonical or c == "source_row"]
    out = frame[keep].copy()
    for col, kind in private.items():
        if col in out.columns:
            prefix = pseudonym_prefix(col, kind)
            out[col] = out[col].astype(object).map(lambda v, p=prefix: pseudonym(v, p, secret=key))
    return out


def redact_workbook(wb: Any, *, secret: bytes | None = None) -> Any:
    """Pseudonymise a loaded workbook in place and return it (see the module notes).

    ``secret`` is the redaction secret; default the user's (created on first use).
    """
    from qmsdata.records import RECORD_TYPES

    key = _secret(secret)
    for rt, spec in RECORD_TYPES.items():
        frame = wb._frames.get(rt)
        if isinstance(frame, pd.DataFrame):
            wb._frames[rt] = redact_frame(frame, spec.names, spec.private, secret=key)
    wb.rejects = {
        rt: f[[c for c in f.columns if c == "source_row"]].copy() for rt, f in wb.rejects.items()
    }
    f = wb.failures
    if isinstance(f, pd.DataFrame) and len(f) and "column" in f.columns:
        f = f.copy()
        rts = f["record_type"] if "record_type" in f.columns else pd.Series("", index=f.index)
        prefixes = [
            redacted_columns(str(rt)).get(str(col))
            for rt, col in zip(rts, f["column"], strict=True)
        ]
        for col in ("failure_case", "message"):
            if col in f.columns:
                f[col] = f[col].astype(object)
        if "failure_case" in f.columns:
            for i, prefix in zip(f.index, prefixes, strict=True):
                if prefix is None:
                    continue
                case = f.at[i, "failure_case"]
                alias = pseudonym(case, prefix, secret=key)
                if "message" in f.columns and isinstance(case, str) and case:
                    f.at[i, "message"] = str(f.at[i, "message"]).replace(case, str(alias))
                f.at[i, "failure_case"] = alias
        wb.failures = f
    return wb
