"""One site's or one product's records (:meth:`Workbook.for_site`, :meth:`Workbook.for_product`).

Record types without the column (audits, objectives, review actions, ...) are kept whole: they
describe the QMS, not one site or product.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frames_for"]


def frames_for(
    frames: Mapping[str, pd.DataFrame], column: str, value: str
) -> dict[str, pd.DataFrame]:
    """Return the frames with only the rows whose ``column`` equals ``value`` (where they have it).

    The comparison is on the values as typed (site names as written in ``[workbook] sites``);
    a missing value matches nothing.
    """
    out = {}
    for name, frame in frames.items():
        if column in frame.columns:
            keep = (frame[column].astype(object) == value).to_numpy()
            out[name] = frame.loc[keep].reset_index(drop=True)
        else:
            out[name] = frame
    return out
