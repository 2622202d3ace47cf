"""`qms validate` and `qms dictionary`: summary, report files, exit codes 0 / 1 / 2."""

from __future__ import annotations

import pytest

from qmsdata.cli import main


@pytest.fixture
def clean(tmp_path, make_workbook, good):
    return make_workbook(
        tmp_path / "wb", {"complaints": good("complaints"), "risks": good("risks")}
    )


def test_clean_workbook_exits_0(clean, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["validate", str(clean), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "record type" in text and "complaints" in text and "complaints.csv" in text
    assert f"data-quality report: {out / 'data-quality.html'}" in text
    assert "all rows accepted" in text
    assert (out / "data-quality.html").is_file() and (out / "failures.csv").is_file()
    assert (out / "rejects" / "complaints.csv").is_file()


def test_quarantined_rows_exit_1(tmp_path, make_workbook, good, capsys):
    comp = good("complaints")
    comp.loc[0, "severity"] = "urgent"
    folder = make_workbook(tmp_path / "wb", {"complaints": comp})
    assert main(["validate", str(folder), "--out", str(tmp_path / "out")]) == 1
    text = capsys.readouterr().out
    assert "1 row(s) quarantined" in text
    line = next(x for x in text.splitlines() if x.startswith("complaints"))
    assert line.split()[-3:] == ["2", "1", "1"]  # rows, accepted, rejected


def test_as_of_option(clean, tmp_path, capsys):
    assert (
        main(["validate", str(clean), "--out", str(tmp_path / "o"), "--as-of", "2026-01-31"]) == 1
    )
    assert "as of 2026-01-31" in capsys.readouterr().out


def test_default_out_is_relative_to_the_current_directory(clean, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(clean)]) == 0
    assert (tmp_path / "reports" / "data-quality" / "data-quality.html").is_file()


@pytest.mark.parametrize(
    ("breakage", "pattern"),
    [
        ("no_workbook", "workbook configuration not found"),
        ("missing_source", "source file not found"),
        ("bad_toml", "not valid TOML"),
        ("bad_as_of", "as_of '31/01/2026' is not a date"),
    ],
)
def test_structural_errors_exit_2_without_traceback(clean, tmp_path, capsys, breakage, pattern):
    args = ["validate", str(clean), "--out", str(tmp_path / "o")]
    if breakage == "no_workbook":
        args[1] = str(tmp_path / "nowhere")
    elif breakage == "missing_source":
        (clean / "risks.csv").unlink()
    elif breakage == "bad_toml":
        (clean / "qms.toml").write_text("[workbook]\nsites = [\n", encoding="utf-8")
    else:
        args += ["--as-of", "31/01/2026"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("qms validate: error: ") and pattern in err
    assert "Traceback" not in err
    assert not (tmp_path / "o" / "data-quality.html").exists()


def test_dictionary_command(tmp_path, capsys):
    out = tmp_path / "dd.md"
    assert main(["dictionary", "--out", str(out)]) == 0
    assert "## complaints" in out.read_text(encoding="utf-8")
    assert str(out) in capsys.readouterr().out


def test_help_mentions_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--help"])
    assert exc.value.code == 0
    assert "Exit 0" in capsys.readouterr().out
