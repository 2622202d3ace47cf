"""Split: rows with any failure go to the rejects with every reason; the others are accepted.

Rows in = accepted + rejected, always. Rejects keep every original column as read, their
``source_row`` and ``reasons`` (every failure of the row, in :data:`CHECKS` order).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from qmsdata.records import RecordSpec
from qmsdata.validation.failures import CELL_CHECKS, CHECKS, Failures, empty_failures

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Validated", "failure_table", "split"]


class Validated(NamedTuple):
    """Result of :func:`~qmsdata.validation.validate`: ``accepted, rejects, failures = ...``."""

    accepted: pd.DataFrame
    rejects: pd.DataFrame
    failures: pd.DataFrame


def failure_table(
    failures: Failures, spec: RecordSpec, source_row: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Return (tidy failures table, 0-based positions of bad rows, reasons per bad position).

    A cell that could not be read (``type``) or holds an implausible date (``plausible_date``)
    is not also reported for what follows from that (missing, out of order, a duplicate key):
    one reason per cell. The table is sorted by row, then by :data:`CHECKS` order.
    """
    import pandas as pd

    if not failures.positions:
        return empty_failures(), np.array([], dtype=np.int64), pd.Series([], dtype=object)
    pos = np.concatenate(failures.positions)
    sizes = [len(p) for p in failures.positions]
    table = pd.DataFrame(
        {
            "record_type": spec.name,
            "source_row": source_row[pos],
            "column": np.repeat(failures.columns, sizes),
            "check": np.repeat(failures.checks, sizes),
            "failure_case": pd.Series([c for cases in failures.cases for c in cases], dtype=object),
            "message": [m for msgs in failures.messages for m in msgs],
            "_pos": pos,
        }
    )
    first = table["check"].isin(CELL_CHECKS).to_numpy()
    if first.any():
        cell = table["_pos"].astype(str) + "\x00" + table["column"].astype(str)
        known = cell.isin(set(cell[first])).to_numpy()
        table = table[~(known & ~first)]
        # A key cell that could not be read is not also "a duplicate" of the other unreadable
        # ones (a wrong date_format makes every key (NaT, site, product) look the same).
        firsts = table[table["check"].isin(CELL_CHECKS)]
        bad_key = set(firsts.loc[firsts["column"].isin(spec.key), "_pos"])
        if bad_key:
            table = table[~(table["check"].eq("unique") & table["_pos"].isin(bad_key))]
    order = {c: i for i, c in enumerate(CHECKS)}
    table = table.assign(_o=table["check"].map(order)).sort_values(["_pos", "_o"], kind="stable")
    reasons = table.groupby("_pos", sort=True)["message"].agg("; ".join)
    bad_pos = reasons.index.to_numpy(dtype=np.int64)
    table = table.drop(columns=["_pos", "_o"]).reset_index(drop=True)
    table["source_row"] = table["source_row"].astype("int64")
    return table, bad_pos, reasons


def split(
    raw: pd.DataFrame,
    typed: dict[str, pd.Series],
    spec: RecordSpec,
    failures: Failures,
    source_row: np.ndarray,
) -> Validated:
    """Return accepted, rejects and failures; ``typed`` and ``raw`` are consumed.

    The typed columns are moved into the accepted frame; ``raw`` is emptied in place (all its
    columns dropped at once) as soon as the rejects are taken from it, so the text it holds is
    freed before the accepted columns are copied when nothing else holds it (the loader lets go
    of its frame first: :func:`qmsdata.load`). Pass a frame of your own, not the caller's.

    Time grows linearly with the number of columns: the typed columns are taken out of a dict
    (constant time each), never popped from a wide DataFrame (time in proportion to its width,
    so quadratic over all columns: 1,000 extra columns cost seconds).
    """
    import pandas as pd

    n = len(raw)
    table, bad_pos, reasons = failure_table(failures, spec, source_row)
    bad = np.zeros(n, dtype=bool)
    bad[bad_pos] = True
    any_bad = bool(bad.any())

    rejects = raw.loc[bad].reset_index(drop=True)
    rejects["source_row"] = source_row[bad]
    rejects["reasons"] = reasons.to_numpy() if len(reasons) else np.array([], dtype=object)
    # The raw text is not needed any more: free it before the accepted copies are made (on the
    # demo's nonconformities the raw frame is 25 MiB, the accepted text columns' copies 13).
    # pandas 3.1 deprecates `inplace` (PDEP-8) but has no other way to empty a frame in place
    # at once: deleting column by column is quadratic (2,000 columns of 20,000 rows: 70 s vs
    # 0.02 s). pandas is pinned in the lock file; its 4.0 will need the caller to hand the
    # frame over instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        raw.drop(columns=raw.columns, inplace=True)

    # move the typed columns into the accepted frame one at a time, so a column's typed copy is
    # freed as its accepted copy is made (not typed + accepted whole at once)
    keep = ~bad
    cols: dict[str, pd.Series] = {}
    for name in list(typed):
        col = typed.pop(name)
        cols[name] = col[keep].reset_index(drop=True) if any_bad else col
        del col
    cols["source_row"] = pd.Series(source_row[keep])
    accepted = pd.DataFrame(cols, copy=False)
    del cols
    return Validated(accepted, rejects, table)
