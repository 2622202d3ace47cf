"""Validation: every check has a bad row; normalisation; conservation; structural errors."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qmsdata
from qmsdata.errors import QmsError, SchemaError
from qmsdata.records import DTYPES, RECORD_TYPES
from qmsdata.validation import CHECKS, FAILURE_COLUMNS, validate

AS_OF = "2026-10-31"

# (record type, changes to its first good row, expected check, expected column)
BAD_ROWS = [
    ("complaints", {"cost": "1,200"}, "type", "cost"),
    ("complaints", {"received_date": "13/01/2026"}, "type", "received_date"),
    ("nonconformities", {"quantity": "2.5"}, "type", "quantity"),
    ("kpi_measurements", {"period": "Q1 2026"}, "type", "period"),
    ("customer_surveys", {"score": "nine"}, "type", "score"),
    ("nonconformities", {"site": ""}, "not_null", "site"),
    ("objectives", {"target": " "}, "not_null", "target"),
    ("complaints", {"severity": "urgent"}, "allowed_values", "severity"),
    ("nonconformities", {"disposition": "burn"}, "allowed_values", "disposition"),
    ("complaints", {"site": "Paris"}, "allowed_values", "site"),
    ("audit_findings", {"clause": "12.1"}, "pattern", "clause"),
    ("nonconformities", {"quantity": "-3"}, "range", "quantity"),
    ("complaints", {"cost": "-0.01"}, "range", "cost"),
    ("customer_surveys", {"score": "11"}, "range", "score"),
    ("risks", {"likelihood": "6"}, "range", "likelihood"),
    ("risks", {"impact": "0"}, "range", "impact"),
    ("complaints", {"closed_date": "2026-01-01"}, "date_order", "closed_date"),
    ("corrective_actions", {"due_date": "2026-01-01"}, "date_order", "due_date"),
    ("objectives", {"valid_to": "2025-12-31"}, "date_order", "valid_to"),
    (
        "complaints",
        {"received_date": "2026-11-01", "closed_date": "", "status": "open"},
        "not_future",
        "received_date",
    ),
    ("kpi_measurements", {"period": "2026-11"}, "not_future", "period"),
    ("context_issues", {"date_noted": "2027-01-01"}, "not_future", "date_noted"),
    ("nonconformities", {"detected_date": "1926-03-01"}, "plausible_date", "detected_date"),
    ("corrective_actions", {"due_date": "9999-12-31"}, "plausible_date", "due_date"),
    ("kpi_measurements", {"period": "1900-01", "objective_id": "O2"}, "plausible_date", "period"),
    ("complaints", {"capa_id": "CA99"}, "reference", "capa_id"),
    ("audit_findings", {"capa_id": "CA99"}, "reference", "capa_id"),
    ("nonconformities", {"capa_id": "CA99"}, "reference", "capa_id"),
    ("nonconformities", {"supplier_id": "S99"}, "reference", "supplier_id"),
    ("kpi_measurements", {"objective_id": "O99"}, "reference", "objective_id"),
    (
        "kpi_measurements",
        {"numerator": "5", "denominator": "4"},
        "numerator_le_denominator",
        "denominator",
    ),
    (
        "supplier_receipts",
        {"quantity_rejected": "1001"},
        "rejected_le_received",
        "quantity_received",
    ),
    ("production", {"units_inspected": "1001"}, "inspected_le_produced", "units_produced"),
    ("complaints", {"closed_date": ""}, "status_consistency", "closed_date"),
    (
        "review_actions",
        {"status": "closed", "closed_date": ""},
        "status_consistency",
        "closed_date",
    ),
    ("changes", {"kind": "tweak"}, "allowed_values", "kind"),
    ("changes", {"capa_id": "CA99"}, "reference", "capa_id"),
    ("changes", {"action_id": "RA99"}, "reference", "action_id"),
    ("changes", {"objective_id": "O99"}, "reference", "objective_id"),
    ("changes", {"evaluation_months": "0"}, "range", "evaluation_months"),
    ("audit_findings", {"audit_id": "A99"}, "reference", "audit_id"),
    ("audit_programme", {"clauses": "8.5.1, 8.6"}, "pattern", "clauses"),
    ("audit_programme", {"conducted_date": ""}, "status_consistency", "conducted_date"),
    ("audit_programme", {"conducted_date": "2026-11-02"}, "not_future", "conducted_date"),
    ("training_records", {"completed_date": ""}, "status_consistency", "completed_date"),
    ("training_records", {"required": "maybe"}, "allowed_values", "required"),
    ("documents", {"review_due": "2025-01-01"}, "date_order", "review_due"),
    ("documents", {"approved_date": ""}, "status_consistency", "approved_date"),
]


def _unique_key(record_type: str, i: int) -> dict[str, str]:
    spec = RECORD_TYPES[record_type]
    if record_type == "production":
        return {"product": f"PX{i}"}
    if record_type == "kpi_measurements":
        return {"period": f"{2020 + i // 12}-{i % 12 + 1:02d}"}
    return {spec.key[0]: f"X{i}"}


@pytest.fixture(scope="module")
def planted(tmp_path_factory, request):
    """Load a workbook of good rows plus every BAD_ROWS row; return (wb, source rows)."""
    from workbooks import GOOD, write_workbook

    frames = {n: pd.DataFrame(rows, dtype="str") for n, rows in GOOD.items()}
    where = []
    for i, (rt, changes, _, _) in enumerate(BAD_ROWS):
        row = {**GOOD[rt][0], **_unique_key(rt, i), **changes}
        frames[rt] = pd.concat([frames[rt], pd.DataFrame([row], dtype="str")], ignore_index=True)
        where.append(len(frames[rt]))  # 1-based data row of the bad row
    # two rows sharing a new key: both are quarantined, the good rows are not touched
    dup = {**GOOD["customer_surveys"][0], "response_id": "DUP"}
    frames["customer_surveys"] = pd.concat(
        [frames["customer_surveys"], pd.DataFrame([dup, dup], dtype="str")], ignore_index=True
    )
    kdup = {**GOOD["kpi_measurements"][0], "period": "2023-01"}
    frames["kpi_measurements"] = pd.concat(
        [frames["kpi_measurements"], pd.DataFrame([kdup, kdup], dtype="str")], ignore_index=True
    )
    folder = write_workbook(tmp_path_factory.mktemp("planted"), frames)
    return qmsdata.load(folder), where


@pytest.mark.parametrize(
    ("index", "case"), list(enumerate(BAD_ROWS)), ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in BAD_ROWS]
)
def test_each_bad_row_is_quarantined_with_its_check(planted, index, case):
    wb, where = planted
    record_type, _, check, column = case
    row = where[index]
    rejects = wb.rejects[record_type]
    assert row in set(rejects["source_row"]), f"row {row} of {record_type} was accepted"
    assert row not in set(wb[record_type]["source_row"])
    f = wb.failures
    hit = f[(f.record_type == record_type) & (f.source_row == row)]
    assert ((hit.check == check) & (hit.column == column)).any(), hit.to_dict("records")
    reason = rejects.loc[rejects.source_row == row, "reasons"].iloc[0]
    assert f"{column}:" in reason


def test_every_check_name_is_exercised():
    assert {c[2] for c in BAD_ROWS} | {"unique"} == set(CHECKS)


def test_good_rows_are_all_accepted(planted):
    wb, _ = planted
    for name in RECORD_TYPES:
        accepted = set(wb[name]["source_row"])
        assert {1, 2} <= accepted, (name, wb.rejects[name]["reasons"].tolist())


def test_duplicate_keys_quarantine_every_copy(planted):
    wb, _ = planted
    f = wb.failures
    dup = f[(f.check == "unique") & (f.record_type == "customer_surveys")]
    assert sorted(dup.failure_case) == ["DUP", "DUP"] and set(dup.column) == {"response_id"}
    kd = f[(f.check == "unique") & (f.record_type == "kpi_measurements")]
    assert len(kd) == 2 and set(kd.column) == {"objective_id, period"}
    assert set(kd.failure_case) == {"O1 | 2023-01"}


def test_failure_table_is_tidy_and_reasons_readable(planted):
    wb, _ = planted
    f = wb.failures
    # a workbook's failures also name the line in the file (qmsdata.io.lines)
    assert list(f.columns) == [*FAILURE_COLUMNS[:2], "source_line", *FAILURE_COLUMNS[2:]]
    assert f["source_row"].dtype == "int64"
    assert f["source_line"].dtype == "Int64"
    assert set(f["check"]) <= set(CHECKS)
    assert not f.duplicated(["record_type", "source_row", "check", "column"]).any()
    sev = f[(f.column == "severity")].iloc[0]
    assert sev.failure_case == "urgent"
    assert sev.message == "severity: value 'urgent' not in critical|major|minor"
    order = f[(f.check == "date_order") & (f.record_type == "complaints")].iloc[0]
    assert order.message == "closed_date: 2026-01-01 is before received_date 2026-01-05"


def test_conservation_in_the_planted_workbook(planted):
    wb, _ = planted
    v = wb.validation
    assert (v["rows"] == v["accepted"] + v["rejected"]).all()
    for name in wb.configured:
        rows = sorted([*wb[name]["source_row"], *wb.rejects[name]["source_row"]])
        assert rows == list(range(1, int(v.loc[name, "rows"]) + 1))


# --- normalisation and typing ----------------------------------------------------------------


def nc(**changes):
    from workbooks import GOOD

    return pd.DataFrame([{**GOOD["nonconformities"][0], **changes}], dtype="str")


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        ("disposition", " Use As-Is ", "use_as_is"),
        ("disposition", "RETURN  to supplier", "return_to_supplier"),
        ("source", "In-Process", "in_process"),
        ("status", "Closed", "closed"),
        ("site", "  leeds ", "Leeds"),
        ("nc_id", "  NC-7 ", "NC-7"),
        ("defect_code", "NA", "NA"),
    ],
)
def test_values_are_normalised_where_unambiguous(column, raw, expected):
    acc, rej, _ = validate(nc(**{column: raw}), "nonconformities", as_of=AS_OF, sites=["Leeds"])
    assert len(rej) == 0, rej["reasons"].tolist()
    assert acc[column].iloc[0] == expected


def test_typed_columns_have_the_spec_dtypes():
    acc, _, _ = validate(nc(extra="kept"), "nonconformities", as_of=AS_OF)
    spec = RECORD_TYPES["nonconformities"]
    assert list(acc.columns) == [*spec.names, "extra", "source_row"]
    assert acc["detected_date"].dtype == DTYPES["date"] == "datetime64[us]"
    assert acc["quantity"].dtype == "float64" and acc["nc_id"].dtype == "str"
    assert acc["extra"].iloc[0] == "kept"


@pytest.mark.parametrize("raw", ["2026-10", "2026-10-01", "Oct 2026", "October 2026", "oct 2026"])
def test_kpi_period_formats(raw):
    frame = pd.DataFrame([{"objective_id": "O1", "period": raw, "value": "1"}])
    acc, rej, _ = validate(frame, "kpi_measurements", as_of=AS_OF)
    assert len(rej) == 0
    assert acc["period"].iloc[0] == pd.Period("2026-10", "M")
    assert isinstance(acc["period"].dtype, pd.PeriodDtype)


def test_date_format_from_config():
    frame = nc(detected_date="01/02/2026", closed_date="10/02/2026")
    acc, rej, _ = validate(frame, "nonconformities", as_of=AS_OF, date_format="%d/%m/%Y")
    assert len(rej) == 0
    assert acc["detected_date"].iloc[0] == pd.Timestamp("2026-02-01")
    _, rej, f = validate(frame, "nonconformities", as_of=AS_OF)  # ISO by default: not guessed
    assert len(rej) == 1 and set(f.check) == {"type"}


def test_typed_cells_from_excel_and_parquet_are_used_as_they_are():
    frame = pd.DataFrame(
        {
            "nc_id": [101, 102],  # numeric ids become text without ".0"
            "detected_date": [dt.datetime(2026, 2, 1), "2026-02-02"],
            "site": ["Leeds", "Brno"],
            "source": ["final", "final"],
            "quantity": [2.0, 3],
        },
        dtype=object,
    )
    acc, rej, _ = validate(frame, "nonconformities", as_of=AS_OF)
    assert len(rej) == 0
    assert acc["nc_id"].tolist() == ["101", "102"]
    assert acc["detected_date"].tolist() == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-02")]


def test_unreadable_value_is_not_also_reported_missing():
    _, rej, f = validate(nc(quantity="lots"), "nonconformities", as_of=AS_OF)
    assert f[["column", "check"]].values.tolist() == [["quantity", "type"]]
    assert rej["quantity"].iloc[0] == "lots"  # rejects keep the value as read


# --- dates: far-future placeholders, declared "no date" values, the plausible window ------------


def test_far_future_placeholder_is_read_and_fails_plausible_date_with_a_clear_reason():
    # 9999-12-31 is past the nanosecond range; read at microseconds it is a date, and an
    # implausible one (not "cannot read as a date")
    _, rej, f = validate(nc(detected_date="9999-12-31"), "nonconformities", as_of=AS_OF)
    assert len(rej) == 1
    assert f[["column", "check"]].values.tolist() == [["detected_date", "plausible_date"]]
    msg = f.message.iloc[0]
    assert "9999-12-31 is after 2199-12-31, the latest plausible date" in msg
    assert "missing_dates" in msg and "[records.nonconformities]" in msg
    assert f.failure_case.iloc[0] == "9999-12-31"


def test_dates_before_1950_fail_plausible_date():
    _, rej, f = validate(nc(detected_date="1900-01-01"), "nonconformities", as_of=AS_OF)
    assert len(rej) == 1 and f.check.tolist() == ["plausible_date"]
    assert "1900-01-01 is before 1950-01-01, the earliest plausible date" in f.message.iloc[0]
    assert "earliest_date" in f.message.iloc[0]


def test_declared_missing_dates_are_read_as_missing():
    frame = pd.concat(
        [nc(closed_date="9999-12-31"), nc(nc_id="NC2", closed_date="1900-01-01 00:00:00")],
        ignore_index=True,
    )
    frame["status"] = "open"
    acc, rej, _ = validate(
        frame, "nonconformities", as_of=AS_OF, missing_dates=["9999-12-31", "1900-01-01"]
    )
    assert len(rej) == 0, rej["reasons"].tolist()
    assert acc["closed_date"].isna().all()
    assert acc["detected_date"].notna().all()


def test_a_declared_missing_date_in_a_required_column_is_missing_not_implausible():
    _, rej, f = validate(
        nc(detected_date="9999-12-31"),
        "nonconformities",
        as_of=AS_OF,
        missing_dates=[dt.date(9999, 12, 31)],
    )
    assert f[["column", "check"]].values.tolist() == [["detected_date", "not_null"]]


def test_typed_far_future_cells_from_excel_are_placeholders_too():
    frame = nc().astype(object)
    frame.loc[0, "closed_date"] = dt.datetime(9999, 12, 31)
    frame.loc[0, "status"] = "open"
    acc, rej, _ = validate(frame, "nonconformities", as_of=AS_OF, missing_dates=["9999-12-31"])
    assert len(rej) == 0 and acc["closed_date"].isna().all()
    _, rej, f = validate(frame, "nonconformities", as_of=AS_OF)
    assert f.check.tolist() == ["plausible_date"]


def test_the_plausible_window_is_configurable():
    acc, rej, _ = validate(
        nc(detected_date="1900-01-01", closed_date="", status="open"),
        "nonconformities",
        as_of=AS_OF,
        earliest_date="1890-01-01",
    )
    assert len(rej) == 0 and acc["detected_date"].iloc[0] == pd.Timestamp("1900-01-01")
    _, rej, f = validate(nc(), "nonconformities", as_of=AS_OF, latest_date="2026-02-05")
    assert f[["column", "check"]].values.tolist() == [["closed_date", "plausible_date"]]
    with pytest.raises(QmsError, match="earliest_date 2027-01-01 is after latest_date"):
        validate(nc(), "nonconformities", as_of=AS_OF, earliest_date="2027-01-01", latest_date=LATE)


LATE = "2026-01-01"


def test_accepted_dates_fit_nanoseconds_for_the_analytics():
    acc, _, _ = validate(nc(), "nonconformities", as_of=AS_OF)
    assert acc["detected_date"].to_numpy("datetime64[ns]")[0] == pd.Timestamp("2026-02-01")


def test_rejects_keep_original_source_columns_and_source_row():
    frame = nc(severity_text="x").rename(columns={"nc_id": "NC No.", "quantity": "Qty"})
    frame.loc[0, "Qty"] = "-1"
    frame["source_row"] = [41]
    _, rej, f = validate(
        frame, "nonconformities", as_of=AS_OF, columns={"nc_id": "NC No.", "quantity": "Qty"}
    )
    assert list(rej.columns) == [
        *[c for c in frame.columns if c != "source_row"],
        "source_row",
        "reasons",
    ]
    assert rej["Qty"].iloc[0] == "-1" and rej["source_row"].iloc[0] == 41
    assert f.source_row.tolist() == [41] and f.column.tolist() == ["quantity"]


def test_missing_required_column_names_mapped_and_canonical(tmp_path):
    frame = nc().drop(columns="quantity").rename(columns={"nc_id": "NC No."})
    with pytest.raises(SchemaError) as err:
        validate(
            frame,
            "nonconformities",
            as_of=AS_OF,
            columns={"nc_id": "NC No.", "quantity": "Qty"},
            file="nc.csv",
        )
    msg = str(err.value)
    assert "'quantity'" in msg and "'Qty'" in msg and "nc.csv" in msg
    assert "[records.nonconformities.columns]" in msg
    assert err.value.column == "quantity" and err.value.record_type == "nonconformities"


def test_missing_explicitly_mapped_optional_column_is_an_error():
    with pytest.raises(SchemaError, match="mapped column 'capa_id'.*'CAPA Ref'"):
        validate(nc(), "nonconformities", as_of=AS_OF, columns={"capa_id": "CAPA Ref"})


def test_headers_match_case_insensitively():
    frame = nc().rename(columns={"nc_id": "NC_ID"})
    acc, _, _ = validate(frame, "nonconformities", as_of=AS_OF)
    assert acc["nc_id"].iloc[0] == "NC1"


def test_empty_frame_validates_to_empty_frames():
    acc, rej, f = validate(nc().iloc[:0], "nonconformities", as_of=AS_OF)
    assert len(acc) == len(rej) == len(f) == 0


def test_as_of_is_required_and_checked():
    with pytest.raises(QmsError, match="not a date"):
        validate(nc(), "nonconformities", as_of="soon")


def test_gx_failure_raises_a_clear_error():
    from qmsdata.validation.failures import Failures
    from qmsdata.validation.gx import PendingSuite, _finding

    spec = RECORD_TYPES["complaints"]
    config = SimpleNamespace(meta={"check": "range", "column": "cost"})
    res = SimpleNamespace(
        expectation_config=config,
        exception_info={"metric": {"raised_exception": True, "exception_message": "boom"}},
    )
    ok = SimpleNamespace(
        expectation_config=config, exception_info={"raised_exception": False}, success=True
    )
    frame = pd.DataFrame({"cost": [1.0]})

    def apply(*results):
        found = [_finding(r) for r in results]
        PendingSuite(spec, frame, {}, {}, lambda: found, {}).apply(Failures.empty())

    with pytest.raises(QmsError, match="great-expectations could not run check 'range': boom"):
        apply(ok, res)
    apply(ok)


# --- conservation, property-tested -----------------------------------------------------------

JUNK = [
    "",
    "  ",
    "x",
    "-1",
    "0",
    "11",
    "2.5",
    "1,000",
    "2027-01-01",
    "2026-02-30",
    "2026-01-01",
    "Closed",
    "open",
    "NA",
    "=cmd",
    "1e400",
    "O1",
    "CA1",
    "S1",
    "2026-01",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rows_in_equal_accepted_plus_rejected_for_every_record_type(data):
    from workbooks import GOOD

    record_type = data.draw(st.sampled_from(sorted(GOOD)))
    spec = RECORD_TYPES[record_type]
    columns = list(GOOD[record_type][0])
    n = data.draw(st.integers(1, 8))
    rows = []
    for i in range(n):
        row = dict(GOOD[record_type][i % 2])
        for col in data.draw(st.lists(st.sampled_from(columns), max_size=4)):
            row[col] = data.draw(st.sampled_from(JUNK))
        rows.append(row)
    frame = pd.DataFrame(rows, dtype="str")
    refs = {r.column: ["CA1", "O1", "S1"] for r in spec.references}
    acc, rej, f = validate(
        frame, record_type, as_of=AS_OF, sites=["Leeds", "Brno"], references=refs
    )
    assert len(acc) + len(rej) == len(frame)
    assert sorted([*acc.source_row, *rej.source_row]) == list(range(1, n + 1))
    assert set(f.source_row) == set(rej.source_row)
    assert rej["reasons"].str.len().gt(0).all()
    assert list(rej.columns) == [*frame.columns, "source_row", "reasons"]
    # accepted rows really pass: required filled, keys unique
    for col in spec.required:
        assert acc[col].notna().all(), (record_type, col)
    assert not acc.duplicated(list(spec.key), keep=False).any()
