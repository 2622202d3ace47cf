"""A site's pack says which records it left out because they name no site (qmsdata.pack.scope).

A two-site export (Leeds, Brno): complaints and audit findings, some with no site recorded, one
complaint ID with HTML in it. Before the fix the Leeds pack counted Leeds's complaints and never
said that others had no site at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from qmsdata.pack.export import assemble
from qmsdata.pack.manifest import pack_facts
from qmsdata.pack.scope import LEFT_OUT_CSV, left_out_sentence, pack_scope, scope_fact

HOSTILE_ID = "C-<b>9</b>&"


def _entry(record_type: str, ids: list[str], column: str = "site", reason: str = "not_recorded"):
    return dict(record_type=record_type, column=column, reason=reason, count=len(ids), ids=ids)


def test_the_sentence_names_count_and_ids_and_caps_long_lists():
    many = [f"C-{i:04d}" for i in range(1, 14)]
    text = left_out_sentence([_entry("complaints", many), _entry("audit_findings", ["AF-07"])])
    assert text.startswith(
        "13 complaints with no site recorded (C-0001, C-0002, C-0003, C-0004, C-0005, C-0006, "
        "C-0007, C-0008, C-0009, C-0010 and 3 more); 1 audit finding with no site recorded "
        "(AF-07)."
    ), text
    assert "C-0011" not in text and f"Every ID is listed in {LEFT_OUT_CSV}." in text
    short = left_out_sentence([_entry("audit_findings", ["AF-07", "AF-09"])])
    assert "(AF-07, AF-09)" in short and "listed in" not in short  # nothing hidden: no pointer
    product = left_out_sentence(
        [_entry("changes", ["CH2"], "product", "every_product")], max_ids=10
    )
    assert product.startswith("1 change not specific to one product (CH2).")
    assert left_out_sentence([]) == ""


def _request(site=None, product=None):
    return SimpleNamespace(
        workbook=Path("wb"),
        period="2026-10",
        site=site,
        product=product,
        as_of="2026-10-31",
        data_as_of="2026-10-31",
    )


def test_the_cover_shows_it_escaped_and_the_all_sites_cover_says_nothing():
    entries = [_entry("complaints", ["C-0012", HOSTILE_ID]), _entry("audit_findings", ["AF-07"])]
    facts = pack_facts(_request(site="Leeds"), "Org", scope={"left_out": entries})
    labels = [label for label, _ in facts]
    assert labels.index("Not in this site's pack") == labels.index("Site") + 1
    page = assemble([], title="t", facts=facts, mode="print")
    assert "2 complaints with no site recorded (C-0012, C-&lt;b&gt;9&lt;/b&gt;&amp;)" in page
    assert "<b>9</b>" not in page
    assert "nan" not in dict(facts)["Not in this site's pack"]
    assert "None" not in page
    # a product's pack names its product (the cover said only "Site: all sites" before)
    facts = dict(pack_facts(_request(product="P1"), "Org", scope={"left_out": entries}))
    assert facts["Product"] == "P1" and "Not in this product's pack" in facts
    assert scope_fact(entries, site="Leeds", product="P1")[0] == "Not in this pack"
    # the whole organisation's pack: nothing left out, nothing said
    plain = pack_facts(_request(), "Org", scope={"left_out": []})
    assert not [label for label, _ in plain if label.startswith("Not in")]


def test_the_whole_organisations_pack_reads_nothing_and_writes_no_list(tmp_path):
    scope = pack_scope(tmp_path, tmp_path / "no-snapshot", site=None, product=None)
    assert scope == {
        "site": None,
        "product": None,
        "left_out": [],
        "left_out_file": None,
        "note": None,
    }
    assert not (tmp_path / "data").exists()


def _export(folder: Path, complaints: list[str]) -> Path:
    from workbooks import GOOD, good_frame, write_workbook

    frames = {n: good_frame(n) for n in ("review_actions", "audit_findings")}
    frames["complaints"] = pd.DataFrame(
        [
            {**GOOD["complaints"][0], "complaint_id": cid, "site": site, "capa_id": ""}
            for cid, site in (c.split("|") for c in complaints)
        ],
        dtype="str",
    )
    findings = frames["audit_findings"]
    frames["audit_findings"] = pd.concat(
        [findings, findings.iloc[[0, 0]].assign(finding_id=["AF-07", "AF-09"], site="")],
        ignore_index=True,
    ).assign(capa_id="")
    return write_workbook(folder, frames)


@pytest.mark.slow
def test_a_site_pack_discloses_what_it_left_out_and_follows_the_records(
    tmp_path, tiny_sections, monkeypatch
):
    from qmsdata.pack import build_pack, verify_pack

    monkeypatch.setattr("qmsdata.pack.cache.code_fingerprint", lambda: "code-v1")
    folder, sections = tiny_sections
    kw = dict(
        out=tmp_path / "reports",
        notebook_dir=folder,
        sections=sections[:1],
        formats=["html"],
        progress=False,
    )
    wb = _export(
        tmp_path / "wb", ["C-0001|Leeds", "C-0002|Brno", "C-0012|", f"{HOSTILE_ID}|", "C-0020|"]
    )
    pack = build_pack(wb, "2026-10", site="Leeds", **kw).path
    page = (pack / "pack.html").read_text(encoding="utf-8")
    assert (
        "<th>Not in this site&#39;s pack</th><td>3 complaints with no site recorded (C-0012, "
        "C-&lt;b&gt;9&lt;/b&gt;&amp;, C-0020); 2 audit findings with no site recorded "
        "(AF-07, AF-09)."
    ) in page
    assert "<b>9</b>" not in page
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scope"]["left_out"] == [
        dict(
            record_type="complaints",
            column="site",
            reason="not_recorded",
            count=3,
            ids=["C-0012", HOSTILE_ID, "C-0020"],
        ),
        dict(
            record_type="audit_findings",
            column="site",
            reason="not_recorded",
            count=2,
            ids=["AF-07", "AF-09"],
        ),
    ]
    listed = pd.read_csv(pack / LEFT_OUT_CSV, encoding="utf-8-sig")
    assert listed["record_id"].tolist() == ["C-0012", HOSTILE_ID, "C-0020", "AF-07", "AF-09"]
    assert verify_pack(pack).ok  # the list is one of the pack's hashed outputs

    # the records change, the section (it reads review actions only) comes from the cache,
    # and the cover still tells the new truth: it is the build's, never cached
    _export(tmp_path / "wb", ["C-0001|Leeds", "C-0002|Brno", "C-0012|Leeds"])
    again = build_pack(wb, "2026-10", site="Leeds", **kw)
    assert all(r.cached for r in again.sections)
    page = (again.path / "pack.html").read_text(encoding="utf-8")
    assert "complaints with no site" not in page
    assert "2 audit findings with no site recorded (AF-07, AF-09)." in page

    whole = build_pack(wb, "2026-10", **kw).path
    page = (whole / "pack.html").read_text(encoding="utf-8")
    assert "Not in this" not in page and "no site recorded" not in page
    assert json.loads((whole / "manifest.json").read_text())["scope"]["left_out"] == []
    assert not (whole / LEFT_OUT_CSV).exists()


def test_the_digest_repeats_the_covers_note(tmp_path):
    from qmsdata.pack.digest import digest_from

    note = left_out_sentence([_entry("complaints", [HOSTILE_ID])])
    manifest = {
        "period": "2026-10",
        "site": "Leeds",
        "as_of": "2026-10-31",
        "data_as_of": "2026-10-31",
        "scope": {"note": note},
    }
    digest = digest_from(manifest, tmp_path / "data", tmp_path)
    assert f"Not in this pack: 1 complaint with no site recorded ({HOSTILE_ID})." in digest.facts
    assert "None" not in digest_from({**manifest, "scope": None}, tmp_path, tmp_path).facts


def test_a_section_asking_for_the_rows_left_out_is_keyed_on_every_frame(tmp_path):
    """A section reading this must re-run when any row changes: it counts as reading all."""
    import qmsdata
    from qmsdata.pack.reads import Tracker, tracked

    wb = qmsdata.load(_export(tmp_path / "wb", ["C-0001|Leeds", "C-0012|"]))
    tracker = Tracker()
    got = tracked(wb, tracker).left_out(site="Leeds")
    assert [(x.record_type, x.ids) for x in got] == [
        ("complaints", ("C-0012",)),
        ("audit_findings", ("AF-07", "AF-09")),
    ]
    assert tracker.to_json()["everything"] == ["wb._frames"]
