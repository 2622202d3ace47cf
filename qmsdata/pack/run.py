"""Build a review pack: load once, run the section notebooks in parallel, export, hash, swap in.

The build happens in a temporary folder beside the target (``reports/.2026-10.build-*``) and is
swapped into place only when complete, so a crash or Ctrl-C leaves the previous pack intact, and
packs for different periods can build at the same time (a lock file stops two builds of the same
pack). Executed sections are cached under ``<out>/.cache`` keyed on the hash of the inputs, the
parameters, the notebook and the qmsdata code; a re-run with nothing changed reuses them.
"""

from __future__ import annotations

import calendar
import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmsdata.errors import PackError
from qmsdata.pack.export import (
    Fragment,
    assemble,
    error_fragment,
    export_section,
    find_chromium,
    print_pdf,
    static_images,
)
from qmsdata.pack.sections import Section, available_sections

ENGINE_VERSION = "1"
FORMATS = ("html", "pdf")
_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SITE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


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


@dataclass
class PackResult:
    """The outcome of :func:`build_pack`.

    Attributes
    ----------
    path
        The pack folder (``reports/<period>`` or ``reports/<period>-<site>``).
    sections
        One :class:`SectionRun` per section, in pack order.
    skipped
        Output format -> why it was not produced (e.g. ``{"pdf": "Chromium not found ..."}``).
    seconds
        Wall time of the build.
    """

    path: Path
    sections: list[SectionRun]
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    not_covered: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[SectionRun]:
        """Return the sections that failed."""
        return [s for s in self.sections if s.status == "failed"]

    @property
    def ok(self) -> bool:
        """Return True when every section rendered."""
        return not self.failed


# ---------------------------------------------------------------------------------- hashing


