"""What a pack section read while it ran, and the cache key taken over exactly that (issue 15).

In a pack build each section's kernel runs a first cell that starts a :class:`Tracker`
(:func:`begin`) and a last cell that writes what it saw as ``reads.json`` (:func:`finish`):

- ``frames``: the record types whose accepted frame it took from the workbook
  (``wb.complaints``, ``wb["x"]``, through any analytics function it handed ``wb`` to);
- ``facts``: the load-level facts it read (``validation``, ``failures``, ``rejects``,
  ``provenance``; ``wb.configured`` reads ``provenance``);
- ``assessability``: each question it asked the shared assessability (method, arguments),
  replayed against the current one to key on its answers; ``"whole"`` when a question cannot
  be replayed (an argument that is not plain JSON);
- ``shared``: ``signals`` when it read the build's signals (the engine replaces that with what
  :func:`qmsdata.signals` itself read when it computed them);
- ``everything``: why the section counts as having read every input (then its key covers
  every input file, the site and the product, as before): a derived view of every frame
  (``as_at``, ``with_frames``, ``for_site``, ``for_product``, ``wb._frames``, ``wb.path``), a
  Spark workbook's ``aggregates``, a workbook other than the pack's view, :func:`qmsdata.load`
  (the audit event it raises), a file opened under the workbook or the reports folder, a
  database or network connection, a subprocess.

What the kernel cannot see, the notebook's code can say (:func:`notebook_code`, one AST pass
per notebook and build): pandas and pyarrow read files in C and ``os.stat`` looks at one, with
no audit event, so a notebook that uses its ``workbook`` or ``snapshot`` parameter (or a path of
the context) other than through the view helpers counts as reading everything.

What is not tracked precisely counts as read in full: this is a cache key, and a smaller one
than the truth would serve a stale section. The engine keys a section on its base (notebook,
parameters, code, ``qms.toml``) and then, for each read set recorded under that base, on the
current content of exactly those reads (:class:`Content`).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdata.workbook.model import Workbook

READS_FILE = "reads.json"
LOAD_FACTS = ("validation", "failures", "rejects", "provenance")
#: workbook attributes that hand out a view of every frame (or the raw folder): read everything
WHOLE_VIEWS = (
    "with_frames",
    "as_at",
    "for_site",
    "for_product",
    "_frames",
    "path",
    "__dict__",
)


class Tracker:
    """What one section (or one shared computation) read."""

    def __init__(self, expected: dict[str, Any] | None = None, out_dir: str | None = None):
        self.expected = expected  # the pack's view: snapshot, site, product (None: unknown)
        self.out_dir = os.path.abspath(out_dir) if out_dir else None
        self.frames: set[str] = set()
        self.facts: set[str] = set()
        self.shared: set[str] = set()
        self.calls: list[list[Any]] = []
        self.answers: dict[str, str] = {}  # answer_key(call) -> digest of the answer it got
        self.assess_whole = False
        self.everything: list[str] = []
        self.suppress = 0
        self.watched: list[str] = []
        self.allowed: set[str] = set()

    def note_everything(self, why: str) -> None:
        if why not in self.everything:
            self.everything.append(why)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "frames": sorted(self.frames),
            "facts": sorted(self.facts),
            "shared": sorted(self.shared),
        }
        if self.assess_whole:
            out["assessability"] = "whole"
        elif self.calls:
            out["assessability"] = self.calls
            out["answers"] = self.answers  # content, not reads: the engine keys on them once
        if self.everything:
            out["everything"] = self.everything
        return out

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Let the tracked helpers themselves open what they read (the snapshot, shared files)."""
        self.suppress += 1
        try:
            yield
        finally:
            self.suppress -= 1


#: the tracker of the section running in this (kernel) process; None outside a pack section
_ACTIVE: Tracker | None = None
_HOOKED = False


def active() -> Tracker | None:
    """Return the running section's tracker, or None (interactive use, the engine itself)."""
    return _ACTIVE


