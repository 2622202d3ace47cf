"""The entry point: :func:`write_demo` builds the folder beside the target and moves it in."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qmsdata.demo.company import (
    DEFAULT_END,
    DEFAULT_SEED,
    GENERATOR,
    MARKER,
    N_MONTHS,
    ORGANISATION,
    SITES,
    parse_end,
)
from qmsdata.demo.exports import COLUMNS
from qmsdata.demo.generate import generate
from qmsdata.demo.planted import PLANTED_INVALID, planted_changes, planted_signals
from qmsdata.demo.writers import write_sources
from qmsdata.errors import QmsError
from qmsdata.files import atomic_write

# --- result -----------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What :func:`write_demo` wrote; ``str()`` is a short human summary."""

    directory: Path
    seed: int
    first_month: pd.Period
    end: pd.Period
    files: list[str]
    rows: dict[str, int]
    signals: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        lines = [
            f"demo workbook for {ORGANISATION} written to {self.directory}",
            f"  months {self.first_month} to {self.end} (seed {self.seed}), sites "
            f"{', '.join(SITES)}",
            f"  files: qms.toml, {', '.join(self.files)}",
            f"  rows: {rows}",
            "  planted signals: "
            + "; ".join(f"{s['key']} from {s['start']}" for s in self.signals),
            "  planted changes: "
            + "; ".join(f"{c['change_id']} {c['verdict']}" for c in self.changes),
            f"  planted invalid rows: {len(self.invalid)} (quarantined by validation)",
            f"  next: qms validate {self.directory}",
        ]
        return "\n".join(lines)


# --- entry point ------------------------------------------------------------------------------


def write_demo(
    directory: str | os.PathLike[str],
    *,
    seed: int = DEFAULT_SEED,
    end: str | pd.Period = DEFAULT_END,
) -> DemoSummary:
    """Write the demo workbook into ``directory`` and return a summary.

    The folder is built in a temporary sibling folder and moved into place, so a failure never
    leaves a half-written workbook. An existing ``directory`` is replaced only when it is empty
    or holds an earlier demo (it has the ``.qms-demo.json`` marker).

    Parameters
    ----------
    directory
        Folder to write (created if missing).
    seed
        Random seed; the same seed and end always give byte-identical files.
    end
        Last month of the 36 months of data, ``YYYY-MM`` (default 2026-10; never today's date).

    Returns
    -------
    DemoSummary
        Where, which files, rows per record type, planted signals and invalid rows.

    Raises
    ------
    QmsError
        When ``end`` is not a month, ``seed`` is not a non-negative integer, or ``directory``
        exists, is not empty and is not an earlier demo workbook.
    """
    e = parse_end(end)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise QmsError(
            f"demo seed must be a non-negative whole number, got {seed!r}",
            hint="Pass --seed 9001 or another whole number.",
        )
    target = Path(directory)
    _check_target(target)
    tables = generate(int(seed), e)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_sibling_dir(target)
    try:
        files = write_sources(tmp, tables, e)
        marker = {"generator": GENERATOR, "seed": int(seed), "end": str(e)}
        atomic_write(tmp / MARKER, json.dumps(marker, indent=2) + "\n")
        _replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    rows = {rt: len(tables[rt][0]) + len(tables[rt][1]) for rt in COLUMNS}
    return DemoSummary(
        directory=target,
        seed=int(seed),
        first_month=e - (N_MONTHS - 1),
        end=e,
        files=files,
        rows=rows,
        signals=planted_signals(e),
        invalid=list(PLANTED_INVALID),
        changes=planted_changes(e),
    )


def _check_target(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise QmsError(
            "cannot write the demo workbook: the path exists and is not a folder",
            file=target,
            hint="Choose a new folder name, for example data/demo.",
        )
    if not any(target.iterdir()):
        return
    marker = target / MARKER
    try:
        ok = json.loads(marker.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise QmsError(
            "refusing to overwrite a folder that is not an earlier demo workbook",
            file=target,
            hint="Choose an empty or new folder; the demo only replaces folders it wrote itself.",
        )


def _new_sibling_dir(target: Path) -> Path:
    """Create an empty hidden folder beside ``target``; ``mkdir`` applies the umask itself."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp


def _replace_dir(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
