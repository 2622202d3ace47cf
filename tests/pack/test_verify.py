"""Manifest and verify on hand-made pack folders (no notebooks)."""

from __future__ import annotations

import json

import pytest

from qmsdata.cli import main
from qmsdata.errors import PackError
from qmsdata.pack.manifest import sha256_file, write_manifest
from qmsdata.pack.verify import verify_pack


@pytest.fixture
def pack(tmp_path):
    root = tmp_path / "2026-10"
    (root / "data").mkdir(parents=True)
    (root / "pack.html").write_text("<html></html>")
    (root / "data" / "a.csv").write_text("x\n1\n")
    write_manifest(root, {"period": "2026-10"})
    return root


def test_sha256_known_answer(tmp_path):
    # SHA-256 of "abc": FIPS 180-2, appendix B.1
    p = tmp_path / "abc"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_fresh_pack_verifies(pack):
    result = verify_pack(pack)
    assert result.ok and result.checked == 2
    assert main(["verify", str(pack)]) == 0


@pytest.mark.parametrize(
    ("change", "field", "path"),
    [
        (lambda p: (p / "data" / "a.csv").write_text("x\n2\n"), "altered", "data/a.csv"),
        (lambda p: (p / "pack.html").unlink(), "missing", "pack.html"),
        (lambda p: (p / "data" / "b.csv").write_text("y"), "extra", "data/b.csv"),
    ],
)
def test_changes_are_named(pack, change, field, path, capsys):
    change(pack)
    result = verify_pack(pack)
    assert not result.ok
    assert getattr(result, field) == [path]
    assert main(["verify", str(pack)]) == 1
    assert f"{field}: {path}" in capsys.readouterr().out


@pytest.mark.parametrize("content", [None, "not json", json.dumps({"format": "other"})])
def test_unreadable_manifest_is_a_clear_error(tmp_path, content, capsys):
    if content is not None:
        (tmp_path / "manifest.json").write_text(content)
    with pytest.raises(PackError):
        verify_pack(tmp_path)
    assert main(["verify", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err
