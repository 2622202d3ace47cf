"""A qms.toml reads only files inside its workbook folder unless it says otherwise (point 11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import qmsdata
from qmsdata.errors import SourceError

ROWS = (
    "complaint_id,received_date,customer,product,site,category,severity,status\n"
    "C1,2026-01-05,Acme,P1,A,quality,major,open\n"
)


def _workbook(tmp_path: Path, record: str, workbook: str = "") -> Path:
    wb = tmp_path / "wb"
    wb.mkdir(exist_ok=True)
    (wb / "qms.toml").write_text(
        f'[workbook]\nsites = ["A"]\n{workbook}\n[records.complaints]\n{record}\n',
        encoding="utf-8",
    )
    return wb


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    f = tmp_path / "secret" / "complaints.csv"
    f.parent.mkdir()
    f.write_text(ROWS, encoding="utf-8")
    return f


def _refused(wb: Path, shown: str) -> None:
    with pytest.raises(SourceError) as err:
        qmsdata.load(wb, as_of="2026-10-31", progress=False)
    text = str(err.value)
    assert "outside the workbook folder" in text and shown in text
    assert "outside = true" in text and "allow_outside_sources = true" in text
    assert not (wb / "rejects").exists()


def test_an_absolute_path_outside_is_refused(tmp_path: Path) -> None:
    _refused(_workbook(tmp_path, 'source = "/etc/passwd"'), "/etc/passwd")


def test_a_dotdot_path_outside_is_refused(tmp_path: Path, outside_file: Path) -> None:
    _refused(_workbook(tmp_path, 'source = "../secret/complaints.csv"'), str(outside_file))


def test_a_symlink_leading_outside_is_refused(tmp_path: Path, outside_file: Path) -> None:
    wb = _workbook(tmp_path, 'source = "complaints.csv"')
    (wb / "complaints.csv").symlink_to(outside_file)
    _refused(wb, str(outside_file))
    (wb / "sub").mkdir()
    (wb / "complaints.csv").unlink()
    (wb / "sub" / "link").symlink_to(outside_file.parent, target_is_directory=True)
    (wb / "qms.toml").write_text(
        '[workbook]\nsites = ["A"]\n[records.complaints]\nsource = "sub/link/complaints.csv"\n'
    )
    _refused(wb, str(outside_file))


def test_a_sqlite_database_outside_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    sqlite3.connect(db).close()
    wb = _workbook(tmp_path, f'source = "sqlite:///{db}"\ntable = "t"')
    _refused(wb, str(db))
    wb = _workbook(tmp_path, 'source = "sqlite:///../other.db"\ntable = "t"')
    _refused(wb, str(db))


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    wb = _workbook(tmp_path, 'source = "complaints.csv"')
    (wb / "exports").mkdir()
    (wb / "exports" / "c.csv").write_text(ROWS, encoding="utf-8")
    (wb / "complaints.csv").symlink_to(wb / "exports" / "c.csv")
    assert len(qmsdata.load(wb, as_of="2026-10-31", progress=False).complaints) == 1


@pytest.mark.parametrize(
    ("record", "workbook"),
    [
        ('source = "../secret/complaints.csv"\noutside = true', ""),
        ('source = "../secret/complaints.csv"', "allow_outside_sources = true"),
    ],
)
def test_qms_toml_can_allow_an_outside_source(
    tmp_path: Path, outside_file: Path, record: str, workbook: str
) -> None:
    wb = _workbook(tmp_path, record, workbook)
    loaded = qmsdata.load(wb, as_of="2026-10-31", progress=False)
    assert loaded.complaints["complaint_id"].tolist() == ["C1"]
    assert loaded.provenance["complaints"].source == str(outside_file)


def test_a_source_can_refuse_what_the_workbook_allows(tmp_path: Path, outside_file: Path) -> None:
    wb = _workbook(
        tmp_path,
        'source = "../secret/complaints.csv"\noutside = false',
        "allow_outside_sources = true",
    )
    _refused(wb, str(outside_file))


def test_the_settings_must_be_booleans(tmp_path: Path) -> None:
    from qmsdata.errors import ConfigError

    wb = _workbook(tmp_path, 'source = "c.csv"', 'allow_outside_sources = "yes"')
    with pytest.raises(ConfigError, match="allow_outside_sources must be true or false"):
        qmsdata.load(wb, progress=False)
    wb = _workbook(tmp_path, 'source = "c.csv"\noutside = 1')
    with pytest.raises(ConfigError, match="outside must be true or false"):
        qmsdata.load(wb, progress=False)


@pytest.mark.parametrize(
    "source", ['source = "a\\u0000.csv"', f'source = "{"x" * 5000}.csv"', 'source = "loop.csv"']
)
def test_unusable_paths_are_one_clear_error(tmp_path: Path, source: str) -> None:
    wb = _workbook(tmp_path, source)
    (wb / "loop.csv").symlink_to(wb / "loop.csv")
    with pytest.raises(SourceError, match="not a usable path|not found|outside"):
        qmsdata.load(wb, as_of="2026-10-31", progress=False)


def test_qmsdata_own_file_cannot_be_a_symlink_outside(tmp_path: Path, outside_file: Path) -> None:
    from qmsdata.pack.actions import import_actions

    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text('[records.review_actions]\nsource = "ra.csv"\n')
    (wb / "ra.csv").write_text(
        "action_id,review_date,output_type,description,status\n"
        "RA-1,2026-01-15,improvement,x,open\n",
        encoding="utf-8",
    )
    (wb / "qms-review-actions.csv").symlink_to(outside_file)
    with pytest.raises(SourceError, match="outside the workbook folder"):
        qmsdata.load(wb, as_of="2026-10-31", progress=False)
    reg = tmp_path / "reg.csv"
    reg.write_text(
        "action_id,review_date,output_type,description,status\nRA-2,2026-10-31,improvement,y,open\n"
    )
    before = outside_file.read_bytes()
    with pytest.raises(SourceError, match="outside the workbook folder"):
        import_actions(reg, wb)
    assert outside_file.read_bytes() == before
    (wb / "qms-review-actions.csv").unlink()
    (wb / ".qms.lock").unlink()
    (wb / ".qms.lock").symlink_to(tmp_path / "planted")
    with pytest.raises(SourceError, match="not a plain file"):
        import_actions(reg, wb)
    assert not (tmp_path / "planted").exists()
