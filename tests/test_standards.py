"""Clause profiles: package data, frozen, selected in qms.toml, labels follow the edition."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

import pytest
from workbooks import good_frame, write_workbook

from qmsdata import standards as S
from qmsdata.analytics.readiness import CHECKS, readiness_report
from qmsdata.config import read_config
from qmsdata.errors import ConfigError

NAMES = ["ISO 9001:2015", "ISO 9001:2015+A1:2024", "ISO 9001:2026"]


def test_profiles_are_json_package_data():
    assert S.available() == NAMES
    root = resources.files("qmsdata.standards")
    for file in S.FILES:
        assert json.loads(root.joinpath(file).read_text(encoding="utf-8"))["name"] in NAMES


def test_profile_is_frozen_and_cached():
    p = S.profile("ISO 9001:2015")
    assert S.profile("iso 9001 : 2015") is p and S.profile("9001:2015") is p
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.rules[0].params["months"] = 3  # type: ignore[index]


def test_unknown_standard_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown standard.*ISO 9001:2015\+A1:2024"):
        S.profile("ISO 9001:2008")


@pytest.mark.parametrize(
    "date, name",
    [
        ("2020-01-01", "ISO 9001:2015"),
        ("2024-02-22", "ISO 9001:2015"),
        ("2024-02-23", "ISO 9001:2015+A1:2024"),  # Amendment 1: no transition period
        ("2026-12-01", "ISO 9001:2015+A1:2024"),  # the 2026 draft is provisional: never default
        ("2031-01-01", "ISO 9001:2015+A1:2024"),
    ],
)
def test_default_is_the_edition_in_force(date, name):
    assert S.default_standard(date) == name
    assert S.profile(None, as_of=date).name == name


@pytest.mark.parametrize("name", NAMES)
def test_profile_is_consistent(name):
    p = S.profile(name)
    numbers = [c.number for c in p.clauses]
    assert numbers == sorted(numbers, key=lambda n: tuple(map(int, n.split("."))))
    assert len(set(numbers)) == len(numbers)
    assert [i.id for i in p.inputs][:3] == ["a", "b", "c1" if name != NAMES[2] else "b2"]
    assert {f"c{k}" for k in range(1, 8)} <= {i.id for i in p.inputs}
    for rule in p.rules:
        assert rule.check in CHECKS and rule.clause in numbers and rule.text
    for stage in p.stages:
        for cond in stage.conditions:
            if cond.kind == "clause":
                assert cond.params["clause"] in numbers
    assert set(p.verdict_points) == {
        "evidenced",
        "partly evidenced",
        "no evidence in the records",
        "nonconforming",
    }
    assert [s.number for s in p.stages] == [1, 2, 3, 4, 5, 6]
    assert len(p.audit_clauses) == 28  # 4.1 ... 10.3


def test_editions_differ_where_the_standard_changed():
    p15, a1, p26 = (S.profile(n) for n in NAMES)
    assert "climate" not in p15.label("b") and "climate" in a1.label("b")
    assert "climate" in a1.clause("4.2").title and "climate" not in p15.clause("4.2").title
    assert not p15.provisional and not a1.provisional and p26.provisional
    assert p26.in_force_from is None and "PROVISIONAL" in p26.note
    assert {"5.1.1", "6.1.2", "6.1.3", "9.2.2"} <= {c.number for c in p26.clauses}
    assert p26.input("b2").provisional and [i.id for i in p26.inputs].index("b2") == 2
    assert [c.number for c in p26.children("6.1")] == ["6.1.2", "6.1.3"]
    assert {r.clause for r in p26.rules if r.check == "risk_actions"} == {"6.1.2", "6.1.3"}
    assert "expected_direction" in p26.rules_for("6.3")[0].params["require"]
    assert p26.clause("5.1.1").provisional and not p26.clause("4.3").provisional
    assert p15.transition == () and {t.clause for t in p26.transition} >= {"5.1.1", "6.3"}


def test_config_reads_the_standard_key(tmp_path):
    (tmp_path / "qms.toml").write_text('[workbook]\nstandard = " ISO 9001:2026 "\n')
    assert read_config(tmp_path).standard == "ISO 9001:2026"
    (tmp_path / "qms.toml").write_text("[workbook]\n")
    assert read_config(tmp_path).standard is None
    (tmp_path / "qms.toml").write_text("[workbook]\nstandard = 2015\n")
    with pytest.raises(ConfigError, match="standard"):
        read_config(tmp_path)


def test_profile_for_reads_the_workbook_config(tmp_path):
    (tmp_path / "qms.toml").write_text('[workbook]\nstandard = "ISO 9001:2015"\n')
    cfg = read_config(tmp_path)
    assert S.profile_for({"config": cfg}).name == "ISO 9001:2015"
    assert S.profile_for({"config": cfg}, "ISO 9001:2026").name == "ISO 9001:2026"
    (tmp_path / "qms.toml").write_text('[workbook]\nstandard = "ISO 9001:2000"\n')
    with pytest.raises(ConfigError, match="qms.toml"):
        S.profile_for({"config": read_config(tmp_path)})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Load one small workbook per edition (only the context register, to keep it quick)."""
    import qmsdata

    out = {}
    for name in (None, "ISO 9001:2015", "ISO 9001:2026"):
        folder = tmp_path_factory.mktemp("wb")
        toml = '[workbook]\norganisation = "T"\nsites = ["Leeds", "Brno"]\nas_of = 2026-10-31\n'
        if name:
            toml += f'standard = "{name}"\n'
        write_workbook(folder, {"context_issues": good_frame("context_issues")}, workbook_toml=toml)
        out[name] = qmsdata.load(folder)
    return out


def test_switching_profiles_in_qms_toml_changes_labels_and_clauses(loaded):
    default = readiness_report(loaded[None])
    p15 = readiness_report(loaded["ISO 9001:2015"])
    p26 = readiness_report(loaded["ISO 9001:2026"])
    assert default.profile.name == "ISO 9001:2015+A1:2024"  # in force on 2026-10-31
    assert p15.profile.name == "ISO 9001:2015" and p26.profile.name == "ISO 9001:2026"
    rule = {
        r.profile.name: r.clauses.set_index("clause").loc["4.1", "rule"] for r in (default, p15)
    }
    assert "climate" in rule["ISO 9001:2015+A1:2024"] and "climate" not in rule["ISO 9001:2015"]
    assert "6.1.2" in set(p26.clauses["clause"]) and "6.1.2" not in set(p15.clauses["clause"])
    assert p26.clauses["provisional"].all() and not p15.clauses["provisional"].any()
    # the good rows: CI2 names climate change, both noted in 2026 -> evidenced in every edition
    assert (default.clauses.set_index("clause").loc["4.1", "verdict"]) == "evidenced"
