"""Hostile text in records: escaped in the pack's HTML, neutralised in its CSV extracts."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LONG = "A" * 5000 + "<b>tail</b>"
HOSTILE = [
    "<script>alert('x1')</script>",
    '<img src=x onerror="alert(2)">',
    "**bold** [link](http://evil.example/) # heading",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "</table></div><script>alert(3)</script>",
    LONG,
]


def _workbook(tmp_path: Path) -> Path:
    wb = tmp_path / "hostile"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "<script>alert('org')</script>"
        sites = ["A"]
        as_of = 2026-10-31

        [records.review_actions]
        source = "review-actions.csv"

        [records.context_issues]
        source = "context.csv"
        """),
        encoding="utf-8",
    )
    with open(wb / "review-actions.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "action_id",
                "review_date",
                "output_type",
                "description",
                "owner",
                "due_date",
                "status",
                "closed_date",
            ]
        )
        for i, text in enumerate(HOSTILE):
            w.writerow(
                [f"RA-{i}", "2026-09-30", "improvement", text, text[:40], "2026-12-01", "open", ""]
            )
    with open(wb / "context.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["issue_id", "date_noted", "kind", "description", "impact", "status"])
        for i, text in enumerate(HOSTILE):
            w.writerow([f"CI-{i}", "2026-10-05", "external", text, "low", "open"])
    return wb


def test_hostile_workbook_is_escaped_and_neutralised(tmp_path: Path) -> None:
    from qmsdata.pack import build_pack
    from qmsdata.pack.sections import SECTIONS

    res = build_pack(
        _workbook(tmp_path),
        "2026-10",
        out=tmp_path / "reports",
        formats=["html"],
        sections=[SECTIONS["10_previous_actions"], SECTIONS["20_context"]],
        progress=False,
        jobs=1,
    )
    assert res.ok, [r.error for r in res.failed]
    page = (res.path / "pack.html").read_text(encoding="utf-8")
    body = page.split("</head>", 1)[1]
    for bad in (
        "<script>alert",
        "<img src=x",
        "</table></div><script>",
        "<b>tail</b>",
        "<strong>bold</strong>",
        "<h1>heading",
        'href="http://evil',
    ):
        assert bad not in body, bad
    assert "&lt;script&gt;alert('x1')&lt;/script&gt;" in body
    assert "**bold** [link](http://evil.example/)" in body  # shown as typed, never rendered
    assert "A" * 5000 in body  # long text kept (the reader can scroll), still escaped
    assert "http://evil" not in page.split("<body", 1)[0]  # nothing loaded from the network
    cells = []
    for p in (res.path / "data").glob("*.csv"):
        with open(p, encoding="utf-8-sig", newline="") as fh:
            cells += [c for row in csv.reader(fh) for c in row]
    starts = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [c for c in starts if c[:1] != "-" or not c[1:].replace(".", "").isdigit()]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'+SUM(1,2)" in cells and "'@cmd" in cells and "'-2+3" in cells
