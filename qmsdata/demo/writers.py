"""Write the generated tables as real exports: CSV (encodings, delimiters), xlsx, Parquet, SQLite.

Every file goes through :func:`qmsdata.files.atomic_write`; xlsx zips get fixed timestamps so the
same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.errors import QmsError
from qmsdata.files import atomic_write

if TYPE_CHECKING:
    from qmsdata.demo.generate import Table
from qmsdata.demo.company import ORGANISATION, SITES
from qmsdata.demo.exports import COLUMNS, DISPLAYED, EXTRA_COLUMNS, SOURCES, SPECIAL

# --- writing ----------------------------------------------------------------------------------


def _interleave(valid: pd.DataFrame, bad: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    """Return the valid rows with each bad row placed so its 1-based position is source_row."""
    if not bad:
        return valid.reset_index(drop=True)
    bad = sorted(bad, key=lambda t: t[0])
    total = len(valid) + len(bad)
    positions = [pos for pos, _ in bad]
    if positions[-1] > total or len(set(positions)) != len(positions):
        raise QmsError("demo generator: planted invalid rows do not fit the table")
    is_bad = np.zeros(total, dtype=bool)
    is_bad[np.array(positions) - 1] = True
    bad_frame = pd.DataFrame([row for _, row in bad], columns=valid.columns)
    order = np.empty(total, dtype=np.int64)
    order[~is_bad] = np.arange(len(valid))
    order[is_bad] = len(valid) + np.arange(len(bad))
    both = pd.concat([valid.astype(object), bad_frame.astype(object)], ignore_index=True)
    return both.iloc[order].reset_index(drop=True)


def _text_column(col: pd.Series, date_format: str) -> pd.Series:
    """Format one column as a CSV export would: dates in ``date_format``, empty for missing."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime(date_format).fillna("").astype(object)
    if pd.api.types.is_integer_dtype(col):
        return col.astype(str).astype(object)
    na = col.isna().to_numpy()
    if pd.api.types.is_float_dtype(col):
        v = np.where(na, 0.0, col.to_numpy(float))
        whole = v == np.round(v)
        text = np.where(
            whole,
            np.round(v).astype(np.int64).astype(str),
            np.where(np.abs(v) >= 1, np.char.mod("%.2f", v), np.char.mod("%.4g", v)),
        )
    else:
        text = col.astype(object).astype(str).to_numpy()
    return pd.Series(np.where(na, "", text), index=col.index, dtype=object)


def _cell(v: Any, date_format: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).strftime(date_format)
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, float | np.floating):
        x = float(v)
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.2f}" if abs(x) >= 1 else f"{x:.4g}"
    return str(v)


def _export_frame(
    record_type: str, valid: pd.DataFrame, bad: list[tuple[int, dict[str, Any]]]
) -> tuple[pd.DataFrame, list[tuple[int, dict[str, Any]]]]:
    """Return the valid rows and the bad rows with the export's column names."""
    mapping = COLUMNS[record_type]
    cols = [c for c in mapping if c in valid.columns]
    extra = {k: v for k, v in EXTRA_COLUMNS.items() if k in valid.columns}
    names = {**mapping, **extra}
    frame = valid[cols + list(extra)].copy()
    for col in DISPLAYED.get(record_type, ()):
        frame[col] = frame[col].map(
            lambda v: SPECIAL.get(v, v.replace("_", " ").capitalize()) if isinstance(v, str) else v
        )
    frame = frame.rename(columns=names)
    bad = [(pos, {names[k]: row.get(k) for k in cols + list(extra)}) for pos, row in bad]
    return frame, bad


