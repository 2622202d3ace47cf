"""`qms actions import`: the meeting's register is validated and appended, safely, once."""

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
    return pd.read_csv(wb / "review-actions.csv", dtype=str)["action_id"].tolist()


def test_import_appends_with_backup(tiny_workbook: Path, tmp_path: Path) -> None:
    before = (tiny_workbook / "review-actions.csv").read_bytes()
    reg = _register(
        tmp_path,
        "RA-2026-10-01,2026-10-31,improvement,'=SUM(A1) fix,Dee,2026-12-01,open,",
        "RA-2026-10-02,2026-10-31,resources,Hire a tester,,,open,",
    )
    res = import_actions(reg, tiny_workbook, stamp="T1")
    assert res.added == ["RA-2026-10-01", "RA-2026-10-02"]
    assert _ids(tiny_workbook) == ["RA-1", "RA-2", "RA-3", "RA-2026-10-01", "RA-2026-10-02"]
    assert res.backup.read_bytes() == before
    new = pd.read_csv(tiny_workbook / "review-actions.csv", dtype=str)
    # the pack's CSV neutralisation is undone on import: the workbook keeps what was meant
    assert new["description"].iloc[3] == "=SUM(A1) fix"
    import qmsdata

    wb = qmsdata.load(tiny_workbook, as_of="2026-11-30", progress=False)
    assert "RA-2026-10-02" in set(wb.review_actions["action_id"])
    assert wb.validation.loc["review_actions", "rejected"] == 0


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
    before = (tiny_workbook / "review-actions.csv").read_bytes()
    with pytest.raises(DataError, match=message):
        import_actions(_register(tmp_path, row), tiny_workbook)
    assert (tiny_workbook / "review-actions.csv").read_bytes() == before


def test_import_refuses_source_it_cannot_append(tmp_path: Path) -> None:
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
    reg = _register(tmp_path, "RA-9,2026-10-31,improvement,a,,,open,")
    with pytest.raises(SourceError, match="only CSV files and XLSX sheets"):
        import_actions(reg, wb)


def test_import_into_xlsx_sheet_keeps_other_sheets(tmp_path: Path) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent("""
        [workbook]
        organisation = "X"
        [records.review_actions]
        source = "registers.xlsx"
        sheet = "Actions"
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
                "due_date": [None],
                "status": ["open"],
                "closed_date": [None],
            }
        ).to_excel(xw, sheet_name="Actions", index=False)
    reg = _register(tmp_path, "A2,2026-10-31,qms_change,Revise procedure,Ann,2026-12-01,open,")
    import_actions(reg, wb, stamp="T")
    got = pd.read_excel(wb / "registers.xlsx", sheet_name=None)
    assert got["Risks"]["Risk"].tolist() == ["R1"]
    assert got["Actions"]["No"].tolist() == ["A1", "A2"]
    assert pd.Timestamp(got["Actions"]["due_date"].iloc[1]) == pd.Timestamp("2026-12-01")


def test_cli_import_exit_codes(tiny_workbook: Path, tmp_path: Path, capsys) -> None:
    reg = _register(tmp_path, "RA-7,2026-10-31,improvement,Fix it,,,open,")
    assert main(["actions", "import", str(reg), str(tiny_workbook)]) == 0
    assert "imported 1 review action(s)" in capsys.readouterr().out
    assert main(["actions", "import", str(reg), str(tiny_workbook)]) == 2
    assert "already in review-actions.csv" in capsys.readouterr().err
    assert len(list((tiny_workbook / ".qms-backup").iterdir())) == 1


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
