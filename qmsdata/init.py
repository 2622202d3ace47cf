"""``qms init``: propose a ``qms.toml`` for a folder of exports.

For each export in the folder (CSV, Excel .xlsx sheets, Parquet) it works out how to read it —
encoding, delimiter and header row (a title block above the header), decimal comma and
thousands separator, placeholder cells such as ``N/A`` — then proposes the record type whose
spec its headers resemble most (names and descriptions of :data:`qmsdata.records.RECORD_TYPES`,
and the file name) and a column mapping by name similarity. Codes it cannot read as allowed
values get a value map, guessed where one allowed value is plainly meant (``Final Inspection``
-> ``final``), else a ``"TODO"`` entry that ``qms check`` refuses until it is filled in.

What it cannot decide is written as a ``TODO`` — an active ``"TODO"`` value where the workbook
cannot load without an answer (a required column, an unknown code), a comment where the answer
is optional (a one-site company's constant site, an ambiguous day/month order). An existing
``qms.toml`` is never overwritten without ``force``.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.errors import ConfigError, SourceError
from qmsdata.io.csv import guess_layout

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.records import Column, RecordSpec

__all__ = ["Proposal", "init_command", "init_workbook", "inspect_folder"]

_SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}
_LINES = 60  # lines looked at to find the delimiter and the header
_SAMPLE = 500  # data rows looked at for values
#: words exports use for an identifier / a date / a quantity
_SYNONYMS = {
    "no": "id",
    "nr": "id",
    "num": "id",
    "number": "id",
    "ref": "id",
    "reference": "id",
    "code": "id",
    "qty": "quantity",
    "dt": "date",
    "raised": "opened",
    "logged": "received",
    "created": "opened",
    "closure": "closed",
    "rej": "rejected",
    "recv": "received",
}
_ENUM_SEP = re.compile(r"[\s\-]+")


@dataclass
class Proposal:
    """What ``qms init`` found for one export (one sheet of an .xlsx)."""

    file: str
    format: str
    sheet: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    header_row: int = 1
    headers: list[str] = field(default_factory=list)
    record_type: str | None = None
    score: float = 0.0
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    date_note: str = ""
    decimal: str = "."
    thousands: str | None = None
    missing: list[str] = field(default_factory=list)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    todos: list[str] = field(default_factory=list)
    sample: Any = None


# --- reading the exports -----------------------------------------------------------------------


def _encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 4:  # not merely a character cut by the sample's end
            return "cp1252"
    return "utf-8"


def _read_csv_export(path: Path) -> Proposal:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    enc = _encoding(head)
    text = head.decode("utf-8-sig" if enc == "utf-8" else enc, errors="replace")
    delimiter, header_row = guess_layout(text.splitlines()[:_LINES])
    return Proposal(
        file=path.name, format="csv", encoding=enc, delimiter=delimiter, header_row=header_row
    )


def _xlsx_sheets(path: Path) -> list[Proposal]:
    import openpyxl

    out = []
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - reported as a TODO by the caller
        return []
    try:
        for name in book.sheetnames:
            rows = []
            for r in book[name].iter_rows(values_only=True, max_row=_LINES):
                rows.append([c for c in r])
            widths = [sum(c is not None and str(c).strip() != "" for c in r) for r in rows]
            if not widths or max(widths) < 2:
                continue
            top = max(widths)
            header_row = next(i for i, w in enumerate(widths, 1) if w >= max(2, 0.6 * top))
            out.append(Proposal(file=path.name, format="xlsx", sheet=name, header_row=header_row))
    finally:
        book.close()
    return out


def _sample(p: Proposal, root: Path) -> pd.DataFrame:
    from qmsdata.config import RecordSource
    from qmsdata.io import read_sample

    rs = RecordSource(
        record_type="complaints",  # any type: no columns, settings or maps are applied
        source=p.file,
        sheet=p.sheet,
        encoding=p.encoding,
        delimiter=p.delimiter,
        header_row=p.header_row,
    )
    return read_sample(rs, root, _SAMPLE).frame


# --- matching headers to specs -----------------------------------------------------------------


def _words(text: str) -> list[str]:
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text))
    words = re.findall(r"[a-z0-9]+|#", raw.lower())
    return [_SYNONYMS.get(w, "id" if w == "#" else w) for w in words]


def _similarity(header: str, col: Column) -> float:
    h = _words(header)
    if not h:
        return 0.0
    name = col.name.split("_")
    hs, ns = " ".join(h), " ".join(name)
    score = difflib.SequenceMatcher(None, hs, ns).ratio()
    if set(name) <= set(h) or set(h) <= set(name):
        overlap = len(set(h) & set(name)) / max(len(set(name)), len(set(h)))
        score = max(score, 0.55 + 0.45 * overlap)
    desc = set(_words(col.description)) - {"the", "a", "of", "or", "and", "if", "any"}
    if desc and set(h) <= desc:
        score = max(score, 0.6)
    return score


def _profile(values: list[str]) -> dict[str, float]:
    """Return the share of ``values`` that read as dates and as numbers (either decimal)."""
    from qmsdata.check import guess_date_format
    from qmsdata.io.settings import plain_number

    vals = values[:100]
    if not vals:
        return {"date": 0.0, "number": 0.0}
    dates = sum(guess_date_format([v]) is not None for v in vals) / len(vals)
    nums = sum(
        plain_number(v, ".", ",") is not None or plain_number(v, ",", ".") is not None for v in vals
    ) / len(vals)
    return {"date": dates, "number": nums}


def _fits(col: Column, values: list[str], profile: dict[str, float]) -> float:
    """Return how well the sample values fit the column's kind (1 fits, 0 cannot be it)."""
    if not values:
        return 0.8
    if col.kind == "date":
        return 1.0 if profile["date"] >= 0.8 else 0.0
    if col.kind in ("number", "count"):
        return 1.0 if profile["number"] >= 0.8 else 0.0
    if col.kind == "period":
        return 1.0 if profile["date"] >= 0.5 or profile["number"] < 0.5 else 0.3
    if profile["date"] >= 0.8:
        return 0.2  # dates are rarely codes or names
    if col.allowed:
        distinct = set(values)
        known = sum(
            _ENUM_SEP.sub("_", v.lower()) in col.allowed or _guess_code(v, col.allowed) is not None
            for v in distinct
        )
        return 1.0 + 0.5 * known / len(distinct)
    return 1.0


