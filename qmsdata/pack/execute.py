"""Run section notebooks: papermill driven from Python on a thread pool, one warm kernel per worker.

Each worker thread of a :class:`concurrent.futures.ThreadPoolExecutor` keeps its own kernel
(started, and the heavy libraries imported in it, while the main thread loads the workbook); a
first cell empties the kernel's namespace before each section. A section that kills its kernel
or times out fails alone, and its worker starts a fresh kernel for the next one.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmsdata.optional import skip_code
from qmsdata.pack.export import Fragment, error_fragment, export_section
from qmsdata.pack.sections import Section

#: first cell of each section on a reused kernel: delete the user's names (and the output
#: cache). ``%reset -f`` did the same plus two full ``gc.collect()`` (0.38 CPU s a section
#: with the pack's libraries loaded, against 0.01 s for this).
RESET_SOURCE = (
    "# qmsdata pack: the kernel is reused across sections; start from an empty namespace\n"
    "_qms_ns, _qms_hidden = get_ipython().user_ns, get_ipython().user_ns_hidden\n"
    "for _qms_name in [n for n in _qms_ns if n not in _qms_hidden and not n.startswith('_')]:\n"
    "    del _qms_ns[_qms_name]\n"
    "_qms_ns['Out'].clear()\n"
    "_qms_ns.update({'_': '', '__': '', '___': ''})\n"
    "del _qms_ns, _qms_hidden"
)

#: run in each worker's kernel while the workbook loads: everything a section imports (the
#: snapshot's Parquet reader, scipy for the statistics, nbformat and jsonschema behind the
#: plotly mimetype renderer), so no section pays for them; jsonschema without its optional IRI
#: checker (:mod:`qmsdata.optional`: 1.2 CPU s per kernel)
WARM_UP = skip_code() + (
    "import pandas, pyarrow.parquet, scipy.stats, nbformat, jsonschema\n"
    "import plotly.express, plotly.graph_objects, plotly.io\n"
    "import qmsdata, qmsdata.figures, qmsdata.analytics, qmsdata.pack.snapshot\n"
    "plotly.io.renderers.default = 'plotly_mimetype'\n"
    "del pandas, pyarrow, scipy, nbformat, jsonschema, plotly, qmsdata"
)

#: seconds to wait for a cell's outputs after its reply (nbclient's default, 4 s, is lost under
#: CPU load: outputs went missing and sections failed); a longer wait is an error, retried once
IOPUB_TIMEOUT = 120
#: seconds a fresh kernel may take to start (papermill's default 60 s is short on a loaded host)
START_TIMEOUT = 180


@dataclass
class SectionRun:
    """What happened to one section in a build."""

    section: Section
    status: str = "pending"  # ok | failed
    cached: bool = False
    key: str = ""
    error: str | None = None
    seconds: float = 0.0
    notebook: str = ""  # path inside the pack, e.g. sections/10_previous_actions.ipynb
    extracts: list[str] = field(default_factory=list)
    pack_files: list[str] = field(default_factory=list)  # CSVs placed at the pack's top level
    retried: str | None = None  # why the section ran a second time (a timeout), if it did
    cache_rejected: str | None = None  # why its cache entry was not used (failed its seal)
    base: str = ""  # its base cache key (qmsdata.pack.cache.base_key); "" never cached
    #: why its own code reads every input (qmsdata.pack.reads.notebook_code); "": it does not
    reads_all: str = ""
    reads: dict[str, Any] | None = None  # what it read (qmsdata.pack.reads), keyed on it
    fragment_json: str = ""  # a restored section's fragment


def quiet_kernel_manager() -> type:
    """Return a kernel manager class whose kernel's stderr chatter does not reach the terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        """Kernel manager whose kernel's own stderr chatter does not reach the terminal."""

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            import subprocess

            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _with_reset_cell(notebook: Path) -> Any:
    """Return the notebook with a first cell that empties the (reused) kernel's namespace."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE)
    cell.metadata["tags"] = ["qms-reset"]
    nb.cells.insert(0, cell)
    return nb


def with_read_cells(nb: Any, context: Any, out_dir: str) -> Any:
    """Return ``nb`` with a first cell that starts recording what the section reads, and a last
    cell that writes it to ``<out_dir>/reads.json`` (:mod:`qmsdata.pack.reads`; its cache key
    is taken over it). A section that fails before the last cell writes no record (and is not
    cached)."""
    import json

    import nbformat

    ctx = json.dumps(str(context)) if context else "None"
    first = nbformat.v4.new_code_cell(
        "# qmsdata pack: record what this section reads (its cache key is taken over it)\n"
        "import qmsdata.pack.reads as _qms_reads\n"
        f"_qms_reads.begin({ctx}, {json.dumps(out_dir)})\n"
        "del _qms_reads"
    )
    first.metadata["tags"] = ["qms-reads-begin"]
    last = nbformat.v4.new_code_cell(
        "# qmsdata pack: write what this section read\n"
        "__import__('qmsdata.pack.reads', fromlist=['finish']).finish()"
    )
    last.metadata["tags"] = ["qms-reads-finish"]
    at = 1 if nb.cells and "qms-reset" in nb.cells[0].metadata.get("tags", []) else 0
    nb.cells.insert(at, first)
    nb.cells.append(last)
    return nb


