"""The digest beside a pack (read from its manifest and extracts), its e-mail, retention."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import textwrap
from pathlib import Path

import pytest

from qmsdata.config import read_notify, read_reports
from qmsdata.errors import ConfigError, QmsError
from qmsdata.pack.after import after_build
from qmsdata.pack.digest import read_digest, send_digest, write_digest
from qmsdata.pack.retention import coverage_history, packs_in, prune_packs

SIGNALS = (
    "rank,series,area,rule,since,direction,detail\n"
    "1,Supplier <b>SUP-004</b> rejection rate,9.3.2 c7 suppliers,beyond_limits,2025-12,concern,"
    '"mean 0.0037"\n'
)
OBJECTIVES = (
    "objective_id,name,unit,target,actual,met,assurance\n"
    "OBJ-01,First-pass yield,%,98.0,98.58,True,consistent_pass\n"
    "OBJ-02,On-time delivery,%,95.0,92.36,False,consistent_fail\n"
)


def fake_pack(reports: Path, name: str, period: str, *, failed: bool = False) -> Path:
    pack = reports / name
    (pack / "data").mkdir(parents=True)
    (pack / "data" / "00_summary--signals_concern.csv").write_text(SIGNALS, encoding="utf-8")
    (pack / "data" / "32_objectives--objective_status.csv").write_text(OBJECTIVES, "utf-8")
    manifest = {
        "period": period,
        "site": None,
        "as_of": "2026-10-31",
        "data_as_of": "2026-11-02",
        "validation": {
            "complaints": {"configured": True, "rows": 1530, "rejected": 11},
            "risks": {"configured": True, "rows": 20, "rejected": 0},
        },
        "sections": [
            {"id": "00_summary", "title": "Executive summary", "status": "ok"},
            {"id": "37_suppliers", "title": "Suppliers", "status": "failed" if failed else "ok"},
        ],
    }
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (pack / "pack.html").write_text("<html></html>", encoding="utf-8")
    return pack


def workbook(tmp_path: Path, extra: str = "") -> Path:
    wb = tmp_path / "wb"
    wb.mkdir(exist_ok=True)
    (wb / "qms.toml").write_text(
        "[workbook]\nas_of = 2026-11-02\n" + textwrap.dedent(extra), encoding="utf-8"
    )
    return wb


def test_digest_reads_the_pack_and_escapes_html(tmp_path: Path) -> None:
    pack = fake_pack(tmp_path / "reports", "2026-10", "2026-10", failed=True)
    d = read_digest(pack)
    assert [s["series"] for s in d.signals] == ["Supplier <b>SUP-004</b> rejection rate"]
    assert [o["name"] for o in d.objectives] == ["OBJ-02 On-time delivery"]
    assert d.quality.startswith("11 of 1,550 rows quarantined in 1 record type(s)")
    assert d.failed == ["37_suppliers Suppliers"]
    txt, html = write_digest(pack)
    assert (txt.name, html.name) == ("2026-10.digest.txt", "2026-10.digest.html")
    assert txt.parent == pack.parent  # beside the pack: the manifest's file list is untouched
    text = txt.read_text(encoding="utf-8")
    assert "1. Supplier <b>SUP-004</b> rejection rate" in text and "file://" in text
    page = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;SUP-004&lt;/b&gt;" in page and "<b>SUP-004" not in page
    assert f'href="{(pack / "pack.html").resolve().as_uri()}"' in page


def test_notify_refuses_a_password_in_the_file(tmp_path: Path) -> None:
    wb = workbook(
        tmp_path,
        """
        [notify]
        smtp_host = "smtp.example.com"
        from = "qms@example.com"
        to = ["qm@example.com"]
        password = "hunter2"
        """,
    )
    with pytest.raises(ConfigError, match="password is refused"):
        read_notify(wb)


def test_notify_and_reports_are_read(tmp_path: Path) -> None:
    assert read_notify(workbook(tmp_path)) is None
    wb = workbook(
        tmp_path,
        """
        [reports]
        keep = 3
        [notify]
        smtp_host = "smtp.example.com"
        smtp_port = 2525
        from = "qms@example.com"
        to = ["qm@example.com", "md@example.com"]
        username_env = "QMS_SMTP_USER"
        password_env = "QMS_SMTP_PASSWORD"
        """,
    )
    n = read_notify(wb)
    assert n is not None and (n.smtp_port, n.to, n.starttls) == (
        2525,
        ("qm@example.com", "md@example.com"),
        True,
    )
    assert read_reports(wb).keep == 3
    bad = workbook(tmp_path, '[notify]\nsmtp_host = "h"\nfrom = "a@b"\nto = []\n')
    with pytest.raises(ConfigError, match="to"):
        read_notify(bad)


def test_retention_keeps_what_coverage_reads(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:20]
    for p in months:
        fake_pack(reports, p, p)
    (reports / ".cache").mkdir()
    (reports / "notes").mkdir()  # no manifest: never touched
    assert coverage_history() == 12
    gone = prune_packs(reports, 3)  # 3 asked, the coverage history's 12 kept
    assert [p.name for p in gone] == months[:8]
    assert [p.name for p in packs_in(reports)] == months[8:]
    assert (reports / ".cache").is_dir() and (reports / "notes").is_dir()
    assert prune_packs(reports, 12) == []
    with pytest.raises(QmsError):
        prune_packs(reports, 0)


def test_retention_orders_by_period_not_folder_time(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for i in range(14, 0, -1):  # written newest first
        fake_pack(reports, f"2026-{i:02d}" if i <= 12 else f"2027-{i - 12:02d}", "x")
    # equal periods: by name, so the 2026-01 and 2026-02 packs go
    assert [p.name for p in prune_packs(reports, 12)] == ["2026-01", "2026-02"]


# --- e-mail against a local SMTP server (aiosmtpd) --------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes, bool]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.ssl is not None)
        )
        return "250 OK"


@pytest.fixture
def smtp_server(tmp_path: Path):
    pytest.importorskip("aiosmtpd")
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    inbox = _Inbox()
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=ok)

    with socket.socket() as probe:  # a free port (aiosmtpd's own start-up check needs one)
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free,
        tls_context=tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
        ready_timeout=10,
    )
    controller.start()
    try:
        yield controller, inbox, logins, cert
    finally:
        controller.stop()


def test_digest_is_mailed_over_starttls_with_env_credentials(
    tmp_path: Path, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller, inbox, logins, cert = smtp_server
    port = controller.port
    wb = workbook(
        tmp_path,
        f"""
        [reports]
        keep = 1
        [notify]
        smtp_host = "127.0.0.1"
        smtp_port = {port}
        from = "qms@example.com"
        to = ["qm@example.com", "md@example.com"]
        starttls = true
        username_env = "QMS_TEST_SMTP_USER"
        password_env = "QMS_TEST_SMTP_PASSWORD"
        """,
    )
    pack = fake_pack(tmp_path / "reports", "2026-10", "2026-10")
    monkeypatch.setenv("QMS_SMTP_CAFILE", str(cert))  # trust the test's own CA
    monkeypatch.delenv("QMS_TEST_SMTP_USER", raising=False)
    with pytest.raises(QmsError, match="QMS_TEST_SMTP_USER"):
        after_build(pack, wb)
    assert inbox.messages == []
    monkeypatch.setenv("QMS_TEST_SMTP_USER", "qms")
    monkeypatch.setenv("QMS_TEST_SMTP_PASSWORD", "s3cret")
    lines = after_build(pack, wb)
    assert any("e-mailed to qm@example.com, md@example.com" in line for line in lines)
    assert logins == [(b"qms", b"s3cret")]
    [(sender, rcpts, content, over_tls)] = inbox.messages
    assert (sender, rcpts, over_tls) == (
        "qms@example.com",
        ["qm@example.com", "md@example.com"],
        True,
    )
    assert b"Subject: Management review pack 2026-10: 1 signal(s) of concern" in content
    assert b"text/html" in content and b"text/plain" in content
    assert (pack.parent / "2026-10.digest.html").is_file()


def test_a_server_without_a_trusted_certificate_is_refused(
    tmp_path: Path, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdata.config import NotifyConfig

    controller, inbox, _logins, _cert = smtp_server
    port = controller.port
    monkeypatch.delenv("QMS_SMTP_CAFILE", raising=False)
    pack = fake_pack(tmp_path / "reports", "2026-10", "2026-10")
    notify = NotifyConfig("127.0.0.1", port, "qms@example.com", ("qm@example.com",))
    with pytest.raises(QmsError, match="could not e-mail"):
        send_digest(read_digest(pack), notify, timeout=10)
    assert inbox.messages == []
