"""The validation cache: a record type's result, reused while nothing it depends on changed.

The key of one record type's result (:func:`validation_key`) hashes everything the result is a
function of: the source's SHA-256 (from its provenance), how the source is configured (its
``[records.<type>]`` table), the record spec, the data date, the allowed sites, the ids its
references are checked against, and the versions of qmsdata's validation code (a hash of its
source files), great-expectations, pandas and pyarrow. An entry holds the accepted rows, the
rejects and the failures as Parquet, with the column dtypes as JSON (no pickle). An entry that
cannot be written or read exactly is simply not used: the record type is validated again.

After one new month of data, only the record types whose source changed (or whose referenced
ids changed) are validated again; the others are read back from here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.validation.split import Validated

__all__ = ["default_cache_dir", "is_cached", "load_cached", "store_cached", "validation_key"]

CACHE_VERSION = "1"
_PARTS = ("accepted", "rejects", "failures")
_CODE_DIRS = ("validation", "records", "io")
_code_hash: str | None = None


def default_cache_dir() -> Path:
    """``$QMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/qmsdata``, else ``~/.cache/qmsdata``."""
    env = os.environ.get("QMS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qmsdata"


def _code_version() -> str:
    """Hash of qmsdata's validation, record-spec and reader source files (and library versions)."""
    global _code_hash
    if _code_hash is None:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for sub in _CODE_DIRS:
            for p in sorted((root / sub).rglob("*.py")):
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
        for dist in ("great_expectations", "pandas", "pyarrow", "numpy"):
            try:
                h.update(f"{dist}={metadata.version(dist)}".encode())
            except metadata.PackageNotFoundError:
                h.update(dist.encode())
        _code_hash = h.hexdigest()
    return _code_hash


def _plain(obj: Any) -> Any:
    """Return ``obj`` (dataclasses, mappings, sequences of them) as JSON-able values."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in obj]
        return sorted(items, key=str) if isinstance(obj, (set, frozenset)) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return str(obj)


def validation_key(
    *,
    record_type: str,
    source_sha256: str,
    source_config: Any,
    spec: Any,
    as_of: Any,
    sites: Sequence[str],
    references: Mapping[str, Iterable[Any]],
) -> str:
    """Return the cache key of one record type's validation (see the module notes)."""
    refs = {col: sorted(str(v) for v in ids) for col, ids in sorted(references.items())}
    payload = {
        "version": CACHE_VERSION,
        "code": _code_version(),
        "record_type": record_type,
        "source": source_sha256,
        "config": _plain(source_config),
        "spec": _plain(spec),
        "as_of": str(as_of),
        "sites": list(sites),
        "references": hashlib.sha256(json.dumps(refs).encode()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _as_object(column: pd.Series) -> pd.Series:
    """Text read back from Parquet as the object column it was (missing values as None)."""
    out = column.astype(object)
    return out.where(column.notna(), None)


def is_cached(cache_dir: Path, key: str) -> bool:
    """Whether an entry for ``key`` exists (it may still turn out unreadable)."""
    return (cache_dir / "validation" / key / "meta.json").is_file()


def load_cached(cache_dir: Path, key: str) -> Validated | None:
    """Return the cached result under ``key``, or None (absent, or unreadable)."""
    import pandas as pd

    from qmsdata.validation.split import Validated

    entry = cache_dir / "validation" / key
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        parts = {}
        for part in _PARTS:
            frame = pd.read_parquet(entry / f"{part}.parquet")
            for col in meta["object_columns"].get(part, {}):
                frame[col] = _as_object(frame[col])
            parts[part] = frame
    except Exception:  # noqa: BLE001 - a broken entry only means: validate again
        return None
    os.utime(entry)  # least recently used entries are pruned first
    return Validated(parts["accepted"], parts["rejects"], parts["failures"])


def store_cached(cache_dir: Path, key: str, result: Validated) -> bool:
    """Store ``result`` under ``key`` when it reads back exactly; return whether it was stored."""
    import pandas as pd
    from pandas.testing import assert_frame_equal

    from qmsdata.files import atomic_write

    entry = cache_dir / "validation" / key
    tmp = entry.with_name(f".{key}.tmp-{os.getpid()}")
    frames: dict[str, pd.DataFrame] = {
        "accepted": result.accepted,
        "rejects": result.rejects,
        "failures": result.failures,
    }
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        object_columns: dict[str, dict[str, str]] = {}
        for part, frame in frames.items():
            path = tmp / f"{part}.parquet"
            frame.to_parquet(path)
            back = pd.read_parquet(path)
            fix = {c: "object" for c in frame.columns if frame[c].dtype == object}
            for col in fix:
                back[col] = _as_object(back[col])
            assert_frame_equal(frame, back)  # only exact round trips are cached
            object_columns[part] = fix
        atomic_write(tmp / "meta.json", json.dumps({"object_columns": object_columns}))
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        tmp.rename(entry)
    except Exception:  # noqa: BLE001 - not cacheable (or no room): the result is still returned
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True