def begin(context: str | None, out_dir: str | None) -> None:
    """Start recording a section's reads (the engine's first cell in each section's kernel)."""
    global _ACTIVE, _HOOKED
    expected = None
    watched: list[str] = []
    allowed: set[str] = set()
    if context:
        from qmsdata.pack.context import SectionContext

        ctx = SectionContext.from_json(Path(context).read_text(encoding="utf-8"))
        expected = {"snapshot": _abs(ctx.snapshot), "site": ctx.site, "product": ctx.product}
        root = Path(ctx.workbook)
        watched.append(_abs(root))
        allowed.add(_abs(root / "qms.toml"))
        watched += _outside_sources(root)
    if out_dir:
        # <out>/.<pack>.build-*/work/<section>: everything under the reports folder is watched
        watched.append(_abs(Path(out_dir).parents[2]))
    tracker = Tracker(expected, out_dir)
    tracker.watched, tracker.allowed = watched, allowed
    _ACTIVE = tracker
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True


def finish() -> None:
    """Write what the section read to ``<out_dir>/reads.json`` (the engine's last cell)."""
    global _ACTIVE
    tracker, _ACTIVE = _ACTIVE, None
    if tracker is None or not tracker.out_dir:
        return
    from qmsdata.files import atomic_write

    atomic_write(Path(tracker.out_dir) / READS_FILE, json.dumps(tracker.to_json(), indent=1))


def _abs(path: Any) -> str:
    return os.path.abspath(os.fspath(path)) if path else ""


def _outside_sources(root: Path) -> list[str]:
    """Return the source files ``qms.toml`` names outside the workbook folder."""
    try:
        from qmsdata.config import read_config

        records = read_config(root).records
    except Exception:  # noqa: BLE001 - the load reported it; nothing else can be named
        return []
    found = []
    for spec in records.values():
        source = spec.source.removeprefix("sqlite:///")
        if source and "://" not in source:
            found.append(_abs(root / source))
    return found


