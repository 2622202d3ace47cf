"""Type and validate record frames against their specs; split accepted from rejected rows.

The flow for one record type (:func:`validate`), one module per step:

1. **Map** (:mod:`~qmsdata.validation.mapping`) canonical columns to source columns
   (``[records.<type>.columns]``); a missing required column, or a source wider than
   :data:`MAX_COLUMNS`, is a :class:`~qmsdata.errors.SchemaError`.
2. **Type** (:mod:`~qmsdata.validation.coercion`) every canonical column by its kind (text
   trimmed, codes normalised, numbers, dates, months). A value that cannot be read fails check
   ``type``; a date outside the plausible window fails ``plausible_date``; dates a source
   declares as "no date" (``missing_dates``) are missing.
3. **Check** the typed columns with one great-expectations suite built from the spec
   (:mod:`~qmsdata.validation.gx`, the only module that imports great-expectations):
   ``not_null``, ``allowed_values``, ``pattern``, ``range``, ``unique``, ``date_order`` (and the
   other column-order checks), ``not_future`` and ``status_consistency``. Cross-table
   ``reference`` checks run in pandas (:mod:`~qmsdata.validation.references`).
4. **Split** (:mod:`~qmsdata.validation.split`): a row with any failure goes to the rejects (all
   its original columns as read, its ``source_row`` and ``reasons``); the others are accepted.
   Rows in = accepted + rejected.

Every failure is one row of the tidy failures table (:data:`FAILURE_COLUMNS`), one per row,
check and column (:mod:`~qmsdata.validation.failures`). The data-quality report is
:mod:`qmsdata.validation.report`. Nothing here imports :mod:`qmsdata.workbook`: the workbook
loader calls validation, never the other way round.
"""

from __future__ import annotations

from qmsdata.validation.coercion import DATE_UNIT, DateRules, type_columns, type_frame
from qmsdata.validation.failures import CHECKS, FAILURE_COLUMNS, empty_failures
from qmsdata.validation.mapping import MAX_COLUMNS, map_columns
from qmsdata.validation.pipeline import validate
from qmsdata.validation.split import Validated

__all__ = [
    "CHECKS",
    "DATE_UNIT",
    "FAILURE_COLUMNS",
    "MAX_COLUMNS",
    "DateRules",
    "Validated",
    "empty_failures",
    "map_columns",
    "type_columns",
    "type_frame",
    "validate",
]
