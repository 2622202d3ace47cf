"""The demo pack, built once per session (``demo_pack`` fixture) and inspected by many tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from qmsdata.pack import build_pack, verify_pack
from qmsdata.pack.export import chromium_args, find_chromium
from qmsdata.pack.sections import available_sections

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_pack")]


def _html(result) -> str:
    return (result.path / "pack.html").read_text(encoding="utf-8")


def _without_plotlyjs(page: str) -> str:
    return re.sub(r'<script id="qms-plotlyjs">.*?</script>', "", page, count=1, flags=re.S)


def test_every_section_renders(demo_pack):
    assert demo_pack.ok, [(r.section.id, r.error) for r in demo_pack.failed]
    page = _html(demo_pack)
    for section in available_sections():
        assert f'id="sec-{section.id}"' in page, section.id
        assert f'href="#sec-{section.id}"' in page, f"{section.id} missing from the contents"


def test_plotlyjs_embedded_once_and_one_newplot_per_figure(demo_pack):
    page = _html(demo_pack)
    assert page.count('<script id="qms-plotlyjs">') == 1
    assert page.count("plotly.js v") == 1
    n_figures = page.count('<div class="qms-figure"')
    assert n_figures >= 8, "the demo pack draws charts in most sections"
    assert len(re.findall(r"Plotly\.newPlot\(", page)) == n_figures


def test_no_input_cells_no_tracebacks(demo_pack):
    page = _html(demo_pack)
    for marker in (
        "input_area",
        "jp-InputArea",
        "section_workbook(",
        "import qmsdata",
        "Traceback",
        "ipython-input",
        "out_dir=out_dir",
    ):
        assert marker not in page, marker


def test_nothing_loaded_from_a_network_address(demo_pack):
    page = _without_plotlyjs(_html(demo_pack))
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)
    assert "@import" not in page
    assert "default-src 'none'" in page, "CSP forbids any network load as a second line of defence"


def test_pdf_has_many_pages(demo_pack):
    if "pdf" in demo_pack.skipped:
        pytest.skip(demo_pack.skipped["pdf"])
    from pypdf import PdfReader

    assert len(PdfReader(demo_pack.path / "pack.pdf").pages) > 1


def test_outputs_listed_in_manifest(demo_pack):
    manifest = json.loads((demo_pack.path / "manifest.json").read_text())
    paths = {o["path"] for o in manifest["outputs"]}
    assert "pack.html" in paths
    for section in available_sections():
        assert f"sections/{section.id}.ipynb" in paths
    assert any(p.startswith("data/") and p.endswith(".csv") for p in paths)
    assert manifest["period"] == "2026-10" and manifest["as_of"] == "2026-10-31"
    assert {i["record_type"] for i in manifest["inputs"]} >= {"complaints", "nonconformities"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["validation"]["complaints"]["rows"] == (
        manifest["validation"]["complaints"]["accepted"]
        + manifest["validation"]["complaints"]["rejected"]
    )
    assert manifest["packages"]["pandas"]
    assert manifest["qmsdata_version"]


def test_every_section_writes_extracts(demo_pack):
    for run in demo_pack.sections:
        assert run.extracts, f"{run.section.id} writes no data extract"


def test_decisions_register_at_top_of_pack(demo_pack):
    import pandas as pd

    register = pd.read_csv(demo_pack.path / "review-actions.csv")
    assert list(register.columns[:3]) == ["action_id", "review_date", "output_type"]
    assert len(register) >= 1 and (register["status"] == "open").all()


def test_verify_passes_then_fails_after_one_byte(demo_pack, copy_of):
    assert verify_pack(demo_pack.path).ok
    pack = copy_of(demo_pack.path)
    target = next((pack / "data").glob("*.csv"))
    data = bytearray(target.read_bytes())
    data[0] ^= 1
    target.write_bytes(bytes(data))
    (pack / "sections" / "00_summary.ipynb").unlink()
    (pack / "notes.txt").write_text("added")
    result = verify_pack(pack)
    assert not result.ok
    assert result.altered == [target.relative_to(pack).as_posix()]
    assert result.missing == ["sections/00_summary.ipynb"]
    assert result.extra == ["notes.txt"]


def test_warm_rebuild_reuses_every_section(demo_pack, demo_workbook, monkeypatch):
    out = demo_pack.path.parent
    manifest = json.loads((demo_pack.path / "manifest.json").read_text())
    # the cache key of the first build, so a concurrent edit of the package does not matter
    from qmsdata.pack import cache as run_mod

    monkeypatch.setattr(run_mod, "code_fingerprint", _pinned_code_fingerprint(manifest))
    warm = build_pack(demo_workbook, "2026-10", out=out, progress=False)
    assert all(r.cached for r in warm.sections)
    assert warm.seconds < 0.5 * sum(r.seconds for r in demo_pack.sections) + 30
    assert verify_pack(warm.path).ok


def _pinned_code_fingerprint(manifest):
    fp = manifest.get("code_fingerprint")
    return lambda: fp


def test_browser_renders_figures_offline(demo_pack, tmp_path):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not installed")
    cmd = [
        *chromium_args(chromium, tmp_path / "profile"),
        "--proxy-server=127.0.0.1:9",  # any network request would fail
        "--virtual-time-budget=20000",
        "--dump-dom",
        (demo_pack.path / "pack.html").as_uri(),
    ]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False).stdout
    n_figures = _html(demo_pack).count('<div class="qms-figure"')
    rendered = len(re.findall(r'<svg[^>]*class="main-svg"', dom))
    assert rendered >= n_figures, f"{rendered} plotly SVGs in the DOM for {n_figures} figures"


def test_executed_notebooks_are_kept(demo_pack):
    for run in demo_pack.sections:
        nb = json.loads((demo_pack.path / run.notebook).read_text())
        assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_site_pack_has_its_own_folder(demo_pack, demo_workbook, monkeypatch):
    # one section is enough to show --site reaches the notebooks and names the folder
    from qmsdata.pack import cache as run_mod
    from qmsdata.pack.sections import SECTIONS

    manifest = json.loads((demo_pack.path / "manifest.json").read_text())
    monkeypatch.setattr(run_mod, "code_fingerprint", _pinned_code_fingerprint(manifest))
    result = build_pack(
        demo_workbook,
        "2026-10",
        site="Leeds",
        out=demo_pack.path.parent,
        formats=["html"],
        sections=[SECTIONS["99_evidence"]],
        progress=False,
    )
    assert result.path.name == "2026-10-Leeds" and result.ok
    params = json.loads((result.path / "manifest.json").read_text())["parameters"]
    assert params["site"] == "Leeds"
    shutil.rmtree(result.path)


def _extracts(pack, ids) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((pack / "data").glob("*.csv"))
        if p.name.split("--", 1)[0] in ids
    }


PARAMETER_SECTIONS = ("00_summary", "31_customers")


@pytest.mark.parametrize(
    "change",
    [
        {"site": "Leeds"},
        {"product": "SEN-080"},
        {"baseline_months": 6},
        {"period": "2026-09"},
        {"rules": "nelson"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_pack_parameter_changes_the_extracts(demo_pack, demo_workbook, monkeypatch, change):
    """A pack parameter that reaches no analytics call would leave the numbers unchanged."""
    from qmsdata.pack import cache
    from qmsdata.pack.sections import SECTIONS

    manifest = json.loads((demo_pack.path / "manifest.json").read_text())
    monkeypatch.setattr(cache, "code_fingerprint", _pinned_code_fingerprint(manifest))
    kw = {"period": "2026-10", **change}
    out = demo_pack.path.parent / "params"
    # the demo pack's validated snapshot is reused (same inputs and code); only sections run
    shutil.copytree(
        demo_pack.path.parent / ".cache" / "snapshots",
        out / ".cache" / "snapshots",
        dirs_exist_ok=True,
    )
    result = build_pack(
        demo_workbook,
        out=out,
        formats=["html"],
        sections=[SECTIONS[s] for s in PARAMETER_SECTIONS],
        progress=False,
        **kw,
    )
    assert result.ok, [r.error for r in result.failed]
    before = _extracts(demo_pack.path, PARAMETER_SECTIONS)
    after = _extracts(result.path, PARAMETER_SECTIONS)
    assert before.keys() & after.keys()
    changed = sorted(n for n in before.keys() & after.keys() if before[n] != after[n])
    assert changed, f"{change} changed none of {sorted(after)}"
    shutil.rmtree(result.path)
