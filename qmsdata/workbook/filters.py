"""One site's or one product's records (:meth:`Workbook.for_site`, :meth:`Workbook.for_product`).

Record types without the column (audits, review actions, risks, ...) are kept whole: they
describe the QMS, not one site or product. In record types whose spec says a row without a site
is organisation-wide (``blank_site_is_organisation``: objectives, documents, changes), one
site's view keeps those rows too: they apply to every site, and sections label them
organisation-wide (:func:`site_scope`). In the others a row without a site belongs to no
site's view (its site is unknown, not "every site").

Those rows are disclosed, not reassigned: :func:`left_out` names, per record type, the rows a
site's (or product's) view leaves out because their site (product) is not recorded, and a site
pack lists them where it states its scope. Audit findings and audit programme rows without a
site stay "site unknown": they are not organisation-wide, so no site's pack claims them, and
every site's pack lists them as left out. A row whose site is recorded as another site is
that site's, and is not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ORGANISATION_WIDE",
    "LeftOut",
    "frames_for",
    "left_out",
    "row_ids",
    "rows_for",
    "site_scope",
]

#: how a row without a site is labelled where its scope is shown
ORGANISATION_WIDE = "organisation-wide"


def frames_for(
    frames: Mapping[str, pd.DataFrame], column: str, value: str
) -> dict[str, pd.DataFrame]:
    """Return the frames with only the rows whose ``column`` equals ``value`` (where they have it).

    The comparison is on the values as typed (site names as written in ``[workbook] sites``);
    a missing value matches nothing, except a missing site in a record type whose rows without
    a site are organisation-wide (kept in every site's view).
    """
    return {name: rows_for(name, frame, column, value) for name, frame in frames.items()}


def rows_for(name: str, frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    """Return the rows of record type ``name`` for one site or product (see :func:`frames_for`)."""
    if column not in frame.columns:
        return frame
    values = frame[column].astype(object)
    keep = (values == value).to_numpy(dtype=bool)
    blank = values.isna().to_numpy(dtype=bool)
    if _blank_means(name, column) == "organisation":
        keep = keep | blank
    return frame.loc[keep].reset_index(drop=True)


@dataclass(frozen=True)
class LeftOut:
    """The rows of one record type that every view by ``column`` leaves out (:func:`left_out`).

    Attributes
    ----------
    record_type
        Record type name (``complaints``).
    column
        ``"site"`` or ``"product"``.
    reason
        ``"not_recorded"``: the row has no ``column`` value and its site (product) is unknown;
        ``"every_product"``: a row without a product that is not specific to one product (a
        change), left out of each product's view all the same.
    ids
        The rows' record IDs (:func:`row_ids`), in the frame's order.
    """

    record_type: str
    column: str
    reason: str
    ids: tuple[str, ...]


def left_out(frames: Mapping[str, pd.DataFrame], column: str) -> list[LeftOut]:
    """Return, per record type, the rows no view by ``column`` keeps because it is not recorded.

    The rows :func:`rows_for` leaves out of *every* site's (``column="site"``) or product's
    (``"product"``) view: those without a value, in record types where that does not make them
    organisation-wide (objectives, documents, changes keep theirs in every site's view) or a
    site total (production rows without a product). A rule of :func:`rows_for`'s, so the two
    cannot disagree. Audit findings and audit programme rows without a site are listed here
    (site unknown), never reassigned to a site or to the organisation.

    Only record types with such rows are listed, in ``frames``' order. For a site's and a
    product's view, call it for ``"site"`` on the frames and for ``"product"`` on the site's
    view (a row already out of the site's view is not listed twice).
    """
    out = []
    for name, frame in frames.items():
        if column not in frame.columns or frame.empty:
            continue
        reason = _blank_means(name, column)
        if reason in ("organisation", "site_total"):
            continue
        blank = frame[column].astype(object).isna().to_numpy(dtype=bool)
        if blank.any():
            ids = tuple(row_ids(frame.loc[blank], name).tolist())
            out.append(LeftOut(name, column, reason, ids))
    return out


def _blank_means(name: str, column: str) -> str:
    """Return what a row of ``name`` without ``column`` is (see :class:`LeftOut` ``reason``).

    ``"organisation"`` (kept in every site's view), ``"site_total"`` (no product's row),
    ``"every_product"`` or ``"not_recorded"``; from the record spec.
    """
    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES.get(name)
    if spec is None:
        return "not_recorded"
    if column == "site":
        return "organisation" if spec.blank_site_is_organisation else "not_recorded"
    if column == "product" and spec.blank_product != "unknown":
        return spec.blank_product
    return "not_recorded"


def row_ids(frame: pd.DataFrame, record_type: str) -> pd.Series:
    """Return each row's record ID as people read it: its key, else its source row.

    The spec's key (several key columns joined by ``/``; a missing part empty), or ``row N``
    when the frame lacks a key column. The one rule for IDs shown in a pack (the evidence
    table, the rows a site's pack leaves out).
    """
    import pandas as pd

    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES.get(record_type)
    key = list(spec.key) if spec is not None else []
    if key and all(k in frame.columns for k in key):
        # as pandas writes each column (a date as 2026-10-01, not a Timestamp's repr)
        parts = [frame[k].astype(str).astype(object).where(frame[k].notna(), "") for k in key]
        ids = parts[0]
        for part in parts[1:]:
            ids = ids + "/" + part
        return ids.astype(object)
    rows = frame["source_row"] if "source_row" in frame.columns else range(1, len(frame) + 1)
    return pd.Series([f"row {r}" for r in rows], index=frame.index, dtype=object)


def site_scope(frame: pd.DataFrame) -> Any:
    """Return each row's scope: its site, or ``"organisation-wide"`` when it names none.

    For record types whose rows without a site are organisation-wide (objectives, documents,
    changes); a frame without a site column is organisation-wide throughout.
    """
    import pandas as pd

    if "site" not in frame.columns:
        return pd.Series(ORGANISATION_WIDE, index=frame.index, dtype=object)
    site = frame["site"].astype(object)
    return site.where(site.notna() & (site.astype(str).str.strip() != ""), ORGANISATION_WIDE)
