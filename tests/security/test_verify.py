"""Hostile packs against ``qms verify`` (issue 16 point 8) and ``qms keys`` (hand-made packs).

Every attack of the issue is here: rewrite ``pack.html`` and its hash (passed before signing),
delete ``pack.pdf`` with its entry, ``../../etc/passwd`` in the manifest, an empty folder, a
manifest without outputs, and malformed manifests (tracebacks before).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from qmsdata.cli import main
from qmsdata.errors import PackError
from qmsdata.keys import KeyFileError, init_keys, load_private_key
from qmsdata.pack.manifest import MANIFEST, write_manifest
from qmsdata.pack.signing import SIGNATURE, sign_manifest
from qmsdata.pack.verify import verify_pack

INFO = {
    "period": "2026-10",
    "parameters": {"formats": ["html", "pdf"]},
    "skipped": {},
    "sections": [
        {
            "id": "10_x",
            "notebook": "sections/10_x.ipynb",
            "extracts": ["data/10_x--a.csv"],
            "pack_files": [],
        }
    ],
}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty configuration folder of this test's own."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("QMS_PUBLIC_KEY", raising=False)
    return home / "qmsdata"


@pytest.fixture
def pack(tmp_path: Path, config: Path) -> Path:
    """A hand-made pack: html, pdf, one section's notebook and extract, manifest (unsigned)."""
    root = tmp_path / "reports" / "2026-10"
    (root / "data").mkdir(parents=True)
    (root / "sections").mkdir()
    (root / "pack.html").write_text("<html><p>Conclusion: all well.</p></html>")
    (root / "pack.pdf").write_bytes(b"%PDF-1.7 fake")
    (root / "sections" / "10_x.ipynb").write_text("{}")
    (root / "data" / "10_x--a.csv").write_text("x\n1\n")
    write_manifest(root, INFO)
    return root


@pytest.fixture
def signed(pack: Path, config: Path) -> Path:
    """The pack, signed with a key created in the test's configuration folder."""
    init_keys()
    assert sign_manifest(pack) == pack / SIGNATURE
    return pack


def _rewrite(root: Path, edit) -> None:
    doc = json.loads((root / MANIFEST).read_text())
    edit(doc)
    (root / MANIFEST).write_text(json.dumps(doc, indent=2))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- signing ---------------------------------------------------------------------------------


def test_signed_pack_says_signed_by_fingerprint_intact(signed: Path, capsys) -> None:
    result = verify_pack(signed)
    assert result.ok and result.signature is not None and result.signature.status == "valid"
    assert main(["verify", str(signed)]) == 0
    out = capsys.readouterr().out
    assert f"signed by {result.signature.fingerprint}, intact" in out
    assert result.signature.fingerprint.startswith("SHA256:")


def test_rewriting_html_and_its_hash_fails_with_a_key(signed: Path, capsys) -> None:
    """The forgery of the issue: passed `qms verify` before manifests were signed."""
    (signed / "pack.html").write_text("<html><p>Conclusion: forged.</p><script>x()</script>")
    _rewrite(
        signed,
        lambda d: next(o for o in d["outputs"] if o["path"] == "pack.html").update(
            sha256=_sha(signed / "pack.html"), bytes=(signed / "pack.html").stat().st_size
        ),
    )
    result = verify_pack(signed)
    assert result.files_ok, "the files match the rewritten manifest ..."
    assert not result.ok, "... but the manifest is no longer the one that was signed"
    assert main(["verify", str(signed)]) == 1
    assert "signature does not match" in capsys.readouterr().out


