"""Import the review's completed decisions register into the workbook (ISO 9001 9.3.3 -> 9.3.2 a).

The pack ships ``review-actions.csv`` (review_actions schema, one suggested action per signal of
concern). The meeting completes it; :func:`import_actions` validates it and adds its rows to the
workbook, so next period's pack shows them under 9.3.2 a.

The user's own files are never written. The imported rows go to a file qmsdata owns,
``<workbook>/qms-review-actions.csv`` (:data:`qmsdata.io.APPENDED_FILES`), which the loader reads
after the configured ``review_actions`` source, whatever that is (a CSV file, a sheet of a
multi-sheet XLSX, Parquet or SQL): an XLSX is never re-saved (re-saving drops the cached values
of the formulas in its other sheets) and a database is never written to. That file holds text
as text: canonical column names, ISO dates, and every cell that a spreadsheet would run as a
formula (``=HYPERLINK(...)``) neutralised with a leading ``'`` (:func:`qmsdata.files.write_csv`),
undone when qmsdata reads it back.

Every import holds the workbook's lock (``<workbook>/.qms.lock``, waiting for another import to
finish) from the duplicate-ID check to the write, so two imports at once both land, or the
second is refused as a duplicate; none is lost. The write is atomic, the previous version of
the file is kept under ``<workbook>/.qms-backup/``, and anything wrong with the register (a row
failing validation, an action ID already in the workbook or twice in the register, a missing
required column, a control character such as NUL, a cell longer than Excel holds, an ID with a
line break) refuses the whole import with nothing written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from qmsdata.errors import ConfigError, DataError, SourceError

RECORD_TYPE = "review_actions"
BACKUP_DIR = ".qms-backup"
LOCK_NAME = ".qms.lock"
#: Excel's limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
#: a decisions register is a few dozen rows; a bigger file is not one.
MAX_REGISTER_BYTES = 20 << 20
#: characters no spreadsheet cell can hold (openpyxl refuses them); tab, LF and CR are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class ImportResult:
    """What :func:`import_actions` did.

    Attributes
    ----------
    source
        The file the rows were added to (``<workbook>/qms-review-actions.csv``).
    backup
        The copy of that file as it was before, or None when the import created it.
    added
        Action IDs added, in order.
    """

    source: Path
    backup: Path | None
    added: list[str]


def read_register(file: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a completed decisions register (CSV with the review_actions canonical columns).

    Cells are text, stripped, empty -> None, and the pack's protective ``'`` before a
    formula-like cell is removed (:func:`qmsdata.files.unneutralise_cell`): the text is what
    was meant.

    Raises
    ------
    SourceError
        Missing, too large, not UTF-8, not CSV, or holding a control character (NUL, ...).
    """
    from qmsdata.files import unneutralise_cell

    path = Path(file)
    if not path.is_file():
        raise SourceError(
            f"register {path} not found",
            file=path,
            record_type=RECORD_TYPE,
            hint="Pass the review-actions.csv the meeting completed.",
        )
    size = path.stat().st_size
    if size > MAX_REGISTER_BYTES:
        raise SourceError(
            f"register {path} is {size:,} bytes, more than a decisions register "
            f"({MAX_REGISTER_BYTES:,} at most)",
            file=path,
            record_type=RECORD_TYPE,
            hint="Pass the review-actions.csv of the pack, completed by the meeting.",
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"register {path} is not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=path,
            record_type=RECORD_TYPE,
            hint="Save the register as UTF-8 CSV (Excel: 'CSV UTF-8') and import again.",
        ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise SourceError(
            f"register {path} holds the control character U+{ord(bad.group()):04X}"
            f"{' (NUL)' if bad.group() == chr(0) else ''} on line {line}: not text a "
            "spreadsheet cell can hold; nothing imported",
            file=path,
            record_type=RECORD_TYPE,
            hint="Remove it (the file may be damaged or not a CSV) and import again.",
        )
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(
            f"cannot read register {path}: {exc}",
            file=path,
            record_type=RECORD_TYPE,
            hint="Save the register as UTF-8 CSV with a header row.",
        ) from None
    frame.columns = [unneutralise_cell(str(c).strip()) for c in frame.columns]
    frame = frame.map(lambda v: unneutralise_cell(v.strip()) if isinstance(v, str) else v)
    return frame.replace({"": None})


def _register_problems(reg: pd.DataFrame, spec: Any) -> list[str]:
    """Return what makes the register unimportable before validation (one line each)."""
    problems = []
    missing = [c.name for c in spec.columns if c.required and c.name not in reg.columns]
    if missing:
        problems.append(
            f"required column(s) {', '.join(missing)} missing (the register has: "
            f"{', '.join(map(str, reg.columns))})"
        )
    problems += [
        f"column name {str(c)[:40]!r}...: {len(str(c)):,} characters, more than a spreadsheet "
        f"cell holds ({MAX_CELL_CHARS:,})"
        for c in reg.columns
        if len(str(c)) > MAX_CELL_CHARS
    ]
    ids = {c.name for c in spec.columns if c.kind == "id"}
    for pos, row in enumerate(reg.itertuples(index=False), start=1):
        for name, v in zip(reg.columns, row, strict=True):
            if not isinstance(v, str):
                continue
            if len(v) > MAX_CELL_CHARS:
                problems.append(
                    f"row {pos}: {name}: {len(v):,} characters, more than a spreadsheet cell "
                    f"holds ({MAX_CELL_CHARS:,})"
                )
            elif name in ids and not v.isprintable():
                problems.append(
                    f"row {pos}: {name}: {v!r} holds a line break, tab or other control "
                    "character; an ID is one line of text"
                )
    return problems


def import_actions(
    file: str | os.PathLike[str],
    workbook: str | os.PathLike[str],
    *,
    as_of: Any = None,
    stamp: str | None = None,
) -> ImportResult:
    """Validate a completed decisions register and add it to the workbook's review_actions.

    Parameters
    ----------
    file
        The completed ``review-actions.csv`` (review_actions canonical columns).
    workbook
        Workbook folder with ``qms.toml``, whose ``[records.review_actions]`` is configured
        (any source format; it is read, never written). The rows go to
        ``<workbook>/qms-review-actions.csv``.
    as_of
        Reporting date for validation (review dates after it are refused); default: the
        latest review date in the register.
    stamp
        Suffix of the backup file name (the CLI passes the current UTC time); default: a
        counter so nothing is overwritten.

    Returns
    -------
    ImportResult

    Raises
    ------
    DataError
        The register has rows that fail validation (listed with row and column), lacks a
        required column, has a cell longer than Excel holds or an ID with a line break,
        repeats an action ID, or uses one already in the workbook. Nothing is written.
    SourceError, ConfigError
        The register or the workbook's source cannot be read.
    """
    from qmsdata.config import read_config
    from qmsdata.files import atomic_write, file_lock, write_csv
    from qmsdata.io import appended_path, inside_workbook
    from qmsdata.records import RECORD_TYPES
    from qmsdata.validation import validate

    root = Path(workbook)
    cfg = read_config(root / "qms.toml" if root.is_dir() else root)
    src = cfg.records.get(RECORD_TYPE)
    owned = appended_path(RECORD_TYPE, cfg.root)
    assert owned is not None  # noqa: S101 - review_actions has an appended file
    if src is None:
        raise ConfigError(
            f"{cfg.file}: no [records.{RECORD_TYPE}] source configured",
            file=cfg.file,
            record_type=RECORD_TYPE,
            hint=f'Add [records.review_actions] with source = "{owned.name}" (the file '
            "qmsdata keeps imported actions in) or your own register's file",
        )
    primary = None if src.is_sql else inside_workbook(cfg.root / src.source, cfg.root, src)
    if primary is not None and primary != owned and not primary.exists():
        raise SourceError(
            f"the review_actions source {src.source!r} does not exist",
            file=primary,
            record_type=RECORD_TYPE,
            hint=f'Create it, or set source = "{owned.name}" in [records.review_actions] to '
            "keep review actions only in the file qmsdata writes",
        )

    spec = RECORD_TYPES[RECORD_TYPE]
    reg = read_register(file)
    if reg.empty:
        raise DataError(
            f"register {file} has no rows",
            file=Path(file),
            record_type=RECORD_TYPE,
            hint="Nothing to import.",
        )
    problems = _register_problems(reg, spec)
    if problems:
        raise DataError(
            f"register {file} cannot be imported, nothing imported:\n  "
            + "\n  ".join(problems[:20]),
            file=Path(file),
            record_type=RECORD_TYPE,
            hint="Correct the register (it must keep the columns of the pack's "
            "review-actions.csv) and import again.",
        )
    at = (
        pd.Timestamp(as_of)
        if as_of is not None
        else pd.to_datetime(reg["review_date"], errors="coerce", format="ISO8601").max()
    )
    if at is None or pd.isna(at):
        at = pd.Timestamp(cfg.as_of) if cfg.as_of else pd.Timestamp("2100-01-01")
    checked = validate(reg, RECORD_TYPE, as_of=at, file=Path(file))
    if len(checked.rejects):
        lines = [f"row {int(r.source_row)}: {r.reasons}" for r in checked.rejects.itertuples()]
        raise DataError(
            f"register {file}: {len(lines)} row(s) fail the review_actions checks, nothing "
            "imported:\n  " + "\n  ".join(lines[:20]),
            file=Path(file),
            record_type=RECORD_TYPE,
            hint="Correct those rows (action_id, review_date, output_type, description and "
            "status are required) and import again.",
        )
    acc = checked.accepted
    ids = acc["action_id"].astype(str)
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise DataError(
            f"register {file} repeats action ID(s) {', '.join(dup)}",
            file=Path(file),
            record_type=RECORD_TYPE,
            column="action_id",
            hint="Give each action its own ID; nothing was imported.",
        )
    out = pd.DataFrame(index=acc.index)
    for col in spec.columns:
        v = acc[col.name] if col.name in acc.columns else pd.Series(None, index=acc.index)
        if col.kind == "date":
            d = pd.to_datetime(v, errors="coerce")
            v = d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), None)
        out[col.name] = v.astype(object).where(v.notna(), None)

    lock = cfg.root / LOCK_NAME
    if lock.is_symlink() or (lock.exists() and not lock.is_file()):
        raise SourceError(
            f"{lock} is not a plain file (a symlink?): qmsdata will not open it",
            file=lock,
            record_type=RECORD_TYPE,
            hint="Remove it; qmsdata creates the workbook's lock file itself.",
        )
    with file_lock(lock, what="this workbook", wait=True, error=SourceError):
        # inside the lock: an import that finished while we waited is seen here
        existing = _existing_ids(src, cfg.root)
        clash = sorted(set(ids) & set(existing))
        if clash:
            where = sorted({existing[i] for i in clash})
            raise DataError(
                f"action ID(s) {', '.join(clash)} already in {' and '.join(where)}; "
                "nothing imported",
                file=owned,
                record_type=RECORD_TYPE,
                column="action_id",
                hint="This register may already have been imported. Remove those rows or renumber.",
            )
        backup = None
        if owned.exists():
            old = _read_owned(owned)
            backup = _backup_path(owned, cfg.root, stamp)
            atomic_write(backup, owned.read_bytes())
            cols = [*out.columns, *(c for c in old.columns if c not in out.columns)]
            new = pd.concat(
                [old.reindex(columns=cols), out.reindex(columns=cols)], ignore_index=True
            )
        else:
            new = out
        write_csv(new, owned)
    return ImportResult(owned, backup, ids.tolist())


