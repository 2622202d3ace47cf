"""Sections keyed on what they read: one changed record type re-runs only its readers (issue 15).

One small workbook (complaints with a site column, review actions without one) and six
two-cell sections, each reading something else. The builds are shared by the tests of this
module, in order: a first build, one complaint edited, a ``--force`` build, a site pack.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from packs import build_html

from qmsdata.pack import cache as C
from qmsdata.pack.reads import (
    Content,
    TrackedAssessability,
    Tracker,
    normalise,
    notebook_code,
    tracked,
)
from qmsdata.pack.sections import Section


def make_notebook(path: Path, code: str) -> Path:
    """Write a clean section notebook: the parameters cell, then ``code``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell("context = None\nout_dir = None\nsite = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Fixture"), params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, str(path))
    return path


PREAMBLE = """
import qmsdata
ctx = qmsdata.section_context(context, out_dir=out_dir)
wb = qmsdata.section_workbook(context=ctx)
"""

CELLS = {
    # review actions only (no site column)
    "10_actions": "qmsdata.show_table(wb.review_actions[['action_id', 'status']], 'actions',"
    " out_dir=ctx.out_dir)",
    # complaints only (the site's rows in a site pack)
    "31_complaints": "qmsdata.show_table(wb['complaints'][['complaint_id', 'description']],"
    " 'complaints', out_dir=ctx.out_dir)",
    # a load-level fact: the validation table
    "90_quality": "qmsdata.narrate(f\"{int(wb.validation['rows'].sum())} rows read\")",
    # one question to the shared assessability
    "50_assess": "a = qmsdata.section_assessability(wb, ctx)\n"
    "qmsdata.narrate('fit' if a.fit_to_report else 'not fit')",
    # the site itself, in its text: keyed on the site
    "70_site": "qmsdata.narrate(f'{len(wb.review_actions)} actions for {ctx.site or \"all\"}')",
    # a raw file of the workbook, past the tracked workbook: reads everything
    "60_raw": "from pathlib import Path\n"
    "text = open(Path(ctx.out_dir).parents[3] / 'wb' / 'review_actions.csv').read()\n"
    "qmsdata.narrate(f'{len(text.splitlines())} lines')",
}


