"""The demo pack's readiness section (95_readiness) lists the gaps the demo was built with.

Reads the section's extracts from the session's demo pack (``demo_pack`` in conftest.py): no
extra build.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qmsdata.demo.planted import planted_readiness_gaps
from qmsdata.pack.sections import SECTIONS, section_label

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_pack")]

VERDICTS = {
    "evidenced",
    "partly evidenced",
    "no evidence in the records",
    "nonconforming",
    "not assessed",
}


def _extract(pack, name: str) -> pd.DataFrame:
    return pd.read_csv(pack.path / "data" / f"95_readiness--{name}.csv", dtype=str).fillna("")


def test_readiness_section_renders_with_its_extracts(demo_pack):
    run = next(r for r in demo_pack.sections if r.section.id == "95_readiness")
    assert run.status == "ok", run.error
    for name in ("evidence", "clauses", "rules", "score", "stages", "road", "next_steps"):
        assert (demo_pack.path / "data" / f"95_readiness--{name}.csv").is_file(), name
    page = (demo_pack.path / "pack.html").read_text(encoding="utf-8")
    assert f">{section_label(SECTIONS['95_readiness'])}</a>" in page
    assert "rule (from the profile)" in page.lower()  # table headers are capitalised
    assert "Next steps, in the order of the road" in page


def test_readiness_section_lists_the_planted_gaps(demo_pack):
    ev = _extract(demo_pack, "evidence")
    gaps = set(ev.loc[ev["role"] == "gap", "record_id"])
    planted = planted_readiness_gaps("2026-10")
    missed = [
        g["key"]
        for g in planted
        if g["kind"] == "gap" and not (set(g["ids"]) <= gaps or g["clause"] in gaps)
    ]
    assert not missed
    found = set(ev.loc[(ev["clause"] == "9.2") & (ev["role"] == "evidence"), "record_id"])
    for g in planted:
        if g["kind"] == "evidence":  # audits that found nothing are evidence, not gaps
            assert set(g["ids"]) <= found, g["key"]


def test_every_clause_has_a_verdict_and_its_rule_beside_it(demo_pack):
    c = _extract(demo_pack, "clauses")
    assert set(c["verdict"]) <= VERDICTS
    assert (c["rule (from the profile)"] != "").all()
    # clauses the records cannot speak to are "not assessed", never "no evidence"
    no_rule = c["detail"] == "no rule"
    assert (c.loc[no_rule, "verdict"] == "not assessed").all()
    for clause in ("7.2", "7.5", "9.2"):  # the planted gaps' clauses
        assert c.loc[c["clause"] == clause, "verdict"].item() == "partly evidenced"
    steps = _extract(demo_pack, "next_steps")
    assert steps["stage"].astype(int).is_monotonic_increasing  # in the order of the road
