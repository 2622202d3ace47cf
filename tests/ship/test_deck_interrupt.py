"""Ctrl-C while the deck's (or the PDF's) Chromium runs: the call stops at once, no browser
process is left behind (its whole process group is killed; ``subprocess.run`` killed only the
browser itself) and its temp folder is removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FAKE = """#!/bin/sh
# a browser that starts a helper of its own (like Chromium's zygote) and never finishes
sleep 300 &
echo $! > "{pids}"
wait
"""

DRIVER = """
import json, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
from qmsdata.pack.export import draw_pngs
spec = {"data": [{"type": "scatter", "y": list(range(200))}], "layout": {}}
n = int(sys.argv[1])
figs = [{"id": "fig-x-%d" % i, "json": json.dumps(spec), "height": 400} for i in range(n)]
try:
    draw_pngs(figs, timeout=300)
except KeyboardInterrupt:
    sys.exit(130)
sys.exit(0)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _in_session(sid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[4]) == sid and fields[0] != "Z":
                out.append(int(d.name))
    return out


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids]


def _start(tmp_path: Path, env: dict[str, str], figures: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(figures)],
        env={**os.environ, **env, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _interrupt_when_browser_runs(proc: subprocess.Popen[bytes], wait: float = 60) -> int:
    """Send SIGINT once the driver has started its browser; return the browser's pid."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if kids:
            time.sleep(0.5)  # let it start its own helpers
            proc.send_signal(signal.SIGINT)
            return kids[0]
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the browser never started")


def test_ctrl_c_kills_the_browser_and_its_helpers(tmp_path: Path) -> None:
    fake = tmp_path / "fake-chromium"
    pids = tmp_path / "helper.pid"
    fake.write_text(FAKE.format(pids=pids))
    fake.chmod(0o755)
    proc = _start(tmp_path, {"QMS_CHROMIUM": str(fake)}, 2)
    browser = _interrupt_when_browser_runs(proc)
    t0 = time.monotonic()
    rc = proc.wait(timeout=20)
    assert rc == 130, proc.stderr.read() if proc.stderr else ""
    assert time.monotonic() - t0 < 5, "stopped promptly"
    assert not _alive(browser)
    helper = int(pids.read_text())
    assert not _alive(helper), "the browser's own helper process was killed too"
    assert not _in_session(browser)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("qms-")], "temp dirs removed"


@pytest.mark.slow
def test_ctrl_c_while_chromium_draws_the_decks_charts(tmp_path: Path) -> None:
    from qmsdata.pack.export import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium")
    proc = _start(tmp_path, {}, 400)  # enough charts to take many seconds
    browser = _interrupt_when_browser_runs(proc)
    t0 = time.monotonic()
    rc = proc.wait(timeout=30)
    if rc != 130:  # the whole message (an assert's repr cuts the middle, where the reason is)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if rc == 1 and "Chromium failed to draw the figures (exit -6)" in err:
            # Chromium itself aborted (SIGABRT, a crashpad report) before the interrupt was
            # acted on: seen only with 400 charts while make test's other worker ran, never
            # alone; the interrupt path is then not exercised (the fake-browser test above is)
            pytest.skip("Chromium aborted on its own under load before the interrupt")
        pytest.fail(f"exit {rc}:\n{err}")
    assert time.monotonic() - t0 < 5, "stopped promptly"
    time.sleep(0.5)
    assert not _in_session(browser), "no Chromium process left"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("qms-")], "temp dirs removed"
