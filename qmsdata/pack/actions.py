"""Import the review's completed decisions register into the workbook (ISO 9001 9.3.3 -> 9.3.2 a).

The pack ships ``review-actions.csv`` (review_actions schema, one suggested action per signal of
concern). The meeting completes it; :func:`import_actions` validates it and appends its rows to
the workbook's ``review_actions`` source, so next period's pack shows them under 9.3.2 a.

This is the one place qmsdata writes to a workbook source. The write is atomic (temporary file in
the same folder, then ``os.replace``), the previous file is kept as a timestamped backup under
``<workbook>/.qms-backup/``, an action ID already in the workbook (or twice in the register)
refuses the whole import, and only CSV and XLSX sources are written (anything else is refused:
an SQL database or a Parquet export belongs to another system).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from qmsdata.errors import ConfigError, DataError, SourceError
from qmsdata.files import unneutralise_cell

RECORD_TYPE = "review_actions"
BACKUP_DIR = ".qms-backup"


@dataclass
class ImportResult:
    """What :func:`import_actions` did.

    Attributes
    ----------
    source
        The workbook file appended to.
    backup
        The copy of the file as it was before.
    added
        Action IDs appended, in order.
    """

    source: Path
    backup: Path
    added: list[str]


def read_register(file: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a completed decisions register (CSV with the review_actions canonical columns)."""
    path = Path(file)
    if not path.is_file():
        raise SourceError(
            f"register {path} not found",
            file=path,
            record_type=RECORD_TYPE,
            hint="Pass the review-actions.csv the meeting completed.",
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SourceError(
            f"cannot read register {path}: {exc}",
            file=path,
            record_type=RECORD_TYPE,
            hint="Save the register as UTF-8 CSV with a header row.",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: unneutralise_cell(v.strip()) if isinstance(v, str) else v)
    return frame.replace({"": None})


def _existing_ids(src: Any, path: Path, id_col: str) -> set[str]:
    if not path.exists():
        return set()
    fmt = path.suffix.lower()
    if fmt == ".csv":
        old = pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=src.delimiter, encoding=src.encoding
        )
    else:
        old = pd.read_excel(
            path,
            sheet_name=src.sheet if src.sheet is not None else 0,
            dtype=str,
            keep_default_na=False,
        )
    if id_col not in old.columns:
        raise SourceError(
            f"{path} has no column {id_col!r} for action_id",
            file=path,
            record_type=RECORD_TYPE,
            column="action_id",
            hint="Check [records.review_actions.columns] in qms.toml.",
        )
    return set(old[id_col].astype(str).str.strip())


