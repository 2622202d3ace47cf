"""Optional packages that the processes qmsdata runs itself do without: one list, one switch.

``jsonschema`` (imported by great-expectations, nbformat and plotly's notebook renderer) checks
the ``iri`` and ``iri-reference`` formats when ``rfc3987_syntax`` is installed, and importing
that builds Lark grammars: 1.2 CPU s per process (``import nbformat, jsonschema`` 1.4 -> 0.18
CPU s without it, medians of 3). Nothing in qmsdata validates those formats, so the processes
qmsdata owns — the ``qms`` command, the pack's section kernels, the great-expectations worker —
mark it absent before anything imports jsonschema (:func:`skip`). A user's own process (a
notebook calling :func:`qmsdata.load`) is left as it is: there it is the user's choice.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

__all__ = ["NOT_IMPORTED", "skip", "skip_code"]

#: optional packages nothing in a qmsdata-owned process uses (see the module notes)
NOT_IMPORTED = ("rfc3987_syntax",)


def skip(names: Iterable[str] = NOT_IMPORTED) -> None:
    """Mark ``names`` as not installed in this process (an import of them raises ImportError).

    Only for processes qmsdata owns. A package already imported stays; packages that probe
    for an optional one (``with suppress(ImportError): import rfc3987_syntax``) do without it.
    """
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def skip_code(names: Iterable[str] = NOT_IMPORTED) -> str:
    """Return the Python source that does :func:`skip` (for a kernel's first cell)."""
    return f"import qmsdata.optional\nqmsdata.optional.skip({tuple(names)!r})\n"