def _match_columns(
    headers: list[str], spec: RecordSpec, frame: pd.DataFrame | None = None
) -> tuple[dict[str, str], float]:
    """Return ({canonical: header}, score) pairing each header with at most one column.

    Names are compared word by word (``Complaint No.`` ~ ``complaint_id``); the sample
    values must fit the column's kind (dates for a date, numbers for a count) and codes that
    read as allowed values (``Final Inspection`` for ``source``) count for a coded column.
    """
    values = {h: _text_values(frame[h]) if frame is not None else [] for h in headers}
    profiles = {h: _profile(v) for h, v in values.items()}
    pairs = []
    for c in spec.columns:
        for h in headers:
            fit = _fits(c, values[h], profiles[h])
            sim = _similarity(h, c)
            if fit == 0.0:
                continue
            if fit > 1.0:  # the codes are this column's: the name need only be near
                sim = max(sim, 0.45 + 0.3 * (fit - 1.0) * 2)
            if (
                c.kind == "date"
                and fit == 1.0
                and "date" in _words(h)
                and c.name == spec.event_date
            ):
                sim = max(sim, 0.62)
            pairs.append((sim * min(fit, 1.0), c.name, h))
    pairs.sort(reverse=True)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    score = 0.0
    for s, name, h in pairs:
        if s < 0.6 or name in mapping or h in used:
            continue
        mapping[name] = h
        used.add(h)
        score += s * (2 if spec.column(name).required else 1)
    required = [c.name for c in spec.columns if c.required]
    share = sum(r in mapping for r in required) / max(len(required), 1)
    return mapping, score * (0.5 + share)


def _file_hint(file: str, spec: RecordSpec) -> float:
    stem = " ".join(_words(Path(file).stem))
    names = (spec.name.replace("_", " "), spec.title.lower())
    return max(difflib.SequenceMatcher(None, stem, n).ratio() for n in names)


# --- values ------------------------------------------------------------------------------------


def _text_values(s: pd.Series) -> list[str]:
    vals = [str(v).strip() for v in s.dropna() if isinstance(v, str)]
    return [v for v in vals if v]


def _guess_code(value: str, allowed: tuple[str, ...]) -> str | None:
    """Return the allowed value plainly meant by ``value`` (``Final Inspection`` -> ``final``)."""
    words = set(_ENUM_SEP.sub("_", value.lower()).split("_"))
    fits = [a for a in allowed if set(a.split("_")) <= words]
    if fits:
        best = max(len(a.split("_")) for a in fits)
        top = [a for a in fits if len(a.split("_")) == best]
        return top[0] if len(top) == 1 else None
    close = difflib.get_close_matches(_ENUM_SEP.sub("_", value.lower()), allowed, n=1, cutoff=0.8)
    return close[0] if close else None


