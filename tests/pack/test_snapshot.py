"""Snapshots read back: the same workbook, or a clear error naming the folder."""

from __future__ import annotations

import json

import pytest

import qmsdata
from qmsdata.errors import PackError
from qmsdata.pack.snapshot import read_snapshot, write_snapshot


def test_snapshot_round_trip_is_a_workbook(tiny_workbook, tmp_path):
    wb = qmsdata.load(tiny_workbook)
    back = read_snapshot(write_snapshot(wb, tmp_path / "snap"))
    assert isinstance(back, qmsdata.Workbook)
    assert list(back["review_actions"]["action_id"]) == list(wb["review_actions"]["action_id"])


def test_snapshot_of_another_version_is_a_clear_error(tiny_workbook, tmp_path):
    """A snapshot whose provenance has fields this version does not know (another qmsdata
    wrote it) used to come back as a stand-in object, and sections failed with
    "TypeError: 'SnapshotWorkbook' object is not subscriptable"."""
    folder = write_snapshot(qmsdata.load(tiny_workbook), tmp_path / "snap")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    for prov in meta["provenance"].values():
        prov["field_of_a_later_version"] = 1
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(PackError, match="another version of qmsdata") as err:
        read_snapshot(folder)
    assert str(folder) in str(err.value) or err.value.file == folder
