"""Clause profiles of ISO 9001 as data: one JSON file per edition, read as package data.

A profile holds what belongs to an edition of the standard rather than to the code: the clause
numbers with short titles (qmsdata's own words, never the standard's text), the management
review inputs of 9.3.2 with their labels and pack sections, the readiness rules per clause
(which check reads which records, with the rule text shown beside the verdict), the weights
of the readiness score, the road to certification and, for a new edition, the transition list.

>>> from qmsdata.standards import profile
>>> p = profile("ISO 9001:2015+A1:2024")
>>> p.label("b")                                  # doctest: +ELLIPSIS
'Changes in external and internal issues, including whether climate change is relevant'

A profile file may ``extend`` another: its clauses, inputs and rules replace the parent's
entries with the same key (clause number, input id, rule id) or are added; ``remove_rules``
drops parent rules. A workbook selects its profile with ``[workbook] standard = "..."`` in
``qms.toml``; without it the edition in force on the data date is used
(:func:`default_standard`). Provisional profiles (drafts) are never the default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from qmsdata.errors import ConfigError

__all__ = [
    "Clause",
    "Condition",
    "Profile",
    "ReviewInput",
    "Rule",
    "Stage",
    "TransitionItem",
    "available",
    "default_standard",
    "profile",
    "profile_for",
]

#: the JSON files of the package, one per edition
FILES = ("iso9001_2015.json", "iso9001_2015_a1_2024.json", "iso9001_2026.json")

#: verdict words, strongest evidence first (``not assessed`` is not on this scale)
VERDICTS = ("evidenced", "partly evidenced", "no evidence in the records", "nonconforming")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class Clause:
    """A clause of the edition: ``number`` ("6.1.2"), short ``title``, optional ``note``."""

    number: str
    title: str
    note: str = ""
    provisional: bool = False

    @property
    def parts(self) -> tuple[int, ...]:
        """Return the clause number as integers, for ordering (``"10.2"`` -> ``(10, 2)``)."""
        return tuple(int(p) for p in self.number.split("."))

    @property
    def level(self) -> int:
        """Return the depth of the number (``"9.1.2"`` -> 3)."""
        return len(self.parts)


@dataclass(frozen=True)
class ReviewInput:
    """A management review input of 9.3.2: id (``c1``), clause text, label, pack section."""

    id: str
    clause: str
    label: str
    section: str
    provisional: bool = False


@dataclass(frozen=True)
class Rule:
    """A readiness rule: a named check (in :mod:`qmsdata.analytics.readiness`) on a clause.

    Attributes
    ----------
    id
        Stable rule id (``audit-cycle``).
    clause
        The clause it gives evidence for.
    check
        Name of the evaluator in ``readiness.CHECKS``.
    records
        Record types it reads; when none of them is configured the verdict is "not assessed".
    text
        The rule as shown beside the verdict.
    proxy
        What the rule uses as a stand-in for the requirement, when it does ("" otherwise).
    params
        The check's parameters (window months, required columns, ...), read-only.
    """

    id: str
    clause: str
    check: str
    records: tuple[str, ...]
    text: str
    proxy: str = ""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Condition:
    """A condition of a road stage; ``kind`` says how it is judged (see readiness.road)."""

    id: str
    kind: str
    text: str
    next_step: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Stage:
    """A stage on the road to certification with its conditions, in road order."""

    number: int
    id: str
    title: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class TransitionItem:
    """A new or changed requirement of the edition (``kind`` ``new`` | ``changed``)."""

    clause: str
    kind: str
    change: str
    evidence: str = ""


@dataclass(frozen=True)
class Profile:
    """One edition of ISO 9001 as data (frozen; build it with :func:`profile`).

    Attributes
    ----------
    name
        ``"ISO 9001:2015"``, ``"ISO 9001:2015+A1:2024"`` or ``"ISO 9001:2026"``.
    title, note
        Human title; what the profile is built from (and, when provisional, why).
    provisional
        True for a draft edition: its verdicts are marked provisional and it is never the
        default.
    in_force_from
        Publication date (None while provisional).
    clauses, inputs, rules
        In clause order / 9.3.2 order / profile order.
    verdict_points, clause_weights, default_weight, score_explanation
        The readiness score's documented weights.
    stages
        The road to certification.
    transition
        New and changed requirements against the previous edition (empty for 2015).
    """

    name: str
    title: str
    note: str
    provisional: bool
    in_force_from: dt.date | None
    clauses: tuple[Clause, ...]
    inputs: tuple[ReviewInput, ...]
    rules: tuple[Rule, ...]
    verdict_points: Mapping[str, float]
    clause_weights: Mapping[str, float]
    default_weight: float
    score_explanation: str
    stages: tuple[Stage, ...]
    transition: tuple[TransitionItem, ...]

    def clause(self, number: str) -> Clause:
        """Return the clause ``number``; KeyError when the edition has no such clause."""
        for c in self.clauses:
            if c.number == number:
                return c
        raise KeyError(f"{self.name} has no clause {number!r}")

    def input(self, input_id: str) -> ReviewInput:
        """Return the review input ``input_id`` (``"c6"``)."""
        for i in self.inputs:
            if i.id == input_id:
                return i
        raise KeyError(f"{self.name} has no review input {input_id!r}")

    def label(self, input_id: str) -> str:
        """Return the label of review input ``input_id``."""
        return self.input(input_id).label

    def rules_for(self, number: str) -> tuple[Rule, ...]:
        """Return the rules giving evidence for clause ``number`` itself."""
        return tuple(r for r in self.rules if r.clause == number)

    def children(self, number: str) -> tuple[Clause, ...]:
        """Return the clauses directly below ``number`` in this profile."""
        depth = number.count(".") + 1
        return tuple(
            c
            for c in self.clauses
            if c.number.startswith(number + ".") and c.number.count(".") == depth
        )

    def weight(self, number: str) -> float:
        """Return the clause's weight in the readiness score."""
        return float(self.clause_weights.get(number, self.default_weight))

    @property
    def audit_clauses(self) -> tuple[str, ...]:
        """Return the clause numbers an internal audit cycle must cover (two-level numbers)."""
        return tuple(c.number for c in self.clauses if c.level == 2)


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------
def _key(name: str) -> str:
    """Return the comparison key of a profile name: case, spaces and 'ISO' do not matter."""
    text = re.sub(r"\s+", "", str(name)).upper()
    return text.removeprefix("ISO")


