"""Helpers the pack notebooks call: load the workbook, show text and tables, save extracts.

Everything here is public (``qmsdata.save_extract``, ``qmsdata.narrate``, ``qmsdata.show_table``,
``qmsdata.section_workbook``) so the notebooks stay thin and import only ``qmsdata``.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qmsdata.errors import DataError
from qmsdata.files import write_csv
from qmsdata.pack.formatting import readable

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_KINDS = ("text", "conclusion", "insufficient", "warning")
#: longest slug kept before the hash suffix (the stem stays well under file-name limits)
_SLUG_MAX = 80


def extract_stem(name: str) -> str:
    """Return the file stem :func:`save_extract` uses for ``name``: safe, stable and unique.

    A name of letters, digits and ``_ . -`` (starting with a letter or digit, at most 100
    characters) is used as it is. Any other name (an id such as ``SUP 004`` or ``OBJ/02`` in
    ``rejection_SUP 004``) becomes a slug (each run of other characters replaced by ``_``) plus
    ``-`` and the first 8 hex digits of the SHA-256 of the name: the same name always gives the
    same stem, and two names that slug alike (``SUP 004``, ``SUP/004``) still get different
    stems, none of which can equal a plain name's. Never a path: no ``/``, no leading ``.``.

    Raises
    ------
    DataError
        When ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise DataError(
            f"extract name {name!r} is not text",
            hint="Pass a name such as 'complaint_rate'.",
        )
    if _NAME_RE.match(name):
        return name
    slug = _UNSAFE.sub("_", name).lstrip("._-")[:_SLUG_MAX].rstrip("._-") or "extract"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}"


