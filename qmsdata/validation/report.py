"""The data-quality report: one self-contained HTML page plus failure-case CSVs.

Built by qmsdata, not GX Data Docs: the page is rendered from the Jinja2 template
``qmsdata/templates/data-quality.html.j2`` with autoescaping on (every data value escaped), no
CDN, no script, inline CSS. CSV extracts go through :func:`qmsdata.files.write_csv` (cells a
spreadsheet would run as a formula are neutralised) and every file is written atomically
(:func:`qmsdata.files.atomic_write`). :func:`summary_table` is the plain-text table that
``qms validate`` prints.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdata.files import atomic_write, write_csv
from qmsdata.io.lines import shown_line
from qmsdata.records import RECORD_TYPES

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

__all__ = ["MAX_ROWS_SHOWN", "render_html", "summary_table", "write_quality_report"]

#: failures shown per record type in the HTML page (all of them are in failures.csv).
MAX_ROWS_SHOWN = 200

TEMPLATE = "data-quality.html.j2"


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
    return atomic_write(out / "data-quality.html", render_html(wb))


def render_html(wb: Workbook) -> str:
    """Return the data-quality report page of ``wb`` as one self-contained HTML string."""
    return _template().render(**report_context(wb))


#: example values shown per column and check in the summary above the row-by-row lists
EXAMPLES_SHOWN = 3


def report_context(wb: Workbook) -> dict[str, Any]:
    """Return the values the report template shows (plain data; the template escapes them)."""
    v = wb.validation
    record_types = []
    for name in RECORD_TYPES:
        row = v.loc[name]
        if not row["configured"]:
            continue
        prov = wb.provenance[name]
        record_types.append(
            {
                "name": name,
                "source": str(prov.source),
                "detail": prov.detail,
                "format": prov.format,
                "sha256": prov.sha256[:16],
                "rows": int(row["rows"]),
                "accepted": int(row["accepted"]),
                "rejected": int(row["rejected"]),
            }
        )
    f = wb.failures
    by_check, by_column, tables = [], [], []
    for name in RECORD_TYPES:
        sub = f[f["record_type"] == name] if len(f) else f.iloc[0:0]
        if not len(sub):
            continue
        counts = sub["check"].value_counts().sort_index()
        by_check.append(
            {
                "name": name,
                "failures": len(sub),
                "checks": [(str(c), int(n)) for c, n in counts.items()],
            }
        )
        for (column, check), group in sub.groupby(["column", "check"], sort=True):
            examples = group["failure_case"].dropna().astype(str).unique()[:EXAMPLES_SHOWN]
            by_column.append(
                {
                    "name": name,
                    "column": str(column),
                    "check": str(check),
                    "failures": len(group),
                    "rows": int(group["source_row"].nunique()),
                    "examples": [e if len(e) <= 60 else e[:59] + "…" for e in examples],
                }
            )
        tables.append(
            {
                "name": name,
                "failures": len(sub),
                "truncated": len(sub) > MAX_ROWS_SHOWN,
                "lines": wb.provenance[name].format in ("csv", "xlsx"),
                "rows": [
                    {
                        "source_row": int(r.source_row),
                        "line": shown_line(getattr(r, "source_line", None)),
                        "column": str(r.column),
                        "check": str(r.check),
                        "value": "" if r.failure_case is None else str(r.failure_case),
                        "message": str(r.message),
                    }
                    for r in sub.head(MAX_ROWS_SHOWN).itertuples(index=False)
                ],
            }
        )
    return {
        "title": f"Data quality — {wb.config.organisation or wb.path.name}",
        "workbook": str(wb.path),
        "as_of": wb.as_of.date().isoformat(),
        "total_rows": int(v["rows"].sum()),
        "total_rejected": int(v["rejected"].sum()),
        "record_types": record_types,
        "not_configured": [n for n in RECORD_TYPES if not v.loc[n, "configured"]],
        "by_check": by_check,
        "by_column": by_column,
        "failure_tables": tables,
        "max_rows": MAX_ROWS_SHOWN,
    }


def summary_table(wb: Workbook) -> str:
    """Return the plain-text summary table printed by ``qms validate``."""
    header = ("record type", "source", "rows", "accepted", "rejected")
    rows = []
    for name in RECORD_TYPES:
        v = wb.validation.loc[name]
        if not v["configured"]:
            continue
        source = Path(v["source"]).name if "://" not in v["source"] else v["source"]
        rows.append((name, source, str(v["rows"]), str(v["accepted"]), str(v["rejected"])))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    title = f"workbook {wb.config.organisation or wb.path} as of {wb.as_of.date().isoformat()}"
    lines = [title, fmt(header), *(fmt(r) for r in rows)]
    return "\n".join(lines)


@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qmsdata", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(TEMPLATE)
