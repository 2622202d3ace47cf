"""qms schedule: the systemd units and the cron line it prints or installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qmsdata.cli import main
from qmsdata.errors import QmsError
from qmsdata.schedule import cron_line, parse_at, systemd_units


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    wb = tmp_path / "my workbook 100%"  # a space and a systemd specifier character
    wb.mkdir()
    (wb / "qms.toml").write_text("[workbook]\nas_of = 2026-11-02\n", encoding="utf-8")
    return wb


def test_at_is_read_into_systemd_and_cron_times() -> None:
    w = parse_at("monthly day 2 06:00")
    assert (w.on_calendar, w.cron) == ("*-*-02 06:00:00", "0 6 2 * *")
    assert parse_at("daily 23:05").on_calendar == "*-*-* 23:05:00"
    for bad in ("monthly day 31 06:00", "weekly 06:00", "monthly day 2 25:00", ""):
        with pytest.raises(QmsError):
            parse_at(bad)


def test_units_run_pack_for_the_last_month_and_catch_up(workbook: Path, tmp_path: Path) -> None:
    units = systemd_units(workbook, tmp_path / "reports", parse_at("monthly day 3 07:30"))
    service = next(t for n, t in units.items() if n.endswith(".service"))
    timer = next(t for n, t in units.items() if n.endswith(".timer"))
    assert "Persistent=true" in timer
    assert "OnCalendar=*-*-03 07:30:00" in timer
    assert '"pack"' in service and '"--period" "last"' in service
    assert f'"--out" "{tmp_path / "reports"}"' in service
    assert "100%%" in service and "Type=oneshot" in service
    assert "0 built" in service and "2 could not run" in service


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_units_pass_systemd_analyze_verify(workbook: Path, tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    for name, text in systemd_units(workbook, tmp_path / "out", parse_at("daily 06:00")).items():
        (folder / name).write_text(text, encoding="utf-8")
    res = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in folder.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )
    assert res.returncode == 0, res.stderr
    assert "bad" not in res.stderr.lower() and "not absolute" not in res.stderr


def test_cron_line_quotes_paths_and_escapes_percent(workbook: Path, tmp_path: Path) -> None:
    line = cron_line(workbook, tmp_path / "out", parse_at("monthly day 2 06:00"))
    assert line.startswith("0 6 2 * * cd ")
    assert "--period last" in line and "100\\%" in line and "%'" not in line.replace("\\%", "")
    assert "'" in line  # the path with a space is shell-quoted


def test_install_never_overwrites_without_force(
    workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert main(["schedule", str(workbook), "--out", str(tmp_path / "r"), "--install"]) == 0
    units = sorted((tmp_path / "cfg" / "systemd" / "user").iterdir())
    assert [p.suffix for p in units] == [".service", ".timer"]
    units[0].write_text("# mine\n", encoding="utf-8")
    assert main(["schedule", str(workbook), "--install"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert units[0].read_text(encoding="utf-8") == "# mine\n"
    assert main(["schedule", str(workbook), "--install", "--force"]) == 0
    assert "ExecStart=" in units[0].read_text(encoding="utf-8")


def test_print_is_the_default_and_cron_cannot_install(workbook: Path, capsys) -> None:
    assert main(["schedule", str(workbook)]) == 0
    assert "[Timer]" in capsys.readouterr().out
    assert main(["schedule", str(workbook), "--cron"]) == 0
    assert "--period last" in capsys.readouterr().out
    assert main(["schedule", str(workbook), "--cron", "--install"]) == 2


def test_schedule_refuses_a_folder_without_qms_toml(tmp_path: Path) -> None:
    assert main(["schedule", str(tmp_path)]) == 2