def test_forger_resigning_with_own_key_fails(signed: Path, tmp_path: Path, config: Path) -> None:
    trusted = config / "signing-key.pub"
    (signed / "pack.html").write_text("forged")
    (signed / SIGNATURE).unlink()
    write_manifest(signed, INFO)
    forger = init_keys(tmp_path / "forger")
    sign_manifest(signed, key=load_private_key(forger.private_key.parent))
    result = verify_pack(signed, public_key=trusted)
    assert not result.ok and result.signature is not None
    assert result.signature.status == "mismatch"
    assert forger.fingerprint in str(result) and "not the trusted key" in str(result)
    # the forger's own public key "verifies" only for whoever chooses to trust it
    assert verify_pack(signed, public_key=forger.public_key).ok


def test_deleting_the_signature_fails_when_a_key_is_configured(signed: Path, capsys) -> None:
    (signed / SIGNATURE).unlink()
    result = verify_pack(signed)
    assert not result.ok and result.signature is not None
    assert result.signature.status == "unsigned"
    assert main(["verify", str(signed)]) == 1
    assert "UNSIGNED: integrity only against the manifest, which anyone can rewrite" in (
        capsys.readouterr().out
    )


def test_unsigned_pack_without_any_key_is_intact_but_says_unsigned(pack: Path, capsys) -> None:
    assert verify_pack(pack).ok
    assert main(["verify", str(pack)]) == 0
    assert "UNSIGNED: integrity only against the manifest, which anyone can rewrite" in (
        capsys.readouterr().out
    )


def test_signed_pack_without_a_trusted_key_says_not_checked(
    signed: Path, config: Path, capsys
) -> None:
    for name in ("signing-key.pub", "signing-key.pem"):
        (config / name).unlink()
    assert main(["verify", str(signed)]) == 0
    out = capsys.readouterr().out
    assert "NOT CHECKED" in out and "anyone can rewrite" in out


def test_public_key_from_option_and_environment(
    signed: Path, config: Path, tmp_path: Path, monkeypatch
) -> None:
    other = init_keys(tmp_path / "other").public_key
    assert main(["verify", str(signed), "--public-key", str(other)]) == 1
    monkeypatch.setenv("QMS_PUBLIC_KEY", str(other))
    assert not verify_pack(signed).ok
    monkeypatch.setenv("QMS_PUBLIC_KEY", str(config / "signing-key.pub"))
    assert verify_pack(signed).ok
    monkeypatch.setenv("QMS_PUBLIC_KEY", str(tmp_path / "nope.pub"))
    assert main(["verify", str(signed)]) == 2, "a configured key that cannot be read: exit 2"


@pytest.mark.parametrize("content", ["not json", "{}", '{"format": "qmsdata-sig/1"}'])
def test_malformed_signature_does_not_match(signed: Path, content: str) -> None:
    (signed / SIGNATURE).write_text(content)
    result = verify_pack(signed)
    assert not result.ok and "signature does not match" in str(result)


def test_signature_is_over_the_exact_manifest_bytes(signed: Path) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    doc = json.loads((signed / SIGNATURE).read_text())
    pub = load_pem_public_key(
        (Path(os.environ["XDG_CONFIG_HOME"]) / "qmsdata" / "signing-key.pub").read_bytes()
    )
    import base64

    pub.verify(base64.b64decode(doc["signature"]), (signed / MANIFEST).read_bytes())  # type: ignore[call-arg, union-attr]
    # one insignificant whitespace change to manifest.json is a different manifest
    (signed / MANIFEST).write_bytes((signed / MANIFEST).read_bytes() + b" ")
    assert not verify_pack(signed).ok


def test_no_key_no_signature(pack: Path) -> None:
    assert sign_manifest(pack) is None and not (pack / SIGNATURE).exists()


# --- expected file set -----------------------------------------------------------------------


def test_deleting_pdf_with_its_entry_is_detected(pack: Path, capsys) -> None:
    (pack / "pack.pdf").unlink()
    _rewrite(pack, lambda d: d.update(outputs=[o for o in d["outputs"] if o["path"] != "pack.pdf"]))
    result = verify_pack(pack)
    assert not result.ok and result.missing == [
        "pack.pdf (expected by the manifest but not listed)"
    ]
    assert main(["verify", str(pack)]) == 1


