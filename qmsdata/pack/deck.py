"""``pack.pptx``: the meeting deck (``qms pack --formats pptx``), made with python-pptx.

Slides: the title (organisation, period, reporting and data dates); the exception summary
(signals of concern, objectives at risk, the data-quality verdict — the digest's words,
:func:`qmsdata.pack.digest.digest_from`); the objective matrix (the summary's extract); then one
slide per signal of concern with its chart. Everything is read from the pack being built (its
extracts and the manifest's content), nothing is recomputed.

The charts are the pack's own figures drawn as PNG (PowerPoint cannot place SVG) by the
plotly.js of the PDF's print page, in the same Chromium run that prints the PDF
(:func:`qmsdata.pack.export.with_pngs`), or by one Chromium of their own when nothing is
printed (:func:`qmsdata.pack.export.draw_pngs`); cached sealed in
``<out>/.cache/figures/<hash>.png`` (a tampered PNG is rejected and drawn again).
A signal is given the figure whose title names it (same title; else the same supplier /
objective id and most words in common; else the first chart of its clause's section sharing a word,
:func:`signal_figure`); a signal with no such figure gets a slide without a chart.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from qmsdata.errors import PackError

DECK = "pack.pptx"
MATRIX_CSV = "00_summary--objective_matrix.csv"
MATRIX_COLUMNS = ("objective", "actual", "target", "unit", "met", "variation", "assurance")
_ID_RE = re.compile(r"\b[A-Z]{2,}-\d+\b")
_WORD_RE = re.compile(r"[a-z0-9]+")


def figure_title(fig: dict[str, Any]) -> str:
    """Return a figure's title text (plotly JSON), or ''."""
    try:
        title = (json.loads(fig["json"]).get("layout") or {}).get("title") or ""
    except (ValueError, KeyError, AttributeError):
        return ""
    return str(title.get("text", "") if isinstance(title, dict) else title)


