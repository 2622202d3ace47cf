"""The pack engine on tiny fixture notebooks: failure isolation, cache, atomic output, locking."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qmsdata.errors import PackError
from qmsdata.files import file_lock
from qmsdata.pack import build_pack, verify_pack
from qmsdata.pack.build import swap_into_place as _swap_into_place
from qmsdata.pack.cache import input_fingerprint
from qmsdata.pack.request import pack_name, resolve_period


def parse_period(period, fiscal_year_start=1):
    label, _start, end = resolve_period(period, fiscal_year_start)
    return label, end


def _lock(path):
    return file_lock(path, what="this pack", error=PackError)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-10", ("2026-10", "2026-10-31")),
        ("2024-02", ("2024-02", "2024-02-29")),  # leap year
        ("2023-02", ("2023-02", "2023-02-28")),
        ("2026-12", ("2026-12", "2026-12-31")),
    ],
)
def test_parse_period_gives_last_day_of_month(period, expected):
    assert parse_period(period) == expected


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-10", "2026/10", "", "2026-10-01"])
def test_parse_period_rejects_bad_months(bad):
    with pytest.raises(PackError, match="YYYY-MM"):
        parse_period(bad)


@pytest.mark.parametrize(
    ("site", "expected"),
    [(None, "2026-10"), ("Leeds", "2026-10-Leeds"), ("North Hall", "2026-10-North_Hall")],
)
def test_pack_name(site, expected):
    assert pack_name("2026-10", site) == expected


@pytest.mark.parametrize("site", ["../x", "a/b", ".hidden", ""])
def test_pack_name_rejects_path_like_sites(site):
    with pytest.raises(PackError):
        pack_name("2026-10", site)


def test_input_fingerprint_changes_with_any_byte(tiny_workbook: Path):
    before = input_fingerprint(tiny_workbook)
    assert before == input_fingerprint(tiny_workbook)
    csv = tiny_workbook / "review-actions.csv"
    csv.write_bytes(csv.read_bytes().replace(b"RA-3", b"RA-4"))
    assert input_fingerprint(tiny_workbook) != before


def test_input_fingerprint_none_for_database_server(tiny_workbook: Path):
    toml = tiny_workbook / "qms.toml"
    toml.write_text(
        toml.read_text().replace('"review-actions.csv"', '"postgresql://db/qms"\ntable = "ra"')
    )
    assert input_fingerprint(tiny_workbook) is None


BASE = {
    "workbook": "/w",
    "period": "2026-10",
    "as_of": "2026-10-31",
    "site": None,
    "baseline_months": 12,
    "rules": "anhoej",
}


def _base(nb: Path, params: dict, input_fp: str | None, code_fp: str, config: str = "c") -> str:
    """The base key of section 10_x as a build keys it (lookup.section_base)."""
    from types import SimpleNamespace

    from qmsdata.pack import lookup as L
    from qmsdata.pack.execute import SectionRun
    from qmsdata.pack.sections import Section

    run = SectionRun(Section("10_x", "", "x"))
    req = SimpleNamespace(redact=False, out=nb.parent / "reports", period="2026-10", site=None)
    L.section_base(run, nb, req, params, input_fp, code_fp, config)
    return run.base


@pytest.mark.parametrize(
    "change",
    [
        {"period": "2026-09"},
        {"as_of": "2026-10-30"},
        {"site": "Leeds"},
        {"baseline_months": 6},
        {"rules": "nelson"},
    ],
)
def test_section_key_changes_with_every_parameter(tmp_path, change):
    nb = tmp_path / "s.ipynb"
    nb.write_text("{}")  # not a notebook: its code proves nothing, the site is in its key
    key = _base(nb, BASE, "inputs", "code")
    assert key == _base(nb, dict(BASE), "inputs", "code")
    assert _base(nb, {**BASE, **change}, "inputs", "code") != key


def test_section_key_changes_with_notebook_code_and_config(tmp_path):
    nb = tmp_path / "s.ipynb"
    nb.write_text("{}")
    key = _base(nb, BASE, "inputs", "code")
    assert _base(nb, BASE, "inputs2", "code") == key, "the inputs key what it read, not its base"
    assert _base(nb, BASE, "inputs", "code2") != key
    assert _base(nb, BASE, "inputs", "code", config="c2") != key, "qms.toml"
    assert _base(nb, BASE, None, "code") == "", "unhashable inputs: never cached"
    nb.write_text("{ }")
    assert _base(nb, BASE, "inputs", "code") != key


def test_swap_into_place_replaces_previous(tmp_path: Path):
    target, new = tmp_path / "2026-10", tmp_path / ".new"
    target.mkdir()
    (target / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    _swap_into_place(new, target)
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


def test_second_build_of_same_pack_is_refused_while_locked(tmp_path: Path, tiny_workbook: Path):
    out = tmp_path / "reports"
    out.mkdir()
    with _lock(out / ".2026-10.lock"), pytest.raises(PackError, match="another qms process"):
        build_pack(tiny_workbook, "2026-10", out=out, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formats": ["docx"]}, "format"),
        ({"as_of": "31/10/2026"}, "YYYY-MM-DD"),
        ({"site": "../etc"}, "folder"),
    ],
)
def test_bad_arguments_fail_before_building(tmp_path, tiny_workbook, kwargs, match):
    with pytest.raises(PackError, match=match):
        build_pack(tiny_workbook, "2026-10", out=tmp_path / "r", progress=False, **kwargs)
    assert not (tmp_path / "r" / "2026-10").exists()


def test_workbook_without_config_is_a_clear_error(tmp_path: Path):
    with pytest.raises(PackError, match="qms.toml"):
        build_pack(tmp_path, "2026-10", out=tmp_path / "r", progress=False)


@pytest.mark.slow
def test_failing_section_is_isolated_then_cached_then_forced(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    # other work may edit the package while this runs; pin the code hash (tested separately below)
    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-v1")
    folder, sections = tiny_sections
    out = tmp_path / "reports"
    kw = dict(out=out, notebook_dir=folder, sections=sections, formats=["html"], progress=False)

    first = build_pack(tiny_workbook, "2026-10", **kw)
    status = {r.section.id: r for r in first.sections}
    assert status["10_ok"].status == "ok" and not status["10_ok"].cached
    assert status["20_fail"].status == "failed"
    assert "ValueError: planted failure" in status["20_fail"].error
    pack = first.path
    page = (pack / "pack.html").read_text(encoding="utf-8")
    # the failure is a visible, escaped error page naming the section; the good section renders
    assert 'id="sec-20_fail"' in page and "qms-error-page" in page
    assert "planted failure &lt;b&gt;in&lt;/b&gt; section" in page
    assert "sections/20_fail.ipynb" in page
    assert "Traceback" not in page
    assert page.count("Plotly.newPlot(") == 1
    # hostile record text is escaped in the table, and neutralised in the extract
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page
    csv = (pack / "data" / "10_ok--actions.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv
    # executed notebooks are kept, including the failed one (with its error)
    failed_nb = json.loads((pack / "sections" / "20_fail.ipynb").read_text(encoding="utf-8"))
    assert any(
        o.get("output_type") == "error" for c in failed_nb["cells"] for o in c.get("outputs", [])
    )
    assert verify_pack(pack).ok

    second = build_pack(tiny_workbook, "2026-10", **kw)
    status = {r.section.id: r for r in second.sections}
    assert status["10_ok"].cached, "unchanged inputs, parameters and notebook reuse the section"
    assert not status["20_fail"].cached, "failed sections are never cached"
    manifest = json.loads((pack / "manifest.json").read_text())
    assert [s["cached"] for s in manifest["sections"]] == [True, False]
    assert (pack / "register.csv").is_file(), "pack-level files survive the cache"
    assert manifest["sections"][0]["pack_files"] == ["register.csv"]
    assert verify_pack(pack).ok

    kw["sections"] = sections[:1]
    forced = build_pack(tiny_workbook, "2026-10", force=True, **kw)
    assert not any(r.cached for r in forced.sections)
    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-v2")
    changed = build_pack(tiny_workbook, "2026-10", **kw)
    assert not any(r.cached for r in changed.sections), "a package change invalidates the cache"
    # leftovers: no temp build folders beside the pack
    assert not [p for p in out.iterdir() if ".build-" in p.name]


@pytest.mark.slow
def test_interrupted_build_leaves_previous_pack_intact(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    folder, sections = tiny_sections
    out = tmp_path / "reports"
    kw = dict(out=out, notebook_dir=folder, sections=sections[:1], formats=["html"], progress=False)
    first = build_pack(tiny_workbook, "2026-10", **kw)
    before = (first.path / "manifest.json").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while a section runs

    monkeypatch.setattr("qmsdata.pack.execute.execute_section", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_pack(tiny_workbook, "2026-10", force=True, **kw)
    assert (first.path / "manifest.json").read_bytes() == before
    assert verify_pack(first.path).ok
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["2026-10"]
    assert not [p for p in out.iterdir() if ".build-" in p.name]


@pytest.mark.slow
def test_cli_names_failed_section_and_notebook(
    tmp_path, tiny_workbook, tiny_sections, capsys, monkeypatch
):
    from qmsdata.cli import main

    monkeypatch.setenv("QMS_CHROMIUM", "")  # as on a machine without Chromium

    folder, _ = tiny_sections
    out = tmp_path / "reports"
    code = main(
        [
            "pack",
            str(tiny_workbook),
            "--period",
            "2026-09",
            "--out",
            str(out),
            "--notebooks",
            str(folder),
            "--formats",
            "html,pdf",
            "--quiet",
            "--jobs",
            "2",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert re.search(r"section 20_fail .* failed: ValueError: planted failure", captured.err)
    assert str(out / "2026-09" / "sections" / "20_fail.ipynb") in captured.err
    assert "pack written to" in captured.out
    assert "pdf skipped: Chromium not found" in captured.out
    assert (out / "2026-09" / "pack.html").is_file()
    assert not (out / "2026-09" / "pack.pdf").exists()
    assert main(["verify", str(out / "2026-09")]) == 0


@pytest.mark.slow
def test_dead_kernel_fails_its_section_only(tmp_path, tiny_workbook, notebooks):
    from qmsdata.pack.sections import Section

    make_notebook, OK_CELL = notebooks.make, notebooks.ok_cell

    folder = tmp_path / "nbs"
    folder.mkdir()
    make_notebook(folder / "10_dies.ipynb", "import os\nos._exit(3)")
    make_notebook(folder / "20_ok.ipynb", OK_CELL)
    sections = [Section("10_dies", "", "Dies"), Section("20_ok", "", "Fine")]
    # one worker: the second section runs after the first killed the worker's kernel
    result = build_pack(
        tiny_workbook,
        "2026-10",
        out=tmp_path / "r",
        notebook_dir=folder,
        sections=sections,
        formats=["html"],
        jobs=1,
        progress=False,
    )
    status = {r.section.id: r for r in result.sections}
    assert status["10_dies"].status == "failed" and "Dead" in status["10_dies"].error
    assert status["20_ok"].status == "ok"


def test_prune_cache_keeps_most_recent(tmp_path):
    import os

    from qmsdata.pack.cache import prune_cache

    folder = tmp_path / "sections"
    folder.mkdir()
    for i in range(5):
        (folder / f"k{i}").mkdir()
        os.utime(folder / f"k{i}", (1000 + i, 1000 + i))
    assert prune_cache(tmp_path, {"sections": 2}) == 3
    assert sorted(p.name for p in folder.iterdir()) == ["k3", "k4"]


@pytest.mark.slow
def test_two_periods_build_at_the_same_time(tmp_path, tiny_workbook, tiny_sections):
    from concurrent.futures import ThreadPoolExecutor

    folder, sections = tiny_sections
    out = tmp_path / "reports"
    kw = dict(
        out=out,
        notebook_dir=folder,
        sections=sections[:1],
        formats=["html"],
        jobs=1,
        progress=False,
    )
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(build_pack, tiny_workbook, p, **kw) for p in ("2026-09", "2026-10")]
        results = [f.result() for f in futures]
    assert [r.path.name for r in results] == ["2026-09", "2026-10"]
    assert all(r.ok and verify_pack(r.path).ok for r in results)
    for r in results:
        manifest = json.loads((r.path / "manifest.json").read_text())
        assert manifest["period"] == r.path.name


@pytest.mark.slow
def test_structural_error_in_workbook_leaves_nothing_behind(tmp_path, tiny_workbook, tiny_sections):
    from qmsdata.errors import QmsError

    folder, sections = tiny_sections
    (tiny_workbook / "review-actions.csv").unlink()  # the configured source is missing
    out = tmp_path / "reports"
    with pytest.raises(QmsError, match="review"):
        build_pack(
            tiny_workbook,
            "2026-10",
            out=out,
            notebook_dir=folder,
            sections=sections,
            formats=["html"],
            progress=False,
        )
    assert not (out / "2026-10").exists()
    assert not [p for p in out.iterdir() if ".build-" in p.name]
