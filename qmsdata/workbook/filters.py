"""One site's or one product's records (:meth:`Workbook.for_site`, :meth:`Workbook.for_product`).

Record types without the column (audits, review actions, risks, ...) are kept whole: they
describe the QMS, not one site or product. In record types whose spec says a row without a site
is organisation-wide (``blank_site_is_organisation``: objectives, documents, changes), one
site's view keeps those rows too: they apply to every site, and sections label them
organisation-wide (:func:`site_scope`). In the others a row without a site belongs to no
site's view (its site is unknown, not "every site").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ORGANISATION_WIDE", "frames_for", "rows_for", "site_scope"]

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
    from qmsdata.records import RECORD_TYPES

    if column not in frame.columns:
        return frame
    values = frame[column].astype(object)
    keep = (values == value).to_numpy(dtype=bool)
    spec = RECORD_TYPES.get(name)
    if column == "site" and spec is not None and spec.blank_site_is_organisation:
        keep = keep | values.isna().to_numpy(dtype=bool)
    return frame.loc[keep].reset_index(drop=True)


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