def match_figure(series: str, figures: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the figure whose title names ``series`` best, or None (see the module doc)."""
    words = set(_WORD_RE.findall(series.lower()))
    ids = set(_ID_RE.findall(series))
    best: tuple[float, dict[str, Any] | None] = (0.0, None)
    for fig in figures:
        title = figure_title(fig)
        if not title:
            continue
        if title.strip().lower() == series.strip().lower():
            return fig
        t_words = set(_WORD_RE.findall(title.lower()))
        t_ids = set(_ID_RE.findall(title))
        if ids and not ids & t_ids:
            continue  # a signal about SUP-004 is not shown with SUP-007's chart
        overlap = len(words & t_words) / max(1, len(words | t_words))
        score = overlap + (1.0 if ids & t_ids else 0.0)
        if score > best[0]:
            best = (score, fig)
    return best[1] if best[0] >= 0.5 else None


def _clause_key(text: str) -> str:
    """Return ``"9.3.2c1"`` for ``"9.3.2 c) 1"`` (a section's clause) or ``"9.3.2 c1 customer"``."""
    m = re.match(r"\s*(\d+(?:\.\d+)*)\s*([a-f])?\)?\s*(\d)?", str(text))
    return "".join(g or "" for g in m.groups()) if m else ""


def _stems(text: str) -> set[str]:
    stop = {"the", "of", "and", "per", "by", "in", "to", "a", "last", "months", "chart", "rate"}
    return {w.rstrip("s") for w in _WORD_RE.findall(text.lower()) if w not in stop and len(w) > 1}


def signal_figure(signal: dict[str, str], fragments: Sequence[Any]) -> dict[str, Any] | None:
    """Return the figure shown for a signal of concern, or None.

    :func:`match_figure` over every figure of the pack; failing that, the first figure of the
    section answering the signal's clause (its ``area``) whose title shares a word with the
    series (a section draws its main chart of a series first): "Complaints per million units
    shipped" (9.3.2 c1) gets "Complaint rate (u chart)".
    """
    figures = [f for frag in fragments for f in getattr(frag, "figures", [])]
    fig = match_figure(signal["series"], figures)
    if fig is not None or _ID_RE.search(signal["series"]):
        return fig
    key = _clause_key(signal.get("area", ""))
    words = _stems(signal["series"])
    for frag in fragments:
        if not key or _clause_key(getattr(frag, "clause", "")) != key:
            continue
        for f in getattr(frag, "figures", []):
            if words & _stems(figure_title(f)):
                return f
    return None


def png_path(fig: dict[str, Any], cache: Path) -> Path:
    """Return where the deck's PNG of ``fig`` is cached (sealed, :func:`cache.write_sealed`)."""
    from qmsdata.pack import cache as C

    return cache / "figures" / f"{C.sha(fig)}.png"


def deck_figures(build: Path, fragments: Sequence[Any], target: Path) -> list[dict[str, Any]]:
    """Return the figures the deck shows (one per signal of concern that has one), in order."""
    from qmsdata.pack.digest import digest_from

    digest = digest_from({}, build / "data", target)  # the signals come from the extracts
    chosen = {}
    for s in digest.signals:
        fig = signal_figure(s, fragments)
        if fig is not None:
            chosen[fig["id"]] = fig
    return list(chosen.values())


def cached_pngs(
    figures: Sequence[dict[str, Any]], cache: Path
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """Return (figure id -> PNG from the cache, figures still to draw).

    A cached PNG whose seal fails (edited, or unsealed from an older version) is removed and
    its figure drawn again.
    """
    from qmsdata.pack import cache as C

    found, missing = {}, []
    for fig in figures:
        png = C.read_sealed(png_path(fig, cache))
        if png is None:
            missing.append(fig)
        else:
            found[fig["id"]] = png
            C.touch(png_path(fig, cache))
    return found, missing


def store_pngs(figures: Sequence[dict[str, Any]], drawn: dict[str, bytes], cache: Path) -> None:
    """Cache the drawn PNGs, each sealed (written whole or not at all)."""
    from qmsdata.pack import cache as C

    for fig in figures:
        if fig["id"] in drawn:
            C.write_sealed(png_path(fig, cache), drawn[fig["id"]])


def deck_images(
    figures: list[dict[str, Any]], cache: Path, drawn: dict[str, bytes] | None = None
) -> dict[str, bytes]:
    """Return figure id -> PNG: from the cache, from ``drawn`` (the PDF print drew them), or
    drawn now by one headless Chromium (:func:`qmsdata.pack.export.draw_pngs`), and cached."""
    from qmsdata.pack.export import draw_pngs

    out, missing = cached_pngs(figures, cache)
    given = {f["id"]: drawn[f["id"]] for f in missing if drawn and f["id"] in drawn}
    missing = [f for f in missing if f["id"] not in given]
    new = {**given, **(draw_pngs(missing) if missing else {})}
    store_pngs([f for f in figures if f["id"] in new], new, cache)
    return {**out, **new}


def make_deck(
    build: Path,
    cache: Path,
    fragments: Sequence[Any],
    title: str,
    facts: Sequence[tuple[str, str]],
    manifest: dict[str, Any],
    target: Path,
    drawn: dict[str, bytes] | None = None,
) -> str | None:
    """Write ``build/pack.pptx``; return why the charts were left out, or None.

    ``drawn``: PNGs the PDF's browser run already drew (figure id -> PNG). Without static
    images (Chromium cannot run) the deck is still written, its signal slides without charts,
    and the reason is returned for the build to report.
    """
    from qmsdata.pack.digest import digest_from

    digest = digest_from(manifest, build / "data", target)
    shown = {i: signal_figure(s, fragments) for i, s in enumerate(digest.signals)}
    chosen = {f["id"]: f for f in shown.values() if f is not None}
    reason = None
    try:
        images = deck_images(list(chosen.values()), cache, drawn)
    except PackError as exc:
        images, reason = {}, f"deck written without charts: {exc}"
    matrix = _read(build / "data" / MATRIX_CSV)
    write_deck(build / DECK, title, facts, digest, matrix, shown, images)
    return reason


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None


def write_deck(
    path: Path,
    title: str,
    facts: Sequence[tuple[str, str]],
    digest: Any,
    matrix: pd.DataFrame | None,
    shown: dict[int, dict[str, Any] | None],
    images: dict[str, bytes],
) -> None:
    """Write the deck to ``path`` (see the module doc for the slides).

    ``shown`` maps the index of each of ``digest.signals`` to its figure (or None), ``images``
    figure id -> PNG.
    """
    from pptx import Presentation
    from pptx.util import Inches, Pt

    from qmsdata.files import atomic_write

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    width = prs.slide_width

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = "\n".join(f"{k}: {v}" for k, v in facts)
    for p in slide.placeholders[1].text_frame.paragraphs:
        for r in p.runs:
            r.font.size = Pt(16)

    def titled(text: str) -> Any:
        s = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        s.shapes.title.text = text
        s.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(30)
        s.shapes.title.top, s.shapes.title.height = Inches(0.3), Inches(1.0)
        s.shapes.title.left, s.shapes.title.width = Inches(0.5), width - Inches(1.0)
        return s

    # exception summary
    slide = titled("Exception summary")
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.4), width - Inches(1.2), Inches(5.6))
    tf = box.text_frame
    tf.word_wrap = True
    lines: list[tuple[str, int, bool]] = [(f"Signals of concern ({len(digest.signals)})", 20, True)]
    lines += [(f"{s['series']} — since {s['since']}", 16, False) for s in digest.signals] or [
        ("None this period.", 16, False)
    ]
    lines.append((f"Objectives at risk ({len(digest.objectives)})", 20, True))
    lines += [(f"{o['name']}: {o['text']}", 16, False) for o in digest.objectives] or [
        ("None: every objective is on track.", 16, False)
    ]
    lines.append(("Data quality", 20, True))
    lines.append((digest.quality, 16, False))
    if digest.failed:
        lines.append((f"Sections that failed: {', '.join(digest.failed)}", 16, False))
    for i, (text, size, bold) in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = text
        para.level = 0 if bold else 1
        para.runs[0].font.size, para.runs[0].font.bold = Pt(size), bold

    # objective matrix
    if matrix is not None and len(matrix):
        from qmsdata.pack.labels import label

        slide = titled("Quality objectives")
        cols = [c for c in MATRIX_COLUMNS if c in matrix.columns]
        rows = min(len(matrix), 14)
        shape = slide.shapes.add_table(
            rows + 1, len(cols), Inches(0.5), Inches(1.4), width - Inches(1.0), Inches(0.4)
        )
        table = shape.table
        widths = {"objective": 4.3, "assurance": 2.4, "variation": 1.7}
        rest = (12.333 - sum(widths.get(c, 0) for c in cols)) / max(
            1, sum(c not in widths for c in cols)
        )
        for j, c in enumerate(cols):
            table.columns[j].width = Inches(widths.get(c, rest))
            table.cell(0, j).text = label(c)
        for i, row in enumerate(matrix.head(rows).to_dict("records"), 1):
            for j, c in enumerate(cols):
                table.cell(i, j).text = str(row[c])
        for r in table.rows:
            for cell in r.cells:
                for p in cell.text_frame.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(13)

    # one slide per signal of concern
    for i, s in enumerate(digest.signals):
        slide = titled(s["series"])
        box = slide.shapes.add_textbox(Inches(0.6), Inches(1.25), width - Inches(1.2), Inches(1))
        box.text_frame.word_wrap = True
        box.text_frame.text = f"{s['area']} · since {s['since']}: {s['detail']}"
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(15)
        fig = shown.get(i)
        png = images.get(fig["id"]) if fig is not None else None
        if png:
            from PIL import Image

            w, h = Image.open(io.BytesIO(png)).size
            max_w, max_h = width - Inches(1.2), Inches(5.2)
            scale = min(max_w / w, max_h / h)
            pic_w, pic_h = int(w * scale), int(h * scale)
            slide.shapes.add_picture(
                io.BytesIO(png), (width - pic_w) // 2, Inches(2.15), pic_w, pic_h
            )
        else:
            note = slide.shapes.add_textbox(Inches(0.6), Inches(3), width - Inches(1.2), Inches(1))
            note.text_frame.text = "No chart of this series in the pack; see its section."
            note.text_frame.paragraphs[0].runs[0].font.size = Pt(14)

    buf = io.BytesIO()
    prs.save(buf)
    atomic_write(path, buf.getvalue())
