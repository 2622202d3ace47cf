"""`qms pack --redact`: no customer name from the workbook anywhere in the pack."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qmsdata.pack.redact import pseudonym, redact_frame


def test_pseudonym_is_stable_prefixed_and_distinct() -> None:
    a = pseudonym("Acme Ltd")
    assert a == pseudonym("Acme Ltd") and a.startswith("Customer-") and len(a) == 15
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
    out = redact_frame(f, ["customer", "description", "category"])
    assert list(out.columns) == ["customer", "description", "category", "source_row"]
    assert out["customer"].iloc[0] == pseudonym("Acme") and pd.isna(out["customer"].iloc[1])
    assert out["description"].iloc[0].startswith("Text-")
    assert out["category"].tolist() == ["delivery", "quality"]


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
    names = {n for n in names if len(n) >= 4}
    assert len(names) >= 5
    ids = [
        "00_summary",
        "10_previous_actions",
        "20_context",
        "31_customers",
        "34_nc_capa",
        "36_audits",
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
    assert len(shown) and shown["description"].str.fullmatch(r"Text-[0-9a-f]{6}").all()