def import_actions(
    file: str | os.PathLike[str],
    workbook: str | os.PathLike[str],
    *,
    as_of: Any = None,
    stamp: str | None = None,
) -> ImportResult:
    """Validate a completed decisions register and append it to the workbook's review_actions.

    Parameters
    ----------
    file
        The completed ``review-actions.csv`` (review_actions canonical columns).
    workbook
        Workbook folder with ``qms.toml``; its ``review_actions`` source must be a CSV file or
        a sheet of an XLSX file.
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
        The register has rows that fail validation (listed with row and column), repeats an
        action ID, or uses one already in the workbook. Nothing is written.
    SourceError, ConfigError
        The register cannot be read, or the workbook's source cannot be appended safely.
    """
    from qmsdata.config import read_config
    from qmsdata.validate import validate

    root = Path(workbook)
    cfg = read_config(root / "qms.toml" if root.is_dir() else root)
    src = cfg.records.get(RECORD_TYPE)
    if src is None:
        raise ConfigError(
            f"{cfg.file}: no [records.{RECORD_TYPE}] source configured",
            file=cfg.file,
            record_type=RECORD_TYPE,
            hint='Add [records.review_actions] with source = "review-actions.csv".',
        )
    path = Path(src.source)
    if not path.is_absolute():
        path = cfg.root / path
    kind = path.suffix.lower()
    if src.query or src.table or kind not in (".csv", ".xlsx"):
        raise SourceError(
            f"cannot append to {path}: only CSV files and XLSX sheets are written",
            file=path,
            record_type=RECORD_TYPE,
            hint="Add the register's rows to that system yourself, or point review_actions at "
            "a CSV file.",
        )
    if kind == ".xlsx" and not path.exists():
        raise SourceError(f"{path} does not exist", file=path, record_type=RECORD_TYPE)

    reg = read_register(file)
    if reg.empty:
        raise DataError(
            f"register {file} has no rows",
            file=Path(file),
            record_type=RECORD_TYPE,
            hint="Nothing to import.",
        )
    at = (
        pd.Timestamp(as_of)
        if as_of is not None
        else pd.to_datetime(reg.get("review_date"), errors="coerce").max()
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
    mapping = {c: src.columns.get(c, c) for c in acc.columns if c != "source_row"}
    clash = sorted(set(ids) & _existing_ids(src, path, mapping["action_id"]))
    if clash:
        raise DataError(
            f"action ID(s) {', '.join(clash)} already in {path.name}; nothing imported",
            file=path,
            record_type=RECORD_TYPE,
            column="action_id",
            hint="This register may already have been imported. Remove those rows or renumber.",
        )

    from qmsdata.records import RECORD_TYPES

    spec = RECORD_TYPES[RECORD_TYPE]
    canon = [c.name for c in spec.columns]
    dates = {c.name for c in spec.columns if c.kind == "date"}
    out = pd.DataFrame(index=acc.index)
    for c in canon:
        v = acc[c] if c in acc.columns else pd.Series(None, index=acc.index, dtype=object)
        if c in dates:
            d = pd.to_datetime(v, errors="coerce")
            fmt = src.date_format or "%Y-%m-%d"
            v = d.dt.strftime(fmt) if kind == ".csv" else d.dt.date
            v = v.astype(object).where(d.notna(), None)
        out[mapping.get(c, c)] = v.astype(object)

    backup = _backup(path, cfg.root, stamp)
    if kind == ".csv":
        _append_csv(path, out, src)
    else:
        _append_xlsx(path, out, src)
    return ImportResult(path, backup, ids.tolist())


def _backup(path: Path, root: Path, stamp: str | None) -> Path:
    folder = root / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    base = stamp or dt.date.min.strftime("%Y%m%d")
    target = folder / f"{path.name}.{base}"
    n = 1
    while target.exists():
        target = folder / f"{path.name}.{base}.{n}"
        n += 1
    if path.exists():
        shutil.copy2(path, target)
    else:
        target.write_bytes(b"")
    return target


def _atomic(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _append_csv(path: Path, rows: pd.DataFrame, src: Any) -> None:
    if path.exists():
        old = pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=src.delimiter, encoding=src.encoding
        )
        for c in rows.columns:
            if c not in old.columns:
                old[c] = ""
        new = pd.concat([old, rows.reindex(columns=old.columns)], ignore_index=True)
    else:
        new = rows

    def write(tmp: str) -> None:
        new.to_csv(tmp, index=False, sep=src.delimiter, encoding=src.encoding)

    _atomic(path, write)


def _append_xlsx(path: Path, rows: pd.DataFrame, src: Any) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    if src.sheet is None:
        ws = book.worksheets[0]
    elif isinstance(src.sheet, int):
        ws = book.worksheets[src.sheet]
    else:
        ws = book[src.sheet]
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    missing = [c for c in rows.columns if c not in header]
    if missing:
        raise SourceError(
            f"{path} sheet {ws.title!r} has no column(s) {', '.join(missing)}",
            file=path,
            record_type=RECORD_TYPE,
            hint="Check [records.review_actions.columns] in qms.toml.",
        )
    for _, r in rows.iterrows():
        ws.append([None if h not in rows.columns or pd.isna(r[h]) else r[h] for h in header])
    _atomic(path, book.save)
