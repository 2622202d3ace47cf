"""The trends index page: ranked concerns first, every value escaped, links inside the folder."""

from __future__ import annotations

from pathlib import Path

from qmsdata.pack.execute import SectionRun
from qmsdata.pack.trends import (
    TREND_NOTEBOOK_DIR,
    objective_section,
    process_section,
    write_trend_outputs,
)

HEADER = (
    "subject,subject_type,site,process,objective_id,series,changes,derived,latest_change_id,"
    "latest_implemented,latest_verdict,latest_decision,concern,rank_key,trend_12,trend_24\n"
)


def _run(build: Path, section, row: str) -> SectionRun:
    (build / "data").mkdir(exist_ok=True)
    (build / "data" / f"{section.id}--subject.csv").write_text(HEADER + row + "\n")
    return SectionRun(section, status="ok", notebook=f"sections/{section.id}.ipynb")


def test_index_ranks_concerns_first_and_escapes(tmp_path: Path) -> None:
    good = process_section("SMT placement", "Brno")
    bad = process_section("<script>alert(1)</script>", "Leeds")
    obj = objective_section("OBJ-01")
    runs = [
        _run(tmp_path, good, "Brno / SMT placement,process,Brno,SMT placement,,s,1,0,CHG-1,"
             "2025-10-01,sustained improvement,standardise,False,5,no trend,decreasing"),
        _run(tmp_path, bad, "Leeds / <script>alert(1)</script>,process,Leeds,x,,s,1,0,CHG-2,"
             "2026-04-01,deterioration,re-plan,True,-0.5,no trend,increasing"),
        SectionRun(obj, status="failed", notebook=f"sections/{obj.id}.ipynb"),
    ]  # fmt: skip
    (tmp_path / "decisions-a.csv").write_text("action_id,review_date\nDEC-1,2026-10-31\n")
    (tmp_path / "decisions-b.csv").write_text("action_id,review_date\nDEC-2,2026-10-31\n")
    write_trend_outputs(tmp_path, runs, {}, [("Period", "2026-10")], "PDCA trend analyses")
    page = (tmp_path / "index.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert page.index("<td>not assessed (failed)</td>") < page.index("<td>deterioration</td>")
    assert page.index("<td>deterioration</td>") < page.index("<td>sustained improvement</td>")
    assert f'href="pack.html#sec-{good.id}"' in page
    lines = (tmp_path / "decisions.csv").read_text().splitlines()
    assert lines == ["action_id,review_date", "DEC-1,2026-10-31", "DEC-2,2026-10-31"]


def test_sections_name_their_notebook_and_parameters() -> None:
    s = process_section("SMT placement", "Brno")
    assert s.notebook(TREND_NOTEBOOK_DIR).name == "analysis.ipynb"
    assert s.notebook(TREND_NOTEBOOK_DIR).is_file()
    assert dict(s.params) == {"process": "SMT placement", "subject_site": "Brno"}
    assert objective_section("OBJ-02").notebook(TREND_NOTEBOOK_DIR).name == "objective.ipynb"


def test_evidence_links_only_where_the_document_exists(tmp_path: Path) -> None:
    from qmsdata.pack.context import SectionContext
    from qmsdata.pack.trends import evidence_links

    reports = tmp_path / "reports"
    work = reports / ".2026-10.build-x" / "work" / "32_objectives"
    work.mkdir(parents=True)
    (reports / "trends" / "2026-10" / "objectives").mkdir(parents=True)
    (reports / "trends" / "2026-10" / "objectives" / "obj-01.html").write_text("x")
    ctx = SectionContext(
        workbook="wb", period="2026-10", start="2026-10-01", end="2026-10-31", as_of=None,
        data_as_of=None, site=None, product=None, baseline_months=12, rules="anhoej",
        out_dir=str(work), organisation="", fiscal_year_start=1,
    )  # fmt: skip
    assert evidence_links(ctx, ["OBJ-01", "OBJ-02"]) == {
        "OBJ-01": "../trends/2026-10/objectives/obj-01.html"
    }
    assert evidence_links(ctx.replace(out_dir=None), ["OBJ-01"]) == {}
