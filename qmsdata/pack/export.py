"""Turn executed section notebooks into one offline ``pack.html`` and a printed ``pack.pdf``.

Each section is exported with nbconvert (basic template, input cells hidden). Plotly figures leave
the notebook as their JSON (``application/vnd.plotly.v1+json``), which nbconvert cannot show; this
module swaps each for a placeholder and renders it twice: in ``pack.html`` as one ``<div>`` and one
``Plotly.newPlot`` call (plotly.js embedded exactly once, in the head), and in the print version
(``mode="pdf"``) as an ``<img>`` whose SVG the same plotly.js draws in the page
(``Plotly.toImage``) before headless Chromium prints the page to ``pack.pdf``: one browser,
started once. The same run draws the deck's charts as PNG (:func:`with_pngs`, handed back by
``--dump-dom``); :func:`draw_pngs` draws them alone when nothing is printed. ``mode="print"``
(SVGs given, no scripts) remains for callers that have their own SVGs.

Every piece of data text reaching the HTML is escaped: tables by pandas (``escape=True``), our
narrative by :func:`html.escape`, figure JSON by escaping ``<``, ``>`` and ``&`` inside scripts.
A Content-Security-Policy forbids the page from loading anything from any network address.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from qmsdata.errors import PackError

PLOTLY_MIME = "application/vnd.plotly.v1+json"
_PLACEHOLDER = "<!--qms-figure:{}-->"
_PLACEHOLDER_RE = re.compile(r"<!--qms-figure:([A-Za-z0-9_.-]+)-->")
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'"
)
PRINT_WIDTH = 960
DEFAULT_HEIGHT = 450


@dataclass
class Fragment:
    """One section exported to HTML, with figure placeholders, and the figures' JSON."""

    section_id: str
    label: str
    clause: str
    body: str
    figures: list[dict[str, Any]] = field(default_factory=list)  # {"id", "json", "height"}
    status: str = "ok"  # ok | failed
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Fragment:
        return cls(**json.loads(text))


def script_json(obj: Any) -> str:
    """Return ``obj`` as JSON safe to place inside an HTML ``<script>`` element."""
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _strip_notebook(nb: Any, section_id: str) -> list[dict[str, Any]]:
    """Replace plotly outputs by placeholders, drop stderr/errors; return the figures found."""
    import nbformat

    from qmsdata.figures.theme import escape_figure_dict

    figures: list[dict[str, Any]] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error" or (kind == "stream" and out.get("name") == "stderr"):
                continue  # tracebacks and warnings stay in the executed notebook, not the pack
            data = out.get("data", {})
            if PLOTLY_MIME in data:
                fig = escape_figure_dict(data[PLOTLY_MIME])  # record text never opens a tag
                fid = f"fig-{section_id}-{len(figures) + 1}"
                height = (fig.get("layout") or {}).get("height") or DEFAULT_HEIGHT
                figures.append({"id": fid, "json": json.dumps(fig), "height": int(height)})
                kept.append(
                    nbformat.v4.new_output(
                        "display_data", data={"text/html": _PLACEHOLDER.format(fid)}
                    )
                )
                continue
            if kind in ("display_data", "execute_result") and set(data) == {"text/plain"}:
                continue  # bare reprs (e.g. a returned object) are notebook noise in a pack
            kept.append(out)
        cell["outputs"] = kept
    return figures


_EXPORTER: Any = None


def _exporter() -> Any:
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
    return _EXPORTER


def export_section(notebook: str | Path, section_id: str, label: str, clause: str) -> Fragment:
    """Export one executed section notebook to an HTML fragment (input cells hidden)."""
    import warnings

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    figures = _strip_notebook(nb, section_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body, _ = _exporter().from_notebook_node(nb)
    body = re.sub(r'<div class="cell[^"]*code_cell[^"]*"[^>]*>\s*</div>\n?', "", body)
    # the notebook's own title gives way to the pack's clause-labelled section title
    body = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body, count=1, flags=re.S)
    return Fragment(section_id, label, clause, body, figures)


