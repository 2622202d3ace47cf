"""The data-quality report: one self-contained HTML page plus failure-case CSVs.

Built by qmsdata, not GX Data Docs: no CDN, no script, inline CSS, every data value escaped with
:func:`html.escape`. CSV extracts neutralise cells that a spreadsheet would run as a formula
(text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``;
plain numbers such as ``-3`` are left alone). Every file is written atomically.
"""

from __future__ import annotations

import html
import io
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.records import RECORD_TYPES

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.workbook import Workbook

__all__ = ["neutralise_csv_cell", "write_csv", "write_quality_report"]

#: failures shown per record type in the HTML page (all of them are in failures.csv).
MAX_ROWS_SHOWN = 200

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1f2933;
max-width:80rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
border-bottom:1px solid #cbd2d9}
.meta{color:#52606d;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #cbd2d9;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.flag td{background:#fff5f5}.ok{color:#1b7f3b;font-weight:600}.bad{color:#b42318;font-weight:600}
code{background:#f0f4f8;padding:0 .2rem}
"""


def neutralise_csv_cell(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: formula-like text gets a leading ``'``."""
    is_text = isinstance(value, str)
    if is_text and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` to CSV atomically with every text cell neutralised; return the path."""
    safe = frame.copy()
    for name in safe.columns:
        col = safe[name]
        if col.dtype == object or str(col.dtype) in ("str", "string"):
            safe[name] = col.map(neutralise_csv_cell, na_action="ignore")
    safe.columns = [neutralise_csv_cell(str(c)) for c in safe.columns]
    buf = io.StringIO()
    safe.to_csv(buf, index=False)
    return _atomic_write(Path(path), buf.getvalue())


def write_quality_report(wb: Workbook, out: str | os.PathLike[str]) -> Path:
    """Write the data-quality report of ``wb`` into folder ``out``; return the HTML path.

    Writes ``data-quality.html``, ``failures.csv`` (every failure) and
    ``rejects/<record_type>.csv`` (the rejected rows with their original columns and reasons)
    for each configured record type; reject files of other record types left by earlier runs
    are removed so the folder always describes this run.
    """
    out = Path(out)
    rejects_dir = out / "rejects"
    rejects_dir.mkdir(parents=True, exist_ok=True)
    write_csv(wb.failures, out / "failures.csv")
    for name in RECORD_TYPES:
        target = rejects_dir / f"{name}.csv"
        if name in wb.configured:
            write_csv(wb.rejects[name], target)
        else:
            target.unlink(missing_ok=True)
    return _atomic_write(out / "data-quality.html", render_html(wb))


def render_html(wb: Workbook) -> str:
    """Return the data-quality report page of ``wb`` as one self-contained HTML string."""
    e = html.escape
    v = wb.validation
    total_rows = int(v["rows"].sum())
    total_rej = int(v["rejected"].sum())
    title = f"Data quality — {wb.config.organisation or wb.path.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">Workbook {e(str(wb.path))} · as of {e(wb.as_of.date().isoformat())}'
        f" · {total_rows} rows read · "
        + (
            f'<span class="bad">{total_rej} rows quarantined</span>'
            if total_rej
            else '<span class="ok">every row accepted</span>'
        )
        + "</p>",
        "<h2>Record types</h2>",
        "<table><thead><tr><th>record type</th><th>source</th><th>format</th><th>sha256</th>"
        '<th class="num">rows</th><th class="num">accepted</th><th class="num">rejected</th>'
        "</tr></thead><tbody>",
    ]
    for name in RECORD_TYPES:
        row = v.loc[name]
        if not row["configured"]:
            continue
        prov = wb.provenance[name]
        cls = ' class="flag"' if row["rejected"] else ""
        parts.append(
            f"<tr{cls}><td>{e(name)}</td><td>{e(str(prov.source))}"
            f"{(' · ' + e(prov.detail)) if prov.detail else ''}</td><td>{e(prov.format)}</td>"
            f"<td><code>{e(prov.sha256[:16])}…</code></td>"
            f'<td class="num">{int(row["rows"])}</td><td class="num">{int(row["accepted"])}</td>'
            f'<td class="num">{int(row["rejected"])}</td></tr>'
        )
    parts.append("</tbody></table>")
    not_configured = [n for n in RECORD_TYPES if not v.loc[n, "configured"]]
    if not_configured:
        parts.append(
            "<p>Not configured (empty): " + ", ".join(e(n) for n in not_configured) + ".</p>"
        )

    f = wb.failures
    if len(f):
        parts += [
            "<h2>Failures by check</h2>",
            '<table><thead><tr><th>record type</th><th class="num">failures</th>'
            "<th>checks</th></tr></thead><tbody>",
        ]
        for name in RECORD_TYPES:
            sub = f[f["record_type"] == name]
            if not len(sub):
                continue
            counts = sub["check"].value_counts().sort_index()
            checks = " · ".join(f"{e(str(c))} {int(n)}" for c, n in counts.items())
            parts.append(
                f'<tr><td>{e(name)}</td><td class="num">{len(sub)}</td><td>{checks}</td></tr>'
            )
        parts.append("</tbody></table>")
        for name in RECORD_TYPES:
            sub = f[f["record_type"] == name]
            if not len(sub):
                continue
            line_note = wb.provenance[name].format in ("csv", "xlsx")
            parts.append(f"<h2>{e(name)}: {len(sub)} failures</h2>")
            if len(sub) > MAX_ROWS_SHOWN:
                parts.append(
                    f"<p>First {MAX_ROWS_SHOWN} shown; every failure is in "
                    f"<code>failures.csv</code> and the rows in "
                    f"<code>rejects/{e(name)}.csv</code>.</p>"
                )
            head = "<th class='num'>source row</th>"
            if line_note:
                head += "<th class='num'>line</th>"
            parts.append(
                f"<table><thead><tr>{head}<th>column</th><th>check</th><th>value</th>"
                "<th>reason</th></tr></thead><tbody>"
            )
            for r in sub.head(MAX_ROWS_SHOWN).itertuples(index=False):
                line = f'<td class="num">{int(r.source_row) + 1}</td>' if line_note else ""
                value = "" if r.failure_case is None else str(r.failure_case)
                parts.append(
                    f'<tr><td class="num">{int(r.source_row)}</td>{line}<td>{e(str(r.column))}'
                    f"</td><td>{e(str(r.check))}</td><td>{e(value)}</td>"
                    f"<td>{e(str(r.message))}</td></tr>"
                )
            parts.append("</tbody></table>")
    parts += [
        "<h2>About this report</h2>",
        "<p>Rows failing any check are quarantined, never dropped: rows read = accepted + "
        "rejected for every record type. <em>source row</em> counts data rows from 1; for CSV "
        "and Excel sources <em>line</em> is the spreadsheet line (the header is line 1). The "
        "checks and the normalisation of values are described in the data dictionary "
        "(<code>docs/data-dictionary.md</code>). Raw files are never modified.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _atomic_write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