def _settle_values(p: Proposal, spec: RecordSpec, frame: pd.DataFrame) -> None:
    from qmsdata.check import PLACEHOLDERS, guess_date_format
    from qmsdata.io.settings import number_pattern

    found = set()
    for h in frame.columns:
        found |= set(_text_values(frame[h])) & set(PLACEHOLDERS)
    p.missing = sorted(found)
    for name, header in p.columns.items():
        col = spec.column(name)
        vals = [v for v in _text_values(frame[header]) if v not in found]
        if not vals:
            continue
        if col.kind == "date" and p.date_format is None:
            fmt = guess_date_format(vals[:200])
            if fmt and fmt != "%Y-%m-%d":
                p.date_format = fmt
                if "%d" in fmt and "%m" in fmt:
                    days = [v for v in vals if re.match(r"\D*(\d+)", v)]
                    if all(int(re.match(r"\D*(\d+)", v).group(1)) <= 12 for v in days):  # type: ignore[union-attr]
                        p.date_note = (
                            f"TODO: day/month order guessed ({fmt}): every day in the sample "
                            "is 12 or less; check against the export"
                        )
        elif col.kind in ("number", "count"):
            if any(number_pattern(",", ".").match(v) and "," in v for v in vals):
                p.decimal = ","
                if any(re.search(r"\d\.\d{3}(,|$)", v) for v in vals):
                    p.thousands = "."
            elif any(re.search(r"\d,\d{3}(\.|$)", v) for v in vals):
                p.thousands = ","
        elif col.allowed:
            unknown = sorted({v for v in vals if _ENUM_SEP.sub("_", v.lower()) not in col.allowed})
            if unknown:
                p.values[name] = {v: _guess_code(v, col.allowed) or "TODO" for v in unknown}


# --- the proposal ------------------------------------------------------------------------------


def inspect_folder(directory: str | os.PathLike[str]) -> list[Proposal]:
    """Return one :class:`Proposal` per export (per sheet for .xlsx) in ``directory``."""
    from qmsdata.io import APPENDED_FILES
    from qmsdata.records import RECORD_TYPES

    root = Path(directory).resolve()
    if not root.is_dir():
        raise ConfigError("not a folder", file=root, hint="Give the folder that holds the exports.")
    proposals: list[Proposal] = []
    own = set(APPENDED_FILES.values())
    for path in sorted(root.iterdir()):
        fmt = _SUFFIXES.get(path.suffix.lower())
        if fmt is None or not path.is_file() or path.name in own or path.name.startswith("."):
            continue
        if fmt == "csv":
            found = [_read_csv_export(path)]
        elif fmt == "xlsx":
            found = _xlsx_sheets(path)
        else:
            found = [Proposal(file=path.name, format="parquet")]
        for p in found:
            try:
                p.sample = _sample(p, root)
            except SourceError as exc:
                p.todos.append(f"TODO: could not read it: {exc.message}")
                proposals.append(p)
                continue
            p.headers = [str(c) for c in p.sample.columns]
            proposals.append(p)
    # the best record type per export, each record type used once (best scores first)
    scored = []
    for i, p in enumerate(proposals):
        if not p.headers:
            continue
        for name, spec in RECORD_TYPES.items():
            mapping, score = _match_columns(p.headers, spec, p.sample)
            scored.append((score * (1 + _file_hint(p.sheet or p.file, spec)), i, name, mapping))
    scored.sort(key=lambda t: -t[0])
    taken: set[str] = set()
    for score, i, name, mapping in scored:
        p = proposals[i]
        if p.record_type is not None or name in taken or score < 1.0:
            continue
        p.record_type, p.score, p.columns = name, score, mapping
        taken.add(name)
    for p in proposals:
        if p.record_type is None:
            continue
        spec = RECORD_TYPES[p.record_type]
        _settle_values(p, spec, p.sample)
    return proposals


