"""Turn executed section notebooks into one offline ``pack.html`` and a printed ``pack.pdf``.

Each section is exported with nbconvert (basic template, input cells hidden). Plotly figures leave
the notebook as their JSON (``application/vnd.plotly.v1+json``), which nbconvert cannot show; this
module swaps each for a placeholder and renders it twice: in ``pack.html`` as one ``<div>`` and one
``Plotly.newPlot`` call (plotly.js embedded exactly once, in the head), and in the print version as
a static SVG drawn by kaleido, which headless Chromium prints to ``pack.pdf``.

Every piece of data text reaching the HTML is escaped: tables by pandas (``escape=True``), our
narrative by :func:`html.escape`, figure JSON by escaping ``<``, ``>`` and ``&`` inside scripts.
A Content-Security-Policy forbids the page from loading anything from any network address.
"""

from __future__ import annotations

import base64
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


def _render_body(frag: Fragment, mode: str, svgs: dict[str, bytes]) -> str:
    figs = {f["id"]: f for f in frag.figures}

    def swap(m: re.Match[str]) -> str:
        fig = figs.get(m.group(1))
        if fig is None:
            return ""
        return (
            _interactive_figure(fig) if mode == "html" else _static_figure(fig, svgs.get(fig["id"]))
        )

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
        ``"html"``: interactive figures, plotly.js embedded once. ``"print"``: static SVG figures,
        no scripts at all (for printing to PDF).
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
        plotlyjs=_plotlyjs() if mode == "html" else "",
        mode=mode,
        facts=facts,
        sections=sections,
        not_covered=not_covered or [],
    )


def static_images(
    figures: list[dict[str, Any]], *, timeout: float = 120, fmt: str = "svg"
) -> dict[str, bytes]:
    """Draw every figure as SVG (or ``fmt="png"``: the deck) with one kaleido browser.

    Raises
    ------
    PackError
        When kaleido or its Chromium cannot run; the message says why.
    """
    if not figures:
        return {}
    import asyncio

    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - kaleido is a dependency
        raise PackError("kaleido is not installed", hint="Run make setup.") from exc

    tmp = Path(tempfile.mkdtemp(prefix="qms-figs-"))
    try:
        jobs = []
        for fig in figures:
            spec = json.loads(fig["json"])
            jobs.append(
                {
                    "fig": {"data": spec.get("data", []), "layout": spec.get("layout", {})},
                    "path": tmp / f"{fig['id']}.{fmt}",
                    "opts": {"format": fmt, "width": PRINT_WIDTH, "height": fig["height"]},
                }
            )

        async def _run() -> Any:
            async with kaleido.Kaleido(n=min(2, len(jobs)), timeout=timeout) as k:
                return await k.write_fig_from_object(jobs, cancel_on_error=False)

        try:
            errors = asyncio.run(_run())
        except Exception as exc:  # noqa: BLE001 - any browser failure means: no static images
            raise PackError(
                f"static figures could not be drawn: {type(exc).__name__}: {exc}",
                hint="kaleido needs Chromium (apt install chromium).",
            ) from exc
        out = {}
        for fig in figures:
            p = tmp / f"{fig['id']}.{fmt}"
            if p.is_file() and p.stat().st_size:
                out[fig["id"]] = p.read_bytes()
        if errors and not out:
            raise PackError(f"static figures could not be drawn: {errors[0]}")
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 180) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium.

    Raises
    ------
    PackError
        When Chromium is absent or fails; the message says why.
    """
    chromium = find_chromium()
    if chromium is None:
        raise PackError(
            "Chromium not found, so the PDF was skipped",
            hint="Install it (apt install chromium, or make chromium) or set QMS_CHROMIUM.",
        )
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="qms-chromium-") as profile:
        cmd = [
            *chromium_args(chromium, profile),
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            Path(html_path).resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                cmd, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PackError(f"Chromium did not finish printing within {timeout:.0f} s") from exc
    if proc.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise PackError(
            f"Chromium failed to print the PDF (exit {proc.returncode}): {' | '.join(tail)}"
        )
    return pdf_path
