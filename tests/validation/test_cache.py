"""The validation cache: reused only while nothing the result depends on changed."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

import qmsdata
from qmsdata.workbook import load


def test_second_load_reuses_every_record_type_and_gives_the_same_workbook(good_workbook, tmp_path):
    first = load(good_workbook, cache_dir=tmp_path / "cache")
    assert first.reused == []
    second = load(good_workbook, cache_dir=tmp_path / "cache")
    assert sorted(second.reused) == sorted(first.validation.index[first.validation.configured])
    for name in first.validation.index[first.validation.configured]:
        assert_frame_equal(getattr(first, name), getattr(second, name))
        assert_frame_equal(first.rejects[name], second.rejects[name])
    assert_frame_equal(first.failures, second.failures)
    assert_frame_equal(first.validation, second.validation)


def test_a_changed_source_or_data_date_is_validated_again(good_workbook, tmp_path):
    load(good_workbook, cache_dir=tmp_path / "cache")
    other = load(good_workbook, as_of="2030-01-31", cache_dir=tmp_path / "cache")
    assert other.reused == []
    path = good_workbook / "complaints.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = load(good_workbook, cache_dir=tmp_path / "cache")
    assert "complaints" not in again.reused
    assert "production" in again.reused


def test_without_cache_dir_nothing_is_reused(good_workbook):
    assert qmsdata.load(good_workbook).reused == []
    assert isinstance(qmsdata.load(good_workbook).failures, pd.DataFrame)
