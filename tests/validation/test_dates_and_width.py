"""Dates a source writes for "no date", the plausible window, and absurdly wide sources.

Issue 16, points 12 and 13: ``9999-12-31`` was "cannot read as a date" (past pandas'
nanosecond range) and 1900 dates passed; validation time grew with the square of the column
count.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

import qmsdata
from qmsdata.errors import ConfigError, SchemaError
from qmsdata.validation import MAX_COLUMNS, validate

AS_OF = "2026-10-31"


def _capas(good, **changes):
    frame = good("corrective_actions")
    for column, value in changes.items():
        frame.loc[0, column] = value
    return frame


def test_placeholders_declared_in_qms_toml_are_missing_dates(tmp_path, make_workbook, good):
    frame = _capas(good, closed_date="9999-12-31", status="open", effective="")
    folder = make_workbook(
        tmp_path / "wb",
        {"corrective_actions": frame},
        extra={"corrective_actions": 'missing_dates = ["9999-12-31", 1900-01-01]'},
    )
    wb = qmsdata.load(folder)
    assert wb.config.records["corrective_actions"].missing_dates == (
        dt.date(9999, 12, 31),
        dt.date(1900, 1, 1),
    )
    assert len(wb.rejects["corrective_actions"]) == 0
    assert wb.corrective_actions["closed_date"].isna().iloc[0]


def test_undeclared_placeholder_is_quarantined_as_implausible(tmp_path, make_workbook, good):
    frame = _capas(good, due_date="9999-12-31")
    wb = qmsdata.load(make_workbook(tmp_path / "wb", {"corrective_actions": frame}))
    f = wb.failures
    got = f[["source_row", "column", "check"]].values.tolist()
    assert got == [[1, "due_date", "plausible_date"]]
    assert "missing_dates under [records.corrective_actions]" in f.message.iloc[0]


def test_workbook_defaults_and_record_overrides(tmp_path, make_workbook, good):
    toml = (
        '[workbook]\norganisation = "T"\nsites = ["Leeds", "Brno"]\nas_of = 2026-10-31\n'
        'missing_dates = ["9999-12-31"]\nearliest_date = 1900-01-01\n'
    )
    frame = _capas(good, closed_date="9999-12-31", status="open", effective="")
    frame.loc[1, "opened_date"] = "1901-05-01"
    folder = make_workbook(
        tmp_path / "wb",
        {"corrective_actions": frame, "risks": good("risks")},
        workbook_toml=toml,
        extra={"risks": "earliest_date = 2000-01-01"},
    )
    cfg = qmsdata.load(folder).config
    capa, risks = cfg.records["corrective_actions"], cfg.records["risks"]
    assert capa.missing_dates == risks.missing_dates == (dt.date(9999, 12, 31),)
    assert capa.earliest_date == dt.date(1900, 1, 1) and risks.earliest_date == dt.date(2000, 1, 1)
    wb = qmsdata.load(folder)
    assert len(wb.rejects["corrective_actions"]) == 0, wb.rejects["corrective_actions"].reasons


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ('missing_dates = "9999-12-31"', "missing_dates must be a list of dates"),
        ('missing_dates = ["31/12/9999"]', "missing_dates must be a list of dates"),
        ("earliest_date = 1500-01-01", "earliest_date must be a date between 1678-01-01"),
        ('latest_date = "9999-12-31"', "latest_date must be a date between"),
        ("earliest_date = 2027-01-01\nlatest_date = 2026-01-01", "is after latest_date"),
    ],
)
def test_bad_date_settings_are_config_errors(tmp_path, make_workbook, good, line, pattern):
    folder = make_workbook(tmp_path / "wb", {"risks": good("risks")}, extra={"risks": line})
    with pytest.raises(ConfigError, match=pattern):
        qmsdata.load(folder)


def test_accepted_dates_stay_in_the_window(tmp_path, make_workbook, good):
    frame = _capas(good, due_date="2300-01-01")
    wb = qmsdata.load(make_workbook(tmp_path / "wb", {"corrective_actions": frame}))
    dates = wb.corrective_actions[["opened_date", "due_date", "closed_date"]]
    assert (dates.stack().dropna() <= pd.Timestamp("2199-12-31")).all()
    assert wb.failures.check.tolist() == ["plausible_date"]


# --- wide sources ----------------------------------------------------------------------------


def _wide(good, extra: int) -> pd.DataFrame:
    base = pd.concat([good("nonconformities")] * 25, ignore_index=True)  # 50 rows
    base["nc_id"] = [f"NC{i}" for i in range(len(base))]
    base.loc[3, "quantity"] = "lots"
    more = pd.DataFrame({f"x{j}": ["v"] * len(base) for j in range(extra)}, dtype="str")
    return pd.concat([base, more], axis=1)


def test_validation_time_is_linear_in_the_column_count(good):
    validate(_wide(good, 0), "nonconformities", as_of=AS_OF)  # GX imported and warm
    t0 = time.process_time()
    acc, rej, _ = validate(_wide(good, 1900), "nonconformities", as_of=AS_OF)
    seconds = time.process_time() - t0
    assert acc.shape == (49, 1900 + 16 + 1) and len(rej) == 1  # 16 canonical, source_row
    assert list(rej.columns)[-2:] == ["source_row", "reasons"]
    # before: ~35 CPU-s (popping 1,900 columns one by one from a frame is quadratic); now ~0.6
    assert seconds < 10, seconds


def test_sources_wider_than_the_limit_are_schema_errors_naming_the_file(good):
    frame = _wide(good, MAX_COLUMNS)
    with pytest.raises(SchemaError, match=r"has 2,0\d\d columns, more than the 2,000") as err:
        validate(frame, "nonconformities", as_of=AS_OF, file="exports/nc.csv")
    assert err.value.file == "exports/nc.csv" and err.value.record_type == "nonconformities"


def test_wide_csv_source_is_refused_at_load(tmp_path, make_workbook, good):
    frame = _wide(good, MAX_COLUMNS)
    folder = make_workbook(tmp_path / "wb", {"nonconformities": frame})
    with pytest.raises(SchemaError, match="more than the 2,000") as err:
        qmsdata.load(folder)
    assert err.value.file and err.value.file.endswith("nonconformities.csv")


def test_validated_frames_keep_numpy_positions(good):
    acc, rej, f = validate(_wide(good, 3), "nonconformities", as_of=AS_OF)
    assert np.array_equal(rej["source_row"].to_numpy(), [4])
    assert f.source_row.tolist() == [4] and acc["x0"].tolist() == ["v"] * 49


def test_dates_are_parsed_once_per_distinct_text_with_the_same_values():
    """A date column is parsed per distinct text and spread back by position: the values (and
    the unreadable ones) are those of parsing every row, in row order, for each format tried."""
    import numpy as np
    import pandas as pd

    from qmsdata.validation.coercion import _dates

    texts = ["2026-01-05", "05/01/2026", "", "2026-02-30", " 2026-01-05 ", "Jan 2026", None]
    s = pd.Series(np.array(texts * 40, dtype=object)[np.random.default_rng(1).permutation(280)])
    s = s.astype("str")
    for formats in (["ISO8601"], ["%d/%m/%Y"], ["ISO8601", "%b %Y"]):
        got, present = _dates(s, formats)
        t = s.str.strip().mask(s.str.strip() == "")
        want = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        for fmt in formats:  # row by row, as before
            todo = t.notna() & want.isna()
            want[todo] = pd.to_datetime(t[todo], format=fmt, errors="coerce").astype(want.dtype)
        pd.testing.assert_series_equal(got, want)
        assert present.tolist() == t.notna().tolist()


def test_parsing_a_date_column_holds_no_per_row_python_strings():
    """100,000 rows of a few hundred distinct dates: the parser's working memory is not one
    Python string per row (~6 MiB here; before: ~10 MiB traced at the peak)."""
    import tracemalloc

    import numpy as np
    import pandas as pd

    from qmsdata.validation.coercion import _dates

    days = pd.date_range("2025-01-01", periods=400).strftime("%d/%m/%Y").to_numpy()
    s = pd.Series(days[np.random.default_rng(2).integers(0, 400, 100_000)], dtype="str")
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        got, _ = _dates(s, ["%d/%m/%Y"])
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert got.notna().all()
    assert peak < 6 * 2**20, f"{peak / 2**20:.1f} MiB"