def _key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text)


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_toml(proposals: list[Proposal]) -> str:
    """Return the commented ``qms.toml`` for ``proposals``."""
    from qmsdata.records import RECORD_TYPES

    out = io.StringIO()
    w = out.write
    w("# qms.toml proposed by `qms init`: check every line, fill in each TODO, then run\n")
    w('# `qms check` (it refuses the "TODO" values) and `qms validate`.\n')
    w(
        "# Settings: docs/data-dictionary.md (`qms dictionary`) and the README's\n"
        "# 'Bring your own exports'.\n\n"
    )
    w("[workbook]\n")
    w('organisation = ""                # TODO: your organisation\'s name\n')
    w('# sites = ["Leeds"]             # TODO (optional): the site names the records use\n')
    w("# as_of = 2026-10-31             # when the exports were taken (default: today)\n")
    for p in proposals:
        w("\n")
        if p.record_type is None:
            where = f"{p.file}" + (f" sheet {p.sheet!r}" if p.sheet else "")
            w(f"# TODO: {where}: no record type recognised")
            w(f" (headers: {', '.join(p.headers[:12])})\n" if p.headers else "\n")
            for t in p.todos:
                w(f"# {t}\n")
            w(f"# [records.<type>]\n# source = {_s(p.file)}\n")
            continue
        spec = RECORD_TYPES[p.record_type]
        w(f"# {p.file}" + (f" sheet {p.sheet!r}" if p.sheet else ""))
        w(f": looks like {p.record_type} ({spec.title}); check it\n")
        w(f"[records.{p.record_type}]\n")
        w(f"source = {_s(p.file)}\n")
        if p.sheet is not None:
            w(f"sheet = {_s(p.sheet)}\n")
        if p.format == "csv":
            if p.encoding != "utf-8":
                w(f"encoding = {_s(p.encoding)}\n")
            if p.delimiter != ",":
                w(f"delimiter = {_s(p.delimiter)}\n")
        if p.header_row != 1:
            w(f"header_row = {p.header_row}                  # lines above it are a title block\n")
        if p.date_format:
            w(f"date_format = {_s(p.date_format)}\n")
            if p.date_note:
                w(f"# {p.date_note}\n")
        if p.decimal != ".":
            w(f"decimal = {_s(p.decimal)}\n")
        if p.thousands:
            w(f"thousands = {_s(p.thousands)}\n")
        if p.missing:
            w("missing = [" + ", ".join(_s(m) for m in p.missing) + "]")
            w("   # placeholders seen in the export: read as empty\n")
        w(f"[records.{p.record_type}.columns]\n")
        for col in spec.columns:
            header = p.columns.get(col.name)
            if header is not None:
                if header != col.name:
                    w(f"{col.name} = {_s(header)}\n")
            elif col.name == "site":
                pass  # a constant, below
            elif col.required:
                w(f'{col.name} = "TODO"   # TODO: required ({col.description}): the header\n')
            else:
                w(f'# {col.name} = ""   # optional: {col.description}\n')
        rest = [h for h in p.headers if h not in p.columns.values()]
        if rest:
            w("# source columns not mapped (kept as extra columns): " + ", ".join(rest) + "\n")
        site = spec.names and "site" in spec.names and "site" not in p.columns
        if site and spec.column("site").required:
            w(f"[records.{p.record_type}.constants]   # no site column in the export\n")
            w('site = "TODO"   # TODO: the site these records are from (or map a column)\n')
        elif site:
            w("# no site column: a one-site company may set it (optional):\n")
            w(f'# [records.{p.record_type}.constants]\n# site = "<your site>"\n')
        for name, vmap in p.values.items():
            col = spec.column(name)
            allowed = ", ".join(col.allowed or ())
            w(f"[records.{p.record_type}.values.{name}]   # codes of the export -> {allowed}\n")
            for value, target in vmap.items():
                note = "   # TODO: one of " + allowed if target == "TODO" else "   # guessed"
                w(f"{_key(value)} = {_s(target)}{note}\n")
    return out.getvalue()


def init_workbook(directory: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``qms.toml`` proposed for the exports in ``directory``; return its path.

    Raises
    ------
    ConfigError
        ``directory`` is not a folder, or already holds a ``qms.toml`` and ``force`` is False.
    """
    from qmsdata.config import CONFIG_NAME
    from qmsdata.files import atomic_write

    root = Path(directory)
    target = root / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigError(
            f"{CONFIG_NAME} already exists",
            file=target,
            hint="Run qms init with --force to replace it, or edit it by hand.",
        )
    proposals = inspect_folder(root)
    atomic_write(target, render_toml(proposals))
    return target


def init_command(directory: str | os.PathLike[str], *, force: bool = False) -> int:
    """Run ``qms init``: write the proposal and say what it found; return 0."""
    target = init_workbook(directory, force=force)
    text = target.read_text(encoding="utf-8")
    todos = len(re.findall(r"\bTODO\b", text))
    recognised = len(re.findall(r"^\[records\.\w+\]", text, re.M))
    print(f"wrote {target} ({recognised} record source(s), {todos} TODO(s))")
    print(f"fill in the TODOs, then run: qms check {directory}")
    return 0
