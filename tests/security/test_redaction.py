"""Hostile readers of a redacted pack (issue 16 point 9): dictionaries, and the secret itself.

Before, pseudonyms were unsalted SHA-256 cut to 24 bits: every one was reversed by hashing
guesses. Now they are HMAC-SHA256 with a per-organisation secret kept in the user's
configuration folder, 64 bits shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import stat
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from qmsdata.keys import redaction_secret
from qmsdata.pack.redact import DIGITS, pseudonym, redact_frame

PEOPLE = ["Priya Raman", "Tom Okafor", "Ana Silva", "Wei Chen", "Jo Bloggs"]
CUSTOMERS = ["Acme Ltd", "Globex GmbH", "Initech plc"]
TEXTS = [f"Late delivery at {p}" for p in ("Moulding", "Assembly", "SMT line 2")]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "qmsdata"


def _guesses(prefix: str, words: list[str]) -> set[str]:
    """Every digest an attacker without the secret can compute from a perfect dictionary."""
    out = set()
    for w in words:
        for msg in (f"{prefix}\0{w}", w, f"{prefix}-{w}", f"{prefix}{w}"):
            b = msg.encode()
            out.add(hashlib.sha256(b).hexdigest())  # the old unsalted scheme
            out.add(hashlib.md5(b).hexdigest())  # noqa: S324 - an attacker's guess
            out.add(hashlib.blake2b(b).hexdigest())
            for key in (b"", b"qmsdata", b"secret", prefix.encode()):
                out.add(hmac.new(key, b, hashlib.sha256).hexdigest())
            out.add(hmac.new(secrets.token_bytes(32), b, hashlib.sha256).hexdigest())
    return out


def test_dictionary_attack_without_the_secret_matches_no_pseudonym(config: Path) -> None:
    frame = pd.DataFrame({"owner": PEOPLE[:3], "customer": CUSTOMERS, "description": TEXTS})
    out = redact_frame(
        frame,
        list(frame.columns),
        {"owner": "personal", "customer": "personal", "description": "free_text"},
    )
    shown = {
        "Person": out["owner"].tolist(),
        "Customer": out["customer"].tolist(),
        "Text": out["description"].tolist(),
    }
    words = PEOPLE + CUSTOMERS + TEXTS  # the attacker's dictionary holds every true value
    for prefix, values in shown.items():
        assert all(
            v.startswith(f"{prefix}-") and len(v) == len(prefix) + 1 + DIGITS for v in values
        )
        digests = {v.split("-", 1)[1] for v in values}
        guessed = _guesses(prefix, words)
        hits = {d for d in digests for g in guessed if g.startswith(d) or g[-DIGITS:] == d}
        assert not hits, f"{prefix}: {len(hits)} pseudonyms reversed without the secret"
    # whoever holds the secret can confirm a guess: that is what the secret protects
    secret = redaction_secret()
    assert pseudonym("Priya Raman", "Person", secret=secret) in shown["Person"]


def test_at_least_64_bits_and_no_collisions_in_50_000_values() -> None:
    key = secrets.token_bytes(32)
    names = {pseudonym(f"name {i}", "Person", secret=key) for i in range(50_000)}
    assert len(names) == 50_000
    assert DIGITS * 4 >= 64


def test_secret_created_on_first_use_0600_in_the_config_folder(config: Path) -> None:
    assert not (config / "redact.key").exists()
    first = pseudonym("Acme Ltd")
    path = config / "redact.key"
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonym("Acme Ltd") == first, "stable with the same secret"
    path.write_text(secrets.token_hex(32) + "\n")
    assert pseudonym("Acme Ltd") != first, "another organisation's secret, other pseudonyms"


def test_a_secret_others_can_read_is_refused(config: Path) -> None:
    from qmsdata.keys import KeyFileError

    redaction_secret()
    (config / "redact.key").chmod(0o644)
    with pytest.raises(KeyFileError, match="other users"):
        pseudonym("Acme Ltd")


NOTEBOOK = """
import qmsdata

wb = qmsdata.section_workbook(workbook, as_of=as_of, site=site, snapshot=snapshot)
ra = wb.review_actions
qmsdata.show_table(ra[["action_id", "description", "owner", "status"]], "actions", out_dir=out_dir)
qmsdata.save_extract(ra[["action_id", "owner"]], "owners", out_dir=out_dir)
qmsdata.narrate(f"{len(ra)} actions; first owner {ra['owner'].iloc[0]}.", kind="conclusion")
print(ra.to_string())
"""

PARAMS = """workbook = None
period = "2026-10"
as_of = None
site = None
baseline_months = 12
rules = "anhoej"
out_dir = None
snapshot = None"""


@pytest.mark.slow
def test_redacted_pack_holds_no_name_and_no_secret_and_verifies_signed(
    tmp_path: Path, config: Path
) -> None:
    """One small real build: redacted, then signed with sign_manifest, then verified."""
    from qmsdata.keys import init_keys
    from qmsdata.pack import build_pack
    from qmsdata.pack.sections import Section
    from qmsdata.pack.signing import sign_manifest
    from qmsdata.pack.verify import verify_pack

    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        textwrap.dedent(
            """
            [workbook]
            organisation = "Tiny Org"
            sites = ["A"]
            as_of = 2026-11-30

            [records.review_actions]
            source = "review-actions.csv"
            """
        )
    )
    (wb / "review-actions.csv").write_text(
        "action_id,review_date,output_type,description,owner,due_date,status,closed_date\n"
        "RA-1,2026-01-15,improvement,Retrain Priya Raman on moulding,Priya Raman,2026-03-01,"
        "closed,2026-02-20\n"
        "RA-2,2026-04-15,resources,Hire for Acme Ltd account,Tom Okafor,2026-06-01,open,\n"
    )
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Actions"), params]
    nb.cells.append(nbformat.v4.new_code_cell(NOTEBOOK))
    nbformat.write(nb, str(nbs / "10_ok.ipynb"))
    init_keys()
    secret = redaction_secret()

    res = build_pack(
        wb,
        "2026-10",
        out=tmp_path / "reports",
        notebook_dir=nbs,
        sections=[Section("10_ok", "9.3.2 a)", "Actions", ("review_actions",))],
        formats=["html"],
        progress=False,
        redact=True,
    )
    assert res.ok, [r.error for r in res.sections]
    sign_manifest(res.path)  # what the build does once the lead wires it in
    files = [p for p in res.path.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".csv", ".ipynb", ".json", ".sig"}
    forms = [secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret)]
    for p in files:
        data = p.read_bytes()
        assert not [f for f in forms if f in data], f"{p.name} holds the redaction secret"
        for name in ("Priya Raman", "Tom Okafor", "Acme Ltd"):
            assert name.encode() not in data, f"{p.name} shows {name}"
    owners = pd.read_csv(res.path / "data" / "10_ok--owners.csv")
    assert owners["owner"].str.fullmatch(rf"Person-[0-9a-f]{{{DIGITS}}}").all()
    assert owners["owner"].iloc[0] == pseudonym("Priya Raman", "Person", secret=secret)
    assert not (wb / "redact.key").exists() and not list(wb.rglob("*.key"))
    result = verify_pack(res.path)
    assert result.ok and result.signature is not None and result.signature.status == "valid"


def test_secret_id_changes_with_the_secret_and_is_not_a_pseudonym() -> None:
    from qmsdata.pack.redact import secret_id

    a, b = secrets.token_bytes(32), secrets.token_bytes(32)
    assert secret_id(a) == secret_id(a) != secret_id(b)
    assert a.hex()[:DIGITS] != secret_id(a)
