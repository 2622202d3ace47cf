"""Issue 16 point 7: the section cache under ``<out>/.cache`` cannot be used to forge a pack.

Before the fix, an edited cached fragment (a forged conclusion, a ``<script>``) was pasted into
the next build's HTML and PDF, and ``qms verify`` said intact. Entries are now sealed with an
HMAC-SHA256 keyed by a secret in the user's configuration folder; an entry that fails its seal
is discarded and its section runs again.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import nbformat
import pytest

from qmsdata.pack import build_pack
from qmsdata.pack.sections import Section

CELL = """
import qmsdata

wb = qmsdata.section_workbook(workbook, as_of=as_of, site=site, snapshot=snapshot)
ra = wb.review_actions
qmsdata.save_extract(ra[["action_id", "status"]], "actions", out_dir=out_dir)
qmsdata.narrate(f"GENUINE conclusion: {len(ra)} actions.", kind="conclusion")
"""

PARAMS = """workbook = None
period = "2026-10"
as_of = None
site = None
baseline_months = 12
rules = "anhoej"
out_dir = None
snapshot = None"""

FORGED = "FORGED conclusion: all objectives met<script>alert(7)</script>"


def _sections(folder: Path) -> list[Section]:
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Actions"), params, nbformat.v4.new_code_cell(CELL)]
    nbformat.write(nb, str(folder / "10_actions.ipynb"))
    return [Section("10_actions", "9.3.2 a)", "Actions", ("review_actions",))]


def _entry(out: Path) -> Path:
    (entry,) = [p for p in (out / ".cache" / "sections").iterdir() if not p.name.startswith(".")]
    return entry


@pytest.mark.slow
def test_edited_cache_entries_are_rebuilt_never_pasted(tmp_path, csv_workbook, monkeypatch, capsys):
    from qmsdata.cli import main
    from qmsdata.keys import CACHE_KEY, config_dir
    from qmsdata.pack.verify import verify_pack

    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-pinned")
    folder = tmp_path / "nbs"
    sections = _sections(folder)
    out = tmp_path / "reports"
    kw = dict(out=out, notebook_dir=folder, sections=sections, formats=["html"], progress=False)
    first = build_pack(csv_workbook, "2026-10", **kw)
    assert first.ok and "GENUINE conclusion" in (first.path / "pack.html").read_text("utf-8")

    # the key is the user's, 0600, outside the reports folder; the entry carries its seal
    key = config_dir() / CACHE_KEY
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not key.resolve().is_relative_to(out.resolve())
    assert not list(out.rglob(CACHE_KEY))
    entry = _entry(out)
    assert (entry / "hmac-sha256").is_file()

    # an unchanged entry is served from the cache
    again = build_pack(csv_workbook, "2026-10", **kw)
    assert again.sections[0].cached and again.sections[0].cache_rejected is None

    # 1. a forged fragment: rebuilt, the CLI says so, the forged text is nowhere in the pack
    frag = entry / "fragment.json"
    text = frag.read_text("utf-8")
    assert "GENUINE conclusion" in text
    frag.write_text(text.replace("GENUINE conclusion", FORGED), encoding="utf-8")
    argv = ["pack", str(csv_workbook), "--period", "2026-10", "--out", str(out)]
    argv += ["--notebooks", str(folder), "--formats", "html", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "section 10_actions failed its integrity check" in err and "rebuilt" in err
    pack = out / "2026-10"
    page = (pack / "pack.html").read_text("utf-8")
    assert "FORGED" not in page and "alert(7)" not in page
    assert "GENUINE conclusion" in page
    for p in pack.rglob("*"):
        if p.is_file():
            assert b"FORGED" not in p.read_bytes(), p
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    assert [s["cached"] for s in manifest["sections"]] == [False]
    assert verify_pack(pack).ok
    # the rebuilt section was stored afresh, with a valid seal
    assert "FORGED" not in (_entry(out) / "fragment.json").read_text("utf-8")
    assert build_pack(csv_workbook, "2026-10", **kw).sections[0].cached

    # 2. an edited extract (any file of the entry counts, not only the fragment)
    (extract,) = (_entry(out) / "data").glob("*.csv")
    extract.write_text("action_id,status\nRA-FORGED,closed\n", encoding="utf-8")
    result = build_pack(csv_workbook, "2026-10", **kw)
    assert not result.sections[0].cached and "does not match" in result.sections[0].cache_rejected
    assert "RA-FORGED" not in (pack / "data" / "10_actions--actions.csv").read_text("utf-8")

    # 3. an added file, and an entry without its seal (e.g. written by an older version)
    (_entry(out) / "data" / "extra.csv").write_text("x\n1\n", encoding="utf-8")
    assert not build_pack(csv_workbook, "2026-10", **kw).sections[0].cached
    (_entry(out) / "hmac-sha256").unlink()
    result = build_pack(csv_workbook, "2026-10", **kw)
    assert "no seal" in result.sections[0].cache_rejected
    assert not list((pack / "data").glob("*extra*"))

    # 4. a forged snapshot (the records every section reads): rebuilt, not read
    import pandas as pd

    (snap,) = [p for p in (out / ".cache" / "snapshots").iterdir() if not p.name.startswith(".")]
    assert (snap / "hmac-sha256").is_file()
    table = snap / "review_actions.parquet"
    forged = pd.read_parquet(table)
    forged["action_id"] = "RA-FORGED"
    forged.to_parquet(table)
    shutil.rmtree(out / ".cache" / "sections")  # so the section reads the snapshot again
    assert build_pack(csv_workbook, "2026-10", **kw).ok
    assert "RA-FORGED" not in (pack / "data" / "10_actions--actions.csv").read_text("utf-8")
    assert "RA-1" in (pack / "data" / "10_actions--actions.csv").read_text("utf-8")


def test_one_file_entries_figures_and_pdf_are_sealed(tmp_path):
    from qmsdata.pack import cache as C

    pdf = tmp_path / "pdf" / "abc.pdf"
    C.write_sealed(pdf, b"%PDF-1.7 genuine")
    assert C.read_sealed(pdf) == b"%PDF-1.7 genuine"
    raw = pdf.read_bytes()
    pdf.write_bytes(raw.replace(b"genuine", b"FORGED!"))
    assert C.read_sealed(pdf) is None and not pdf.exists(), "a forged entry is dropped"
    other = tmp_path / "pdf" / "def.pdf"  # a valid entry copied under another name
    other.write_bytes(raw)
    assert C.read_sealed(other) is None
    legacy = tmp_path / "fig.svg"  # written before entries were sealed
    legacy.write_bytes(b"<svg><script>alert(1)</script></svg>")
    assert C.read_sealed(legacy) is None


def test_seal_binds_files_and_name(tmp_path):
    from qmsdata.pack import cache as C

    entry = tmp_path / "e"
    (entry / "data").mkdir(parents=True)
    (entry / "fragment.json").write_text("{}", encoding="utf-8")
    (entry / "data" / "a.csv").write_text("a\n1\n", encoding="utf-8")
    C.seal(entry, "key-1")
    C.check_seal(entry, "key-1")
    with pytest.raises(C.CacheMismatch):  # a valid entry moved under another cache key
        C.check_seal(entry, "key-2")
    (entry / "data" / "a.csv").write_text("a\n2\n", encoding="utf-8")  # same size, new bytes
    with pytest.raises(C.CacheMismatch):
        C.check_seal(entry, "key-1")


def test_seal_depends_on_the_users_key(tmp_path, monkeypatch):
    from qmsdata.pack import cache as C

    entry = tmp_path / "e"
    entry.mkdir()
    (entry / "fragment.json").write_text("{}", encoding="utf-8")
    C.seal(entry, "k")
    # whoever lacks the user's key (another config folder) cannot make a seal that checks
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-user"))
    with pytest.raises(C.CacheMismatch):
        C.check_seal(entry, "k")