def error_fragment(section_id: str, label: str, clause: str, error: str, notebook: str) -> Fragment:
    """Return the visible error page for a section that failed."""
    from qmsdata.pack.templates import render

    body = render("pack_section_error.html.j2", error=error, notebook=notebook)
    return Fragment(section_id, label, clause, body, [], status="failed", error=error)


def _interactive_figure(fig: dict[str, Any]) -> str:
    spec = json.loads(fig["json"])
    data = script_json(spec.get("data", []))
    layout = script_json(spec.get("layout", {}))
    config = script_json({**(spec.get("config") or {}), "responsive": True, "displaylogo": False})
    return (
        f'<div class="qms-figure" id="{fig["id"]}" style="height:{fig["height"]}px"></div>'
        f'<script>Plotly.newPlot("{fig["id"]}",{data},{layout},{config});</script>'
    )


def _static_figure(fig: dict[str, Any], svg: bytes | None) -> str:
    if svg is None:
        return '<p class="qms-note">[figure not available in print]</p>'
    b64 = base64.b64encode(svg).decode("ascii")
    return f'<img class="qms-figure-static" alt="figure" src="data:image/svg+xml;base64,{b64}">'


def _pdf_figure(fig: dict[str, Any]) -> str:
    """An ``<img>`` that the page's plotly.js fills with the figure's SVG (see ``_PDF_JS``)."""
    spec = json.loads(fig["json"])
    data = script_json(spec.get("data", []))
    layout = script_json(spec.get("layout", {}))
    return (
        f'<img class="qms-figure-static" alt="figure" id="{fig["id"]}">'
        f'<script>qmsFigure("{fig["id"]}",{data},{layout},{int(fig["height"])});</script>'
    )


#: the PDF page's figure drawing: each figure's SVG at the print width
#: (a note replaces a figure plotly.js cannot draw)
_PDF_JS = (
    "function qmsFigure(id,data,layout,h){var img=document.getElementById(id);"
    "Plotly.toImage({data:data,layout:layout},{format:'svg',width:QMS_WIDTH,height:h})"
    ".then(function(url){img.src=url;},function(){var p=document.createElement('p');"
    "p.className='qms-note';p.textContent='[figure not available in print]';"
    "img.replaceWith(p);});}"
).replace("QMS_WIDTH", str(PRINT_WIDTH))


def _render_body(frag: Fragment, mode: str, svgs: dict[str, bytes]) -> str:
    figs = {f["id"]: f for f in frag.figures}

    def swap(m: re.Match[str]) -> str:
        fig = figs.get(m.group(1))
        if fig is None:
            return ""
        if mode == "html":
            return _interactive_figure(fig)
        if mode == "pdf":
            return _pdf_figure(fig)
        return _static_figure(fig, svgs.get(fig["id"]))

    body = _PLACEHOLDER_RE.sub(swap, frag.body)
    if mode != "html":  # the printed page has no scripts: drop table filters and their boxes
        body = re.sub(r'<script class="qms-filter-js">.*?</script>', "", body, flags=re.S)
        body = re.sub(r'<p class="qms-filter">.*?</p>', "", body, flags=re.S)
    return body


def _css() -> str:
    return resources.files("qmsdata.pack").joinpath("pack.css").read_text(encoding="utf-8")


