"""pack.pptx: title, exception summary, objective matrix, one slide per signal with its chart."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_digest_notify import fake_pack

from qmsdata.pack.deck import make_deck, match_figure
from qmsdata.pack.export import Fragment

MATRIX = (
    "objective,owner,last 12 months,actual,target,unit,met,variation,assurance,linked action\n"
    "OBJ-02 On-time delivery,Helen Marsh,▆▆▆█▃▇,92.36,95.0,%,no,~ common cause,"
    "✘ will not meet target,RA-2026-10-04\n"
)


def figure(fid: str, title: str) -> dict:
    spec = {"data": [{"type": "scatter", "y": [1, 3, 2]}], "layout": {"title": {"text": title}}}
    return {"id": fid, "json": json.dumps(spec), "height": 300}


FIGURES = [
    figure("fig-37_suppliers-1", "Supplier rejection rate against volume (funnel plot)"),
    figure("fig-37_suppliers-2", "SUP-004: rejection rate"),
    figure("fig-37_suppliers-3", "SUP-007: rejection rate"),
    figure("fig-33_conformity-1", "Defect rate Leeds / Reflow soldering"),
    figure("fig-33_conformity-2", "Defect rate Leeds / Wave soldering"),
    figure("fig-32_objectives-2", "OBJ-02: monthly values against target"),
]


@pytest.mark.parametrize(
    ("series", "fid"),
    [
        ("Supplier SUP-004 rejection rate", "fig-37_suppliers-2"),
        ("Defect rate Leeds / Reflow soldering", "fig-33_conformity-1"),
        ("Objective OBJ-02 On-time delivery to customers (order lines)", "fig-32_objectives-2"),
        ("Supplier SUP-999 rejection rate", None),  # never another supplier's chart
        ("Overdue corrective actions: Wave soldering", None),
    ],
)
def test_a_signal_gets_the_chart_that_names_it(series: str, fid: str | None) -> None:
    fig = match_figure(series, FIGURES)
    assert (fig["id"] if fig else None) == fid


def _pack(tmp_path: Path) -> tuple[Path, dict]:
    pack = fake_pack(tmp_path / "reports", "2026-10", "2026-10")
    (pack / "data" / "00_summary--objective_matrix.csv").write_text(MATRIX, encoding="utf-8")
    return pack, json.loads((pack / "manifest.json").read_text(encoding="utf-8"))


def _slides(path: Path) -> list[tuple[str, str, int]]:
    from pptx import Presentation

    out = []
    for slide in Presentation(str(path)).slides:
        texts, pictures = [], 0
        for shape in slide.shapes:
            if shape.shape_type == 13:  # picture
                pictures += 1
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for r in shape.table.rows for c in r.cells]
        out.append((slide.shapes.title.text, "\n".join(texts), pictures))
    return out


def test_deck_slides_from_the_pack_with_cached_charts(tmp_path: Path) -> None:
    from PIL import Image

    from qmsdata.pack import cache as C

    pack, manifest = _pack(tmp_path)
    cache = tmp_path / "reports" / ".cache"
    # the deck's PNG of the SUP-004 figure, as a previous build cached it (no browser needed)
    buf = io.BytesIO()
    Image.new("RGB", (960, 300), "white").save(buf, "PNG")
    fig = FIGURES[1]
    C.write_sealed(cache / "figures" / f"{C.sha(fig)}.png", buf.getvalue())
    frags = [Fragment("37_suppliers", "Suppliers", "9.3.2 c7", "<p/>", figures=FIGURES)]
    facts = [("Organisation", "Example Ltd"), ("Period", "2026-10")]
    note = make_deck(pack, cache, frags, "Management review pack — 2026-10", facts, manifest, pack)
    assert note is None
    slides = _slides(pack / "pack.pptx")
    assert [s[0] for s in slides] == [
        "Management review pack — 2026-10",
        "Exception summary",
        "Quality objectives",
        "Supplier <b>SUP-004</b> rejection rate",  # text in a deck is text, never markup
    ]
    assert "Organisation: Example Ltd" in slides[0][1]
    summary = slides[1][1]
    assert "Signals of concern (1)" in summary and "OBJ-02 On-time delivery" in summary
    assert "11 of 1,550 rows quarantined" in summary
    assert "Probability" not in summary
    matrix = slides[2][1]
    assert "Objective" in matrix and "Assurance" in matrix and "92.36" in matrix
    assert slides[3][2] == 1  # the chart


@pytest.mark.slow
def test_deck_draws_its_charts_with_chromium(tmp_path: Path) -> None:
    from qmsdata.pack.export import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium")
    pack, manifest = _pack(tmp_path)
    cache = tmp_path / "reports" / ".cache"
    frags = [Fragment("37_suppliers", "Suppliers", "9.3.2 c7", "<p/>", figures=FIGURES)]
    note = make_deck(pack, cache, frags, "Pack", [], manifest, pack)
    assert note is None, note
    assert _slides(pack / "pack.pptx")[-1][2] == 1
    assert len(list((cache / "figures").glob("*.png"))) == 1  # only the chart a signal uses


def test_a_signal_without_a_titled_chart_gets_its_sections_main_chart() -> None:
    from qmsdata.pack.deck import signal_figure

    frags = [
        Fragment(
            "31_customers",
            "Customers",
            "9.3.2 c) 1",
            "",
            figures=[
                figure("fig-31_customers-1", "Complaint rate (u chart)"),
                figure("fig-31_customers-2", "Complaint categories, last 12 months"),
            ],
        ),
        Fragment("37_suppliers", "Suppliers", "9.3.2 c) 7", "", figures=FIGURES[:3]),
    ]
    complaints = {"series": "Complaints per million units shipped", "area": "9.3.2 c1 customer"}
    assert signal_figure(complaints, frags)["id"] == "fig-31_customers-1"
    sup = {"series": "Supplier SUP-006 rejection rate", "area": "9.3.2 c7 suppliers"}
    assert signal_figure(sup, frags) is None  # no chart of SUP-006: not another supplier's
    other = {"series": "Complaints per million units shipped", "area": "9.3.2 c7 suppliers"}
    assert signal_figure(other, frags) is None


def _png(colour: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (960, 300), colour).save(buf, "PNG")
    return buf.getvalue()


def test_a_tampered_cached_png_is_rejected_and_drawn_again(tmp_path: Path, monkeypatch) -> None:
    from qmsdata.pack import cache as C
    from qmsdata.pack.deck import deck_images, png_path

    cache = tmp_path / "cache"
    fig = FIGURES[1]
    calls: list[list[str]] = []

    def draw(figures, **kw):
        calls.append([f["id"] for f in figures])
        return {f["id"]: _png("white") for f in figures}

    monkeypatch.setattr("qmsdata.pack.export.draw_pngs", draw)
    assert deck_images([fig], cache)[fig["id"]] == _png("white")
    assert calls == [[fig["id"]]]
    assert deck_images([fig], cache)[fig["id"]] == _png("white")
    assert len(calls) == 1, "served from the sealed cache"
    # someone swaps the cached chart (same size, same seal line, other picture)
    path = png_path(fig, cache)
    seal_line = path.read_bytes().partition(b"\n")[0]
    path.write_bytes(seal_line + b"\n" + _png("red"))
    assert deck_images([fig], cache)[fig["id"]] == _png("white")
    assert len(calls) == 2, "the tampered PNG was rejected and drawn again"
    assert C.read_sealed(path) == _png("white"), "and cached sealed afresh"
    # an unsealed PNG (as older versions cached them) is not used either
    path.write_bytes(_png("red"))
    assert deck_images([fig], cache)[fig["id"]] == _png("white") and len(calls) == 3


def test_pngs_drawn_by_the_print_run_are_used_and_cached(tmp_path: Path, monkeypatch) -> None:
    from qmsdata.pack import cache as C
    from qmsdata.pack.deck import deck_images, png_path

    def draw(figures, **kw):
        raise AssertionError("nothing left to draw in a second browser")

    monkeypatch.setattr("qmsdata.pack.export.draw_pngs", draw)
    fig = FIGURES[2]
    got = deck_images([fig], tmp_path, drawn={fig["id"]: _png("white")})
    assert got == {fig["id"]: _png("white")}
    assert C.read_sealed(png_path(fig, tmp_path)) == _png("white")


def test_only_pngs_tagged_with_the_runs_nonce_are_read() -> None:
    import base64

    from qmsdata.pack.export import read_pngs

    b64 = base64.b64encode(_png("white")).decode()
    dom = (
        f'<output hidden="" data-qms-png="n0nce:fig-a-1">data:image/png;base64,{b64}</output>'
        f'<output hidden="" data-qms-png="other:fig-a-2">data:image/png;base64,{b64}</output>'
        f'<output hidden="" data-qms-png="n0nce:fig-a-3">data:image/png;base64,AAAA</output>'
    )
    assert set(read_pngs(dom, "n0nce")) == {"fig-a-1"}  # not the forged nor the non-PNG one


def test_without_chromium_the_deck_is_written_without_charts(tmp_path: Path, monkeypatch) -> None:
    pack, manifest = _pack(tmp_path)
    monkeypatch.setenv("QMS_CHROMIUM", "")  # no browser
    frags = [Fragment("37_suppliers", "Suppliers", "9.3.2 c7", "<p/>", figures=FIGURES)]
    note = make_deck(pack, tmp_path / "cache", frags, "Pack", [], manifest, pack)
    assert note is not None and "Chromium not found, so the charts were not drawn" in note
    assert _slides(pack / "pack.pptx")[-1][2] == 0
