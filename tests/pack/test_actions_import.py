"""`qms actions import`: the meeting's register is validated and added, safely, once.

The rows go to ``<workbook>/qms-review-actions.csv`` (a file qmsdata owns, read after the
configured source); the user's own files are never written. Hostile cases: tests/security/.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from qmsdata.cli import main
from qmsdata.errors import DataError, SourceError
from qmsdata.pack.actions import import_actions

HEADER = "action_id,review_date,output_type,description,owner,due_date,status,closed_date\n"


def _register(tmp_path: Path, *rows: str) -> Path:
    f = tmp_path / "filled.csv"
    f.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return f


def _ids(wb: Path) -> list[str]:
    return pd.read_csv(wb / "qms-review-actions.csv", dtype=str)["action_id"].tolist()


def test_import_adds_rows_beside_the_source(tiny_workbook: Path, tmp_path: Path) -> None:
    before = (tiny_workbook / "review-actions.csv").read_bytes()
    reg = _register(
        tmp_path,
        "RA-2026-10-01,2026-10-31,improvement,'=SUM(A1) fix,Dee,2026-12-01,open,",
        "RA-2026-10-02,2026-10-31,resources,Hire a tester,,,open,",
    )
    res = import_actions(reg, tiny_workbook, stamp="T1")
    assert res.added == ["RA-2026-10-01", "RA-2026-10-02"]
    assert res.source == tiny_workbook.resolve() / "qms-review-actions.csv"
    assert res.backup is None  # a new file: nothing to keep
    assert (tiny_workbook / "review-actions.csv").read_bytes() == before  # never written
    assert _ids(tiny_workbook) == ["RA-2026-10-01", "RA-2026-10-02"]
    # stored neutralised (a spreadsheet shows text), read back as what was meant
    stored = pd.read_csv(tiny_workbook / "qms-review-actions.csv", dtype=str)
    assert stored["description"].iloc[0] == "'=SUM(A1) fix"
    import qmsdata

    wb = qmsdata.load(tiny_workbook, as_of="2026-11-30", progress=False)
    ra = wb.review_actions.set_index("action_id")
    assert list(ra.index) == ["RA-1", "RA-2", "RA-3", "RA-2026-10-01", "RA-2026-10-02"]
    assert ra.loc["RA-2026-10-01", "description"] == "=SUM(A1) fix"
    assert ra.loc["RA-2026-10-01", "due_date"] == pd.Timestamp("2026-12-01")
    assert wb.validation.loc["review_actions", "rejected"] == 0
    prov = wb.provenance["review_actions"]
    assert [p.rows for p in prov.parts] == [3, 2] and prov.rows == 5
    assert "rows 4-5 from qms-review-actions.csv" in prov.detail

    # a second import appends to qmsdata's file and keeps its previous version
    first = (tiny_workbook / "qms-review-actions.csv").read_bytes()
    res = import_actions(_register(tmp_path, "RA-9,2026-10-31,qms_change,x,,,open,"), tiny_workbook)
    assert res.backup is not None and res.backup.read_bytes() == first
    assert res.backup.parent == tiny_workbook.resolve() / ".qms-backup"
    assert _ids(tiny_workbook) == ["RA-2026-10-01", "RA-2026-10-02", "RA-9"]


def test_import_refuses_duplicates_and_writes_nothing(tiny_workbook: Path, tmp_path: Path) -> None:
    before = (tiny_workbook / "review-actions.csv").read_bytes()
    reg = _register(tmp_path, "RA-2,2026-10-31,improvement,again,,,open,")
    with pytest.raises(DataError, match="RA-2 already in review-actions.csv"):
        import_actions(reg, tiny_workbook)
    reg = _register(
        tmp_path, "RA-9,2026-10-31,improvement,a,,,open,", "RA-9,2026-10-31,improvement,b,,,open,"
    )
    with pytest.raises(DataError, match="appears more than once"):
        import_actions(reg, tiny_workbook)
    assert (tiny_workbook / "review-actions.csv").read_bytes() == before
    assert not (tiny_workbook / "qms-review-actions.csv").exists()
    assert not (tiny_workbook / ".qms-backup").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("RA-9,2026-10-31,wishlist,a,,,open,", "output_type"),
        ("RA-9,2026-10-31,improvement,,,,open,", "description"),
        ("RA-9,2026-10-31,improvement,a,,,closed,", "closed_date"),
    ],
)
def test_import_refuses_invalid_rows(
    tiny_workbook: Path, tmp_path: Path, row: str, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        import_actions(_register(tmp_path, row), tiny_workbook)
    assert not (tiny_workbook / "qms-review-actions.csv").exists()


def test_import_beside_a_parquet_source(tmp_path: Path) -> None:
    """Any source format works: it is read (for the duplicate check), never written."""
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "X"
        [records.review_actions]
        source = "actions.parquet"
        """),
        encoding="utf-8",
    )
    pd.DataFrame(
        {
            "action_id": ["A1"],
            "review_date": [pd.Timestamp("2026-01-31")],
            "output_type": ["improvement"],
            "description": ["x"],
            "status": ["open"],
        }
    ).to_parquet(wb / "actions.parquet")
    before = (wb / "actions.parquet").read_bytes()
    with pytest.raises(DataError, match="A1 already in actions.parquet"):
        import_actions(_register(tmp_path, "A1,2026-10-31,improvement,a,,,open,"), wb)
    import_actions(_register(tmp_path, "A2,2026-10-31,improvement,a,,,open,"), wb)
    assert (wb / "actions.parquet").read_bytes() == before
    import qmsdata

    got = qmsdata.load(wb, as_of="2026-11-30", progress=False).review_actions
    assert got["action_id"].tolist() == ["A1", "A2"]