def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def assemble(
    fragments: list[Fragment],
    *,
    title: str,
    facts: list[tuple[str, str]],
    mode: str = "html",
    svgs: dict[str, bytes] | None = None,
    not_covered: list[str] | None = None,
) -> str:
    """Assemble section fragments into one self-contained page.

    Parameters
    ----------
    fragments
        The sections, in pack order.
    title
        Page title (plain text).
    facts
        (label, value) pairs shown under the title: period, site, as_of, version...
    mode
        ``"html"``: interactive figures, plotly.js embedded once. ``"pdf"``: for printing;
        each figure an image whose SVG the embedded plotly.js draws in the page. ``"print"``:
        static SVG figures from ``svgs``, no scripts at all.
    svgs
        Figure id -> SVG bytes, for ``mode="print"``.
    not_covered
        Labels of review inputs the pack does not cover (listed after the contents).
    """
    from qmsdata.pack.templates import render

    svgs = svgs or {}
    sections = [
        {
            "id": f.section_id,
            "label": f.label,
            "clause": f.clause,
            "title": f.label.split(" — ", 1)[-1],
            "failed": f.status == "failed",
            "body": _render_body(f, mode, svgs),
        }
        for f in fragments
    ]
    return render(
        "pack_page.html.j2",
        csp=CSP,
        title=title,
        css=_css(),
        plotlyjs=(
            _plotlyjs() if mode == "html" else _plotlyjs() + ";" + _PDF_JS if mode == "pdf" else ""
        ),
        mode=mode,
        facts=facts,
        sections=sections,
        not_covered=not_covered or [],
    )


#: the deck's charts: the page's plotly.js draws each as PNG and leaves its data URL in a hidden
#: ``<output>`` tagged with the run's nonce, which ``--dump-dom`` hands back (:func:`read_pngs`)
_PNG_JS = (
    "function qmsPng(tag,data,layout,h){Plotly.toImage({data:data,layout:layout},"
    "{format:'png',width:QMS_WIDTH,height:h}).then(function(url){"
    "var o=document.createElement('output');o.hidden=true;o.setAttribute('data-qms-png',tag);"
    "o.textContent=url;document.body.appendChild(o);},function(){});}"
).replace("QMS_WIDTH", str(PRINT_WIDTH))
_PNG_RE = (
    r'<output[^>]*data-qms-png="{}:([A-Za-z0-9_.-]+)"[^>]*>'
    r"data:image/png;base64,([A-Za-z0-9+/=]+)</output>"
)


def png_jobs(figures: list[dict[str, Any]], nonce: str) -> str:
    """Return the ``<script>`` that draws ``figures`` as PNG in a page with plotly.js."""
    calls = []
    for fig in figures:
        spec = json.loads(fig["json"])
        data = script_json(spec.get("data", []))
        layout = script_json(spec.get("layout", {}))
        tag = script_json(json.dumps(f"{nonce}:{fig['id']}"))
        calls.append(f"qmsPng({tag},{data},{layout},{int(fig['height'])});")
    return "<script>" + _PNG_JS + "".join(calls) + "</script>"


def with_pngs(page: str, figures: list[dict[str, Any]], nonce: str) -> str:
    """Return the print page with the deck's PNG drawing added at the end of its body."""
    if not figures:
        return page
    head, sep, tail = page.rpartition("</body>")
    if not sep:
        return page + png_jobs(figures, nonce)
    return head + png_jobs(figures, nonce) + sep + tail


def read_pngs(dom: str, nonce: str) -> dict[str, bytes]:
    """Return figure id -> PNG from a dumped DOM (only outputs tagged with ``nonce``)."""
    out = {}
    for m in re.finditer(_PNG_RE.format(re.escape(nonce)), dom):
        png = base64.b64decode(m.group(2))
        if png.startswith(b"\x89PNG\r\n\x1a\n"):
            out[m.group(1)] = png
    return out


def draw_pngs(figures: list[dict[str, Any]], *, timeout: float = 120) -> dict[str, bytes]:
    """Draw ``figures`` as PNG (the deck) in one headless Chromium, as the PDF page does.

    Raises
    ------
    PackError
        When Chromium is absent or fails; the message says why.
    """
    if not figures:
        return {}
    import secrets

    nonce = secrets.token_hex(16)
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<script>{_plotlyjs()}</script></head><body>{png_jobs(figures, nonce)}</body></html>"
    )
    with tempfile.TemporaryDirectory(prefix="qms-png-") as tmp:
        html_path = Path(tmp) / "figures.html"
        html_path.write_text(page, encoding="utf-8")
        dom = run_chromium(html_path, timeout=timeout, dump_dom=True)
    return read_pngs(dom or "", nonce)