def execute_section(
    run: SectionRun,
    notebook: Path,
    params: dict[str, Any],
    build: Path,
    kernel_name: str,
    timeout: float | None,
    km: Any = None,
) -> tuple[Fragment, bool]:
    """Run one section notebook with papermill and export it; never raises for a failing section.

    With ``km`` (a kernel manager owned by the calling worker) the kernel is reused: a first cell
    empties its namespace, and the kernel stays up for the worker's next section. Fills in
    ``run`` and returns its HTML fragment and whether the kernel is still healthy (False after a
    dead kernel or a timeout, so the worker starts a fresh one).
    """
    from papermill.exceptions import PapermillExecutionError

    from qmsdata.pack.cache import collect

    section = run.section
    work = build / "work" / section.id
    work.mkdir(parents=True, exist_ok=True)
    executed = build / run.notebook
    healthy = True
    t0 = time.perf_counter()
    import nbformat

    context = params.get("context")
    (work / "reads.json").unlink(missing_ok=True)
    if km is not None:
        source: Any = with_read_cells(_with_reset_cell(notebook), context, str(work))
        kernel_kw: dict[str, Any] = {"km": km}
    else:
        source = with_read_cells(nbformat.read(str(notebook), as_version=4), context, str(work))
        kernel_kw = {"kernel_manager_class": quiet_kernel_manager()}

    def fresh() -> Any:  # for a retry only (after a timeout): the notebook read again
        return with_read_cells(nbformat.read(str(notebook), as_version=4), context, str(work))

    try:
        run_with_retry(
            run,
            source,
            notebook,
            executed,
            {**params, **dict(section.params), "out_dir": str(work)},
            kernel_name,
            timeout,
            kernel_kw,
            fresh_source=fresh,
        )
        run.status = "ok"
        healthy = run.retried is None  # the worker's kernel timed out: give it a fresh one
    except PapermillExecutionError as exc:
        run.status, run.error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel or timeout fails this section only
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
        healthy = False
    run.seconds = time.perf_counter() - t0
    if run.status == "ok":
        try:
            frag = export_section(executed, section.id, section.label, section.clause)
        except Exception as exc:  # noqa: BLE001
            run.status, run.error = "failed", f"export failed: {type(exc).__name__}: {exc}"
    if run.status == "failed":
        frag = error_fragment(
            section.id, section.label, section.clause, run.error or "", run.notebook
        )
    run.extracts, run.pack_files = collect(work)
    (work / "fragment.json").write_text(frag.to_json(), encoding="utf-8")
    return frag, healthy


def is_timeout(exc: BaseException) -> bool:
    """Return True for a cell or output timeout (nbclient's CellTimeoutError is a TimeoutError).

    A ``TimeoutError`` raised by the notebook's own code reaches papermill as a cell error
    (``PapermillExecutionError``), so it is not retried.
    """
    return isinstance(exc, TimeoutError)


def run_papermill(
    source: Any,
    executed: Path,
    parameters: dict[str, Any],
    kernel_name: str,
    timeout: float | None,
    kernel_kw: dict[str, Any],
) -> None:
    """Execute one notebook with papermill (the one call; timeouts set for a loaded machine)."""
    import papermill

    # no cwd=: papermill would chdir the whole process, which threads share
    papermill.execute_notebook(
        source,
        str(executed),
        parameters=parameters,
        kernel_name=kernel_name,
        progress_bar=False,
        log_output=False,
        execution_timeout=timeout,
        start_timeout=START_TIMEOUT,
        iopub_timeout=IOPUB_TIMEOUT,
        raise_on_iopub_timeout=True,  # missing outputs are a timeout, not a silent gap
        shutdown_kernel="immediate",
        **kernel_kw,
    )


