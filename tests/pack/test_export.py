"""Export: escaping, one plotly.js, one newPlot per figure, error pages, extracts (no kernel)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from qmsdata.errors import DataError
from qmsdata.files import neutralise_cell as neutralise
from qmsdata.pack.export import (
    PLOTLY_MIME,
    Fragment,
    _strip_notebook,
    assemble,
    error_fragment,
    script_json,
)
from qmsdata.pack.notebook import extract_stem, save_extract

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "</script><script>alert(3)</script>",
    "<!-- x -->",
    "**bold** [link](http://example.com)",
    "x" * 20000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_script_json_cannot_close_the_script(text):
    out = script_json({"data": [{"name": text}]})
    assert "<" not in out and ">" not in out
    assert json.loads(out) == {"data": [{"name": text}]}


@pytest.mark.parametrize("text", HOSTILE)
def test_assemble_escapes_titles_facts_and_labels(text):
    frag = Fragment("10_x", f"9.3.2 a) — {text}", "9.3.2 a)", "<p>body</p>")
    page = assemble([frag], title=text, facts=[("Organisation", text)], mode="print")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<!-- x -->" not in page


def _notebook_with_figures(n: int):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig.show()")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={PLOTLY_MIME: {"data": [{"type": "bar", "name": HOSTILE[2]}], "layout": {}}},
        )
        for _ in range(n)
    ]
    cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="Warning: noisy"))
    cell.outputs.append(
        nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=["Traceback"])
    )
    nb.cells = [cell]
    return nb


@pytest.mark.parametrize("n", [0, 1, 3])
def test_one_newplot_per_figure_and_plotlyjs_once(n):
    nb = _notebook_with_figures(n)
    figures = _strip_notebook(nb, "10_x")
    assert len(figures) == n
    body = "".join(o["data"]["text/html"] for o in nb.cells[0].outputs)
    frags = [Fragment("10_x", "a", "a", body, figures), Fragment("20_y", "b", "b", body, figures)]
    page = assemble(frags, title="t", facts=[], mode="html")
    assert page.count("Plotly.newPlot(") == 2 * n
    assert page.count('<script id="qms-plotlyjs">') == 1
    assert "Warning: noisy" not in page and "Traceback" not in page
    assert "</script><script>alert(3)" not in page


def test_print_mode_has_no_scripts():
    nb = _notebook_with_figures(2)
    figures = _strip_notebook(nb, "10_x")
    body = "".join(o["data"]["text/html"] for o in nb.cells[0].outputs)
    svgs = {figures[0]["id"]: b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"}
    page = assemble(
        [Fragment("10_x", "a", "a", body, figures)], title="t", facts=[], mode="print", svgs=svgs
    )
    assert "<script" not in page
    assert page.count("data:image/svg+xml;base64,") == 1
    assert "figure not available in print" in page


def test_error_fragment_is_escaped_and_names_notebook():
    frag = error_fragment(
        "34_x", "9.3.2 c) 4 — X", "9.3.2 c) 4", "KeyError: '<b>'", "sections/34_x.ipynb"
    )
    page = assemble([frag], title="t", facts=[], mode="html")
    assert "KeyError: &#39;&lt;b&gt;&#39;" in page  # markupsafe's escape
    assert "sections/34_x.ipynb" in page and "(failed)" in page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "+1"),
        ("+1+1", "'+1+1"),
        ("-2", "-2"),  # a plain number is not a formula (the one rule, qmsdata.files)
        ("-2+A1", "'-2+A1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-2, -2),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_save_extract_neutralises_text_and_is_readable(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"=col": ["=1+1", "ok", None], "n": [-1, 2, 3]})
    path = save_extract(df, "x", out_dir=tmp_path)
    assert path == tmp_path / "data" / "x.csv"
    back = pd.read_csv(path)
    assert list(back.columns) == ["'=col", "n"]
    assert back["'=col"].tolist()[:2] == ["'=1+1", "ok"]
    assert back["n"].tolist() == [-1, 2, 3], "numbers are not touched"
    assert not list((tmp_path / "data").glob(".*")), "no temp files left"


def test_save_extract_keeps_minus_three_and_quotes_formulas(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"v": ["-3", "=1+1", "+44 1234", "3"]})
    text = save_extract(df, "x", out_dir=tmp_path).read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["v", "-3", "'=1+1", "'+44 1234", "3"]


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 200, "SUP 004", "OBJ/02"])
def test_save_extract_makes_any_name_a_safe_stem(tmp_path, name):
    import pandas as pd

    path = save_extract(pd.DataFrame({"a": [1]}), name, out_dir=tmp_path)
    assert path.parent == tmp_path / "data" and path.exists()
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", path.stem)
    assert path.stem == extract_stem(name), "stable"


def test_extract_stem_is_stable_unique_and_leaves_plain_names():
    assert extract_stem("complaint_rate") == "complaint_rate"
    assert extract_stem("rejection_SUP-004") == "rejection_SUP-004"
    odd = ["rejection_SUP 004", "rejection_SUP/004", "rejection_SUP_004", "objective_OBJ/02"]
    stems = [extract_stem(n) for n in odd]
    assert len(set(stems)) == len(stems)
    assert stems[0].startswith("rejection_SUP_004-") and stems[2] == "rejection_SUP_004"
    assert stems[3].startswith("objective_OBJ_02-")
    assert extract_stem("rejection_SUP 004") == stems[0]
    with pytest.raises(DataError):
        extract_stem(None)  # type: ignore[arg-type]


def test_save_extract_keeps_the_original_id_inside_the_csv(tmp_path):
    import pandas as pd

    table = pd.DataFrame({"month": ["2026-09", "2026-10"], "rate": [0.1, 0.2]})
    for sid in ("SUP 004", "OBJ/02"):
        path = save_extract(table, f"rejection_{sid}", out_dir=tmp_path, ids={"supplier_id": sid})
        back = pd.read_csv(path)
        assert list(back.columns) == ["supplier_id", "month", "rate"]
        assert back["supplier_id"].tolist() == [sid, sid]
    assert len(list((tmp_path / "data").glob("*.csv"))) == 2


def test_save_extract_without_out_dir_writes_nothing(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    assert save_extract(pd.DataFrame({"a": [1]}), "x") is None
    assert not list(tmp_path.iterdir())


def test_narrate_escapes(monkeypatch):
    import IPython.display

    from qmsdata.pack import notebook

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj._repr_html_()))
    notebook.narrate("<script>x</script> & more", kind="conclusion")
    assert shown == [
        '<p class="qms-conclusion"><strong>Conclusion: </strong>'
        "&lt;script&gt;x&lt;/script&gt; &amp; more</p>"
    ]
    with pytest.raises(DataError):
        notebook.narrate("x", kind="<b>")


def test_show_table_escapes(monkeypatch):
    import IPython.display
    import pandas as pd

    from qmsdata.pack import notebook

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj._repr_html_()))
    notebook.show_table(pd.DataFrame({"d": HOSTILE[:2]}), caption="<i>c</i>")
    assert not re.search(r"<(script|img)\b", shown[0])
    assert "&lt;i&gt;c&lt;/i&gt;" in shown[0]


def test_filterable_table_adds_box_and_script_around_the_same_escaped_table(monkeypatch):
    import IPython.display
    import pandas as pd

    from qmsdata.pack import notebook

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj._repr_html_()))
    df = pd.DataFrame({"d": HOSTILE[:2]})
    notebook.show_table(df)
    notebook.show_filterable_table(df, caption="ids")
    plain, filterable = shown
    assert "qms-filter" not in plain and "<script" not in plain
    assert 'id="qms-ff-table"' in filterable and 'id="qms-ft-table"' in filterable
    # the only script is the filter's own; record text stays escaped
    assert filterable.count("<script") == 1 and 'class="qms-filter-js"' in filterable
    assert not re.search(r"<(img)\b", filterable)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0, "0"),
        (12345.678, "12,346"),
        (98.576, "98.58"),
        (0.0036842, "0.0037"),
        (0.5, "0.5"),
        (7.6e-07, "7.6e-07"),
        (-2.5, "-2.50"),
        (float("nan"), ""),
    ],
)
def test_table_number_format(value, shown):
    from qmsdata.pack.notebook import _fmt

    assert _fmt(value) == shown
