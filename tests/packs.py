"""Building a pack of custom section notebooks in tests (HTML only, the demo's period)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qmsdata.pack import build_pack


def build_html(wb: Path, nbs: Path, sections: list[Any], out: Path, **kw: Any) -> Any:
    """Build the 2026-10 pack of ``sections`` (notebooks in ``nbs``) as HTML, no progress bar."""
    return build_pack(
        wb,
        "2026-10",
        out=out,
        formats=("html",),
        notebook_dir=nbs,
        sections=sections,
        progress=False,
        **kw,
    )
