"""Keep the last N packs of a reports folder (``[reports] keep`` in qms.toml, or ``--keep``).

A pack is a folder of the reports folder holding ``manifest.json``. Packs are ordered as the
coverage history orders them (period, then folder name) and the most recent are kept. The
coverage section of the next pack reads the manifests of the last packs
(:func:`qmsdata.pack.coverage.coverage_table`, its ``limit``), so a pack it reads is never
deleted: what is kept is ``max(keep, that limit)``. Folders without a manifest (the cache,
interrupted builds, anything of yours) are never touched.
"""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path

from qmsdata.errors import PackError


def coverage_history() -> int:
    """Return how many packs the coverage history reads (its ``limit`` default)."""
    from qmsdata.pack.coverage import coverage_table

    return int(inspect.signature(coverage_table).parameters["limit"].default)


def packs_in(reports: str | Path) -> list[Path]:
    """Return the pack folders of ``reports``, oldest first (by period, then name)."""
    found: list[tuple[str, str, Path]] = []
    folder = Path(reports)
    if not folder.is_dir():
        return []
    for m in folder.glob("*/manifest.json"):
        pack = m.parent
        if pack.name.startswith(".") or pack.is_symlink():
            continue
        try:
            period = str(json.loads(m.read_text(encoding="utf-8")).get("period", ""))
        except (OSError, ValueError, AttributeError):
            continue  # not a manifest we can read: not a pack we may delete
        found.append((period, pack.name, pack))
    return [p for _, _, p in sorted(found)]


def prune_packs(reports: str | Path, keep: int, *, dry_run: bool = False) -> list[Path]:
    """Delete all but the last ``max(keep, coverage history)`` packs; return those deleted.

    Parameters
    ----------
    reports
        The reports folder (parent of the pack folders).
    keep
        Packs to keep (at least 1). Packs the coverage history reads are kept whatever it says.
    dry_run
        Return what would be deleted, delete nothing.

    Raises
    ------
    PackError
        ``keep`` is not a whole number of at least 1.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise PackError(f"keep = {keep!r}: keep at least 1 pack", hint="[reports] keep = 24")
    packs = packs_in(reports)
    kept = max(keep, coverage_history())
    doomed = packs[:-kept] if len(packs) > kept else []
    if not dry_run:
        for pack in doomed:
            shutil.rmtree(pack)
            for digest in pack.parent.glob(f"{pack.name}.digest.*"):
                digest.unlink(missing_ok=True)
    return doomed