def find_chromium() -> str | None:
    """Return the Chromium executable to print with (``$QMS_CHROMIUM`` wins), or None."""
    env = os.environ.get("QMS_CHROMIUM")
    if env is not None:
        return shutil.which(env) if env else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args(chromium: str, user_data_dir: str | Path) -> list[str]:
    """Return the headless Chromium command line used for printing and for the browser test."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--user-data-dir={user_data_dir}",
    ]


#: virtual milliseconds Chromium lets the page run before printing: the ``mode="pdf"`` page's
#: plotly.js draws its figures in this time (virtual time runs as fast as the page can go)
VIRTUAL_TIME_BUDGET_MS = 60_000


def run_chromium(
    html_path: str | Path,
    *,
    pdf_path: str | Path | None = None,
    dump_dom: bool = False,
    timeout: float = 180,
) -> str | None:
    """Load ``html_path`` in one headless Chromium, run its scripts, print and/or dump the DOM.

    Returns the dumped DOM (``dump_dom``) or None. The PDF is printed into the browser's temp
    folder and moved to ``pdf_path`` only when complete. Chromium runs in a process group of
    its own, killed whole when it ends, times out or the caller is interrupted (Ctrl-C raises
    KeyboardInterrupt here at once): no browser process outlives the call, no half-written PDF.

    Raises
    ------
    PackError
        When Chromium is absent, fails or times out; the message says why.
    """
    import signal

    chromium = find_chromium()
    if chromium is None:
        raise PackError(
            "Chromium not found, so the "
            + ("PDF was skipped" if pdf_path is not None else "charts were not drawn"),
            hint="Install it (apt install chromium, or make chromium) or set QMS_CHROMIUM.",
        )
    with tempfile.TemporaryDirectory(prefix="qms-chromium-") as tmp:
        profile, printed = Path(tmp) / "profile", Path(tmp) / "print.pdf"
        cmd = [
            *chromium_args(chromium, profile),
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        ]
        cmd += [f"--print-to-pdf={printed}"] if pdf_path is not None else []
        cmd += ["--dump-dom"] if dump_dom else []
        cmd.append(Path(html_path).resolve().as_uri())
        with open(Path(tmp) / "out", "wb+") as out, open(Path(tmp) / "err", "wb+") as err:
            proc = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
                cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                raise PackError(f"Chromium did not finish within {timeout:.0f} s") from exc
            finally:  # the whole group: zygotes and renderers too (never another process's)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            out.seek(0)
            err.seek(0)
            dom, stderr = (
                out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"),
            )
        ok = proc.returncode == 0 and (
            pdf_path is None or (printed.is_file() and printed.stat().st_size > 0)
        )
        if not ok:
            tail = stderr.strip().splitlines()[-3:]
            what = "print the PDF" if pdf_path is not None else "draw the figures"
            raise PackError(
                f"Chromium failed to {what} (exit {proc.returncode}): {' | '.join(tail)}"
            )
        if pdf_path is not None:
            shutil.move(printed, pdf_path)
    return dom if dump_dom else None


def print_pdf(
    html_path: str | Path, pdf_path: str | Path, *, timeout: float = 180, dump_dom: bool = False
) -> str | None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (scripts done first).

    ``dump_dom``: return the page's DOM after its scripts ran (the deck's PNGs, :func:`read_pngs`).

    Raises
    ------
    PackError
        When Chromium is absent or fails; the message says why.
    """
    return run_chromium(html_path, pdf_path=pdf_path, dump_dom=dump_dom, timeout=timeout)