def write_sources(tmp: Path, tables: dict[str, Table], end: pd.Period) -> list[str]:
    written: list[str] = []
    sheets: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for rt, (valid, bad) in tables.items():
        spec = SOURCES[rt]
        name = spec["source"]
        frame, bad_rows = _export_frame(rt, valid, bad)
        if name.endswith(".csv"):
            fmt = spec.get("date_format", "%Y-%m-%d")
            text = pd.DataFrame({c: _text_column(frame[c], fmt) for c in frame.columns})
            bad_text = [(pos, {k: _cell(v, fmt) for k, v in row.items()}) for pos, row in bad_rows]
            text = _interleave(text, bad_text)
            atomic_write(
                tmp / name,
                text.to_csv(
                    index=False, sep=spec.get("delimiter", ","), lineterminator="\n"
                ).encode(spec.get("encoding", "utf-8")),
            )
        elif name.startswith("sqlite:///"):
            name = name.removeprefix("sqlite:///")
            _write_sqlite(tmp / name, spec["table"], _interleave(frame, bad_rows))
        elif name.endswith(".parquet"):
            typed = _interleave(frame, bad_rows)
            for col in typed.columns:
                if col.startswith("Qty"):
                    typed[col] = typed[col].astype(np.int64)
            typed[COLUMNS[rt]["date"]] = pd.to_datetime(typed[COLUMNS[rt]["date"]])
            typed = typed.astype({COLUMNS[rt]["site"]: str, COLUMNS[rt]["product"]: str})
            buf = io.BytesIO()
            typed.to_parquet(buf, index=False, engine="pyarrow")
            atomic_write(tmp / name, buf.getvalue())
        else:
            sheets.setdefault(name, []).append((spec["sheet"], _interleave(frame, bad_rows)))
        if name not in written:
            written.append(name)
    for name, parts in sheets.items():
        _write_xlsx(tmp / name, parts)
    atomic_write(tmp / "qms.toml", qms_toml(end).encode("utf-8"))
    return written


def _write_sqlite(path: Path, table: str, frame: pd.DataFrame) -> None:
    """Write ``frame`` as one SQLite table, as an ERP database extract would hold it."""
    import sqlite3

    def value(v: Any) -> Any:
        v = _xlsx_cell(v)
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d")
        return v

    with tempfile.TemporaryDirectory(prefix=".sqlite.", dir=path.parent) as scratch:
        db = Path(scratch) / path.name
        con = sqlite3.connect(db)
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            marks = ", ".join("?" for _ in frame.columns)
            con.execute(f'CREATE TABLE "{table}" ({cols})')
            con.executemany(
                f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',  # noqa: S608 - fixed names
                [tuple(value(v) for v in row) for row in frame.itertuples(index=False)],
            )
            con.commit()
        finally:
            con.close()
        atomic_write(path, db.read_bytes())


def _write_xlsx(path: Path, parts: list[tuple[str, pd.DataFrame]]) -> None:
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD"
    ) as writer:
        for sheet, frame in parts:
            cells = frame.map(_xlsx_cell)
            cells.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            for i, col in enumerate(frame.columns):
                width = max(len(str(col)), *(len(str(v)) for v in cells[col].head(50))) + 2
                ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = min(
                    width, 60
                )
    atomic_write(path, _normalise_zip(buf.getvalue()))


def _xlsx_cell(v: Any) -> Any:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _normalise_zip(data: bytes) -> bytes:
    """Return the xlsx with fixed timestamps, so the same input gives the same bytes."""
    fixed = "2000-01-01T00:00:00Z"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + fixed.encode() + rb"\g<3>",
                    content,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def qms_toml(end: pd.Period) -> str:
    as_of = end.end_time.normalize().strftime("%Y-%m-%d")
    lines = [
        "# Demo workbook written by `qms demo` (qmsdata.demo). Fictional company, generated data.",
        "# Column mappings: canonical name = column name in the export.",
        "",
        "[workbook]",
        f"organisation = {_toml_str(ORGANISATION)}",
        f"sites = [{', '.join(_toml_str(s) for s in SITES)}]",
        "fiscal_year_start = 1",
        f"as_of = {as_of}",
        "",
    ]
    for rt, spec in SOURCES.items():
        lines.append(f"[records.{rt}]")
        for key in ("source", "sheet", "table", "encoding", "delimiter", "date_format"):
            if key in spec:
                lines.append(f"{key} = {_toml_str(spec[key])}")
        lines.append("")
        lines.append(f"[records.{rt}.columns]")
        for canonical, source in COLUMNS[rt].items():
            lines.append(f"{canonical} = {_toml_str(source)}")
        lines.append("")
    return "\n".join(lines)
