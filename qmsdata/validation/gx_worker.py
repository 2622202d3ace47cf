"""great-expectations in a process of its own, for commands that validate once and exit.

Importing great-expectations costs ~4 CPU s (scipy, altair, jsonschema, sqlalchemy) and its
suites ~1.5 s on a small workbook; reading and typing the sources ~1.5 s more. In one process
these add up whatever the threads (they share one interpreter lock), so ``qms validate`` of a
few hundred rows took 7-8 s on two cores. :func:`out_of_process` starts ONE worker process
(``spawn``) that imports GX at once, while this process reads, checks and types the sources;
:func:`qmsdata.validation.gx.start_suite` then sends each record type's checked columns to it and
goes on with the next record type, and the findings come back as each suite ends.

What crosses between the processes is plain data: the checked columns as Arrow IPC bytes, the
record type's name, data date, sites and column names; back, each failing expectation's key,
its failing row positions as int64 bytes and GX's error message, if any. No frame is pickled.
If the worker cannot start or dies, the suite runs in this process instead (same code, same
findings), so a broken worker costs time, never results.

In the worker, and only there, great-expectations sees its base install: the optional packages
it probes for at import (its SQL and Spark extras) and jsonschema's optional IRI format checker
(``rfc3987_syntax`` builds Lark grammars at import, 1.2 CPU s) are marked absent
(:data:`_NOT_IN_WORKER`); a process that only runs pandas suites never uses them. The worker ignores
Ctrl-C; the main process stops it (and waits for nothing) when the command ends or is
interrupted.

Used by the command line (``qms validate``); :func:`qmsdata.load` in a notebook keeps GX in
its own process (the import is paid once per kernel).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qmsdata.optional import NOT_IMPORTED, skip

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    import pandas as pd

    from qmsdata.validation.gx import Finding, Planned

__all__ = ["GxWorker", "current", "out_of_process"]

_current: GxWorker | None = None

#: optional packages great-expectations (or jsonschema under it) imports when installed, and a
#: worker that runs pandas suites never uses: GX's SQL and Spark extras (qmsdata reads SQL and
#: runs Spark in the main process, never through GX) and jsonschema's IRI format checker.
#: Measured (import great_expectations, medians of 3, load ~4): 3.8 CPU s as installed, 2.7 s
#: without rfc3987_syntax, 2.2 s without all three.
_NOT_IN_WORKER = (*NOT_IMPORTED, "pyspark", "sqlalchemy")


def current() -> GxWorker | None:
    """Return the running GX worker of :func:`out_of_process`, or None."""
    return _current


@contextlib.contextmanager
def out_of_process() -> Iterator[GxWorker]:
    """Run great-expectations suites in a worker process started now, stopped on exit."""
    global _current
    worker = GxWorker()
    previous, _current = _current, worker
    try:
        yield worker
    finally:
        _current = previous
        worker.close()


class GxWorker:
    """One ``spawn`` worker process that imports great-expectations and runs suites."""

    def __init__(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
        )
        # workers start on the first task: start importing now. Ctrl-C is ignored while the
        # worker is started (a few ms): the worker inherits that, so a Ctrl-C while its Python
        # is still starting up cannot kill it with a traceback (blocking the signal instead is
        # not enough: another thread may take it while this one spawns).
        self._futures: list[Future[Any]] = []
        try:
            with _sigint_ignored():
                self._futures.append(self._pool.submit(_ready))
        except BaseException:
            self.close()
            raise

    def submit(
        self,
        name: str,
        frame: pd.DataFrame,
        plan: Sequence[Planned],
        as_of: pd.Timestamp,
        sites: Sequence[str],
        present: Sequence[str],
    ) -> Callable[[], list[Finding]]:
        """Send the checked columns of record type ``name``; return a call that waits for them.

        ``frame`` is emptied (its columns are in the message). ``plan`` is this process's plan of
        the suite; the worker plans the same one from ``as_of``, ``sites`` and ``present`` (the
        canonical columns the source has) and answers with the keys of its expectations.
        """
        from qmsdata.validation import gx

        data = _to_ipc(frame)
        for column in list(frame.columns):  # the bytes are the copy now
            del frame[column]
        args = (name, data, as_of.isoformat(), list(sites), list(present), gx.TWO_PASS)
        pool = self._pool
        future = None
        if pool is not None:
            with contextlib.suppress(RuntimeError):  # broken or closed: run here
                future = pool.submit(_run, *args)
                self._futures.append(future)

        def result() -> list[Finding]:
            by_key = {item.key: item for item in plan}
            if future is not None:
                from concurrent.futures.process import BrokenProcessPool

                try:
                    found = future.result()
                except BrokenProcessPool:  # the worker died: validate here instead
                    found = None
                if found is not None:
                    return [
                        gx.Finding(
                            dict(by_key[key].meta),
                            np.frombuffer(pos, dtype=np.int64).copy(),
                            error,
                        )
                        for key, pos, error in found
                    ]
            return gx.check_frame(_from_ipc(data), plan, name)

        return result

    def close(self) -> None:
        """Stop the worker: at once when it is still busy (no waiting for an import to end)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._futures and all(f.done() for f in self._futures):
            # idle: let it exit (it skips tearing its interpreter down, see _init) so the pool
            # closes its queues cleanly; a killed worker leaves the pool's semaphores to the
            # resource tracker, which warns about them at exit
            pool.shutdown(wait=True)
            return
        # the processes first: shutdown() forgets them, and would wait for an import to end
        processes = list((getattr(pool, "_processes", None) or {}).values())
        kill = getattr(pool, "kill_workers", None)  # Python >= 3.14
        if kill is not None:
            kill()
        for process in processes:
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # signal.signal would fail
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _to_ipc(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pandas()


# --- in the worker process -----------------------------------------------------------------


def _init() -> None:
    """Worker start: ignore Ctrl-C (the main process stops it), import GX, make its context."""
    import atexit
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # When the pool tells it to stop, the worker exits without tearing its interpreter down:
    # with GX loaded that teardown takes ~0.6 s, which the command would wait for at its end.
    # It holds no files or buffers of its own to flush; what multiprocessing needs done at
    # exit runs before the atexit handlers.
    atexit.register(_exit_now)
    # GX (and jsonschema) treat a package that does not import as not installed (module notes)
    skip(_NOT_IN_WORKER)
    from qmsdata.validation import gx

    gx.setup()


def _exit_now() -> None:
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _ready() -> bool:
    return True


def _run(
    name: str,
    data: bytes,
    as_of: str,
    sites: list[str],
    present: list[str],
    two_pass: bool,
) -> list[tuple[str, bytes, str | None]]:
    """Run record type ``name``'s suite on the columns in ``data``; return its findings."""
    import pandas as pd

    from qmsdata.records import record_spec
    from qmsdata.validation import gx

    gx.TWO_PASS = two_pass
    plan = gx.plan_suite(record_spec(name), as_of=pd.Timestamp(as_of), sites=sites, present=present)
    found = gx.check_frame(_from_ipc(data), plan, name)
    return [(gx.meta_key(f.meta), f.positions.astype(np.int64).tobytes(), f.error) for f in found]
