"""What a section's cache key covers beyond the workbook, and how a build says what it reused.

Tiny fixture notebooks over a one-table workbook: each build takes seconds.
"""

from __future__ import annotations

from pathlib import Path

from packs import build_html

from qmsdata.pack.sections import NOTEBOOK_DIR, Section

LINK_CELL = """
import types
import qmsdata

wb = qmsdata.section_workbook(workbook, as_of=as_of, site=site, snapshot=snapshot)
links = qmsdata.evidence_links(types.SimpleNamespace(out_dir=out_dir, period=period, site=site),
                               ["OBJ-1"])
qmsdata.narrate("linked: " + ", ".join(links) if links else "not linked", kind="conclusion")
"""


def _build(wb: Path, nbs: Path, sections: list[Section], out: Path, **kw):
    return build_html(wb, nbs, sections, out, **kw)


def test_section_linking_trends_documents_is_rebuilt_once_they_exist(
    tiny_workbook, tmp_path, notebooks
):
    """The stale-cache bug: a cached 32_objectives kept saying "not linked" after `qms trends`."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebooks.make(nbs / "32_links.ipynb", LINK_CELL)
    sections = [Section("32_links", "9.3.2 c) 2", "Fixture links", ("objectives",))]
    out = tmp_path / "reports"

    first = _build(tiny_workbook, nbs, sections, out)
    assert first.ok and "not linked" in (out / "2026-10" / "pack.html").read_text("utf-8")

    doc = out / "trends" / "2026-10" / "objectives" / "obj-1.html"
    doc.parent.mkdir(parents=True)
    doc.write_text("<p>evidence</p>", encoding="utf-8")
    second = _build(tiny_workbook, nbs, sections, out)
    assert not second.sections[0].cached, "the trends documents appeared: the section re-runs"
    assert second.reran == {"32_links": "trends documents changed"}
    assert "linked: OBJ-1" in (out / "2026-10" / "pack.html").read_text("utf-8")

    third = _build(tiny_workbook, nbs, sections, out)
    assert third.sections[0].cached and third.reran == {}


def test_only_notebooks_that_link_trends_documents_key_on_them(tmp_path):
    from qmsdata.pack.cache import outside_reads
    from qmsdata.pack.reads import notebook_code

    out = tmp_path / "reports"
    doc = out / "trends" / "2026-10" / "objectives" / "obj-1.html"
    doc.parent.mkdir(parents=True)
    doc.write_text("x", encoding="utf-8")
    links = notebook_code(NOTEBOOK_DIR / "32_objectives.ipynb").evidence_links
    objectives = outside_reads(links, out, "2026-10", None)
    assert objectives == {
        "trends documents": [("obj-1.html", objectives["trends documents"][0][1])]
    }
    assert outside_reads(links, out, "2026-10", "Leeds") == {"trends documents": []}, (
        "a site pack links to the site's documents"
    )
    assert not notebook_code(NOTEBOOK_DIR / "36_audits.ipynb").evidence_links


def test_evidence_links_is_found_in_the_code_not_the_text(tmp_path, notebooks):
    from qmsdata.pack.reads import notebook_code

    said = notebooks.make(tmp_path / "a.ipynb", "# evidence_links are not called here\nx = 1")
    assert not notebook_code(said).evidence_links, "a comment is no call"
    for code in (
        "from qmsdata import evidence_links as links\nlinks(ctx, [])",
        "import qmsdata\nf = qmsdata.evidence_links",
        "%time qmsdata.evidence_links(ctx, [])",  # not Python: not proved not to
    ):
        assert notebook_code(notebooks.make(tmp_path / "b.ipynb", code)).evidence_links, code


def test_build_says_why_each_section_ran_and_what_validation_was_reused(
    tiny_workbook, tmp_path, capsys, notebooks
):
    from qmsdata.cli import _report_build

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebooks.make(nbs / "10_ok.ipynb", notebooks.ok_cell)
    sections = [Section("10_ok", "9.3.2 a)", "Fixture actions", ("review_actions",))]
    out = tmp_path / "reports"

    first = _build(tiny_workbook, nbs, sections, out)
    assert first.reran == {"10_ok": "first build"}
    assert first.validation_reused == []
    warm = _build(tiny_workbook, nbs, sections, out)
    assert warm.reran == {} and warm.validation_reused == "snapshot"
    _report_build(warm, "pack", "section", "pack")
    said = capsys.readouterr().out
    assert "1 from cache" in said and "validation reused: the validated snapshot" in said

    # it reads review_actions only, which has no site column: the site pack reuses it
    site = _build(tiny_workbook, nbs, sections, out, site="A")
    assert site.reran == {} and site.sections[0].cached

    csv = tiny_workbook / "review-actions.csv"
    csv.write_text(csv.read_text("utf-8") + "RA-4,2026-08-15,improvement,new,Di,2026-12-01,open,\n")
    changed = _build(tiny_workbook, nbs, sections, out)
    assert changed.reran == {"10_ok": "review_actions changed"}, "against this pack's last build"
    _report_build(changed, "pack", "section", "pack")
    assert "re-ran 1 section(s) (review_actions changed): 10_ok" in capsys.readouterr().out
    forced = _build(tiny_workbook, nbs, sections, out, force=True)
    assert forced.reran == {"10_ok": "--force"}
    _report_build(forced, "pack", "section", "pack")
    assert "validation reused: none" in capsys.readouterr().out
