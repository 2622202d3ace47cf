"""The digest of a built pack: a short text and HTML summary, written beside it and e-mailed.

Everything is read from the pack's own files — ``manifest.json`` and the extracts in
``data/`` — never recomputed, so the digest says what the pack says:

- signals of concern: ``data/00_summary--signals_concern.csv``;
- objectives at risk: ``data/32_objectives--objective_status.csv`` (not met, or the assurance
  is not a consistent pass), else the summary's objective matrix;
- the data-quality verdict: the manifest's ``validation`` (rows quarantined per record type)
  and the sections that failed;
- the path and ``file://`` link of ``pack.html``.

The digest goes beside the pack folder: ``<reports>/<pack>.digest.txt`` and ``.digest.html``
(inside the folder it would be a file the manifest does not list). When ``[notify]`` in
``qms.toml`` names an SMTP server, :func:`send_digest` mails it (STARTTLS by default; the login
from the environment variables ``[notify]`` names, never from the file).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd

from qmsdata.errors import PackError, QmsError

SIGNALS_CSV = "00_summary--signals_concern.csv"
OBJECTIVES_CSV = "32_objectives--objective_status.csv"
MATRIX_CSV = "00_summary--objective_matrix.csv"


@dataclass
class Digest:
    """What the digest says (read by :func:`read_digest`)."""

    pack: Path
    title: str
    facts: str
    signals: list[dict[str, str]] = field(default_factory=list)
    objectives: list[dict[str, str]] = field(default_factory=list)
    quality: str = ""
    failed: list[str] = field(default_factory=list)

    @property
    def link(self) -> str:
        """Return the ``file://`` URI of the pack's HTML page."""
        return (self.pack / "pack.html").resolve().as_uri()

    @property
    def subject(self) -> str:
        """Return the e-mail subject line."""
        bits = [f"{len(self.signals)} signal(s) of concern", f"{len(self.objectives)} at risk"]
        if self.failed:
            bits.append(f"{len(self.failed)} section(s) failed")
        return f"{self.title}: " + ", ".join(bits)

    def text(self) -> str:
        """Return the plain-text digest."""
        lines = [self.title, "=" * len(self.title), self.facts, ""]
        lines.append(f"Signals of concern ({len(self.signals)})")
        lines += [
            f"  {i}. {s['series']} — {s['area']}, since {s['since']}: {s['detail']}"
            for i, s in enumerate(self.signals, 1)
        ] or ["  None this period."]
        lines += ["", f"Objectives at risk ({len(self.objectives)})"]
        lines += [f"  - {o['name']}: {o['text']}" for o in self.objectives] or [
            "  None: every objective is on track."
        ]
        lines += ["", "Data quality", f"  {self.quality}"]
        if self.failed:
            lines.append(f"  Sections that failed: {', '.join(self.failed)}")
        lines += ["", f"The pack: {self.pack / 'pack.html'}", f"          {self.link}", ""]
        return "\n".join(lines)

    def html(self) -> str:
        """Return the HTML digest (Jinja2, autoescaped)."""
        from qmsdata.pack.templates import render

        return render(
            "pack_digest.html.j2",
            title=self.title,
            facts=self.facts,
            signals=self.signals,
            objectives=self.objectives,
            quality=self.quality,
            failed=self.failed,
            link=self.link,
            path=str(self.pack / "pack.html"),
        )


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_digest(pack: str | Path) -> Digest:
    """Read the digest of the pack folder ``pack`` from its manifest and extracts.

    Raises
    ------
    PackError
        The folder has no readable ``manifest.json``.
    """
    pack = Path(pack)
    try:
        manifest: dict[str, Any] = json.loads((pack / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(f"cannot read the pack's manifest: {exc}", file=pack) from None
    return digest_from(manifest, pack / "data", pack)


def digest_from(manifest: dict[str, Any], data: Path, pack: Path) -> Digest:
    """Return the digest of a manifest's content and the extracts folder ``data``.

    For a pack being built (the deck is made before ``manifest.json`` is written); ``pack`` is
    the folder the pack will be in.
    """
    title = f"Management review pack {manifest.get('period', pack.name)}"
    if manifest.get("site"):
        title += f" — {manifest['site']}"
    facts = f"Records as at {manifest.get('as_of')}; data extracted {manifest.get('data_as_of')}."
    note = (manifest.get("scope") or {}).get("note")
    if note:  # the cover's words: what a site's (product's) pack left out, unrecorded
        facts += f" Not in this pack: {note}"

    signals: list[dict[str, str]] = []
    table = _csv(data / SIGNALS_CSV)
    if table is not None:
        cols = ("series", "area", "since", "detail")
        signals = [{c: str(r.get(c, "")) for c in cols} for r in table.to_dict("records")]

    objectives: list[dict[str, str]] = []
    status = _csv(data / OBJECTIVES_CSV)
    if status is not None and {"name", "met", "assurance"} <= set(status.columns):
        for r in status.to_dict("records"):
            if r["met"] == "True" and r["assurance"] == "consistent_pass":
                continue
            where = (
                f"{r.get('actual', '')} against target {r.get('target', '')} {r.get('unit', '')}"
            )
            verdict = "missed" if r["met"] != "True" else "met"
            name = f"{r.get('objective_id', '')} {r['name']}".strip()
            assurance = str(r["assurance"]).replace("_", " ")
            objectives.append({"name": name, "text": f"{verdict} ({where}); {assurance}"})
    else:
        matrix = _csv(data / MATRIX_CSV)
        if matrix is not None and {"objective", "met"} <= set(matrix.columns):
            for r in matrix.to_dict("records"):
                if r["met"] != "yes" or "will meet" not in str(r.get("assurance", "")):
                    text = f"{r.get('actual', '')} against target {r.get('target', '')}"
                    objectives.append({"name": r["objective"], "text": text})

    validation = manifest.get("validation") or {}
    rows = sum(int(v.get("rows") or 0) for v in validation.values() if v.get("configured"))
    bad = {k: int(v.get("rejected") or 0) for k, v in validation.items() if v.get("rejected")}
    if not validation:
        quality = "No validation figures in the manifest."
    elif not bad:
        quality = f"All {rows:,} rows accepted."
    else:
        worst = ", ".join(f"{k} {n:,}" for k, n in sorted(bad.items(), key=lambda kv: -kv[1]))
        quality = (
            f"{sum(bad.values()):,} of {rows:,} rows quarantined in {len(bad)} record type(s) "
            f"({worst}); see the pack's data-quality section."
        )
    failed = [
        f"{s.get('id')} {s.get('title', '')}".strip()
        for s in manifest.get("sections", [])
        if s.get("status") == "failed"
    ]
    return Digest(pack, title, facts, signals, objectives, quality, failed)


def write_digest(pack: str | Path) -> tuple[Path, Path]:
    """Write ``<pack>.digest.txt`` and ``<pack>.digest.html`` beside the pack; return them."""
    from qmsdata.files import atomic_write

    digest = read_digest(pack)
    base = Path(pack)
    txt = base.parent / f"{base.name}.digest.txt"
    html = base.parent / f"{base.name}.digest.html"
    atomic_write(txt, digest.text())
    atomic_write(html, digest.html())
    return txt, html


def send_digest(digest: Digest, notify: Any, *, timeout: float = 30) -> None:
    """E-mail ``digest`` (text and HTML) as :class:`qmsdata.config.NotifyConfig` says.

    With ``starttls`` the connection is upgraded (certificate checked with the system's trust
    store) before any login; the login is read from the environment variables named by
    ``username_env`` / ``password_env``.

    Raises
    ------
    QmsError
        A named environment variable is not set; the server refused or could not be reached.
    """
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = notify.sender
    msg["To"] = ", ".join(notify.to)
    msg.set_content(digest.text())
    msg.add_alternative(digest.html(), subtype="html")
    login = None
    if notify.username_env:
        missing = [v for v in (notify.username_env, notify.password_env) if not os.environ.get(v)]
        if missing:
            raise QmsError(
                f"[notify] names environment variable(s) {', '.join(missing)}, not set",
                hint="Export them in the service's environment (systemd: EnvironmentFile=).",
            )
        login = (os.environ[notify.username_env], os.environ[notify.password_env])
    try:
        with smtplib.SMTP(notify.smtp_host, notify.smtp_port, timeout=timeout) as smtp:
            if notify.starttls:
                smtp.starttls(context=_tls_context())
            if login:
                smtp.login(*login)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise QmsError(
            f"could not e-mail the digest via {notify.smtp_host}:{notify.smtp_port}: {exc}",
            hint="The pack and its digest files were written; check [notify] in qms.toml.",
        ) from None


def _tls_context() -> ssl.SSLContext:
    """Return the TLS context for STARTTLS (``QMS_SMTP_CAFILE`` adds a private CA)."""
    return ssl.create_default_context(cafile=os.environ.get("QMS_SMTP_CAFILE") or None)