def test_import_when_the_source_is_qmsdata_own_file(tmp_path: Path) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        '[records.review_actions]\nsource = "qms-review-actions.csv"\n', encoding="utf-8"
    )
    import_actions(_register(tmp_path, "A1,2026-10-31,improvement,a,,,open,"), wb)
    with pytest.raises(DataError, match="A1 already in qms-review-actions.csv"):
        import_actions(_register(tmp_path, "A1,2026-10-31,improvement,a,,,open,"), wb)
    import qmsdata

    loaded = qmsdata.load(wb, as_of="2026-11-30", progress=False)
    assert loaded.review_actions["action_id"].tolist() == ["A1"]  # read once, not twice


def test_import_refuses_a_missing_source(tmp_path: Path) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        '[records.review_actions]\nsource = "nope.csv"\n', encoding="utf-8"
    )
    with pytest.raises(SourceError, match='source = "qms-review-actions.csv"'):
        import_actions(_register(tmp_path, "A1,2026-10-31,improvement,a,,,open,"), wb)


def test_import_beside_an_xlsx_sheet_leaves_the_workbook_alone(tmp_path: Path) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "X"
        [records.review_actions]
        source = "registers.xlsx"
        sheet = "Actions"
        date_format = "%d/%m/%Y"
        [records.review_actions.columns]
        action_id = "No"
        """),
        encoding="utf-8",
    )
    with pd.ExcelWriter(wb / "registers.xlsx") as xw:
        pd.DataFrame({"Risk": ["R1"]}).to_excel(xw, sheet_name="Risks", index=False)
        pd.DataFrame(
            {
                "No": ["A1"],
                "review_date": [pd.Timestamp("2026-01-31")],
                "output_type": ["improvement"],
                "description": ["x"],
                "owner": [None],
                "due_date": ["15/02/2026"],
                "status": ["open"],
                "closed_date": [None],
            }
        ).to_excel(xw, sheet_name="Actions", index=False)
    before = (wb / "registers.xlsx").read_bytes()
    reg = _register(tmp_path, "A2,2026-10-31,qms_change,Revise procedure,Ann,2026-12-01,open,")
    import_actions(reg, wb, stamp="T")
    assert (wb / "registers.xlsx").read_bytes() == before
    import qmsdata

    got = qmsdata.load(wb, as_of="2026-11-30", progress=False)
    ra = got.review_actions.set_index("action_id")
    assert list(ra.index) == ["A1", "A2"]
    assert got.validation.loc["review_actions", "rejected"] == 0
    # ISO dates in qmsdata's file read whatever date_format the user's sheet uses
    assert ra.loc["A2", "due_date"] == pd.Timestamp("2026-12-01")
    assert ra.loc["A1", "due_date"] == pd.Timestamp("2026-02-15")


def test_cli_import_exit_codes(tiny_workbook: Path, tmp_path: Path, capsys) -> None:
    reg = _register(tmp_path, "RA-7,2026-10-31,improvement,Fix it,,,open,")
    assert main(["actions", "import", str(reg), str(tiny_workbook)]) == 0
    out = capsys.readouterr().out
    assert "imported 1 review action(s)" in out and "qms-review-actions.csv" in out
    assert main(["actions", "import", str(reg), str(tiny_workbook)]) == 2
    assert "RA-7 already in qms-review-actions.csv" in capsys.readouterr().err
    assert not (tiny_workbook / ".qms-backup").exists()  # a refused import keeps nothing


@pytest.mark.slow
def test_round_trip_export_fill_import_next_period(
    demo_pack, tiny_workbook: Path, tmp_path: Path
) -> None:
    """The demo pack's register, filled in and imported, shows in next period's section a."""
    from qmsdata.pack import build_pack
    from qmsdata.pack.sections import SECTIONS

    exported = pd.read_csv(demo_pack.path / "review-actions.csv", dtype=str, keep_default_na=False)
    assert len(exported) >= 5 and (exported["owner"] == "").all()
    filled = exported.assign(owner="Helen Marsh", due_date="2026-11-15")
    reg = tmp_path / "filled.csv"
    filled.to_csv(reg, index=False)
    import_actions(reg, tiny_workbook, stamp="T")
    res = build_pack(
        tiny_workbook,
        "2026-11",
        data_as_of="2026-11-30",  # the tiny workbook sets no data date: not the clock's
        out=tmp_path / "reports",
        formats=["html"],
        sections=[SECTIONS["10_previous_actions"]],
        progress=False,
        jobs=1,
    )
    assert res.ok
    shown = pd.read_csv(res.path / "data" / "10_previous_actions--open_actions.csv", dtype=str)
    assert set(exported["action_id"]) <= set(shown["action_id"])
    assert (shown.set_index("action_id").loc[exported["action_id"], "owner"] == "Helen Marsh").all()
    page = (res.path / "pack.html").read_text(encoding="utf-8")
    assert exported["action_id"].iloc[0] in page