def _existing_ids(src: Any, root: Path) -> dict[str, str]:
    """Return the action IDs the workbook holds -> the file (or database) holding each.

    Both the configured source and the rows qmsdata added (``qms-review-actions.csv``).
    """
    from qmsdata.io import appended_path, read_appended, read_source, source_column

    owned = appended_path(RECORD_TYPE, root)
    if not src.is_sql and src.path(root) == owned:
        if owned is None or not owned.exists():
            return {}
        raw = read_appended(src, root)
    else:
        raw = read_source(src, root)
    frame, prov = raw.frame, raw.provenance
    col = source_column(src, "action_id", frame.columns)
    if col is None:
        raise SourceError(
            f"the review_actions source has no column {src.columns.get('action_id', 'action_id')!r}"
            " for action_id",
            file=prov.source,
            record_type=RECORD_TYPE,
            column="action_id",
            hint="Check [records.review_actions.columns] in qms.toml.",
        )
    parts = prov.parts or (prov,)
    where = [(p.rows, Path(p.source).name if p.format != "sql" else p.source) for p in parts]
    found: dict[str, str] = {}
    values = iter(frame[col])
    for rows, name in where:
        for _, v in zip(range(rows), values, strict=False):
            if not _missing(v):
                found.setdefault(_id_text(v), name)
    return found


def _id_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _read_owned(path: Path) -> pd.DataFrame:
    """Read back qmsdata's own file as the text it stored (neutralisation kept: rewritten)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace(
            {"": None}
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise SourceError(
            f"cannot read {path.name}: {exc}",
            file=path,
            record_type=RECORD_TYPE,
            hint="Restore it from .qms-backup/ (qmsdata writes it; edit it only as CSV).",
        ) from None


def _backup_path(path: Path, root: Path, stamp: str | None) -> Path:
    folder = root / BACKUP_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise SourceError(
            f"{folder} is not a folder of this workbook (a symlink or a file)",
            file=folder,
            record_type=RECORD_TYPE,
            hint="Remove it; qmsdata keeps its backups there.",
        )
    base = stamp or dt.date.min.strftime("%Y%m%d")
    target = folder / f"{path.name}.{base}"
    n = 1
    while target.exists():
        target = folder / f"{path.name}.{base}.{n}"
        n += 1
    return target