def _workbook(folder: Path) -> Path:
    from workbooks import GOOD, good_frame, write_workbook

    complaints = good_frame("complaints").assign(capa_id="")
    assert "review_actions" in GOOD
    return write_workbook(
        folder, {"complaints": complaints, "review_actions": good_frame("review_actions")}
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("reads")
    wb = _workbook(root / "wb")
    nbs = root / "nbs"
    nbs.mkdir()
    sections = []
    for sid, cell in CELLS.items():
        make_notebook(nbs / f"{sid}.ipynb", PREAMBLE + textwrap.dedent(cell))
        sections.append(Section(sid, "9.3.2 a)", f"Fixture {sid}"))
    sections.sort(key=lambda s: s.id)
    out = root / "reports"

    def build(**kw):
        return build_html(wb, nbs, sections, out, jobs=1, **kw)

    state = {"first": build()}
    assert state["first"].ok, [r.error for r in state["first"].failed]
    csv = wb / "complaints.csv"
    csv.write_text(csv.read_text("utf-8").replace("late", "late again"), encoding="utf-8")
    state["edited"] = build()
    state["edited_pack"] = root / "edited"
    shutil.copytree(out / "2026-10", state["edited_pack"])
    state["forced"] = build(force=True)
    state["site"] = build(site="Leeds")
    return {"wb": wb, "nbs": nbs, "out": out, "build": build, **state}


def _ran(result) -> dict[str, str]:
    assert {r.section.id for r in result.sections if not r.cached} == set(result.reran)
    return result.reran


def test_first_build_records_what_each_section_read(setup):
    cache = setup["out"] / ".cache"
    reads = {}
    for run in setup["first"].sections:
        entry = cache / "sections" / run.key
        reads[run.section.id] = json.loads((entry / C.READS_FILE).read_text("utf-8"))
        C.check_seal(entry, entry.name)  # reads.json is inside the sealed entry
    assert reads["10_actions"] == {"frames": ["review_actions"], "facts": []}
    assert reads["31_complaints"] == {"frames": ["complaints"], "facts": []}
    assert reads["90_quality"] == {"frames": [], "facts": ["validation"]}
    assert reads["50_assess"] == {
        "frames": [],
        "facts": [],
        "assessability": [["fit_to_report", None, None]],
    }
    assert reads["70_site"] == {"frames": ["review_actions"], "facts": []}
    assert list(reads["60_raw"]) == ["everything"]
    assert "review_actions.csv" in reads["60_raw"]["everything"][0]


def test_a_changed_record_type_reruns_only_the_sections_that_read_it(setup):
    assert _ran(setup["edited"]) == {
        "31_complaints": "complaints changed",
        "60_raw": "input files changed",  # it read a raw file: everything
    }
    assert "late again" in (setup["edited_pack"] / "pack.html").read_text("utf-8")


def test_the_cli_says_what_was_reused_and_why_the_others_ran(setup, capsys):
    from qmsdata.cli import _report_build

    _report_build(setup["edited"], "pack", "section", "pack")
    said = capsys.readouterr().out
    assert "re-ran 1 section(s) (complaints changed): 31_complaints" in said
    assert (
        "reused 4 section(s) from the cache (what they read is unchanged): "
        "10_actions, 50_assess, 70_site, 90_quality"
    ) in said


def test_served_sections_equal_a_forced_build(setup):
    assert set(_ran(setup["forced"])) == set(CELLS)
    forced, edited = setup["out"] / "2026-10", setup["edited_pack"]
    for sub in ("data",):
        a = {p.name: p.read_bytes() for p in (forced / sub).iterdir()}
        b = {p.name: p.read_bytes() for p in (edited / sub).iterdir()}
        assert a == b
    assert _sections_html(forced) == _sections_html(edited)


def _sections_html(pack: Path) -> str:
    import re

    page = (pack / "pack.html").read_text("utf-8")
    start = page.index('<section class="qms-section"')
    body = page[start : page.rindex("</section>")]
    return re.sub(r"plotly-[0-9a-f-]+|qms-fig-[A-Za-z0-9_-]+", "", body)


def test_site_pack_reruns_only_sections_whose_reads_the_site_changes(setup):
    ran = _ran(setup["site"])
    assert ran == {
        "31_complaints": "site Leeds: complaints changed",  # Leeds' rows only
        "70_site": "parameters changed: site",  # it names the site itself
        "60_raw": "parameters changed: site",  # everything, the site included
    }
    served = {r.section.id for r in setup["site"].sections if r.cached}
    assert served == {"10_actions", "50_assess", "90_quality"}
    page = (setup["out"] / "2026-10-Leeds" / "pack.html").read_text("utf-8")
    assert "C1" in page and "late again" not in page, "Leeds' complaints only"
    assert "actions for Leeds" in page


def test_restored_notebook_carries_this_packs_parameters(setup):
    import nbformat

    nb = nbformat.read(str(setup["out"] / "2026-10-Leeds" / "sections" / "10_actions.ipynb"), 4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'site = "Leeds"' in injected[0].source
    assert nb.metadata["papermill"]["parameters"]["site"] == "Leeds"


def _entry(setup, sid: str, result_key: str = "site") -> Path:
    run = next(r for r in setup[result_key].sections if r.section.id == sid)
    return setup["out"] / ".cache" / "sections" / run.key


@pytest.mark.parametrize("damage", ["missing", "tampered", "unsealed"])
def test_a_section_whose_reads_json_is_missing_unsealed_or_tampered_reruns(setup, damage):
    entry = _entry(setup, "10_actions")
    saved = entry.with_name(entry.name + ".saved")
    shutil.copytree(entry, saved)
    try:
        reads = entry / C.READS_FILE
        if damage == "missing":
            reads.unlink()
        elif damage == "tampered":
            reads.write_text(json.dumps({"frames": [], "facts": []}), encoding="utf-8")
        else:  # a valid seal over files whose reads.json says less than the lookup's read set
            reads.write_text(json.dumps({"frames": [], "facts": []}), encoding="utf-8")
            C.seal(entry, entry.name)
        result = setup["build"](site="Leeds")
        run = next(r for r in result.sections if r.section.id == "10_actions")
        assert not run.cached and run.cache_rejected
        assert result.reran["10_actions"] == "its cache entry failed the integrity check"
    finally:
        shutil.rmtree(entry, ignore_errors=True)
        saved.rename(entry)


def test_an_untracked_read_counts_as_reading_everything(setup):
    entry = _entry(setup, "60_raw", "forced")
    assert "everything" in json.loads((entry / C.READS_FILE).read_text("utf-8"))
    # and its key covers every input: an edit of a record type it never named re-runs it
    assert setup["edited"].reran["60_raw"] == "input files changed"


# ------------------------------------------------------------------ the pieces, without builds


def _wb(tmp_path: Path):
    import qmsdata

    return qmsdata.load(_workbook(tmp_path / "wb"))


def test_tracked_workbook_notes_frames_facts_and_whole_views(tmp_path):
    wb = _wb(tmp_path)
    t = Tracker()
    tw = tracked(wb, t)
    assert tw.complaints is wb.complaints and tw["review_actions"] is wb.review_actions
    assert t.frames == {"complaints", "review_actions"} and not t.everything
    _ = tw.configured, tw.failures
    assert t.facts == {"provenance", "failures"}
    for view in ("as_at", "with_frames", "for_site", "_frames", "path"):
        t2 = Tracker()
        getattr(tracked(wb, t2), view)
        assert t2.everything == [f"wb.{view}"], view
    with pytest.raises(Exception, match="unknown|record type"):
        tw["no_such_type"]


def test_untrackable_reads_widen_the_read_set(tmp_path):
    assert normalise(None, None) == {"everything": ["no record of its reads"]}
    assert "everything" in normalise({"shared": ["signals"]}, None), "signals' reads unknown"
    merged = normalise(
        {"frames": ["complaints"], "shared": ["signals"]},
        {"frames": ["nonconformities"], "facts": ["validation"]},
    )
    assert merged == {
        "frames": ["complaints", "nonconformities"],
        "facts": ["validation"],
        "signals": True,
    }
    assert normalise({"frames": ["x"], "everything": ["wb.as_at"]}, None) == {
        "everything": ["wb.as_at"]
    }


def test_assessability_questions_are_replayed_and_odd_ones_take_it_whole(tmp_path):
    from qmsdata.analytics.assessability import Assessability, assess

    wb = _wb(tmp_path)
    a = Assessability.from_json(assess(wb, "2026-10").to_json())
    t = Tracker()
    ta = TrackedAssessability(a, t)
    assert ta.assessed("31_customers") == a.assessed("31_customers")
    assert ta.fit_to_report == a.fit_to_report
    assert t.calls == [["assessed", ["31_customers"], {}], ["fit_to_report", None, None]]
    ta.unscreened(iter(["x"]))  # not plain JSON: cannot be replayed
    assert t.assess_whole
    content = Content(wb, a, "all")
    one = content.items({"frames": [], "facts": [], "assessability": t.calls})
    assert one == content.items({"frames": [], "facts": [], "assessability": t.calls})
    assert "assessability" in one


def test_store_without_a_record_of_reads_stores_nothing(tmp_path):
    from qmsdata.pack import lookup as L
    from qmsdata.pack.execute import SectionRun

    run = SectionRun(Section("10_x", "", "x"), notebook="sections/10_x.ipynb", base="b" * 64)
    (tmp_path / "work" / "10_x").mkdir(parents=True)
    L.store(run, tmp_path / "cache", tmp_path, Content(_wb(tmp_path), None, "all"), None)
    assert run.key == "" and not (tmp_path / "cache").exists()


SITE_CODE = {
    "ctx = qmsdata.section_context(context)\nwb = qmsdata.section_workbook(context=ctx)": False,
    "period, site = ctx.period, ctx.site\nprint(period)": False,
    "period, site = ctx.period, ctx.site\nprint(site)": True,
    "print(ctx.site)": True,
    "print(ctx.product)": True,
    "x, y = ctx.site, 1\nprint(x)": True,
    "qmsdata.evidence_links(ctx, [])": True,
    "print(getattr(ctx, 'si' + 'te'))": True,
    "print(ctx.__dict__)": True,
    "c = [qmsdata.section_context(context)][0]\nprint(c)": True,
    "c = qmsdata.section_context(context)\nprint(c.site)": True,
    "for r in frame.itertuples():\n    print(r.site)": False,
    "print(frame['site'])": False,
    "%time title = f'Pack for {ctx.site}'": True,  # a magic line is not parsed: not proved
}


@pytest.mark.parametrize("code", list(SITE_CODE))
def test_reads_site_from_the_notebooks_code(tmp_path, code):
    nb = make_notebook(tmp_path / "10_x.ipynb", "import qmsdata\n" + code)
    assert notebook_code(nb).site is SITE_CODE[code]


#: notebook code -> whether it reads every input itself (what the recorder cannot see)
EVERYTHING_CODE = {
    # the view helpers take the paths: their reads are recorded
    "ctx = qmsdata.section_context(context, out_dir=out_dir, workbook=workbook, site=site)\n"
    "wb = qmsdata.section_workbook(context=ctx)\nprint(ctx.period, ctx.out_dir)": False,
    "wb = qmsdata.section_workbook(workbook, site=site, snapshot=snapshot)": False,
    "qmsdata.evidence_links(ctx, [])": False,  # keyed on the trends documents
    "for r in frame.itertuples():\n    print(r.site)": False,
    # pyarrow and pandas read in C (no audit event), os.stat fires none
    "import pyarrow.csv\nt = pyarrow.csv.read_csv(workbook + '/complaints.csv')": True,
    "import os\nsize = os.stat(os.path.join(workbook, 'complaints.csv')).st_size": True,
    "import pandas as pd\npd.read_parquet(f'{snapshot}/complaints.parquet')": True,
    "import pandas as pd\npd.read_parquet(ctx.snapshot + '/complaints.parquet')": True,
    "from pathlib import Path\nfolder = Path(ctx.workbook)": True,
    "import pandas as pd\npd.read_parquet(ctx.signals)": True,
    "c = ctx.replace(site=None)\nprint(c.workbook)": True,
    "print(qmsdata.section_context(context).workbook)": True,
    "import dataclasses\nd = dataclasses.asdict(ctx)": True,  # the context escapes
    "print(getattr(ctx, 'work' + 'book'))": True,
    "print(vars(ctx))": True,
    "%time x = 1": True,  # magic and shell lines are not parsed: not proved
    "!ls ../data": True,
}


@pytest.mark.parametrize("code", list(EVERYTHING_CODE))
def test_a_notebook_using_the_workbook_folder_itself_reads_everything(tmp_path, code):
    nb = make_notebook(tmp_path / "10_x.ipynb", "import qmsdata\n" + code)
    assert bool(notebook_code(nb).everything) is EVERYTHING_CODE[code], notebook_code(nb)


def test_the_shipped_notebooks_keep_precise_read_sets():
    """Each packaged section uses the workbook only through the view helpers."""
    from qmsdata.pack.sections import NOTEBOOK_DIR

    found = {nb.stem: notebook_code(nb) for nb in sorted(NOTEBOOK_DIR.glob("*.ipynb"))}
    assert len(found) >= 17
    assert {k: c.everything for k, c in found.items() if c.everything} == {}
    assert {k for k, c in found.items() if c.evidence_links} == {"32_objectives"}


def test_reading_no_aggregates_reads_nothing_reading_some_reads_everything(tmp_path):
    """Analytics ask every workbook for its Spark aggregates; a pack view has none (None)."""
    import pandas as pd

    wb = _wb(tmp_path)
    t = Tracker()
    assert tracked(wb, t).aggregates is None and not t.everything
    spark = wb.with_frames(wb._frames, aggregates={"nc_site_process": pd.DataFrame()})
    t2 = Tracker()
    assert tracked(spark, t2).aggregates is not None and t2.everything == ["wb.aggregates"]


def test_an_analytics_section_reads_its_record_types_only(tmp_path):
    """The analytics (periods.records) ask for wb.aggregates: that is not every input."""
    import qmsdata

    wb = _wb(tmp_path)
    t = Tracker()
    qmsdata.complaint_counts(tracked(wb, t), "2026-10")
    assert not t.everything
    assert "complaints" in t.frames and "review_actions" not in t.frames


def test_a_section_loading_or_opening_inputs_itself_reads_everything(tmp_path):
    """In a section's kernel: `qmsdata.load`, a file opened under the workbook or the reports
    folder (not the section's own output folder) each make it read everything."""
    import qmsdata
    from qmsdata.pack import reads as R

    folder = _workbook(tmp_path / "wb")
    out_dir = tmp_path / "reports" / ".2026-10.build-1-x" / "work" / "10_x"
    out_dir.mkdir(parents=True)
    (tmp_path / "reports" / "old.csv").write_text("x\n", encoding="utf-8")
    try:
        R.begin(None, str(out_dir))
        tracker = R.active()
        assert tracker is not None
        tracker.watched.append(str(folder))
        (out_dir / "mine.csv").write_text("own output\n", encoding="utf-8")
        assert not tracker.everything, "its own output folder is not an input"
        (tmp_path / "reports" / "old.csv").read_text(encoding="utf-8")
        assert tracker.everything and "old.csv" in tracker.everything[0]
        tracker.everything.clear()
        qmsdata.load(folder)
        assert "qmsdata.load" in tracker.everything
        R.finish()
        assert R.active() is None
        written = json.loads((out_dir / R.READS_FILE).read_text(encoding="utf-8"))
        assert "qmsdata.load" in written["everything"]
    finally:
        R._ACTIVE = None


def test_the_answers_a_section_got_key_it_as_a_replay_would(tmp_path, monkeypatch):
    """The kernel hashes each answer as it hands it over; the engine keys a section that ran on
    those (no replay), and the key equals the one a later lookup computes by replaying."""
    from qmsdata.analytics.assessability import Assessability, assess

    wb = _wb(tmp_path)
    a = Assessability.from_json(assess(wb, "2026-10").to_json())
    t = Tracker()
    ta = TrackedAssessability(a, t)
    ta.assessed("31_customers")
    ta.missing_optional("31_customers")
    ta.fit_to_report  # noqa: B018 - a read, as a section makes it
    with pytest.raises(Exception):  # noqa: B017,PT011 - whatever it raises, the answer is that
        ta.assessed()  # a TypeError: the answer a replay gives too
    reads = {"frames": [], "facts": [], "assessability": t.calls}
    saw = json.loads(json.dumps(t.to_json()))  # as reads.json hands it to the engine
    assert set(saw["answers"]) == {f"call:{json.dumps(c, sort_keys=True)}" for c in t.calls}
    replayed = Content(wb, a, "all").items(reads)
    seeded = Content(wb, a, "all")
    seeded.seed(saw["answers"])
    monkeypatch.setattr(Content, "_replay", lambda self, call: pytest.fail(f"replayed {call}"))
    assert seeded.items(reads) == replayed


def test_a_damaged_read_set_file_makes_sections_run_not_the_build_fail(tmp_path):
    """Read sets come back from files in the cache folder: a damaged one is not looked up."""
    from qmsdata.pack import cache as C
    from qmsdata.pack.reads import well_formed

    good = {"frames": ["complaints"], "facts": ["validation"], "assessability": "whole"}
    assert well_formed(good) and well_formed({"everything": ["qmsdata.load"]})
    bad = [
        {"frames": None, "facts": []},
        {"frames": [], "facts": ["x"]},
        {"frames": [], "facts": [], "assessability": [["assessed"]]},
        {"everything": "all"},
        ["frames"],
    ]
    assert not any(well_formed(b) for b in bad)
    folder = tmp_path / "section-reads"
    folder.mkdir()
    (folder / "base.json").write_text(json.dumps([*bad, good]), encoding="utf-8")
    assert C.read_sets(tmp_path, "base") == [good]


def test_a_warm_build_takes_its_answers_from_the_last_build_with_that_assessability(
    setup, monkeypatch
):
    """The same assessability answers the same: no replays; an edited answers file is dropped."""
    real = Content._replay
    monkeypatch.setattr(Content, "_replay", lambda self, call: pytest.fail(f"replayed {call}"))
    warm = setup["build"](site="Leeds")
    assert warm.reran == {} and all(r.cached for r in warm.sections)
    kept = sorted((setup["out"] / ".cache" / "answers").glob("*.json"))
    assert kept
    for entry in kept:  # an answer edited in the cache folder: not trusted, asked again
        entry.write_bytes(entry.read_bytes().replace(b"call:", b"call;", 1))
    replays: list = []

    def counted(self, call):
        replays.append(call)
        return real(self, call)

    monkeypatch.setattr(Content, "_replay", counted)
    again = setup["build"](site="Leeds")
    assert again.reran == {} and replays, "the edited file failed its seal: questions replayed"
