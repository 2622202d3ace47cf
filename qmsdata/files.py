"""Writing files safely: the one place for atomic writes, workbook locks and safe CSV cells.

Every file qmsdata writes goes through :func:`atomic_write` (a temp file in the same folder, then
``os.replace``), so a crash or Ctrl-C never leaves half a file. Every CSV a person may open in a
spreadsheet goes through :func:`write_csv`, whose text cells pass :func:`neutralise_cell`.
Every write into a workbook folder holds :func:`file_lock`.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.errors import QmsError

if TYPE_CHECKING:
    import pandas as pd

#: text starting with one of these is run as a formula by spreadsheet programs (OWASP CSV
#: injection); a leading ``'`` makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

#: files qmsdata writes are readable by the group and others like any other output (0644 less
#: the umask), not 0600 as ``mkstemp`` creates them.
_FILE_MODE = 0o666


def neutralise_cell(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: formula-like text gets a leading ``'``.

    Text that reads as a plain number (``-3``, ``+1.5e3``) is left alone: a spreadsheet reads it
    as that number, not as a formula. Anything else that is not text is returned unchanged.
    """
    is_formula = isinstance(value, str) and value.startswith(FORMULA_START)
    if is_formula and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unneutralise_cell(value: Any) -> Any:
    """Undo :func:`neutralise_cell` (for reading back a CSV qmsdata wrote)."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def _umask() -> int:
    # Read without changing it for longer than the call (no import-time side effect).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(
    path: str | os.PathLike[str], data: bytes | str, *, encoding: str = "utf-8"
) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The bytes go to a temporary file in the same folder, are flushed to disk, and replace
    ``path`` in one ``os.replace``: readers see the old file or the new one, never half of
    either. The folder is created when missing. Text is written with ``encoding`` and no newline
    translation.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


#: the UTF-8 byte-order mark that starts every CSV qmsdata writes: without it Excel reads a
#: UTF-8 CSV as the Windows code page and shows ``PeÃ±alara`` for ``Peñalara``. Readers of
#: these files use ``encoding="utf-8-sig"`` (pandas drops it by itself).
BOM = "\ufeff"


def csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text with every text cell and column name neutralised.

    The text starts with a byte-order mark (:data:`BOM`) so Excel opens it as UTF-8.
    """
    safe = frame.copy()
    for name in safe.columns:
        col = safe[name]
        if col.dtype == object or str(col.dtype) in ("str", "string"):
            safe[name] = col.map(neutralise_cell, na_action="ignore")
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False)
    return BOM + buf.getvalue()


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` to CSV atomically with every text cell neutralised; return the path.

    UTF-8 with a byte-order mark (see :func:`csv_text`), so Excel shows accented names right.
    """
    return atomic_write(path, csv_text(frame))


@contextlib.contextmanager
def file_lock(
    path: str | os.PathLike[str], *, what: str, wait: bool = False, error: type[QmsError] = QmsError
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created when missing) for the ``with`` block.

    Parameters
    ----------
    path
        The lock file, e.g. ``<workbook>/.qms.lock``.
    what
        What is locked, for the error message ("this workbook", "this pack").
    wait
        Block until the lock is free instead of failing at once.
    error
        The :class:`QmsError` subclass raised when another process holds the lock.
    """
    import fcntl

    lock = Path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise error(
                f"another qms process is writing to {what}",
                file=lock,
                hint="Wait for it to finish, then run the command again.",
            ) from exc
        yield
    finally:
        fh.close()
