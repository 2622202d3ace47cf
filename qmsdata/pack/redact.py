"""Pseudonymise a workbook for a pack distributed beyond the review board (``qms pack --redact``).

Customer names become ``Customer-3f9a1c`` and free-text descriptions ``Text-8b02d4``: stable
(the same value gives the same pseudonym in every pack, so trends and repeats stay visible) and
not reversible from the pack. Extra source columns (not in the record specs) are dropped, the
quarantined rows keep only their row numbers, and failure cases in redacted columns are
pseudonymised too, so no original text of those columns reaches the pack.

The pseudonym is a truncated SHA-256 of the value: a reader who already knows a customer's name
can confirm it (hash it), but cannot read names off the pack.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

#: canonical column -> pseudonym prefix
REDACTED_COLUMNS = {
    "customer": "Customer",
    "description": "Text",
    "comment": "Text",
    "action": "Text",
    "action_plan": "Text",
    "resources": "Text",
    "evaluation_method": "Text",
}


def pseudonym(value: Any, prefix: str = "Customer") -> Any:
    """Return the stable pseudonym of ``value`` (missing values stay missing)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return value
    text = str(value).strip()
    if not text:
        return value
    digest = hashlib.sha256(f"{prefix}\0{text}".encode()).hexdigest()[:6]
    return f"{prefix}-{digest}"


def redact_frame(frame: pd.DataFrame, canonical: list[str]) -> pd.DataFrame:
    """Return ``frame`` with only its canonical columns (and source_row), text pseudonymised."""
    keep = [c for c in frame.columns if c in canonical or c == "source_row"]
    out = frame[keep].copy()
    for col, prefix in REDACTED_COLUMNS.items():
        if col in out.columns:
            out[col] = out[col].astype(object).map(lambda v, p=prefix: pseudonym(v, p))
    return out


def redact_workbook(wb: Any) -> Any:
    """Pseudonymise a loaded workbook in place and return it (see the module notes)."""
    from qmsdata.records import RECORD_TYPES

    for rt, spec in RECORD_TYPES.items():
        frame = wb._frames.get(rt)
        if isinstance(frame, pd.DataFrame):
            wb._frames[rt] = redact_frame(frame, [c.name for c in spec.columns])
    wb.rejects = {
        rt: f[[c for c in f.columns if c == "source_row"]].copy() for rt, f in wb.rejects.items()
    }
    f = wb.failures
    if isinstance(f, pd.DataFrame) and len(f) and "column" in f.columns:
        f = f.copy()
        hit = f["column"].isin(list(REDACTED_COLUMNS))
        for col in ("failure_case", "message"):
            if col in f.columns:
                f[col] = f[col].astype(object)
        if "failure_case" in f.columns:
            for i in f.index[hit]:
                case = f.at[i, "failure_case"]
                prefix = REDACTED_COLUMNS[f.at[i, "column"]]
                alias = pseudonym(case, prefix)
                if "message" in f.columns and isinstance(case, str) and case:
                    f.at[i, "message"] = str(f.at[i, "message"]).replace(case, str(alias))
                f.at[i, "failure_case"] = alias
        wb.failures = f
    return wb
