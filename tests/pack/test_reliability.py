"""Issue 16 points 6 and 15: accidents during a build never cost the previous complete pack.

- a build with failed sections is kept beside a complete pack, never swapped over it;
- a timed-out section is retried once in a fresh kernel; papermill gets realistic timeouts;
- Ctrl-C at any step (even one a library swallows) stops the build before the swap;
- a build killed outright (SIGKILL) leaves folders the next build removes;
- every file of a pack has the same mode (0644 under umask 022).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qmsdata.pack import build_pack
from qmsdata.pack.verify import verify_pack


def _kw(out, folder, sections, **extra):
    return dict(
        out=out, notebook_dir=folder, sections=sections, formats=["html"], progress=False, **extra
    )


@pytest.mark.slow
def test_failed_build_is_kept_beside_the_complete_pack(
    tmp_path, tiny_workbook, tiny_sections, capsys, monkeypatch
):
    from qmsdata.cli import main

    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-pinned")
    folder, sections = tiny_sections
    out = tmp_path / "reports"
    good = build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections[:1]))
    assert good.ok and good.kept_pack is None
    before = {p.relative_to(good.path): p.read_bytes() for p in good.path.rglob("*") if p.is_file()}

    # the same pack again, now with a section that raises: `qms pack` exits 1 and names both
    argv = ["pack", str(tiny_workbook), "--period", "2026-10", "--out", str(out)]
    argv += ["--notebooks", str(folder), "--formats", "html", "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    # the failed build, and its digest beside it (qms pack writes one after every build)
    (kept,) = [p for p in (out / ".failed").iterdir() if p.is_dir()]
    assert {p.name for p in (out / ".failed").iterdir() if p.is_file()} <= {
        f"{kept.name}.digest.txt",
        f"{kept.name}.digest.html",
    }
    assert kept.name.startswith("2026-10-")
    assert f"the complete pack {out / '2026-10'} was NOT replaced" in err
    assert f"this build is kept at {kept}" in err
    assert str(kept / "sections" / "20_fail.ipynb") in err  # the failed notebook, where it is

    # the complete pack is byte for byte what it was, and still verifies
    after = {p.relative_to(good.path): p.read_bytes() for p in good.path.rglob("*") if p.is_file()}
    assert after == before
    assert verify_pack(good.path).ok
    # the failed build is a whole pack of its own (error page, manifest saying which failed)
    manifest = json.loads((kept / "manifest.json").read_text("utf-8"))
    assert {s["id"]: s["status"] for s in manifest["sections"]} == {
        "10_ok": "ok",
        "20_fail": "failed",
    }
    assert "qms-error-page" in (kept / "pack.html").read_text("utf-8")
    assert verify_pack(kept).ok
    # nothing that looks like a pack appeared in the reports folder, no temp folders left
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["2026-10"]
    assert not [p for p in out.iterdir() if ".build-" in p.name]

    # a complete build replaces the pack as before
    fixed = build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections[:1], force=True))
    assert fixed.kept_pack is None and fixed.path == out / "2026-10"


def test_place_build_policy(tmp_path):
    from qmsdata.pack.build import place_build

    def pack(path: Path, *statuses: str) -> Path:
        path.mkdir()
        sections = [{"id": str(i), "status": s} for i, s in enumerate(statuses)]
        (path / "manifest.json").write_text(json.dumps({"sections": sections}), "utf-8")
        return path

    target = tmp_path / "2026-10"
    # no pack yet: a failed build is the pack (there is nothing better to keep)
    assert place_build(pack(tmp_path / "b1", "ok", "failed"), target, False) == (target, None)
    # a failed pack there: replaced by another failed build, or by a complete one
    assert place_build(pack(tmp_path / "b2", "failed"), target, False) == (target, None)
    assert place_build(pack(tmp_path / "b3", "ok"), target, True) == (target, None)
    # a complete pack there: a failed build goes beside it, hidden, and the pack is untouched
    kept, spared = place_build(pack(tmp_path / "b4", "ok", "failed"), target, False)
    assert spared == target and kept.parent == tmp_path / ".failed"
    assert json.loads((target / "manifest.json").read_text())["sections"] == [
        {"id": "0", "status": "ok"}
    ]
    kept2, _ = place_build(pack(tmp_path / "b5", "failed"), target, False)
    assert kept2 != kept and kept.is_dir() and kept2.is_dir()
    # the last five failed builds per pack are kept; another pack's are not counted
    (tmp_path / ".failed" / "2026-10-A-20260101T000000Z").mkdir()
    for i in range(6):
        place_build(pack(tmp_path / f"c{i}", "failed"), target, False)
    names = sorted(p.name for p in (tmp_path / ".failed").iterdir())
    assert len(names) == 6 and "2026-10-A-20260101T000000Z" in names


def test_papermill_gets_realistic_timeouts(tmp_path, monkeypatch):
    from qmsdata.pack import execute as E

    seen = {}
    monkeypatch.setattr("papermill.execute_notebook", lambda *a, **kw: seen.update(kw))
    E.run_papermill("nb.ipynb", tmp_path / "x.ipynb", {}, "python3", 600, {})
    assert seen["iopub_timeout"] >= 60  # nbclient's default of 4 s lost outputs under load
    assert seen["raise_on_iopub_timeout"] is True  # lost outputs are an error, then retried
    assert seen["start_timeout"] >= 120
    assert seen["execution_timeout"] == 600


@pytest.mark.slow
def test_timed_out_section_is_retried_once_in_a_fresh_kernel(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    from nbclient.exceptions import CellTimeoutError

    from qmsdata.pack import execute as E

    folder, sections = tiny_sections
    real = E.run_papermill
    calls: list[dict] = []

    def first_times_out(source, executed, parameters, kernel_name, timeout, kernel_kw):
        calls.append(dict(kernel_kw))
        if len(calls) == 1:
            raise CellTimeoutError("Timeout waiting for IOPub output")
        real(source, executed, parameters, kernel_name, timeout, kernel_kw)

    monkeypatch.setattr(E, "run_papermill", first_times_out)
    result = build_pack(
        tiny_workbook, "2026-10", **_kw(tmp_path / "r", folder, sections[:1], jobs=1)
    )
    (run,) = result.sections
    assert run.status == "ok" and result.ok
    assert len(calls) == 2, "retried exactly once"
    assert "km" in calls[0], "first attempt on the worker's warm kernel"
    assert "km" not in calls[1] and "kernel_manager_class" in calls[1], "retry: a fresh kernel"
    assert "Timeout waiting for IOPub output" in run.retried


@pytest.mark.slow
def test_section_timing_out_twice_fails_without_a_third_try(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    from qmsdata.pack import execute as E

    folder, sections = tiny_sections
    calls = []

    def always_times_out(*args):
        calls.append(args)
        raise TimeoutError("Cell execution timed out")

    monkeypatch.setattr(E, "run_papermill", always_times_out)
    result = build_pack(
        tiny_workbook,
        "2026-10",
        **_kw(tmp_path / "r", folder, sections[:1], jobs=1, reuse_kernels=False),
    )
    assert len(calls) == 2
    assert result.sections[0].status == "failed" and "timed out" in result.sections[0].error


@pytest.mark.slow
def test_swallowed_ctrl_c_in_the_pdf_step_never_swaps(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    folder, sections = tiny_sections
    out = tmp_path / "reports"
    first = build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections[:1]))
    before = (first.path / "manifest.json").read_bytes()

    def swallowing_pdf(*args, **kwargs):  # as a browser library catching every error did
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        return "static figures could not be drawn"

    monkeypatch.setattr("qmsdata.pack.build._make_pdf", swallowing_pdf)
    kw = _kw(out, folder, sections[:1], force=True)
    kw["formats"] = ["html", "pdf"]
    with pytest.raises(KeyboardInterrupt):
        build_pack(tiny_workbook, "2026-10", **kw)
    assert (first.path / "manifest.json").read_bytes() == before
    assert not [p for p in out.iterdir() if ".build-" in p.name]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "handler restored"


def test_stale_build_folders_of_dead_pids_are_removed(tmp_path):
    from qmsdata.pack.build import clean_stale_builds

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "reports"
    out.mkdir()
    mine = out / f".2026-10.build-{os.getpid()}-abc"  # a live PID: left alone
    killed = out / f".2026-10.build-{dead.pid}-def"
    legacy = out / ".2026-10.build-k3j4h5g6"  # before PIDs were in the name
    swap_left = out / f".2026-10.old-{dead.pid}"
    other = out / f".2026-10-A.build-{dead.pid}-xyz"  # another pack's: its own build cleans it
    for p in (mine, killed, legacy, swap_left, other):
        (p / "sections").mkdir(parents=True)
    removed = clean_stale_builds(out, "2026-10")
    assert set(removed) >= {killed, legacy, swap_left}
    assert mine.is_dir() and other.is_dir()
    assert not killed.exists() and not legacy.exists() and not swap_left.exists()


CHILD = """
import sys
from pathlib import Path
from qmsdata.pack import build_pack
from qmsdata.pack.sections import Section
build_pack(sys.argv[1], "2026-10", out=sys.argv[2], notebook_dir=sys.argv[3],
           sections=[Section("10_slow", "", "Slow")], formats=["html"], progress=False,
           reuse_kernels=False)
