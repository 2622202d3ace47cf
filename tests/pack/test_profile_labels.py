"""The pack's labels, contents and coverage follow the clause profile (issue 12).

Fast tests on the label and coverage functions; one small build (slow) checks that the header,
the contents and the manifest carry the standard chosen in ``[workbook] standard``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qmsdata.config import read_config
from qmsdata.pack.context import SectionContext, resolve_standard
from qmsdata.pack.coverage import coverage_fragment, coverage_table, not_covered_labels
from qmsdata.pack.manifest import pack_facts
from qmsdata.pack.request import PackRequest
from qmsdata.pack.sections import (
    SECTIONS,
    input_clause,
    labelled,
    section_label,
    sections_for,
    standard_label,
)
from qmsdata.standards import available, profile

P2015, A1, P2026 = "ISO 9001:2015", "ISO 9001:2015+A1:2024", "ISO 9001:2026"


def _with_standard(workbook: Path, standard: str | None) -> Path:
    toml = workbook / "qms.toml"
    text = toml.read_text(encoding="utf-8")
    if standard is not None:
        text = text.replace("[workbook]\n", f'[workbook]\nstandard = "{standard}"\n', 1)
    toml.write_text(text, encoding="utf-8")
    return workbook


def test_input_clause_is_written_as_the_pack_writes_it():
    assert input_clause("9.3.2 c 6") == "9.3.2 c) 6"
    assert input_clause("9.3.2 e") == "9.3.2 e)"
    assert input_clause("9.3.3") == "9.3.3"


@pytest.mark.parametrize("name", available())
def test_registry_and_profile_agree_on_which_section_answers_each_input(name):
    prof = profile(name)
    for item in prof.inputs:
        assert item.section in SECTIONS, (name, item.id)
        assert item.id in SECTIONS[item.section].inputs, (name, item.id, item.section)
    for s in SECTIONS.values():
        for input_id in s.inputs:
            if any(i.id == input_id for i in prof.inputs):
                assert prof.input(input_id).section == s.id, (name, input_id)
    labelled_ids = [s.id for s in sections_for(prof) if s.inputs]
    assert labelled_ids == [s.id for s in SECTIONS.values() if s.inputs]


def test_labels_come_from_the_profile_and_switch_with_it():
    sec = SECTIONS["20_context"]
    l15, la1, l26 = (section_label(sec, p) for p in (P2015, A1, P2026))
    assert l15 == "9.3.2 b) — Changes in external and internal issues"
    assert la1.startswith("9.3.2 b) — ") and "climate change" in la1 and "climate" not in l15
    assert "needs and expectations of interested parties (provisional)" in l26
    assert section_label(SECTIONS["32_objectives"], P2015) == (
        "9.3.2 c) 2 — " + profile(P2015).label("c2")
    )
    # the registry itself carries the default profile's labels (the newest published edition)
    assert SECTIONS["20_context"].label == la1
    # sections that answer no review input keep the registry's clause and title
    for sid in ("00_summary", "80_outputs", "90_data_quality", "99_evidence"):
        assert labelled(SECTIONS[sid], P2026) == SECTIONS[sid]


def test_standard_label_marks_a_draft_edition_provisional():
    assert standard_label(A1) == A1
    assert standard_label(P2026) == f"{P2026} (provisional: draft standard, not yet published)"


def test_coverage_rows_and_not_covered_follow_the_profile(tmp_path: Path):
    status = {"10_previous_actions": "ok", "20_context": "ok"}
    t15 = coverage_table(tmp_path / "none", "2026-10", status, profile=P2015)
    t26 = coverage_table(tmp_path / "none", "2026-10", status, profile=P2026)
    assert len(t15) == len(t26) == 13
    assert "9.3.2 b) Changes in external and internal issues" in t15.index
    b26 = [i for i in t26.index if i.startswith("9.3.2 b)")]
    assert len(b26) == 1 and "interested parties (provisional)" in b26[0]
    assert t26.loc[b26[0], "2026-10"] == "covered"
    missing15 = not_covered_labels(["10_previous_actions"], P2015)
    missing26 = not_covered_labels(["10_previous_actions"], P2026)
    assert "9.3.2 b) — Changes in external and internal issues" in missing15
    assert "9.3.2 b) — Changes in external and internal issues" not in missing26


def test_coverage_section_names_the_standard(tmp_path: Path):
    (tmp_path / "build" / "data").mkdir(parents=True)
    frag = coverage_fragment(
        tmp_path / "reports" / "2026-10", {}, tmp_path / "build", profile=P2026
    )
    assert "ISO 9001:2026 (provisional" in frag.label
    frag = coverage_fragment(tmp_path / "reports" / "2026-10", {}, tmp_path / "build")
    assert frag.label.endswith(A1)


@pytest.mark.parametrize("standard", [P2015, A1, P2026])
def test_switching_workbook_standard_changes_the_labels(tiny_workbook: Path, standard: str):
    wb = _with_standard(tiny_workbook, standard)
    name = resolve_standard(read_config(wb), "2026-10-31")
    assert name == standard
    labels = {s.id: s.label for s in sections_for(name)}
    assert labels["20_context"] == section_label(SECTIONS["20_context"], standard)
    req = PackRequest.create(wb, "2026-10", out=tiny_workbook.parent / "reports")
    facts = dict(pack_facts(req, "Org", standard=standard_label(name)))
    assert facts["Standard"].startswith(standard)
    assert ("provisional" in facts["Standard"]) == (standard == P2026)


def test_without_a_standard_the_edition_in_force_is_used(tiny_workbook: Path):
    config = read_config(tiny_workbook)
    assert resolve_standard(config, "2026-10-31") == A1
    assert resolve_standard(config, "2023-06-30") == P2015


def test_the_context_carries_the_standard(tiny_workbook: Path):
    from qmsdata.pack.context import section_context

    _with_standard(tiny_workbook, P2026)
    ctx = section_context(workbook=tiny_workbook, period="2026-10")
    assert ctx.standard == P2026
    assert SectionContext.from_json(ctx.to_json()).standard == P2026


@pytest.mark.slow
def test_pack_built_on_the_draft_standard_says_so(tiny_workbook: Path, tmp_path: Path, notebooks):
    """One small build: the header, the contents, the section title and the manifest."""
    from qmsdata.pack import build_pack

    _with_standard(tiny_workbook, P2026)
    folder = tmp_path / "nbs"
    folder.mkdir()
    notebooks.make(folder / "20_context.ipynb", notebooks.ok_cell)
    shutil.copy(SECTIONS["95_readiness"].notebook(), folder)  # the real readiness section
    result = build_pack(
        tiny_workbook,
        "2026-10",
        out=tmp_path / "reports",
        formats=("html",),
        notebook_dir=folder,
        progress=False,
    )
    assert result.ok, [r.error for r in result.failed]
    page = (result.path / "pack.html").read_text(encoding="utf-8")
    label = section_label(SECTIONS["20_context"], P2026)
    assert "<th>Standard</th><td>ISO 9001:2026 (provisional: draft standard" in page
    assert f">{label}</a>" in page  # the contents
    assert "needs and expectations of interested parties (provisional)" in page
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["standard"] == {"name": P2026, "provisional": True}
    sec = manifest["sections"][0]
    assert sec["clause"] == "9.3.2 b)" and sec["title"] == label.split(" — ", 1)[1]
    # readiness on a workbook with review actions only: records not configured are "not
    # assessed", never "no evidence"; the draft edition's transition list is there
    rules = pd.read_csv(result.path / "data" / "95_readiness--rules.csv", dtype=str)
    other = ~rules["records_read"].str.contains("review_actions")
    assert other.sum() > 5 and (rules.loc[other, "verdict"] == "not assessed").all()
    assert "ISO 9001:2026 is a draft standard" in page
    transition = pd.read_csv(result.path / "data" / "95_readiness--transition.csv", dtype=str)
    assert "9.2.2" in set(transition["clause"])
    assert section_label(SECTIONS["32_objectives"], P2026) in result.not_covered
    assert label not in result.not_covered
