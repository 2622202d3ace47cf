"""Pseudonymise a workbook for a pack distributed beyond the review board (``qms pack --redact``).

Which columns are hidden is read from the record specs, not listed here: every column whose
spec marks it ``privacy="personal"`` (customers, owners, auditors, people responsible, ...) or
``privacy="free_text"`` (descriptions, comments, action plans, ...) — see
:attr:`qmsdata.records.RecordSpec.private`. A record type or column added to the specs is
redacted without touching this module.

Customer names become ``Customer-3f9a1c``, other personal names ``Person-1b7e0c`` and free text
``Text-8b02d4``: stable (the same value gives the same pseudonym in every pack, so trends,
repeats and backlogs per owner stay visible) and not reversible from the pack. Extra source
columns (not in the record specs) are dropped, the quarantined rows keep only their row numbers,
and failure cases in redacted columns are pseudonymised too, so no original text of those
columns reaches the pack.

The pseudonym is a truncated SHA-256 of the value: a reader who already knows a customer's name
can confirm it (hash it), but cannot read names off the pack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

#: pseudonym prefix per privacy class of :class:`qmsdata.records.Column`
PRIVACY_PREFIX = {"personal": "Person", "free_text": "Text"}
#: columns whose pseudonym says what they are (a customer is not a colleague)
COLUMN_PREFIX = {"customer": "Customer"}


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


def pseudonym(value: Any, prefix: str = "Customer") -> Any:
    """Return the stable pseudonym of ``value`` (missing values stay missing)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return value
    text = str(value).strip()
    if not text:
        return value
    digest = hashlib.sha256(f"{prefix}\0{text}".encode()).hexdigest()[:6]
    return f"{prefix}-{digest}"


def redact_frame(
    frame: pd.DataFrame, canonical: list[str], private: Mapping[str, str]
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
    """
    keep = [c for c in frame.columns if c in canonical or c == "source_row"]
    out = frame[keep].copy()
    for col, kind in private.items():
        if col in out.columns:
            prefix = pseudonym_prefix(col, kind)
            out[col] = out[col].astype(object).map(lambda v, p=prefix: pseudonym(v, p))
    return out


def redact_workbook(wb: Any) -> Any:
    """Pseudonymise a loaded workbook in place and return it (see the module notes)."""
    from qmsdata.records import RECORD_TYPES

    for rt, spec in RECORD_TYPES.items():
        frame = wb._frames.get(rt)
        if isinstance(frame, pd.DataFrame):
            wb._frames[rt] = redact_frame(frame, spec.names, spec.private)
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
                alias = pseudonym(case, prefix)
                if "message" in f.columns and isinstance(case, str) and case:
                    f.at[i, "message"] = str(f.at[i, "message"]).replace(case, str(alias))
                f.at[i, "failure_case"] = alias
        wb.failures = f
    return wb
