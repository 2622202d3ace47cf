"""Workbooks: load and validate every configured record source; views as at a date, per site.

- :mod:`~qmsdata.workbook.load`: :func:`load` reads, types and validates every source
  (through :mod:`qmsdata.validation`) and returns a :class:`Workbook`.
- :mod:`~qmsdata.workbook.model`: the :class:`Workbook` (accepted frames, rejects, failures,
  validation summary, provenance).
- :mod:`~qmsdata.workbook.as_at`: the records as at an earlier reporting date.
- :mod:`~qmsdata.workbook.filters`: one site's or one product's records.
"""

from __future__ import annotations

from qmsdata.workbook.load import load, resolve_as_of
from qmsdata.workbook.model import Workbook

#: the old private name, still used by the pack engine
_resolve_as_of = resolve_as_of

__all__ = ["Workbook", "load", "resolve_as_of"]
