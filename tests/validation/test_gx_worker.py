"""great-expectations in a worker process (``qms validate``) finds exactly what it finds here.

The worker is a speed-up only: its failures and rejects are byte-identical to the in-process
route's on the demo and on a small workbook with every planted bad row; a worker that dies
before or during the run costs time, never results; a run with nothing to validate stops it at
once; Ctrl-C leaves no worker behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from demo_fixture import demo_dir, demo_summary, demo_wb  # noqa: F401  (fixtures)
from test_validate import planted  # noqa: F401  (fixture: good rows + every planted bad row)

import qmsdata
from qmsdata.validation import gx_worker

pytestmark = pytest.mark.xdist_group("demo")


def _table(wb) -> bytes:
    return wb.failures.to_csv(index=False).encode("utf-8") + b"".join(
        wb.rejects[n].to_csv(index=False).encode("utf-8") + wb[n].to_csv(index=False).encode()
        for n in sorted(wb.rejects)
    )


def _processes(worker: gx_worker.GxWorker) -> list:
    return list((getattr(worker._pool, "_processes", None) or {}).values())


def test_the_worker_finds_what_this_process_finds_on_a_bad_workbook(planted):  # noqa: F811
    wb, _ = planted
    with gx_worker.out_of_process() as worker:
        away = qmsdata.load(wb.config.root)
        assert _processes(worker), "the suites ran in a worker process"
    assert len(wb.failures) > 0
    assert _table(away) == _table(wb)


def test_the_worker_finds_what_this_process_finds_on_the_demo(demo_dir, demo_wb):  # noqa: F811
    with gx_worker.out_of_process():
        away = qmsdata.load(demo_dir)
    assert _table(away) == _table(demo_wb)


def test_a_worker_killed_before_the_run_costs_time_not_results(planted):  # noqa: F811
    wb, _ = planted
    with gx_worker.out_of_process() as worker:
        for process in _processes(worker):
            process.kill()
            process.join()
        away = qmsdata.load(wb.config.root)
    assert _table(away) == _table(wb)


def test_a_worker_killed_during_the_run_costs_time_not_results(planted, monkeypatch):  # noqa: F811
    wb, _ = planted
    submit = gx_worker.GxWorker.submit
    sent = []

    def submit_then_kill(self, *args, **kwargs):
        result = submit(self, *args, **kwargs)
        sent.append(args[0])
        if len(sent) == 3:  # some suites sent, others not yet
            for process in _processes(self):
                process.kill()
        return result

    monkeypatch.setattr(gx_worker.GxWorker, "submit", submit_then_kill)
    with gx_worker.out_of_process():
        away = qmsdata.load(wb.config.root)
    assert len(sent) > 3
    assert _table(away) == _table(wb)


def test_nothing_to_validate_stops_the_worker_at_once(planted, tmp_path):  # noqa: F811
    wb, _ = planted
    qmsdata.load(wb.config.root, cache_dir=tmp_path)  # every record type now cached
    with gx_worker.out_of_process() as worker:
        processes = _processes(worker)
        again = qmsdata.load(wb.config.root, cache_dir=tmp_path)
        assert worker._pool is None, "stopped as soon as every record type was found cached"
        assert all(not p.is_alive() for p in processes)
    assert sorted(again.reused) == sorted(n for n in wb.validation.index if n in wb.config.records)
    assert _table(again) == _table(wb)


def test_ctrl_c_during_qms_validate_leaves_no_worker(planted, tmp_path):  # noqa: F811
    wb, _ = planted
    qms = Path(sys.executable).parent / "qms"
    child = subprocess.Popen(
        [str(qms), "validate", str(wb.config.root), "--no-cache", "--out", str(tmp_path / "dq")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _children(child.pid):
            time.sleep(0.05)
        assert _children(child.pid), "qms validate started its GX worker"
        # after the few ms in which the parent ignores Ctrl-C while it starts the worker
        time.sleep(0.3)
        os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130, err.decode()
    assert b"interrupted" in err
    assert b"Traceback" not in err, err.decode()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _group_alive(child.pid):
        time.sleep(0.1)
    assert not _group_alive(child.pid), "no process of the command is left"


def _children(pid: int) -> list[int]:
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