def save_extract(
    df: Any,
    name: str,
    *,
    out_dir: str | Path | None = None,
    pack_level: bool = False,
    ids: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write the numbers behind a table or figure as ``<out_dir>/data/<stem>.csv``.

    Text cells, column and index names that a spreadsheet would run as a formula are
    neutralised (:func:`qmsdata.files.neutralise_cell`: ``=1+1`` becomes ``'=1+1``, a plain
    number such as ``-3`` is left alone). The write is atomic. In a pack build the engine passes
    ``out_dir`` and files the extract as ``data/<section id>--<stem>.csv`` in the pack.

    Parameters
    ----------
    df
        The DataFrame (or Series) shown in the table or figure.
    name
        What the extract is, unique within the section, e.g. ``"complaint_rate"`` or
        ``f"rejection_{supplier_id}"``. Any text: the file stem is :func:`extract_stem` of it
        (the name itself when it is a plain stem).
    out_dir
        The section's output folder (the notebook's ``out_dir`` parameter). When None (working
        interactively), nothing is written.
    pack_level
        Place the file at the top of the pack as ``<stem>.csv`` instead (for files the reader
        works with, such as the review's decisions register ``review-actions.csv``). Two
        sections writing the same pack-level name fail the build.
    ids
        Columns put first in the extract with one value each, e.g. ``{"supplier_id": sid}``:
        the record's original id stays in the CSV whatever the file is called.

    Returns
    -------
    Path or None
        The CSV written, or None when ``out_dir`` is None.
    """
    import pandas as pd

    stem = extract_stem(name)
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"save_extract needs a DataFrame or Series, got {type(df).__name__}")
    if out_dir is None:
        return None
    if pack_level and stem.lower() in {"pack", "manifest"}:
        raise DataError(f"{name!r} is reserved for the pack's own files", hint="Use another name.")
    frame = df
    if ids:
        frame = df.copy()
        for col, value in reversed(list(ids.items())):
            if col in frame.columns:
                frame[col] = value
            else:
                frame.insert(0, col, value)
    if any(n is not None for n in frame.index.names) or not isinstance(
        frame.index, pd.RangeIndex
    ):  # the index carries information: write it as the first column(s), as to_csv does
        index = frame.index.to_frame(index=False)
        index.columns = ["" if n is None else str(n) for n in frame.index.names]
        frame = pd.concat([index, frame.reset_index(drop=True)], axis=1)
    folder = Path(out_dir) / ("pack" if pack_level else "data")
    return write_csv(frame, folder / f"{stem}.csv")


class _Html:
    """A tiny display object carrying already-escaped HTML."""

    def __init__(self, markup: str) -> None:
        self._markup = markup

    def _repr_html_(self) -> str:
        return self._markup

    def __repr__(self) -> str:
        return re.sub(r"<[^>]+>", "", html.unescape(self._markup))


def narrate(text: str, *, kind: str = "text") -> None:
    """Show a sentence of narrative in the pack, with any data text in it escaped.

    Parameters
    ----------
    text
        Plain text (not HTML, not Markdown): record text such as a description is shown as
        written and can never inject markup.
    kind
        ``"text"``, ``"conclusion"`` (the stated evaluation that ends a section, ISO 9001
        9.1.3), ``"insufficient"`` (too little data for a verdict) or ``"warning"``.
    """
    from IPython.display import display

    if kind not in _KINDS:
        raise DataError(f"unknown narrative kind {kind!r}", hint=f"Use one of {', '.join(_KINDS)}.")
    label = {"conclusion": "Conclusion: ", "insufficient": "Insufficient data: "}.get(kind, "")
    strong = f"<strong>{label}</strong>" if label else ""
    display(_Html(f'<p class="qms-{kind}">{strong}{html.escape(str(text))}</p>'))


def show_table(
    df: Any,
    name: str | None = None,
    *,
    out_dir: str | Path | None = None,
    max_rows: int = 60,
    caption: str | None = None,
    filterable: bool = False,
) -> None:
    """Show a table in the pack (escaped HTML) and save its full numbers as an extract.

    Parameters
    ----------
    df
        The table.
    name
        Extract name for :func:`save_extract`; None shows the table without saving it.
    out_dir
        The notebook's ``out_dir`` parameter.
    max_rows
        Rows shown; the extract always has all of them and the table says how many were cut.
        Floats are rounded for reading; the extract keeps full precision.
    caption
        Optional caption (plain text, escaped).
    filterable
        Add a text box above the table that hides the rows not containing what is typed (a
        small inline script that only reads the table's text; nothing is loaded). The printed
        (PDF) version drops the script and shows the table.
    """
    import pandas as pd
    from IPython.display import display

    if isinstance(df, pd.Series):
        df = df.to_frame()
    if name is not None:
        save_extract(df, name, out_dir=out_dir)
    if df.empty:
        narrate("No records in this period.", kind="text")
        return
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", name or "table")
    tid, fid = f"qms-ft-{stem}", f"qms-ff-{stem}"
    from qmsdata.pack.labels import display_frame

    # headings for people, numbers by kind; the extract above keeps names and full precision
    table = display_frame(readable(df.head(max_rows))).to_html(
        escape=True,
        classes="qms-table qms-filterable" if filterable else "qms-table",
        border=0,
        na_rep="",
        float_format=_fmt,
        index=_meaningful_index(df),
        table_id=tid if filterable else None,
    )
    parts = []
    if caption:
        parts.append(f'<p class="qms-caption">{html.escape(caption)}</p>')
    if filterable:
        parts.append(
            f'<p class="qms-filter"><label for="{fid}">Filter rows: </label>'
            f'<input id="{fid}" type="search" placeholder="record ID, item, type…"></p>'
        )
    parts.append(table)
    if len(df) > max_rows:
        where = f" (all rows in data/…--{html.escape(extract_stem(name))}.csv)" if name else ""
        parts.append(f'<p class="qms-note">First {max_rows} of {len(df)} rows{where}.</p>')
    if filterable:
        parts.append(_FILTER_JS.format(fid=fid, tid=tid))
    display(_Html("\n".join(parts)))


def _fmt(x: float) -> str:
    """Format a float for a pack table: readable precision, thousands separated."""
    a = abs(x)
    if a == 0 or a != a:  # zero or NaN
        return "0" if a == 0 else ""
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:.2f}"
    if a >= 0.001:
        return f"{x:.4f}".rstrip("0").rstrip(".")  # 0.5, not 0.5000
    return f"{x:.3g}"


def _meaningful_index(df: Any) -> bool:
    """Return True when the index carries information (named, or not plain row numbers)."""
    import pandas as pd

    idx = df.index
    if any(n is not None for n in idx.names):
        return True
    return not (isinstance(idx, pd.RangeIndex) or pd.api.types.is_integer_dtype(idx.dtype))


def section_workbook(
    workbook: str | Path | None = None,
    *,
    as_of: Any = None,
    site: str | None = None,
    snapshot: str | Path | None = None,
    product: str | None = None,
    context: Any = None,
) -> Any:
    """Load the workbook for a pack section and send figures to the pack.

    In a pack build the engine loads and validates the workbook once and passes its snapshot;
    working interactively, the workbook is loaded with :func:`qmsdata.load`. Plotly figures are
    set to output their JSON (``plotly_mimetype``), which the pack exporter turns into one
    interactive figure in the HTML and one static image in the PDF.

    Parameters
    ----------
    workbook
        Workbook folder (with ``qms.toml``).
    as_of
        Reporting date: the records as at it (:meth:`qmsdata.Workbook.as_at`; records dated
        after it are left out, later closures hidden). The data are validated against the data
        date (``[workbook] as_of``, else today). None: the data date.
    site
        Keep only this site's rows in record types that have a ``site`` column.
    snapshot
        Snapshot folder written by the pack engine (see :func:`qmsdata.pack.snapshot`).
    product
        Keep only this product's rows in record types that have a ``product`` column.
    context
        A :class:`~qmsdata.pack.context.SectionContext` (from :func:`qmsdata.section_context`):
        its workbook, reporting date, site, product and snapshot replace the other arguments.
    """
    import plotly.io as pio

    if context is not None:
        workbook, as_of, site = context.workbook, context.as_of, context.site
        snapshot, product = context.snapshot, context.product
    if workbook is None:
        raise DataError("section_workbook needs a workbook folder or a context")

    pio.renderers.default = "plotly_mimetype"
    from qmsdata.pack.context import active_tracker

    tracker = active_tracker()
    if snapshot is not None:
        from qmsdata.pack.snapshot import read_snapshot

        with tracker.quiet() if tracker is not None else contextlib.nullcontext():
            wb = read_snapshot(snapshot)
    else:
        from qmsdata import load

        wb = load(workbook)
        if as_of is not None:
            wb = wb.as_at(as_of)
    # the one rule of the workbook's views (a Spark workbook's aggregates filtered too)
    if site is not None:
        wb = wb.for_site(site)
    if product is not None:
        wb = wb.for_product(product)
    if tracker is not None:
        from qmsdata.pack.reads import section_view

        # in a pack build: the pack's view, noting each frame and load fact the section reads
        # (its cache key is taken over them); any other workbook counts as reading everything
        return section_view(wb, snapshot, site, product)
    return wb


_FILTER_JS = (
    '<script class="qms-filter-js">(function(){{var i=document.getElementById("{fid}");'
    'var t=document.getElementById("{tid}");if(!i||!t)return;i.addEventListener("input",'
    "function(){{var q=i.value.toLowerCase();var r=t.tBodies[0].rows;for(var k=0;k<r.length;"
    'k++){{r[k].style.display=r[k].textContent.toLowerCase().indexOf(q)<0?"none":"";}}}});'
    "}})();</script>"
)


def show_filterable_table(
    df: Any,
    name: str | None = None,
    *,
    out_dir: str | Path | None = None,
    max_rows: int = 2000,
    caption: str | None = None,
) -> None:
    """Show a table with a filter box and save its extract (:func:`show_table` with a filter)."""
    show_table(df, name, out_dir=out_dir, max_rows=max_rows, caption=caption, filterable=True)