"""

SLOW_CELL = """
from pathlib import Path
import time, tempfile
Path(out_dir, "..", "..", "started").write_text("yes")
time.sleep(600)
"""


@pytest.mark.slow
def test_sigkill_then_next_build_cleans_up(tmp_path, tiny_workbook, tiny_sections, notebooks):
    folder, sections = tiny_sections
    slow = tmp_path / "slow-nbs"
    slow.mkdir()
    notebooks.make(slow / "10_slow.ipynb", SLOW_CELL)
    out = tmp_path / "reports"
    out.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(tiny_workbook), str(out), str(slow)],
        start_new_session=True,  # its kernel too can be killed as a group at the end
    )
    try:
        deadline = time.monotonic() + 300
        while not list(out.glob(".2026-10.build-*/started")):
            assert child.poll() is None, "the child build ended early"
            assert time.monotonic() < deadline, "the slow section never started"
            time.sleep(0.5)
        (build,) = out.glob(".2026-10.build-*")
        assert build.name.startswith(f".2026-10.build-{child.pid}-"), "owner PID in the name"
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        assert build.is_dir(), "SIGKILL leaves the build folder (nothing can run on SIGKILL)"
    finally:
        if child.poll() is None:
            child.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # anything left in the child's group

    result = build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections[:1]))
    assert result.ok
    assert not [p for p in out.iterdir() if ".build-" in p.name or ".old-" in p.name]
    assert not list(result.path.rglob(".tmp"))


def test_pdf_step_temp_files_stay_inside_the_build(tmp_path):
    import tempfile

    from qmsdata.pack.build import temp_inside

    build = tmp_path / ".2026-10.build-1-x"
    build.mkdir()
    with temp_inside(build) as tmp:
        made = Path(tempfile.mkdtemp(prefix="qms-figs-"))
        assert made.parent == tmp and tmp.parent == build
    assert not tmp.exists() and tempfile.gettempdir() != str(tmp)


@pytest.mark.slow
def test_every_pack_file_is_0644_under_umask_022(
    tmp_path, tiny_workbook, tiny_sections, monkeypatch
):
    folder, sections = tiny_sections
    out = tmp_path / "reports"
    saved = os.umask(0o022)
    try:
        first = build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections[:1]))
        # a cache written by an older version with 0600 files: its copies must not keep that
        for p in (out / ".cache" / "sections").rglob("*"):
            if p.is_file():
                p.chmod(0o600)
        for result in (first, build_pack(tiny_workbook, "2026-10", **_kw(out, folder, sections))):
            pack = result.path
            modes = {
                p.relative_to(pack).as_posix(): stat.S_IMODE(p.stat().st_mode)
                for p in pack.rglob("*")
            }
            files = {k: m for k, m in modes.items() if (pack / k).is_file()}
            dirs = {k: m for k, m in modes.items() if (pack / k).is_dir()}
            assert {"manifest.json", "pack.html"} <= set(files)
            assert any(k.startswith("data/") for k in files), "extracts are checked too"
            assert {k: m for k, m in files.items() if m != 0o644} == {}
            assert {k: m for k, m in dirs.items() if m != 0o755} == {}
            assert stat.S_IMODE(pack.stat().st_mode) == 0o755
    finally:
        os.umask(saved)


def test_half_written_cache_entries_of_killed_builds_are_pruned(tmp_path):
    from qmsdata.pack.cache import STALE_TEMP_SECONDS, prune_cache

    sections = tmp_path / ".cache" / "sections"
    sections.mkdir(parents=True)
    stale = sections / ".abc123.k3j4h5"  # _copytree_atomic's temp folder, owner killed
    fresh = sections / ".def456.x9y8z7"  # another build copying right now
    stale_file = sections / ".x.svg.tmp"
    for p in (stale, fresh):
        p.mkdir()
    stale_file.write_bytes(b"half")
    old = time.time() - STALE_TEMP_SECONDS - 60
    for p in (stale, stale_file):
        os.utime(p, (old, old))
    prune_cache(tmp_path / ".cache")
    assert not stale.exists() and not stale_file.exists() and fresh.is_dir()


@pytest.mark.slow
def test_demo_pack_files_all_have_one_mode(demo_pack):
    # the full pack: PDF, data-quality report, extracts, manifest and signature included
    umask = os.umask(0o022)
    os.umask(umask)
    pack = demo_pack.path
    odd = {
        p.relative_to(pack).as_posix(): oct(stat.S_IMODE(p.stat().st_mode))
        for p in pack.rglob("*")
        if stat.S_IMODE(p.stat().st_mode) != (0o777 if p.is_dir() else 0o666) & ~umask
    }
    assert odd == {}
    assert (pack / "pack.pdf").is_file() and (pack / "manifest.json").is_file()


def test_ctrl_c_in_a_browser_loop_cancels_it_and_stops_the_build():
    import asyncio

    from qmsdata.pack.build import interrupt_guard, stop_if_interrupted

    async def browser_step():  # like kaleido: catches the cancellation and returns "no figures"
        os.kill(os.getpid(), signal.SIGINT)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            return "swallowed"
        return "finished"

    with interrupt_guard():
        t0 = time.monotonic()
        assert asyncio.run(browser_step()) == "swallowed", "the first Ctrl-C cancels the loop"
        assert time.monotonic() - t0 < 20
        with pytest.raises(KeyboardInterrupt):
            stop_if_interrupted()  # and the build stops at the next step, before any swap
        with pytest.raises(KeyboardInterrupt):  # a second Ctrl-C raises where it lands
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