def run_with_retry(
    run: SectionRun,
    source: Any,
    notebook: Path,
    executed: Path,
    parameters: dict[str, Any],
    kernel_name: str,
    timeout: float | None,
    kernel_kw: dict[str, Any],
    fresh_source: Callable[[], Any] | None = None,
) -> None:
    """Run the section; after a timeout, run it once more in a fresh kernel (empty namespace).

    The second attempt starts its own kernel (the worker's may still be busy with the cell that
    timed out) and re-reads the notebook (``fresh_source()``, prepared only then; None: the
    notebook file as it is), so nothing of the first attempt is left. A second timeout, like
    any other failure, propagates. ``run.retried`` says why it ran twice.
    """
    try:
        run_papermill(source, executed, parameters, kernel_name, timeout, kernel_kw)
    except Exception as exc:
        if not is_timeout(exc):
            raise
        run.retried = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        executed.unlink(missing_ok=True)
        if parameters.get("out_dir"):  # what the first attempt wrote
            for sub in ("data", "pack"):
                shutil.rmtree(Path(str(parameters["out_dir"])) / sub, ignore_errors=True)
        fresh = {"kernel_manager_class": quiet_kernel_manager()}
        again = str(notebook) if fresh_source is None else fresh_source()
        run_papermill(again, executed, parameters, kernel_name, timeout, fresh)


def warm_kernel(kernel_name: str) -> Any:
    """Start a kernel and import the heavy libraries in it; None if that fails (fresh later)."""
    from jupyter_core.utils import run_sync

    km = quiet_kernel_manager()(kernel_name=kernel_name)
    try:
        run_sync(km.start_kernel)()
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=120)
            run_sync(kc.execute_interactive)(WARM_UP, timeout=300, store_history=False)
        finally:
            kc.stop_channels()
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        shutdown(km)
        return None
    return km


def shutdown(km: Any) -> None:
    """Shut a kernel down now (errors ignored: it may be dead already)."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


class SectionPool:
    """Up to ``jobs`` sections at a time on a thread pool, each worker keeping one kernel.

    Use as a context manager: entering starts the workers' kernels (they warm up while the
    caller loads the workbook), leaving cancels what has not started and shuts every kernel down.
    """

    def __init__(
        self,
        jobs: int,
        kernel_name: str,
        timeout: float | None,
        reuse: bool,
        execute: Callable[..., tuple[Fragment, bool]] | None = None,
    ) -> None:
        self.jobs, self.kernel_name, self.timeout, self.reuse = jobs, kernel_name, timeout, reuse
        self._execute = execute or execute_section
        self._local = threading.local()
        self._kernels: list[Any] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> SectionPool:
        if self.jobs > 0:
            self._pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="qms-section")
            if self.reuse:
                for _ in range(self.jobs):
                    self._pool.submit(self._kernel)
        return self

    def __exit__(self, *exc: object) -> None:
        # sections not started are cancelled; shutting the kernels down ends any still running
        # (after an error or Ctrl-C), so joining the workers does not wait for them
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._shutdown_kernels()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._shutdown_kernels()  # one a worker was still starting

    def _shutdown_kernels(self) -> None:
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for km in kernels:
            shutdown(km)

    def _kernel(self) -> Any:
        """Return this worker's kernel manager, starting (and warming) one when it has none."""
        km = getattr(self._local, "km", None)
        if km is None and self.reuse and not self._stop.is_set():
            km = warm_kernel(self.kernel_name) or quiet_kernel_manager()(
                kernel_name=self.kernel_name
            )
            self._local.km = km
            with self._lock:
                self._kernels.append(km)
        return km

    def _drop_kernel(self) -> None:
        km = getattr(self._local, "km", None)
        self._local.km = None
        if km is not None:
            shutdown(km)
            with self._lock:
                if km in self._kernels:
                    self._kernels.remove(km)

    def _run(
        self, run: SectionRun, notebook: Path, params: dict[str, Any], build: Path
    ) -> tuple[SectionRun, Fragment]:
        if self._stop.is_set():
            raise RuntimeError("the build stopped")
        km = self._kernel()
        frag, healthy = self._execute(
            run, notebook, params, build, self.kernel_name, self.timeout, km
        )
        if not healthy:
            self._drop_kernel()
        return run, frag

    def run_all(
        self,
        tasks: list[tuple[SectionRun, Path]],
        params: dict[str, Any],
        build: Path,
        on_start: Callable[[SectionRun], None] | None = None,
    ) -> Iterator[tuple[SectionRun, Fragment]]:
        """Yield ``(run, fragment)`` for each task as it finishes (any order).

        A section's failure is in its run; an exception from the machinery itself (or Ctrl-C)
        propagates and stops the pool.
        """
        if self._pool is None or not tasks:
            return
        futures: dict[Future[tuple[SectionRun, Fragment]], SectionRun] = {}
        for run, notebook in tasks:
            futures[self._pool.submit(self._started, on_start, run, notebook, params, build)] = run
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    def _started(
        self,
        on_start: Callable[[SectionRun], None] | None,
        run: SectionRun,
        notebook: Path,
        params: dict[str, Any],
        build: Path,
    ) -> tuple[SectionRun, Fragment]:
        if on_start is not None:
            on_start(run)
        return self._run(run, notebook, params, build)