def _sha(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def _file_sha(path: Path) -> str:
    from qmsdata.pack.manifest import sha256_file

    return sha256_file(path)


def input_fingerprint(workbook: Path) -> str | None:
    """Return a hash of every file the workbook is read from, or None when it cannot be hashed.

    Every file under the workbook folder counts (``qms.toml`` included), plus any source file the
    configuration names outside the folder. A source that is a database server (a SQLAlchemy URL
    other than SQLite) cannot be hashed, so such a workbook is never served from the cache.
    """
    parts: list[tuple[Any, ...]] = []
    for p in sorted(workbook.rglob("*")):
        rel = p.relative_to(workbook)
        if p.is_file() and not any(s.startswith(".") for s in rel.parts):
            parts.append((rel.as_posix(), p.stat().st_size, _file_sha(p)))
    try:
        config = tomllib.loads((workbook / "qms.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    for rt, spec in sorted((config.get("records") or {}).items()):
        source = str((spec or {}).get("source", "")) if isinstance(spec, dict) else ""
        if "://" in source:
            if not source.startswith("sqlite:///"):
                return None
            source = source.removeprefix("sqlite:///")
        if not source:
            continue
        path = (workbook / source).resolve()
        if path.is_file() and not path.is_relative_to(workbook.resolve()):
            parts.append((rt, str(path), _file_sha(path)))
        elif not path.exists():
            parts.append((rt, str(path), None))
    return _sha(parts)


def code_fingerprint() -> str:
    """Return a hash of the qmsdata source, library versions and Python (changes invalidate)."""
    root = Path(__file__).resolve().parents[1]
    parts = [
        (p.relative_to(root).as_posix(), _file_sha(p))
        for p in sorted(root.rglob("*"))
        if p.suffix in (".py", ".toml", ".css", ".html") and "__pycache__" not in p.parts
    ]
    from qmsdata.pack.manifest import package_versions

    return _sha(ENGINE_VERSION, parts, package_versions(), sys.version)


def section_key(
    section_id: str, notebook: Path, params: dict[str, Any], input_fp: str | None, code_fp: str
) -> str:
    """Return the cache key of a section: hash of notebook, parameters, inputs and package code.

    An empty key (never cached) when the inputs cannot be hashed.
    """
    if not input_fp:
        return ""
    return _sha(
        "section", ENGINE_VERSION, section_id, _file_sha(notebook), params, input_fp, code_fp
    )


# ---------------------------------------------------------------------------------- helpers


def _data_date(workbook: Path, data_as_of: str | None) -> str:
    """Return the data date ``YYYY-MM-DD``: given, else ``[workbook] as_of``, else today."""
    from qmsdata.config import read_config
    from qmsdata.workbook import _resolve_as_of

    if data_as_of is not None and not re.match(r"^\d{4}-\d{2}-\d{2}$", str(data_as_of)):
        raise PackError(f"data_as_of {data_as_of!r} is not a date written YYYY-MM-DD")
    return _resolve_as_of(data_as_of, read_config(workbook)).date().isoformat()


def parse_period(period: str, fiscal_year_start: int = 1) -> tuple[str, str]:
    """Return ``(period, last day of period)`` for a month or a quarter.

    Accepted: a month ``YYYY-MM``; a calendar quarter ``YYYYQn`` (or ``YYYY-Qn``); a fiscal
    quarter ``FYyyyyQn``, the fiscal year named by the calendar year it ends in and starting in
    month ``fiscal_year_start`` (``qms.toml``). Fiscal quarters are returned as the calendar
    quarter they cover (``FY2027Q1`` with an April year start is ``2026Q2``).

    Raises
    ------
    PackError
        When the period is not written that way, or a fiscal quarter does not line up with
        calendar quarters (fiscal year starting in a month other than 1, 4, 7 or 10).
    """
    text = str(period).strip().upper().replace("-Q", "Q")
    fq = re.fullmatch(r"FY(\d{4})Q([1-4])", text)
    if fq:
        s = int(fiscal_year_start)
        if s not in (1, 4, 7, 10):
            raise PackError(
                f"fiscal quarter {period!r}: the fiscal year starts in month {s}, so its quarters "
                "are not calendar quarters",
                hint="Use a month (YYYY-MM) or a calendar quarter (YYYYQn).",
            )
        year, q = int(fq.group(1)), int(fq.group(2))
        first = s - 1 + 3 * (q - 1)  # months after January of the fiscal year's first year
        first_year = year - 1 if s > 1 else year
        text = f"{first_year + first // 12}Q{(first % 12) // 3 + 1}"
    cq = re.fullmatch(r"(\d{4})Q([1-4])", text)
    if cq:
        year, q = int(cq.group(1)), int(cq.group(2))
        month = 3 * q
        return f"{year}Q{q}", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    m = _PERIOD_RE.match(str(period))
    if not m:
        raise PackError(
            f"period {period!r} is not a month YYYY-MM or a quarter YYYYQn / FYyyyyQn",
            hint="For example --period 2026-10, --period 2026Q3 or --period FY2027Q1.",
        )
    year, month = int(m.group(1)), int(m.group(2))
    return (
        f"{year:04d}-{month:02d}",
        f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}",
    )


def _fiscal_start(workbook: str | Path) -> int:
    """Return ``fiscal_year_start`` from the workbook's qms.toml (1 when absent or unreadable)."""
    try:
        with open(Path(workbook) / "qms.toml", "rb") as fh:
            return int(tomllib.load(fh).get("workbook", {}).get("fiscal_year_start", 1))
    except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError):
        return 1


def pack_name(period: str, site: str | None) -> str:
    """Return the pack folder name: ``2026-10`` or ``2026-10-<site>``."""
    if site is None:
        return period
    if not _SITE_RE.match(site):
        raise PackError(f"site {site!r} cannot name a folder", hint="Use letters, digits, _ . -")
    return f"{period}-{site.replace(' ', '_')}"


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    import fcntl

    fh = open(path, "a+")  # noqa: SIM115 - held for the whole build
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PackError(
                "another build of this pack is running",
                file=path,
                hint="Wait for it to finish; packs for other periods can build at the same time.",
            ) from exc
        yield
    finally:
        fh.close()


def _swap_into_place(new: Path, target: Path) -> None:
    """Move the finished build ``new`` to ``target``, replacing any previous pack.

    Uses an atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``) when available, so the target
    is never missing; elsewhere the old pack is renamed aside first and removed afterwards.
    """
    if not target.exists():
        os.rename(new, target)
        return
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_exchange = -100, 2
            rc = renameat2(
                at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(target), rename_exchange
            )
            if rc == 0:
                shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old pack
                return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _copytree_atomic(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` through a temp folder; keep an existing ``dst`` (same content)."""
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    try:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        os.rename(tmp, dst)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _quiet_kernel_manager() -> type:
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        """Kernel manager whose kernel's own stderr chatter does not reach the terminal."""

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            import subprocess

            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


# ---------------------------------------------------------------------------------- sections


RESET_SOURCE = (
    "# qmsdata pack: the kernel is reused across sections; start from an empty namespace\n"
    'get_ipython().run_line_magic("reset", "-f")'
)


def _with_reset_cell(notebook: Path) -> Any:
    """Return the notebook with a first cell that empties the (reused) kernel's namespace."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE)
    cell.metadata["tags"] = ["qms-reset"]
    nb.cells.insert(0, cell)
    return nb


def _execute(
    section: Section,
    notebook: Path,
    params: dict[str, Any],
    build: Path,
    kernel_name: str,
    timeout: float | None,
    km: Any = None,
) -> tuple[SectionRun, Fragment, bool]:
    """Run one section notebook with papermill and export it; never raises for a failing section.

    With ``km`` (a kernel manager owned by the calling worker) the kernel is reused: a first cell
    empties its namespace, and the kernel stays up for the worker's next section. Returns the run,
    its HTML fragment, and whether the kernel is still healthy (False after a dead kernel or a
    timeout, so the worker starts a fresh one).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    run = SectionRun(section, notebook=f"sections/{section.id}.ipynb")
    work = build / "work" / section.id
    work.mkdir(parents=True, exist_ok=True)
    executed = build / run.notebook
    healthy = True
    t0 = time.perf_counter()
    if km is not None:
        source: Any = _with_reset_cell(notebook)
        kernel_kw: dict[str, Any] = {"km": km}
    else:
        source = str(notebook)
        kernel_kw = {"kernel_manager_class": _quiet_kernel_manager()}
    try:
        # no cwd=: papermill would chdir the whole process, which threads share
        papermill.execute_notebook(
            source,
            str(executed),
            parameters={**params, "out_dir": str(work)},
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            shutdown_kernel="immediate",
            **kernel_kw,
        )
        run.status = "ok"
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
    _collect(work, run)
    (work / "fragment.json").write_text(frag.to_json(), encoding="utf-8")
    return run, frag, healthy


class _Worker(threading.Thread):
    """Run sections from a queue, one at a time, each worker with its own (reused) kernel."""

    def __init__(
        self,
        tasks: queue.Queue[Any],
        results: queue.Queue[Any],
        stop: threading.Event,
        kernel_name: str,
        timeout: float | None,
        reuse: bool,
    ) -> None:
        super().__init__(daemon=True)
        self.tasks, self.results, self.stop = tasks, results, stop
        self.kernel_name, self.timeout, self.reuse = kernel_name, timeout, reuse

    def run(self) -> None:
        km = None
        try:
            if self.reuse:
                km = _warm_kernel(self.kernel_name)
            while not self.stop.is_set():
                item = self.tasks.get()
                if item is None or self.stop.is_set():
                    break
                section, notebook, params, build = item
                self.results.put(("start", section.id, None))
                try:
                    if km is None and self.reuse:
                        km = _quiet_kernel_manager()(kernel_name=self.kernel_name)
                    run, frag, healthy = _execute(
                        section, notebook, params, build, self.kernel_name, self.timeout, km
                    )
                    if not healthy and km is not None:
                        _shutdown(km)
                        km = None
                    self.results.put(("done", section.id, (run, frag)))
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self.results.put(("error", section.id, exc))
                    break
        finally:
            if km is not None:
                _shutdown(km)


#: imported in each worker's kernel while the workbook loads (saves seconds per section)
WARM_UP = "import pandas, plotly.graph_objects, plotly.io, qmsdata, qmsdata.figures"


def _warm_kernel(kernel_name: str) -> Any:
    """Start a kernel and import the heavy libraries in it; None if that fails (fresh later)."""
    from jupyter_core.utils import run_sync

    km = _quiet_kernel_manager()(kernel_name=kernel_name)
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
        _shutdown(km)
        return None
    return km


def _shutdown(km: Any) -> None:
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


def _collect(work: Path, run: SectionRun) -> None:
    """List the extracts (``data/``) and pack-level files (``pack/``) a section wrote."""
    for sub, attr in (("data", "extracts"), ("pack", "pack_files")):
        if (work / sub).is_dir():
            setattr(run, attr, sorted(p.name for p in (work / sub).glob("*.csv")))


def _store(cache_entry: Path, build: Path, run: SectionRun) -> None:
    """Copy a successful section (executed notebook, extracts, fragment) into the cache."""
    src = Path(tempfile.mkdtemp(prefix=".stage-", dir=build))
    shutil.copy2(build / run.notebook, src / "section.ipynb")
    work = build / "work" / run.section.id
    shutil.copy2(work / "fragment.json", src / "fragment.json")
    for sub in ("data", "pack"):
        if (work / sub).is_dir():
            shutil.copytree(work / sub, src / sub)
    _copytree_atomic(src, cache_entry)
    shutil.rmtree(src, ignore_errors=True)


def _restore(cache_entry: Path, build: Path, run: SectionRun) -> Fragment:
    """Copy a cached section into the build."""
    work = build / "work" / run.section.id
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cache_entry / "section.ipynb", build / run.notebook)
    for sub in ("data", "pack"):
        if (cache_entry / sub).is_dir():
            shutil.copytree(cache_entry / sub, work / sub)
    _collect(work, run)
    run.status, run.cached = "ok", True
    _touch(cache_entry)
    return Fragment.from_json((cache_entry / "fragment.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------- the build


def build_pack(
    workbook: str | Path,
    period: str,
    *,
    site: str | None = None,
    out: str | Path = "reports",
    formats: Sequence[str] = FORMATS,
    jobs: int | None = None,
    force: bool = False,
    as_of: str | None = None,
    baseline_months: int = 12,
    rules: str = "anhoej",
    notebook_dir: str | Path | None = None,
    sections: Sequence[Section] | None = None,
    progress: bool = True,
    timeout: float | None = 600,
    kernel_name: str = "python3",
    reuse_kernels: bool = True,
    redact: bool = False,
    product: str | None = None,
    data_as_of: str | None = None,
) -> PackResult:
    """Build the management-review pack for one period (ISO 9001 9.3).

    Loads and validates the workbook once, runs every section notebook with papermill (up to
    ``jobs`` at a time), exports them into one offline ``pack.html`` (and ``pack.pdf`` when
    Chromium is available), keeps the executed notebooks and the data extracts, and writes a
    ``manifest.json`` that :func:`verify_pack` checks. A failing section becomes an error page;
    the other sections still render.

    Parameters
    ----------
    workbook
        Workbook folder with ``qms.toml``.
    period
        Month under review, ``YYYY-MM``.
    site
        Restrict the pack to one site (output folder ``<period>-<site>``).
    out
        Parent folder of the packs.
    formats
        Any of ``"html"``, ``"pdf"``.
    jobs
        Notebooks run at once (default: number of CPU cores).
    force
        Ignore the cache and re-run every section.
    as_of
        Reporting date ``YYYY-MM-DD`` (default: last day of ``period``, or the data date when the
        period is still in progress; never the clock). The
        pack shows the records as at this date (:meth:`qmsdata.Workbook.as_at`): records dated
        after it are left out and later closures hidden.
    baseline_months, rules
        Passed to every section: months of baseline for control limits; run-rule set name.
    notebook_dir, sections
        Where the section notebooks are, and which sections to build (default: every registered
        section whose notebook exists).
    progress
        Show a progress bar with the section names (on stderr).
    timeout
        Seconds allowed per notebook cell.
    kernel_name
        Jupyter kernel to run the notebooks with.
    reuse_kernels
        Keep one kernel per worker across its sections (namespace emptied before each section),
        which saves the kernel start and the imports per section; a kernel that dies or times
        out is replaced. False starts a fresh kernel for every section.
    redact
        Pseudonymise customer names and free-text descriptions (see
        :mod:`qmsdata.pack.redact`) for distribution beyond the review board; the pack goes to
        ``<period>-redacted`` so the board's pack is not replaced.
    product
        Restrict the pack to one product (rows of record types with a product column; output
        folder ``<period>[-<site>]-<product>``).
    data_as_of
        Data date ``YYYY-MM-DD``: when the data were extracted; rows are validated against it
        (event dates after it are quarantined). Default: ``[workbook] as_of`` in ``qms.toml``,
        else today (the default of :func:`qmsdata.load`). Must not be before ``as_of``.

    Returns
    -------
    PackResult
        The pack folder, per-section status, skipped formats.

    Raises
    ------
    PackError
        Bad arguments, a build of the same pack already running.
    QmsError
        The workbook cannot be loaded (structural problem).
    """
    t_start = time.perf_counter()
    period, period_end = parse_period(period, _fiscal_start(workbook))
    as_of_given = as_of is not None
    as_of = as_of or period_end
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(as_of)):
        raise PackError(f"as_of {as_of!r} is not a date written YYYY-MM-DD")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise PackError(f"unknown format(s) {unknown or formats}", hint="Use html, pdf or both.")
    workbook = Path(workbook).resolve()
    if not (workbook / "qms.toml").is_file():
        raise PackError(
            "the workbook folder has no qms.toml",
            file=workbook / "qms.toml",
            hint="Point at a workbook folder (try: qms demo data/demo).",
        )
    data_as_of = _data_date(workbook, data_as_of)
    if not as_of_given and str(as_of) > data_as_of:
        # a period still in progress: report up to the data date (the header shows both dates)
        as_of = data_as_of
        import pandas as pd

        if as_of < pd.Period(period).start_time.date().isoformat():
            raise PackError(
                f"the data date {data_as_of} is before period {period} starts",
                file=workbook / "qms.toml",
                hint="Choose an earlier --period, or set the data date (`[workbook] as_of` in "
                "qms.toml, or --data-as-of) to when the data were extracted.",
            )
    if str(as_of) > data_as_of:
        raise PackError(
            f"reporting date {as_of} is after the data date {data_as_of}",
            file=workbook / "qms.toml",
            hint="The data cannot show what happened after they were extracted: give --as-of "
            f"on or before {data_as_of}, or set the data date (`[workbook] as_of` in qms.toml, "
            "or --data-as-of) to when the data were extracted.",
        )
    nb_dir = Path(notebook_dir).resolve() if notebook_dir else None
    todo = list(sections) if sections is not None else available_sections(nb_dir)
    if not todo:
        raise PackError("no section notebooks found", file=nb_dir, hint="Check --notebooks.")
    jobs = max(1, int(jobs or os.cpu_count() or 1))

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    name = pack_name(period, site) + (f"-{pack_name('', product)[1:]}" if product else "")
    name += "-redacted" if redact else ""
    target = out / name
    cache = out / ".cache"
    logging.getLogger("papermill").setLevel(logging.ERROR)

    with _lock(out / f".{name}.lock"):
        build = Path(tempfile.mkdtemp(prefix=f".{name}.build-", dir=out))
        umask = os.umask(0)
        os.umask(umask)
        build.chmod(0o777 & ~umask)
        try:
            result = _build(
                build,
                target,
                cache,
                workbook,
                period,
                as_of,
                data_as_of,
                site,
                formats,
                jobs,
                force,
                baseline_months,
                rules,
                nb_dir,
                todo,
                progress,
                timeout,
                kernel_name,
                reuse_kernels,
                redact,
                product,
            )
            _swap_into_place(build, target)
            prune_cache(cache)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    result.seconds = time.perf_counter() - t_start
    return result


def _build(
    build: Path,
    target: Path,
    cache: Path,
    workbook: Path,
    period: str,
    as_of: str,
    data_as_of: str,
    site: str | None,
    formats: tuple[str, ...],
    jobs: int,
    force: bool,
    baseline_months: int,
    rules: str,
    nb_dir: Path | None,
    todo: list[Section],
    progress: bool,
    timeout: float | None,
    kernel_name: str,
    reuse_kernels: bool,
    redact: bool = False,
    product: str | None = None,
) -> PackResult:
    from qmsdata import __version__
    from qmsdata.pack.manifest import git_commit, package_versions, sha256_file, write_manifest

    (build / "sections").mkdir()
    code_fp = code_fingerprint()
    input_fp = input_fingerprint(workbook)
    if redact and input_fp:  # a redacted snapshot and its sections are cached apart
        input_fp = _sha("redacted", input_fp)

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    params = {
        "workbook": str(workbook),
        "period": period,
        "as_of": as_of,
        "site": site,
        "product": product,
        "baseline_months": int(baseline_months),
        "rules": rules,
    }
    runs = [SectionRun(s, notebook=f"sections/{s.id}.ipynb") for s in todo]
    for run in runs:
        nb = run.section.notebook(nb_dir)
        if not nb.is_file():
            raise PackError(f"section notebook for {run.section.id} not found", file=nb)
        run.key = section_key(
            run.section.id, nb, {**params, "data_as_of": data_as_of}, input_fp, code_fp
        )

    # cached sections are restored at once; the others go to workers, whose kernels start (and
    # import the libraries) while the workbook is loaded and validated
    fragments: dict[str, Fragment] = {}
    pending = []
    for run in runs:
        entry = cache / "sections" / run.key if run.key else None
        if entry is not None and not force and (entry / "fragment.json").is_file():
            fragments[run.section.id] = _restore(entry, build, run)
        else:
            pending.append(run)
    tasks: queue.Queue[Any] = queue.Queue()
    results: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    workers = [
        _Worker(tasks, results, stop, kernel_name, timeout, reuse_kernels)
        for _ in range(min(jobs, len(pending)))
    ]
    for w in workers:
        w.start()
    bar: Any = _NoBar()
    try:
        bar = _progress(len(runs), f"pack {target.name}", progress)
        bar.set_postfix_str("loading and validating the workbook", refresh=True)
        # 1. load and validate once (against the data date); sections read the snapshot of
        # the records as at the reporting date
        snap_key = _sha("snapshot", input_fp, as_of, data_as_of, code_fp) if input_fp else None
        snapshot = cache / "snapshots" / snap_key if snap_key else build / "snapshot"
        if force or snap_key is None or not (snapshot / "meta.json").is_file():
            from qmsdata import load
            from qmsdata.pack.snapshot import write_snapshot

            wb = load(workbook, as_of=data_as_of).as_at(as_of)
            if redact:
                from qmsdata.pack.redact import redact_workbook

                wb = redact_workbook(wb)
            write_snapshot(wb, snapshot)
        facts = json.loads((snapshot / "meta.json").read_text(encoding="utf-8"))
        _touch(snapshot)
        timings["load"] = time.perf_counter() - clock
        clock = time.perf_counter()

        # 2. run the sections
        bar.update(len(runs) - len(pending))
        run_params = {**params, "snapshot": str(snapshot)}
        by_id = {r.section.id: r for r in runs}
        for run in pending:
            tasks.put((run.section, run.section.notebook(nb_dir), run_params, build))
        for _ in workers:
            tasks.put(None)
        running: set[str] = set()
        remaining = len(pending)
        while remaining:
            kind, sid, payload = results.get()
            if kind == "error":
                raise payload
            if kind == "start":
                running.add(sid)
                bar.set_postfix_str(_names(running), refresh=True)
                continue
            running.discard(sid)
            remaining -= 1
            done_run, frag = payload
            run = by_id[sid]
            run.status, run.error = done_run.status, done_run.error
            run.seconds, run.extracts = done_run.seconds, done_run.extracts
            run.pack_files = done_run.pack_files
            fragments[sid] = frag
            if run.status == "ok" and run.key:
                _store(cache / "sections" / run.key, build, run)
            bar.update(1)
            bar.set_postfix_str(
                (f"{sid} FAILED; " if run.status == "failed" else f"{sid} done; ")
                + _names(running),
                refresh=True,
            )
    finally:
        bar.close()
        stop.set()
        for _ in workers:
            tasks.put(None)
        for w in workers:
            w.join(timeout=60)

    # 3. extracts into data/
    (build / "data").mkdir()
    for run in runs:
        work = build / "work" / run.section.id
        for fname in run.extracts:
            shutil.copy2(work / "data" / fname, build / "data" / f"{run.section.id}--{fname}")
        for fname in run.pack_files:
            if (build / fname).exists():
                raise PackError(
                    f"section {run.section.id} writes {fname}, which another section wrote too",
                    file=run.section.notebook(nb_dir),
                )
            shutil.copy2(work / "pack" / fname, build / fname)
    shutil.rmtree(build / "work", ignore_errors=True)

    timings["sections"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # 4. export
    ordered = [fragments[r.section.id] for r in runs]
    org = _organisation(workbook)
    title = f"Management review pack — {period}" + (f" — {site}" if site else "")
    fact_list = [
        ("Organisation", org or workbook.name),
        ("Period", period),
        ("Site", site or "all sites"),
        ("Reporting date", as_of),
        ("Data extracted", data_as_of),
        ("Workbook", workbook.name),
        ("Built by", f"qmsdata {__version__}"),
    ]
    covered = {r.section.id for r in runs}
    from qmsdata.pack.sections import SECTIONS

    not_covered = [s.label for s in SECTIONS.values() if s.id not in covered]
    # coverage of the 9.3.2 inputs by this pack and the packs before it (their manifests)
    from qmsdata.pack.coverage import coverage_html, coverage_table

    cov = coverage_table(target.parent, target.name, {r.section.id: r.status for r in runs})
    cov.to_csv(build / "data" / "98_coverage--coverage.csv")
    cov_frag = Fragment(
        "98_coverage",
        "9.3.2 — Coverage of the review inputs",
        "9.3.2",
        coverage_html(cov, target.name),
    )
    at = next((i for i, f in enumerate(ordered) if f.section_id >= "98"), len(ordered))
    ordered.insert(at, cov_frag)
    skipped: dict[str, str] = {}
    if "html" in formats:
        page = assemble(ordered, title=title, facts=fact_list, mode="html", not_covered=not_covered)
        (build / "pack.html").write_text(page, encoding="utf-8")
    timings["html"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if "pdf" in formats:
        reason = _make_pdf(build, cache, ordered, title, fact_list, not_covered)
        if reason:
            skipped["pdf"] = reason

    timings["pdf"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # 5. manifest
    if snapshot.is_relative_to(build):
        shutil.rmtree(snapshot, ignore_errors=True)
    info = {
        "qmsdata_version": __version__,
        "git_commit": git_commit(),
        "period": period,
        "site": site,
        "as_of": as_of,
        "data_as_of": data_as_of,
        "parameters": {
            **params,
            "data_as_of": data_as_of,
            "formats": list(formats),
            "redact": redact,
        },
        "workbook": {
            "path": str(workbook),
            "qms_toml_sha256": sha256_file(workbook / "qms.toml"),
            "fingerprint": input_fp,
        },
        "inputs": facts.get("inputs", []),
        "validation": facts.get("validation", {}),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "sections": [
            {
                "id": r.section.id,
                "clause": r.section.clause,
                "title": r.section.title,
                "status": r.status,
                "cached": r.cached,
                "cache_key": r.key or None,
                "notebook": r.notebook,
                "error": r.error,
                "extracts": [f"data/{r.section.id}--{x}" for x in r.extracts],
                "pack_files": r.pack_files,
            }
            for r in runs
        ],
        "not_covered": not_covered,
        "code_fingerprint": code_fp,
        "skipped": skipped,
    }
    write_manifest(build, info)
    timings["manifest"] = time.perf_counter() - clock
    return PackResult(target, runs, skipped, not_covered=not_covered, timings=timings)


def _make_pdf(
    build: Path,
    cache: Path,
    fragments: list[Fragment],
    title: str,
    facts: list[tuple[str, str]],
    not_covered: list[str],
) -> str | None:
    """Print pack.pdf; return why it was skipped, or None when it was written."""
    if find_chromium() is None:
        return (
            "Chromium not found (install it with `make chromium` or `apt install chromium`, "
            "or set QMS_CHROMIUM); the HTML pack was built without it"
        )
    figures = [f for frag in fragments for f in frag.figures]
    svg_cache = cache / "figures"
    svgs: dict[str, bytes] = {}
    missing = []
    for fig in figures:
        p = svg_cache / f"{_sha(fig)}.svg"
        if p.is_file():
            svgs[fig["id"]] = p.read_bytes()
        else:
            missing.append(fig)
    try:
        drawn = static_images(missing)
    except PackError as exc:
        return str(exc)
    svg_cache.mkdir(parents=True, exist_ok=True)
    for fig in missing:
        if fig["id"] in drawn:
            svgs[fig["id"]] = drawn[fig["id"]]
            _write_atomic(svg_cache / f"{_sha(fig)}.svg", drawn[fig["id"]])
    page = assemble(
        fragments, title=title, facts=facts, mode="print", svgs=svgs, not_covered=not_covered
    ).encode("utf-8")
    pdf_cache = cache / "pdf" / f"{hashlib.sha256(page).hexdigest()}.pdf"
    if pdf_cache.is_file():
        shutil.copy2(pdf_cache, build / "pack.pdf")
        _touch(pdf_cache)
        return None
    with tempfile.TemporaryDirectory(prefix=".print-", dir=build) as tmp:
        html_path = Path(tmp) / "pack-print.html"
        html_path.write_bytes(page)
        try:
            print_pdf(html_path, build / "pack.pdf")
        except PackError as exc:
            (build / "pack.pdf").unlink(missing_ok=True)
            return str(exc)
    pdf_cache.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(pdf_cache, (build / "pack.pdf").read_bytes())
    return None


#: cache entries kept per kind (least recently used ones beyond this are removed)
CACHE_LIMITS = {"snapshots": 6, "sections": 400, "figures": 2000, "pdf": 24}


def prune_cache(cache: Path, limits: dict[str, int] | None = None) -> int:
    """Remove the least recently used cache entries beyond ``limits``; return how many."""
    removed = 0
    for kind, keep in (limits or CACHE_LIMITS).items():
        folder = cache / kind
        if not folder.is_dir():
            continue
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
            removed += 1
    return removed


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _organisation(workbook: Path) -> str | None:
    try:
        config = tomllib.loads((workbook / "qms.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    org = (config.get("workbook") or {}).get("organisation")
    return str(org) if org else None


def _names(ids: Any) -> str:
    names = sorted(ids)
    return ("running: " + ", ".join(names)) if names else "exporting"


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit="section", file=sys.stderr, leave=True, dynamic_ncols=True
    )
