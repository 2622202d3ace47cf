"""Coverage of the 9.3.2 review inputs: this pack, and the last 12 packs from their manifests."""

from __future__ import annotations

import json
from pathlib import Path

from qmsdata.pack.coverage import INPUTS, coverage_html, coverage_table

ALL = {sid: "ok" for _, sid in INPUTS.values()}


def _pack(reports: Path, name: str, period: str, status: dict[str, str]) -> None:
    (reports / name).mkdir(parents=True)
    sections = [{"id": k, "status": v} for k, v in status.items()]
    (reports / name / "manifest.json").write_text(
        json.dumps({"period": period, "sections": sections}), encoding="utf-8"
    )


def test_coverage_reads_last_manifests(tmp_path: Path) -> None:
    for m in range(1, 14):  # 13 earlier packs; only the last 11 fit beside the current one
        st = dict(ALL)
        if m == 13:
            st.pop("50_risks")
        _pack(tmp_path, f"2025-{m:02d}" if m < 13 else "2026-01", f"2025-{m:02d}", st)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    now = dict(ALL)
    now["36_audits"] = "failed"
    t = coverage_table(tmp_path, "2026-02", now)
    assert len(t.columns) == 12 and t.columns[-1] == "2026-02"
    assert "2025-01" not in t.columns and "2025-02" not in t.columns
    assert t.loc["9.3.2 c) 6 Audit results", "2026-02"] == "failed"
    assert t.loc["9.3.2 e) Effectiveness of actions on risks and opportunities", "2026-01"] == (
        "not covered"
    )
    assert (t.drop(columns=["2026-01", "2026-02"]) == "covered").all().all()
    page = coverage_html(t, "2026-02")
    assert "covers 12 of 13 review inputs; not covered: 9.3.2 c) 6 Audit results" in page
    assert "every input was covered at least once" in page


def test_coverage_single_pack_says_insufficient(tmp_path: Path) -> None:
    t = coverage_table(tmp_path / "none", "2026-10", {"10_previous_actions": "ok"})
    assert list(t.columns) == ["2026-10"]
    page = coverage_html(t, "2026-10")
    assert "covers 1 of 13" in page and "Insufficient data for a trend" in page