@cache
def _raw() -> dict[str, dict[str, Any]]:
    out = {}
    root = resources.files("qmsdata.standards")
    for file in FILES:
        data = json.loads(root.joinpath(file).read_text(encoding="utf-8"))
        out[data["name"]] = data
    return out


def _merge(name: str, raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data = raw[name]
    if "extends" not in data:
        return dict(data)
    base = _merge(data["extends"], raw)
    out = {**base, **{k: v for k, v in data.items() if k not in ("clauses", "inputs", "rules")}}
    clauses = {c["number"]: c for c in base["clauses"]}
    clauses.update({c["number"]: c for c in data.get("clauses", [])})
    out["clauses"] = sorted(
        clauses.values(), key=lambda c: tuple(int(p) for p in c["number"].split("."))
    )
    inputs = list(base["inputs"])
    for item in data.get("inputs", []):
        ids = [i["id"] for i in inputs]
        if item["id"] in ids:
            inputs[ids.index(item["id"])] = item
        elif item.get("after") in ids:
            inputs.insert(ids.index(item["after"]) + 1, item)
        else:
            inputs.append(item)
    out["inputs"] = inputs
    drop = set(data.get("remove_rules", []))
    rules = [r for r in base["rules"] if r["id"] not in drop]
    for item in data.get("rules", []):
        ids = [r["id"] for r in rules]
        if item["id"] in ids:
            rules[ids.index(item["id"])] = item
        else:
            rules.append(item)
    out["rules"] = rules
    out.pop("extends", None)
    out.pop("remove_rules", None)
    if "transition" not in data:
        out["transition"] = []
    return out


def _build(data: dict[str, Any]) -> Profile:
    score = data["score"]
    when = data.get("in_force_from")
    stages = []
    for n, s in enumerate(data["road"], start=1):
        conds = []
        for c in s["conditions"]:
            params = {k: v for k, v in c.items() if k not in ("id", "kind", "text", "next_step")}
            conds.append(Condition(c["id"], c["kind"], c["text"], c["next_step"], _freeze(params)))
        stages.append(Stage(n, s["id"], s["title"], tuple(conds)))
    return Profile(
        name=data["name"],
        title=data["title"],
        note=data.get("note", ""),
        provisional=bool(data.get("provisional", False)),
        in_force_from=dt.date.fromisoformat(when) if when else None,
        clauses=tuple(
            Clause(c["number"], c["title"], c.get("note", ""), bool(c.get("provisional", False)))
            for c in data["clauses"]
        ),
        inputs=tuple(
            ReviewInput(
                i["id"], i["clause"], i["label"], i["section"], bool(i.get("provisional", False))
            )
            for i in data["inputs"]
        ),
        rules=tuple(
            Rule(
                r["id"],
                r["clause"],
                r["check"],
                tuple(r["records"]),
                r["text"],
                r.get("proxy", ""),
                _freeze(r.get("params", {})),
            )
            for r in data["rules"]
        ),
        verdict_points=_freeze(score["verdict_points"]),
        clause_weights=_freeze(score.get("clause_weights", {})),
        default_weight=float(score.get("default_weight", 1)),
        score_explanation=score.get("explanation", ""),
        stages=tuple(stages),
        transition=tuple(
            TransitionItem(t["clause"], t["kind"], t["change"], t.get("evidence", ""))
            for t in data.get("transition", [])
        ),
    )


@cache
def _profile(name: str) -> Profile:
    return _build(_merge(name, _raw()))


def available() -> list[str]:
    """Return the names of the profiles shipped with qmsdata, oldest edition first."""
    return list(_raw())


def profile(name: str | None = None, *, as_of: Any = None) -> Profile:
    """Return the clause profile called ``name`` (frozen; the same object on every call).

    Parameters
    ----------
    name
        ``"ISO 9001:2015"``, ``"ISO 9001:2015+A1:2024"``, ``"ISO 9001:2026"`` (case, spaces
        and the ``ISO`` prefix do not matter). None: the edition in force on ``as_of``.
    as_of
        Date deciding the default edition (None: today's date is NOT read; the newest
        published edition is used).

    Raises
    ------
    ConfigError
        Unknown name; the message lists the known profiles.
    """
    if name is None:
        return _profile(default_standard(as_of))
    wanted = _key(name)
    for known in _raw():
        if _key(known) == wanted:
            return _profile(known)
    raise ConfigError(
        f"unknown standard {name!r}",
        hint=f"Set [workbook] standard to one of: {', '.join(available())}.",
    )


def default_standard(as_of: Any = None) -> str:
    """Return the name of the edition in force on ``as_of`` (provisional drafts excluded).

    The newest published edition whose publication date is on or before ``as_of``; with no
    date, the newest published edition. (Amendment 1:2024 had no transition period, so from
    23 February 2024 it is the edition in force.)
    """
    when = None
    if as_of is not None:  # pandas only for a date to read (the pack registry imports this)
        import pandas as pd

        when = pd.Timestamp(as_of).date()
    best = None
    for name, data in _raw().items():
        start = data.get("in_force_from")
        if data.get("provisional") or not start:
            continue
        start = dt.date.fromisoformat(start)
        if when is not None and start > when:
            continue
        if best is None or start > best[1]:
            best = (name, start)
    if best is None:
        return available()[0]
    return best[0]


def profile_for(workbook: Any, name: str | None = None, *, as_of: Any = None) -> Profile:
    """Return the profile for ``workbook``: ``name``, else ``[workbook] standard``, else default.

    The default is the edition in force on ``as_of`` (else the workbook's data date).
    """
    config = getattr(workbook, "config", None)
    if config is None and isinstance(workbook, dict):
        config = workbook.get("config")
    chosen = name or getattr(config, "standard", None)
    if chosen is not None:
        try:
            return profile(chosen)
        except ConfigError as exc:
            raise ConfigError(
                exc.message, file=getattr(config, "file", None), hint=exc.hint
            ) from None
    when = as_of if as_of is not None else getattr(workbook, "as_of", None)
    return profile(None, as_of=when)
