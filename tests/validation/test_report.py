"""The data-quality report: escaped self-contained HTML (a Jinja2 template with autoescaping),
neutralised CSVs (qmsdata.files), atomic files."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import qmsdata
from qmsdata.files import neutralise_cell, write_csv
from qmsdata.validation.report import render_html, write_quality_report

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def hostile_wb(tmp_path_factory):
    from workbooks import GOOD, write_workbook

    comp = pd.DataFrame(GOOD["complaints"], dtype="str")
    comp.loc[1, "severity"] = HOSTILE
    comp.loc[1, "description"] = '=HYPERLINK("http://evil")'
    folder = write_workbook(tmp_path_factory.mktemp("wb"), {"complaints": comp})
    return qmsdata.load(folder)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),  # a plain number is not a formula
        ("+1.5e3", "+1.5e3"),
        ("solder", "solder"),
        (5, 5),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_write_csv_neutralises_cells_and_headers(tmp_path):
    frame = pd.DataFrame({"=bad": ["=cmd", "ok"], "n": [1, -2]})
    path = write_csv(frame, tmp_path / "x.csv")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows == [["'=bad", "n"], ["'=cmd", "1"], ["ok", "-2"]]
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temp file left


def test_html_escapes_every_data_value(hostile_wb):
    page = render_html(hostile_wb)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # markupsafe's escapes
    assert "<script" not in page.lower()


def test_html_is_self_contained(hostile_wb):
    page = render_html(hostile_wb)
    assert "<style>" in page
    for needle in ("http://", "https://", "<link", "src="):
        assert needle not in page.replace("=HYPERLINK(&#34;http://evil", "")


def test_html_shows_rows_lines_and_reasons(hostile_wb):
    page = render_html(hostile_wb)
    assert "Test Electronics Ltd" in page and "as of 2026-10-31" in page
    assert "1 rows quarantined" in page
    # row 2 of the data is line 3 of the CSV file
    assert '<td class="num">2</td><td class="num">3</td><td>severity</td>' in page


def test_write_quality_report_files(hostile_wb, tmp_path):
    out = tmp_path / "dq"
    (out / "rejects").mkdir(parents=True)
    (out / "rejects" / "risks.csv").write_text("stale", encoding="utf-8")
    html = write_quality_report(hostile_wb, out)
    assert html == out / "data-quality.html"
    assert sorted(p.name for p in out.iterdir()) == ["data-quality.html", "failures.csv", "rejects"]
    assert sorted(p.name for p in (out / "rejects").iterdir()) == ["complaints.csv"]
    failures = pd.read_csv(out / "failures.csv", dtype=str)
    assert list(failures.columns) == list(hostile_wb.failures.columns)
    rejects = pd.read_csv(out / "rejects" / "complaints.csv", dtype=str)
    assert rejects.loc[0, "description"] == '\'=HYPERLINK("http://evil")'
    assert rejects.loc[0, "source_row"] == "2" and "severity" in rejects.loc[0, "reasons"]


def test_clean_workbook_report(tmp_path, make_workbook, good):
    wb = qmsdata.load(make_workbook(tmp_path / "wb", {"risks": good("risks")}))
    page = render_html(wb)
    assert "every row accepted" in page and "Failures by check" not in page


def test_summary_per_column_and_check_comes_first(hostile_wb):
    """Issue 10 part 5: counts and example values per column and check, above the row lists."""
    from qmsdata.validation.report import report_context

    ctx = report_context(hostile_wb)
    (row,) = [r for r in ctx["by_column"] if r["column"] == "severity"]
    assert (row["name"], row["check"], row["failures"], row["rows"]) == (
        "complaints",
        "allowed_values",
        1,
        1,
    )
    assert len(row["examples"]) == 1 and len(row["examples"][0]) <= 60
    page = render_html(hostile_wb)
    assert page.index("Failures by column and check") < page.index("complaints: 1 failures")
    assert "<script>" not in page.split("<body>", 1)[1]  # example values are escaped too