def test_pdf_recorded_as_skipped_is_not_expected(pack: Path) -> None:
    (pack / "pack.pdf").unlink()
    _rewrite(
        pack,
        lambda d: d.update(
            outputs=[o for o in d["outputs"] if o["path"] != "pack.pdf"],
            skipped={"pdf": "Chromium not found"},
        ),
    )
    assert verify_pack(pack).ok


def test_deleting_an_extract_with_its_entry_is_detected(pack: Path) -> None:
    (pack / "data" / "10_x--a.csv").unlink()
    _rewrite(
        pack, lambda d: d.update(outputs=[o for o in d["outputs"] if "10_x--a" not in o["path"]])
    )
    assert not verify_pack(pack).ok


def test_empty_folder_is_not_intact(tmp_path: Path, config: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PackError):
        verify_pack(empty)
    assert main(["verify", str(empty)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_manifest_without_outputs_is_not_intact(tmp_path: Path, config: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    write_manifest(root, {})
    result = verify_pack(root)
    assert result.checked == 0 and not result.ok
    assert result.missing == ["pack.html (expected by the manifest but not listed)"]
    assert main(["verify", str(root)]) == 1


# --- paths inside the pack -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "data/../../x",
        "./pack.html",
        "data//a",
        "C:/x",
        "a\\..\\b",
    ],
)
def test_manifest_paths_outside_the_pack_are_refused_unopened(
    pack: Path, bad: str, monkeypatch, capsys
) -> None:
    import qmsdata.pack.verify as v

    opened: list[Path] = []
    real = v.sha256_file
    monkeypatch.setattr(v, "sha256_file", lambda p: opened.append(Path(p)) or real(p))
    target = Path("/etc/passwd")
    digest = _sha(target) if target.is_file() else "0" * 64
    _rewrite(pack, lambda d: d["outputs"].append({"path": bad, "sha256": digest, "bytes": 1}))
    result = verify_pack(pack)
    assert not result.ok and any(u.startswith(bad) for u in result.unsafe)
    root = pack.resolve()
    assert all(p.resolve().is_relative_to(root) for p in opened), "nothing outside is read"
    assert main(["verify", str(pack)]) == 1
    assert f"unsafe: {bad}" in capsys.readouterr().out


def test_symlink_out_of_the_pack_is_refused(pack: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.csv"
    secret.write_text("x\n1\n")
    (pack / "data" / "10_x--a.csv").unlink()
    (pack / "data" / "10_x--a.csv").symlink_to(secret)  # same bytes as the listed file
    result = verify_pack(pack)
    assert not result.ok and result.unsafe == ["data/10_x--a.csv (symbolic link)"]


def test_unlisted_symlinked_folder_is_reported_not_followed(pack: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "big.csv").write_text("y")
    (pack / "extra").symlink_to(outside, target_is_directory=True)
    result = verify_pack(pack)
    assert not result.ok and result.unsafe == ["extra (symbolic link)"] and not result.extra


# --- malformed manifests: one message, exit 2 ------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(outputs={"pack.html": "x"}),
        lambda d: d.pop("outputs"),
        lambda d: d["outputs"].append("pack.html"),
        lambda d: d["outputs"].append({"path": 3, "sha256": "0" * 64}),
        lambda d: d["outputs"].append({"path": "x"}),
        lambda d: d["outputs"].append({"path": "x", "sha256": None}),
        lambda d: d["outputs"].append({"path": "x", "sha256": "0" * 64, "bytes": "7"}),
        lambda d: d["outputs"].append(dict(d["outputs"][0])),
        lambda d: d.update(parameters=[]),
        lambda d: d.update(parameters={"formats": "html"}),
        lambda d: d.update(sections={"a": 1}),
        lambda d: d["sections"][0].update(extracts=[1]),
        lambda d: d.update(skipped=None),
    ],
)
def test_malformed_manifest_is_one_message_exit_2(pack: Path, edit, capsys) -> None:
    _rewrite(pack, edit)
    with pytest.raises(PackError, match="manifest.json"):
        verify_pack(pack)
    assert main(["verify", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "Traceback" not in err


def test_deeply_nested_manifest_is_one_message(pack: Path, capsys) -> None:
    (pack / MANIFEST).write_text("[" * 200_000 + "]" * 200_000)
    assert main(["verify", str(pack)]) == 2
    assert "manifest.json" in capsys.readouterr().err


# --- qms keys --------------------------------------------------------------------------------


def test_keys_init_writes_private_key_0600_and_refuses_to_overwrite(config: Path, capsys) -> None:
    assert main(["keys", "init"]) == 0
    out = capsys.readouterr().out
    priv, pub = config / "signing-key.pem", config / "signing-key.pub"
    assert str(pub) in out and "fingerprint: SHA256:" in out
    assert stat.S_IMODE(priv.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    assert stat.S_IMODE((config / "redact.key").stat().st_mode) == 0o600
    before = priv.read_bytes()
    assert main(["keys", "init"]) == 2
    assert "already exists" in capsys.readouterr().err and priv.read_bytes() == before
    secret = (config / "redact.key").read_bytes()
    assert main(["keys", "init", "--force"]) == 0
    assert priv.read_bytes() != before and stat.S_IMODE(priv.stat().st_mode) == 0o600
    assert (config / "redact.key").read_bytes() == secret, "pseudonyms survive a new key pair"
    assert main(["keys", "show"]) == 0 and "SHA256:" in capsys.readouterr().out


def test_a_private_key_others_can_read_is_refused(pack: Path, config: Path) -> None:
    init_keys()
    os.chmod(config / "signing-key.pem", 0o644)
    with pytest.raises(KeyFileError, match="other users"):
        sign_manifest(pack)


def test_key_folder_inside_the_pack_is_refused(pack: Path) -> None:
    init_keys(pack / "keys")
    with pytest.raises(PackError, match="inside the pack"):
        sign_manifest(pack, key_folder=pack / "keys")


def test_huge_signature_file_is_malformed_not_read(signed: Path) -> None:
    (signed / SIGNATURE).write_bytes(b" " * (1 << 20))
    result = verify_pack(signed)
    assert not result.ok and result.signature is not None
    assert result.signature.status == "malformed"


def test_failed_section_without_notebook_is_not_a_false_alarm(pack: Path) -> None:
    def fail(d):
        d["sections"].append(
            {"id": "20_y", "status": "failed", "notebook": "sections/20_y.ipynb", "extracts": []}
        )

    _rewrite(pack, fail)
    assert verify_pack(pack).ok


def test_output_names_the_period_the_manifest_describes(signed: Path, capsys) -> None:
    """A signed pack of another period copied in under this name verifies, but says so."""
    assert main(["verify", str(signed)]) == 0
    assert "manifest: period 2026-10" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["data/", "da\x00ta", "data", "sections/../pack.html"])
def test_odd_listed_paths_are_not_intact(pack: Path, bad: str) -> None:
    _rewrite(pack, lambda d: d["outputs"].append({"path": bad, "sha256": "0" * 64}))
    result = verify_pack(pack)
    assert not result.ok and (result.unsafe or result.missing)


def test_fifo_in_the_manifest_does_not_hang(pack: Path) -> None:
    os.mkfifo(pack / "data" / "pipe")
    _rewrite(pack, lambda d: d["outputs"].append({"path": "data/pipe", "sha256": "0" * 64}))
    result = verify_pack(pack)
    assert result.missing == ["data/pipe"]


def test_manifest_symlink_is_refused(pack: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.json"
    (pack / MANIFEST).rename(real)
    (pack / MANIFEST).symlink_to(real)
    with pytest.raises(PackError, match="symbolic link"):
        verify_pack(pack)
