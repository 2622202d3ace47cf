"""A loaded, validated workbook frozen to disk, so pack sections read it without re-validating.

The pack engine loads and validates the workbook once, writes this snapshot (Parquet per record
type, JSON for the rest; no pickle) and hands its folder to each section notebook, which reads it
back with :func:`read_snapshot` in a fraction of the time of a fresh load.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from qmsdata.errors import PackError

FORMAT = "qmsdata-snapshot/1"


def _record_types() -> list[str]:
    from qmsdata.records import RECORD_TYPES

    return list(RECORD_TYPES)


def _jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON data (dataclasses, paths, dates, numpy scalars)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if hasattr(value, "_asdict"):
        return _jsonable(value._asdict())
    return str(value)


def _as_text_frame(df: Any) -> Any:
    """Return ``df`` with mixed object columns as strings, so Parquet can store any reject row."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    out.columns = [str(c) for c in out.columns]
    return out


def _validation_frame(validation: Any) -> Any:
    import pandas as pd

    if isinstance(validation, pd.DataFrame):
        return validation
    return pd.DataFrame(validation).T if isinstance(validation, dict) else pd.DataFrame()


def summarise(wb: Any) -> dict[str, Any]:
    """Return the JSON-able facts about a loaded workbook that the manifest records."""
    validation = _validation_frame(getattr(wb, "validation", None))
    provenance = getattr(wb, "provenance", {}) or {}
    inputs = []
    for rt, prov in provenance.items():
        item = (
            {"record_type": rt, **_jsonable(prov)}
            if not isinstance(prov, str | Path)
            else {
                "record_type": rt,
                "path": str(prov),
            }
        )
        inputs.append(item)
    val = {}
    if not validation.empty:
        index_name = validation.index.name
        frame = (
            validation.reset_index()
            if index_name or "record_type" not in validation
            else validation
        )
        if "record_type" not in frame.columns and "index" in frame.columns:
            frame = frame.rename(columns={"index": "record_type"})
        for row in frame.to_dict("records"):
            rt = str(row.pop("record_type", ""))
            val[rt] = {k: _jsonable(v) for k, v in row.items()}
    as_of = getattr(wb, "as_of", None)
    report_date = getattr(wb, "report_date", None)
    return {
        "as_of": str(as_of) if as_of is not None else None,
        "report_date": str(report_date) if report_date is not None else None,
        "inputs": inputs,
        "validation": val,
    }


def write_snapshot(wb: Any, folder: str | Path) -> Path:
    """Write ``wb`` to ``folder`` (created atomically: a temp folder renamed into place).

    The frames are written as they are: for a pack, the view as at its reporting date
    (:meth:`qmsdata.Workbook.as_at`); ``meta.json`` records the data date (``as_of``) and the
    reporting date (``report_date``).
    """
    import pandas as pd

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for rt in _record_types():
            frame = getattr(wb, rt, None)
            if isinstance(frame, pd.DataFrame):
                frame.to_parquet(tmp / f"{rt}.parquet")
        (tmp / "rejects").mkdir()
        for rt, frame in (getattr(wb, "rejects", None) or {}).items():
            if isinstance(frame, pd.DataFrame):
                _as_text_frame(frame).to_parquet(tmp / "rejects" / f"{rt}.parquet")
        failures = getattr(wb, "failures", None)
        if isinstance(failures, pd.DataFrame):
            _as_text_frame(failures.reset_index(drop=True)).to_parquet(tmp / "failures.parquet")
        validation = getattr(wb, "validation", None)
        if validation is not None:
            vf = _validation_frame(validation)
            vf.to_parquet(tmp / "validation.parquet")
        meta = {
            "format": FORMAT,
            "workbook": str(getattr(wb, "path", "") or ""),
            **summarise(wb),
            "provenance": _jsonable(getattr(wb, "provenance", {}) or {}),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.replace(tmp, folder)
        except OSError:  # another build wrote the same snapshot first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_snapshot(folder: str | Path) -> Any:
    """Read a snapshot written by :func:`write_snapshot`."""
    import pandas as pd

    folder = Path(folder)
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise PackError(
            "snapshot folder has no meta.json",
            file=folder,
            hint="Rebuild the pack with --force, or pass workbook= without snapshot=.",
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    attrs: dict[str, Any] = {}
    for rt in _record_types():
        p = folder / f"{rt}.parquet"
        attrs[rt] = pd.read_parquet(p) if p.is_file() else pd.DataFrame()
    attrs["rejects"] = {
        p.stem: pd.read_parquet(p) for p in sorted((folder / "rejects").glob("*.parquet"))
    }
    fp = folder / "failures.parquet"
    attrs["failures"] = pd.read_parquet(fp) if fp.is_file() else pd.DataFrame()
    vp = folder / "validation.parquet"
    attrs["validation"] = pd.read_parquet(vp) if vp.is_file() else pd.DataFrame()
    attrs["provenance"] = meta.get("provenance", {})
    attrs["as_of"] = pd.Timestamp(meta["as_of"]) if meta.get("as_of") else None
    report_date = meta.get("report_date")
    attrs["report_date"] = pd.Timestamp(report_date) if report_date else attrs["as_of"]
    attrs["path"] = Path(meta["workbook"]) if meta.get("workbook") else None
    attrs["config"] = _read_config(attrs["path"])
    from qmsdata.io import Provenance
    from qmsdata.workbook import Workbook

    try:
        return Workbook(
            config=attrs["config"],
            as_of=attrs["as_of"],
            frames={rt: attrs[rt] for rt in _record_types()},
            rejects=attrs["rejects"],
            failures=attrs["failures"],
            validation=attrs["validation"],
            provenance={rt: Provenance(**p) for rt, p in attrs["provenance"].items()},
            report_date=attrs["report_date"],
        )
    except (TypeError, AttributeError, KeyError) as exc:
        # a snapshot of another qmsdata version (its provenance fields differ) or a damaged
        # one: say so here, not as a TypeError deep in a section
        raise PackError(
            f"snapshot cannot be read back as a workbook ({type(exc).__name__}: {exc})",
            file=folder,
            hint="It was written by another version of qmsdata or is damaged: rebuild the "
            "pack with --force, which writes a new snapshot.",
        ) from None


def _read_config(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        from qmsdata.config import read_config
    except ImportError:
        return None
    try:
        return read_config(path)
    except Exception:  # noqa: BLE001 - the config was valid at load time; a moved folder is no error
        return None