#: Python, its libraries and qmsdata itself (in the code fingerprint), wherever they are
_CODE = tuple(
    {os.path.abspath(p) + os.sep for p in (sys.prefix, sys.base_prefix, Path(__file__).parents[1])}
)
_FILE_EVENTS = ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.chdir")
_EVERYTHING_EVENTS = (
    "sqlite3.connect",
    "socket.connect",
    "subprocess.Popen",
    "urllib.Request",
    "qmsdata.load",  # raised by qmsdata.load itself: a section loading the workbook on its own
)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: a file opened under the workbook or the reports folder, or a connection."""
    tracker = _ACTIVE
    if tracker is None:
        return
    if event == "qmsdata.load":
        tracker.note_everything(event)
        return
    if tracker.suppress:
        return
    if event in _EVERYTHING_EVENTS:
        tracker.note_everything(event)
        return
    if event not in _FILE_EVENTS or not args:
        return
    target = args[0]
    if isinstance(target, int) or target is None:
        return
    try:
        path = os.path.abspath(os.fsdecode(target))
    except (TypeError, ValueError):
        return
    if path in tracker.allowed or path.startswith(_CODE):
        return
    if tracker.out_dir and (path == tracker.out_dir or path.startswith(tracker.out_dir + os.sep)):
        return
    for root in tracker.watched:
        if path == root or path.startswith(root + os.sep):
            tracker.note_everything(f"{event} {path}")
            return


class TrackedWorkbook(Workbook):
    """A workbook that notes, in its tracker, each frame and load fact it hands out."""

    def __getitem__(self, record_type: str) -> Any:
        frames = object.__getattribute__(self, "__dict__")["_frames"]
        if record_type not in frames:
            from qmsdata.records import record_spec

            record_spec(record_type)  # raises ConfigError naming the known types
        _tracker_of(self).frames.add(record_type)
        return frames[record_type]

    def __getattr__(self, name: str) -> Any:
        frames = object.__getattribute__(self, "__dict__").get("_frames", {})
        if name in frames:
            _tracker_of(self).frames.add(name)
            return frames[name]
        raise AttributeError(f"'Workbook' object has no attribute {name!r}")

    def __getattribute__(self, name: str) -> Any:
        if name in LOAD_FACTS:
            _tracker_of(self).facts.add(name)
        elif name == "configured":
            _tracker_of(self).facts.add("provenance")
        elif name in WHOLE_VIEWS:
            _tracker_of(self).note_everything(f"wb.{name}")
        elif name == "aggregates":
            value = object.__getattribute__(self, name)
            if value is not None:  # pre-computed from every row (Spark): no one frame
                _tracker_of(self).note_everything("wb.aggregates")
            # None (every pack view: a snapshot has none) says only "not Spark": the
            # analytics ask it of every workbook, and it reads nothing
            return value
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        _tracker_of(self).facts.add("validation")
        return super().__repr__()


def _tracker_of(wb: Any) -> Tracker:
    return object.__getattribute__(wb, "__dict__")["_qms_tracker"]


def tracked(wb: Workbook, tracker: Tracker) -> TrackedWorkbook:
    """Return ``wb`` as a :class:`TrackedWorkbook` noting into ``tracker`` (frames shared)."""
    out = TrackedWorkbook.__new__(TrackedWorkbook)
    state = dict(object.__getattribute__(wb, "__dict__"))
    state["_qms_tracker"] = tracker
    object.__getattribute__(out, "__dict__").update(state)
    return out


def section_view(wb: Workbook, snapshot: Any, site: Any, product: Any) -> Any:
    """Return the section's workbook, tracked when it is the pack's view (else read everything)."""
    tracker = _ACTIVE
    if tracker is None:
        return wb
    exp = tracker.expected
    if (
        exp is not None
        and snapshot is not None
        and _abs(snapshot) == exp["snapshot"]
        and site == exp["site"]
        and product == exp["product"]
    ):
        return tracked(wb, tracker)
    tracker.note_everything("a workbook other than the pack's view")
    return wb


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, _PLAIN):
        return not isinstance(value, float) or value == value
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return False


class TrackedAssessability:
    """The shared assessability, noting each question a section asks it (replayed for the key)."""

    def __init__(self, real: Any, tracker: Tracker) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_tracker", tracker)

    def __getattr__(self, name: str) -> Any:
        real, tracker = self._real, self._tracker
        value = getattr(real, name)
        if name.startswith("_"):
            tracker.assess_whole = True
            return value
        if not callable(value):
            _note_call(tracker, [name, None, None], ["value", value])
            return value.copy() if hasattr(value, "copy") and hasattr(value, "columns") else value

        def call(*args: Any, **kwargs: Any) -> Any:
            if not (_plain(list(args)) and all(_plain(v) for v in kwargs.values())):
                tracker.assess_whole = True
                return value(*args, **kwargs)
            asked = [name, list(args), dict(sorted(kwargs.items()))]
            try:
                answer = value(*args, **kwargs)
            except Exception as exc:
                _note_call(tracker, asked, ["error", type(exc).__name__, str(exc)])
                raise
            _note_call(tracker, asked, ["value", answer])
            return answer

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the shared assessability is read-only in a section")


def _note_call(tracker: Tracker, call: list[Any], answer: Any) -> None:
    # JSON round trip: tuples become lists, as they will be read back from reads.json
    call = json.loads(json.dumps(call))
    if call not in tracker.calls:
        tracker.calls.append(call)
    key = answer_key(call)
    if key not in tracker.answers:  # the first answer, as Content._replay would give it now
        with contextlib.suppress(Exception):  # not hashable here: the engine replays it
            tracker.answers[key] = digest(answer)


def answer_key(call: Any) -> str:
    """Return the key of one assessability question (its name and arguments, as JSON)."""
    return "call:" + json.dumps(call, sort_keys=True)


# ------------------------------------------------------------------ the engine's side


def digest(value: Any) -> str:
    """Return a content hash of a frame, a dict of frames, or JSON-able data."""
    import pandas as pd

    h = hashlib.sha256()
    _feed(h, value, pd)
    return h.hexdigest()


def _feed(h: Any, value: Any, pd: Any) -> None:
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        h.update(json.dumps([list(map(str, frame.columns)), list(map(str, frame.dtypes))]).encode())
        h.update(str(len(frame)).encode())
        try:
            h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except Exception:  # noqa: BLE001 - unhashable cells (lists): their text
            h.update(frame.to_json(orient="split", date_format="iso", default_handler=str).encode())
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            h.update(b"\x01" + str(k).encode() + b"\x02")
            _feed(h, value[k], pd)
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for v in value:
            _feed(h, v, pd)
            h.update(b",")
        h.update(b"]")
    else:
        from qmsdata.pack.snapshot import _jsonable

        h.update(json.dumps(_jsonable(value), sort_keys=True, default=str).encode())


def normalise(
    raw: Any, signal_reads: dict[str, Any] | None, code_everything: str = ""
) -> dict[str, Any]:
    """Return a section's read set as the engine keys it (signals replaced by their own reads).

    Anything not understood (a damaged file, signals read but their reads unknown) reads
    everything; so does a section whose own code does (``code_everything``: why, from
    :func:`notebook_code`), whatever its kernel saw.
    """
    if not isinstance(raw, dict):
        return {"everything": ["no record of its reads"]}
    parts = [raw]
    if "signals" in (raw.get("shared") or []):
        if not isinstance(signal_reads, dict):
            return {"everything": ["the signals' own reads are unknown"]}
        parts.append(signal_reads)
    frames: set[str] = set()
    facts: set[str] = set()
    everything: list[str] = [code_everything] if code_everything else []
    calls: list[Any] = []
    whole = False
    for part in parts:
        everything += [str(x) for x in part.get("everything") or [] if str(x) not in everything]
        frames |= {str(x) for x in part.get("frames") or []}
        facts |= {str(x) for x in part.get("facts") or [] if x in LOAD_FACTS}
        a = part.get("assessability")
        if a == "whole":
            whole = True
        elif isinstance(a, list):
            calls += [c for c in a if c not in calls]
        elif a is not None:
            whole = True
    if everything:
        return {"everything": everything}
    out: dict[str, Any] = {"frames": sorted(frames), "facts": sorted(facts)}
    if whole:
        out["assessability"] = "whole"
    elif calls:
        out["assessability"] = calls
    if "signals" in (raw.get("shared") or []):
        out["signals"] = True
    return out


def well_formed(reads: Any) -> bool:
    """Whether ``reads`` is a read set as :func:`normalise` makes it (else: not looked up).

    Read sets come back from files in the cache folder (``section-reads/``, the last build's key
    parts); a damaged one must make a section run again, not stop the build.
    """

    def texts(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if not isinstance(reads, dict):
        return False
    if "everything" in reads:
        return texts(reads["everything"])
    if not texts(reads.get("frames")) or not texts(reads.get("facts")):
        return False
    if not set(reads["facts"]) <= set(LOAD_FACTS):
        return False
    calls = reads.get("assessability", [])
    return calls == "whole" or (
        isinstance(calls, list)
        and all(
            isinstance(c, list)
            and len(c) == 3
            and isinstance(c[0], str)
            and (c[1] is None or isinstance(c[1], list))
            and (c[2] is None or isinstance(c[2], dict))
            for c in calls
        )
    )


class Content:
    """The current content of what a section can read, hashed item by item (memoised).

    ``view``: the sections' workbook (the pack's snapshot, filtered to its site and product);
    ``assessability``: as the sections read it (from its JSON); ``everything``: the hash of every
    input, site and product, for a section that read everything.
    """

    def __init__(self, view: Workbook, assessability: Any, everything: str) -> None:
        self.view, self.assessability, self.everything = view, assessability, everything
        self._memo: dict[str, str] = {}

    def item(self, name: str) -> str:
        """Return the hash of one item: ``frames:<rt>``, ``facts:<name>``, ``assessability``."""
        if name not in self._memo:
            kind, _, what = name.partition(":")
            if kind == "frames":
                frames = self.view.__dict__["_frames"]
                self._memo[name] = digest(frames[what]) if what in frames else "absent"
            elif kind == "facts":
                self._memo[name] = digest(getattr(self.view, what))
            elif kind == "assessability":
                self._memo[name] = digest(json.loads(self.assessability.to_json()))
            else:
                self._memo[name] = self.everything
        return self._memo[name]

    def items(self, reads: dict[str, Any]) -> dict[str, str]:
        """Return each item of ``reads`` -> its current hash (what the content key is over)."""
        if "everything" in reads:
            return {"everything": self.everything}
        out = {f"frames:{rt}": self.item(f"frames:{rt}") for rt in reads.get("frames", [])}
        out |= {f"facts:{f}": self.item(f"facts:{f}") for f in reads.get("facts", [])}
        calls = reads.get("assessability")
        if calls == "whole":
            out["assessability"] = self.item("assessability")
        elif calls:
            out["assessability"] = digest([self._answer(c) for c in calls])
        return out

    def seed(self, answers: Any) -> None:
        """Take answers as known: those a section of THIS build got (its reads.json
        ``answers``), or those kept for this very assessability by an earlier build
        (:func:`qmsdata.pack.cache.read_answers`: keyed on its JSON and the code, sealed).

        They are this build's assessability's answers, hashed as :meth:`_replay` would hash
        them, so a section that ran is keyed without asking its questions again (0.9 CPU s of
        replays per cold demo build), and a warm build restores its sections without replays
        (0.4 CPU s). Either kind is bound to the exact assessability it answered: a lookup
        against another one replays (its answers are kept under another key).
        """
        if isinstance(answers, dict):
            for key, value in answers.items():
                if isinstance(key, str) and key.startswith("call:") and isinstance(value, str):
                    self._memo.setdefault(key, value)

    def answers(self) -> dict[str, str]:
        """Return every answer hashed in this build (for :meth:`seed` in the next one)."""
        return {k: v for k, v in self._memo.items() if k.startswith("call:")}

    def _answer(self, call: Any) -> str:
        """Return the hash of the current answer to one question (each asked once per build)."""
        key = answer_key(call)
        if key not in self._memo:
            self._memo[key] = digest(self._replay(call))
        return self._memo[key]

    def _replay(self, call: Any) -> Any:
        try:
            name, args, kwargs = call
            value = getattr(self.assessability, str(name))
            if args is None:
                return ["value", value]
            return ["value", value(*args, **(kwargs or {}))]
        except Exception as exc:  # noqa: BLE001 - the answer is the error, as the section saw it
            return ["error", type(exc).__name__, str(exc)]


def item_words(name: str) -> str:
    """Return a read item as the build says it changed: ``complaints``, ``validation``."""
    kind, _, what = name.partition(":")
    return what or {"everything": "input files"}.get(kind, kind)


# ------------------------------------------------------------------ the notebook's own code

_PARAMS = ("site", "product")
#: parameters naming the workbook folder and the snapshot: a notebook that uses them itself
#: (a path for pandas or pyarrow, whose C-level reads fire no audit event, an ``os.stat``)
#: reads what the recorder cannot see
_PATH_PARAMS = ("workbook", "snapshot")
#: context attributes that are paths to inputs (the workbook, the snapshot, the shared files)
_PATH_CTX = {"workbook", "snapshot", "signals", "assessability"}
#: context attributes a section may read without depending on the site or product
_SAFE_CTX = {
    "period",
    "start",
    "end",
    "as_of",
    "data_as_of",
    "baseline_months",
    "rules",
    "out_dir",
    "organisation",
    "fiscal_year_start",
    "standard",
}
#: calls that may take the context, site and product: the data they give is keyed by content
_VIEW_CALLS = {"section_workbook", "section_signals", "section_assessability", "section_context"}
#: calls that may take the context and read only what the base key covers besides
#: (:func:`qmsdata.pack.cache.outside_reads`: the trends documents)
_KEYED_CALLS = {"evidence_links"}
#: names through which code can reach a variable or attribute without naming it
_DYNAMIC = ("eval", "exec", "globals", "locals", "vars", "getattr", "attrgetter", "__import__")
_DUNDER_ATTRS = ("__dict__", "__getattribute__", "__getattr__")

UNSURE = "its code is not plain Python (IPython magic, shell lines, a syntax error)"
USES_PATHS = "its code uses the {} parameter itself"
CONTEXT_ESCAPES = "its code uses the context other than through the view helpers"
DYNAMIC = "its code reaches names dynamically (getattr, eval, __dict__, ...)"


@dataclass(frozen=True)
class NotebookCode:
    """What a section notebook's own code (its parameters cell aside) says about its reads.

    Attributes
    ----------
    sha
        The SHA-256 of the notebook file (the ``notebook`` part of its base key).
    site
        True unless its code provably uses the site and product only for its view.
    everything
        Why its code counts as reading every input ("" when it does not): it uses the
        ``workbook`` or ``snapshot`` parameter, or a path of the context, itself.
    evidence_links
        Its code calls :func:`qmsdata.evidence_links` (keyed on the trends documents).
    """

    sha: str
    site: bool
    everything: str
    evidence_links: bool


def notebook_code(notebook: Path) -> NotebookCode:
    """Read a section notebook once: its hash and what its code says about its reads.

    The site and product (``site``): a section reads them only through the data it sees
    (keyed by their content) when its code loads the names ``site`` / ``product`` only as
    arguments of :func:`qmsdata.section_workbook` (or :func:`qmsdata.section_context`), reads
    the context only for other attributes or passes it only to ``section_workbook``,
    ``section_signals``, ``section_assessability``, and reaches no name dynamically
    (``getattr``, ``vars``, ``eval``, ``__dict__``). Anything else (a title with the site in
    it, the context handed to another function): the site and product are part of its key.

    Every input (``everything``): a section whose code uses the ``workbook`` or ``snapshot``
    parameter other than as an argument of those view helpers, reads a path of the context
    (``ctx.workbook``, ``ctx.snapshot``, ``ctx.signals``, ``ctx.assessability``), hands the
    context to anything but the view helpers and ``evidence_links``, or reaches names
    dynamically, may read an input the recorder cannot see (pandas and pyarrow read files in
    C, which fires no audit event; ``os.stat`` fires none either): its key covers every input.
    Code that is not plain Python (IPython magic, shell lines, a syntax error) is not proved
    anything: the site, every input and the trends documents are part of its key.

    Raises
    ------
    OSError
        The notebook cannot be read.
    """
    data = notebook.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    unsure = NotebookCode(sha, True, UNSURE, True)
    try:  # the JSON as it is (nbformat's schema check costs more than the whole look)
        cells = json.loads(data)["cells"]
        trees = []
        for cell in cells:
            tags = (cell.get("metadata") or {}).get("tags") or []
            if cell.get("cell_type") != "code" or "parameters" in tags:
                continue
            text = cell.get("source", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            lines = text.splitlines()
            if any(line.lstrip().startswith(("%", "!")) for line in lines):
                return unsure  # IPython magics and shell lines are not Python: not proved
            trees.append(ast.parse("\n".join(lines)))
    except (ValueError, KeyError, TypeError, AttributeError, SyntaxError):
        return unsure  # the build reports it; key on everything
    module = ast.Module(body=[n for t in trees for n in t.body], type_ignores=[])
    site, everything, links = _judge(module)
    return NotebookCode(sha, site, everything, links)


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else None


def _arg_of(node: ast.AST, parent: dict[int, ast.AST]) -> str | None:
    """Return the name of the call ``node`` is a direct argument of (None: not an argument)."""
    up = parent.get(id(node))
    if isinstance(up, ast.keyword):
        up = parent.get(id(up))
    if isinstance(up, ast.Call) and up.func is not node:
        return _call_name(up)
    return None


def _in_preamble(attr: ast.Attribute, parent: dict[int, ast.AST]) -> bool:
    """``period, as_of, site = ctx.period, ctx.as_of, ctx.site``: ``attr`` only names a value."""
    tup = parent.get(id(attr))
    assign = parent.get(id(tup))
    if not (isinstance(tup, ast.Tuple) and isinstance(assign, ast.Assign)):
        return False
    target = assign.targets[0] if len(assign.targets) == 1 else None
    if assign.value is not tup or not isinstance(target, ast.Tuple):
        return False
    for name_node, elt in zip(target.elts, tup.elts, strict=False):
        if elt is attr:
            return isinstance(name_node, ast.Name) and name_node.id == attr.attr
    return False


def _judge(tree: ast.AST) -> tuple[bool, str, bool]:
    """Return (reads the site, why it reads every input or "", calls evidence_links)."""
    parent: dict[int, ast.AST] = {}
    # the names the context is kept in: `ctx = qmsdata.section_context(...)`, nothing subtler
    ctx_names = {"ctx", "context"}
    site, everything, links = False, "", False
    for node in ast.walk(tree):  # breadth first: a node's parent is recorded before it
        for child in ast.iter_child_nodes(node):
            parent[id(child)] = node
        if isinstance(node, ast.Call) and _call_name(node) == "section_context":
            up = parent.get(id(node))
            if (
                isinstance(up, ast.Assign)
                and len(up.targets) == 1
                and isinstance(up.targets[0], ast.Name)
            ):
                ctx_names.add(up.targets[0].id)
            else:
                site, everything = True, everything or CONTEXT_ESCAPES
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            name = node.id
            if name == "evidence_links":
                links = True
            elif name in ctx_names:
                up = parent.get(id(node))
                if isinstance(up, ast.Attribute) and up.value is node:
                    if up.attr in _SAFE_CTX:
                        continue
                    if up.attr in _PATH_CTX or up.attr.startswith("_"):
                        everything = everything or USES_PATHS.format(f"context's {up.attr}")
                    elif up.attr not in _PARAMS:
                        everything = everything or CONTEXT_ESCAPES
                    if not _in_preamble(up, parent):
                        site = True
                    continue
                call = _arg_of(node, parent)
                if call in _VIEW_CALLS:
                    continue
                site = True
                if call not in _KEYED_CALLS:
                    everything = everything or CONTEXT_ESCAPES
            elif name in _PARAMS:
                if _arg_of(node, parent) not in _VIEW_CALLS:
                    site = True
            elif name in _PATH_PARAMS:
                if _arg_of(node, parent) not in _VIEW_CALLS:
                    everything = everything or USES_PATHS.format(name)
            elif name in _DYNAMIC:
                site, everything, links = True, everything or DYNAMIC, True
        elif isinstance(node, ast.Attribute):
            if node.attr == "evidence_links":
                links = True
            elif node.attr in _DUNDER_ATTRS:
                site, everything, links = True, everything or DYNAMIC, True
            elif node.attr in _PATH_PARAMS:  # `c.workbook` of a context kept elsewhere
                everything = everything or USES_PATHS.format(node.attr)
            elif (
                node.attr in _PARAMS
                and not _in_preamble(node, parent)
                # `row.site` of a data row is data; the context's (or anything not named) is not
                and (not isinstance(node.value, ast.Name) or node.value.id in ctx_names)
            ):
                site = True
        elif isinstance(node, ast.alias) and node.name.rpartition(".")[2] == "evidence_links":
            links = True
        elif isinstance(node, ast.Constant) and node.value in _DYNAMIC:  # __import__("...")
            site, everything, links = True, everything or DYNAMIC, True
    return site, everything, links
