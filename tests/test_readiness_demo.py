"""The demo's readiness report lists the gaps the demo was built with (issue 12).

Runs once the demo branch lands its planted readiness gaps (``PLANTED_READINESS_GAPS``).
"""

from __future__ import annotations

import pytest
from demo_fixture import demo_dir, demo_summary, demo_wb  # noqa: F401

import qmsdata
import qmsdata.demo

pytestmark = [
    pytest.mark.xdist_group("demo"),
    pytest.mark.skipif(
        not hasattr(qmsdata.demo, "PLANTED_READINESS_GAPS"), reason="spec lands with demo branch"
    ),
]


@pytest.fixture(scope="module")
def report(demo_wb):  # noqa: F811
    return qmsdata.readiness_report(demo_wb)


def test_every_planted_gap_is_listed(report):
    ev = report.evidence
    gaps = set(ev.loc[ev["role"] == "gap", "record_id"])
    missed = [
        g["key"]
        for g in qmsdata.demo.PLANTED_READINESS_GAPS
        if g["kind"] == "gap" and not (set(g["ids"]) <= gaps or g["clause"] in gaps)
    ]
    assert not missed


def test_audits_without_findings_are_evidence(report):
    ev = report.evidence
    found = set(ev.loc[(ev["clause"] == "9.2") & (ev["role"] == "evidence"), "record_id"])
    for g in qmsdata.demo.PLANTED_READINESS_GAPS:
        if g["kind"] == "evidence":
            assert set(g["ids"]) <= found, g["key"]
    unaudited = ev[(ev["clause"] == "9.2") & (ev["record_type"] == "clause")]
    assert "5.1" not in set(unaudited["record_id"])
