"""`qms pack --redact`: no customer or person's name, no free text from the workbook in the pack.

What is hidden is read from the record specs (``Column.privacy``), so these tests check the
specs' personal and free-text columns, not a list kept here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qmsdata.pack.redact import pseudonym, redact_frame, redact_workbook, redacted_columns
from qmsdata.records import RECORD_TYPES


def test_pseudonym_is_stable_prefixed_and_distinct() -> None:
    a = pseudonym("Acme Ltd")
    assert (
        a == pseudonym("Acme Ltd") and a.startswith("Customer-") and len(a) == len("Customer-") + 16
    )
    assert pseudonym("Acme Ltd ") == a  # surrounding blanks do not matter
    assert pseudonym("Acme Inc") != a
    assert pseudonym("Acme Ltd", "Text") != a
    assert pseudonym(None) is None and pseudonym("") == ""


def test_redact_frame_drops_extra_columns_and_hashes_text() -> None:
    f = pd.DataFrame(
        {
            "customer": ["Acme", None],
            "description": ["late <b>", "x"],
            "category": ["delivery", "quality"],
            "Contact": ["Jo", "Al"],
            "source_row": [1, 2],
        }
    )
    out = redact_frame(
        f,
        ["customer", "description", "category"],
        {"customer": "personal", "description": "free_text"},
    )
    assert list(out.columns) == ["customer", "description", "category", "source_row"]
    assert out["customer"].iloc[0] == pseudonym("Acme") and pd.isna(out["customer"].iloc[1])
    assert out["description"].iloc[0].startswith("Text-")
    assert out["category"].tolist() == ["delivery", "quality"]


def test_redacted_columns_come_from_the_specs() -> None:
    assert redacted_columns("corrective_actions") == {"owner": "Person", "description": "Text"}
    assert redacted_columns("complaints") == {"customer": "Customer", "description": "Text"}
    assert redacted_columns("audit_findings")["auditor"] == "Person"
    assert redacted_columns("no_such_type") == {}
    for rt, spec in RECORD_TYPES.items():
        assert set(redacted_columns(rt)) == set(spec.private), rt


class _Wb:
    """The parts of a Workbook that redaction touches."""

    def __init__(self, frames: dict[str, pd.DataFrame], failures: pd.DataFrame) -> None:
        self._frames = frames
        self.rejects = {"corrective_actions": pd.DataFrame({"source_row": [9], "owner": ["Z"]})}
        self.failures = failures


def test_redact_workbook_hides_every_personal_and_free_text_column() -> None:
    capa = pd.DataFrame(
        {
            "capa_id": ["CA-1", "CA-2"],
            "owner": ["Priya Raman", "Tom Okafor"],
            "process": ["Moulding", "Assembly"],
            "description": ["retrain Priya", None],
            "Private notes": ["x", "y"],
            "source_row": [1, 2],
        }
    )
    audits = pd.DataFrame({"finding_id": ["F1"], "auditor": ["Ana Silva"], "source_row": [1]})
    failures = pd.DataFrame(
        {
            "record_type": ["corrective_actions", "corrective_actions"],
            "source_row": [9, 9],
            "column": ["owner", "due_date"],
            "check": ["not_null", "date"],
            "failure_case": ["Wei Chen", "31/02/2026"],
            "message": ["owner Wei Chen is not allowed", "31/02/2026 is not a date"],
        }
    )
    wb = redact_workbook(_Wb({"corrective_actions": capa, "audit_findings": audits}, failures))
    out = wb._frames["corrective_actions"]
    assert "Private notes" not in out.columns
    assert out["owner"].str.fullmatch(r"Person-[0-9a-f]{16}").all()
    assert out["owner"].iloc[0] == pseudonym("Priya Raman", "Person")
    assert out["description"].iloc[0].startswith("Text-") and pd.isna(out["description"].iloc[1])
    assert out["process"].tolist() == ["Moulding", "Assembly"], "not private: kept"
    assert wb._frames["audit_findings"]["auditor"].iloc[0].startswith("Person-")
    assert list(wb.rejects["corrective_actions"].columns) == ["source_row"]
    text = wb.failures.to_csv()
    assert "Wei Chen" not in text and pseudonym("Wei Chen", "Person") in text
    assert "31/02/2026" in text, "failure cases of other columns are kept"


@pytest.mark.slow
def test_redacted_pack_has_no_customer_name(demo_workbook: Path, tmp_path: Path) -> None:
    import qmsdata
    from qmsdata.pack import build_pack
    from qmsdata.pack.sections import SECTIONS

    wb = qmsdata.load(demo_workbook, as_of="2026-10-31")
    names = set()
    for rt in ("complaints", "customer_surveys"):
        names |= set(wb[rt]["customer"].dropna().astype(str))
    raw = pd.read_csv(demo_workbook / "complaints.csv", dtype=str)
    names |= set(raw["Customer Name"].dropna())
    customers = {n for n in names if len(n) >= 4}
    assert len(customers) >= 5
    people = set()  # owners, auditors, people responsible: every personal column of the specs
    for rt, spec in RECORD_TYPES.items():
        for col, kind in spec.private.items():
            if kind == "personal" and col != "customer" and col in wb[rt].columns:
                people |= set(wb[rt][col].dropna().astype(str))
    owners = set(wb["corrective_actions"]["owner"].dropna().astype(str))
    assert len(owners) >= 3, "the demo has CAPA owners"
    names = customers | {n for n in people if len(n) >= 4}
    ids = [
        "00_summary",
        "10_previous_actions",
        "20_context",
        "31_customers",
        "34_nc_capa",
        "36_audits",
        "40_resources",
        "90_data_quality",
    ]
    res = build_pack(
        demo_workbook,
        "2026-10",
        out=tmp_path / "reports",
        formats=["html"],
        sections=[SECTIONS[i] for i in ids],
        progress=False,
        redact=True,
    )
    assert res.ok and res.path.name == "2026-10-redacted"
    files = [p for p in res.path.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".csv", ".ipynb", ".json"}
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        leaked = [n for n in names if n in text]
        assert not leaked, f"{p.name} shows {leaked[:3]}"
    # free text is there, pseudonymised (e.g. the open review actions' descriptions)
    shown = pd.read_csv(res.path / "data" / "10_previous_actions--open_actions.csv")
    assert len(shown) and shown["description"].str.fullmatch(r"Text-[0-9a-f]{16}").all()
    # the backlog per owner is still there, per pseudonym
    backlog = pd.read_csv(res.path / "data" / "40_resources--capa_backlog_by_owner.csv")
    assert len(backlog) and backlog["owner"].str.fullmatch(r"Person-[0-9a-f]{16}").all()
