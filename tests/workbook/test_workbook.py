"""qmsdata.load: the Workbook object, mapping, as_of, sources, conservation, raw files untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import sqlite3
import sys
import types

import pandas as pd
import pytest

import qmsdata
from qmsdata.errors import ConfigError, SchemaError, SourceError
from qmsdata.records import RECORD_TYPES


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from workbooks import GOOD, write_workbook

    folder = write_workbook(
        tmp_path_factory.mktemp("wb"),
        {n: pd.DataFrame(rows, dtype="str") for n, rows in GOOD.items()},
        formats={"objectives": "xlsx", "kpi_measurements": "parquet"},
        columns={"complaints": {"complaint_id": "Complaint No.", "received_date": "Date Rec'd"}},
    )
    hashes = {p.name: sha(p) for p in folder.iterdir()}
    return folder, hashes, qmsdata.load(folder)


def test_every_record_type_is_an_accepted_typed_frame(loaded):
    _, _, wb = loaded
    assert wb.record_types == list(RECORD_TYPES)
    for name, spec in RECORD_TYPES.items():
        frame = getattr(wb, name)
        assert frame is wb[name]
        assert list(frame.columns[: len(spec.names)]) == spec.names
        assert frame.columns[-1] == "source_row"
        for col in spec.columns:
            assert frame[col.name].dtype == spec.empty_frame()[col.name].dtype, (name, col.name)
        assert len(frame) == 2, wb.rejects[name]["reasons"].tolist()


def test_mapping_renames_export_columns(loaded):
    _, _, wb = loaded
    assert wb.complaints["complaint_id"].tolist() == ["C1", "C2"]
    assert wb.complaints["received_date"].iloc[0] == pd.Timestamp("2026-01-05")
    assert "Complaint No." not in wb.complaints.columns


def test_xlsx_and_parquet_sources_in_a_workbook(loaded):
    _, _, wb = loaded
    assert wb.provenance["objectives"].format == "xlsx"
    assert wb.objectives["target"].tolist() == [50.0, 95.0]
    assert wb.provenance["kpi_measurements"].format == "parquet"
    assert wb.kpi_measurements["period"].tolist() == [pd.Period("2026-01", "M")] * 2


def test_validation_table_and_provenance(loaded):
    folder, hashes, wb = loaded
    v = wb.validation
    assert list(v.index) == list(RECORD_TYPES)
    assert list(v.columns) == ["configured", "source", "format", "rows", "accepted", "rejected"]
    assert v["configured"].all() and (v["rows"] == 2).all() and (v["rejected"] == 0).all()
    p = wb.provenance["complaints"]
    assert p.sha256 == hashes["complaints.csv"] and p.rows == 2
    assert p.source == str((folder / "complaints.csv").resolve())
    assert wb.failures.empty and list(wb.failures.columns)[:2] == ["record_type", "source_row"]


def test_config_and_as_of_from_toml(loaded):
    folder, _, wb = loaded
    assert wb.as_of == pd.Timestamp("2026-10-31")
    assert wb.config.organisation == "Test Electronics Ltd"
    assert wb.config.sites == ("Leeds", "Brno") and wb.config.fiscal_year_start == 4
    assert wb.path == folder.resolve()
    assert "Test Electronics Ltd" in repr(wb) and "32 rows accepted" in repr(wb)


def test_raw_files_are_never_written(loaded):
    folder, hashes, wb = loaded
    from qmsdata.validation.report import write_quality_report

    write_quality_report(wb, folder.parent / "report")
    assert {p.name: sha(p) for p in folder.iterdir()} == hashes


def test_unknown_record_type_item_access(loaded):
    _, _, wb = loaded
    with pytest.raises(ConfigError, match="unknown record type"):
        wb["complaint"]
    with pytest.raises(AttributeError):
        wb.complaint  # noqa: B018


def test_unconfigured_types_are_empty_typed_frames(tmp_path, make_workbook, good):
    folder = make_workbook(tmp_path / "wb", {"complaints": good("complaints")})
    wb = qmsdata.load(folder)
    assert len(wb.complaints) == 2  # capa reference not checked: corrective_actions absent
    assert wb.configured == ["complaints"]
    empty = wb.nonconformities
    assert len(empty) == 0 and empty["detected_date"].dtype == "datetime64[us]"
    assert not wb.validation.loc["nonconformities", "configured"]
    assert len(wb.rejects["nonconformities"]) == 0


@pytest.mark.parametrize("chosen", [None, "jemalloc"])
def test_load_reads_on_the_system_arrow_pool_and_restores_the_pool(
    tmp_path, make_workbook, good, monkeypatch, chosen
):
    """Arrow allocates from the system allocator during a load (qmsdata.io.pool), not after it;
    a pool the user chose with ARROW_DEFAULT_MEMORY_POOL is left alone."""
    import pyarrow as pa

    import qmsdata.io

    folder = make_workbook(tmp_path / "wb", {"complaints": good("complaints")})
    if chosen:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", chosen)
    else:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool().backend_name
    seen = []
    read = qmsdata.io.read_source

    def spy(*args, **kwargs):
        seen.append(pa.default_memory_pool().backend_name)
        return read(*args, **kwargs)

    monkeypatch.setattr(qmsdata.io, "read_source", spy)
    wb = qmsdata.load(folder)
    assert len(wb.complaints) == 2
    assert seen == ([before] if chosen else ["system"])
    assert pa.default_memory_pool().backend_name == before


def test_as_of_argument_overrides_toml_and_rejects_later_dates(tmp_path, make_workbook, good):
    folder = make_workbook(tmp_path / "wb", {"complaints": good("complaints")})
    wb = qmsdata.load(folder, as_of="2026-01-31")
    assert wb.as_of == pd.Timestamp("2026-01-31")
    assert wb.rejects["complaints"]["source_row"].tolist() == [2]  # received 2026-02-05
    assert wb.failures["check"].tolist() == ["not_future"]
    wb = qmsdata.load(folder, as_of=dt.date(2026, 2, 5))  # the same day is not the future
    assert len(wb.complaints) == 2


def test_as_of_defaults_to_today_without_toml_setting(tmp_path, make_workbook, good):
    folder = make_workbook(
        tmp_path / "wb",
        {"customer_surveys": good("customer_surveys")},
        workbook_toml='[workbook]\norganisation = "x"\n',
    )
    before = pd.Timestamp(dt.date.today())
    wb = qmsdata.load(folder)
    assert before <= wb.as_of <= pd.Timestamp(dt.date.today())


def test_record_types_subset_still_checks_references(tmp_path, make_workbook, good):
    comp = good("complaints")
    comp.loc[1, "capa_id"] = "CA99"
    folder = make_workbook(
        tmp_path / "wb", {"complaints": comp, "corrective_actions": good("corrective_actions")}
    )
    wb = qmsdata.load(folder, record_types=["complaints"])
    assert wb.configured == ["complaints"]
    assert len(wb.corrective_actions) == 0
    assert wb.failures[["column", "check"]].values.tolist() == [["capa_id", "reference"]]


def test_reference_checks_ids_of_rejected_targets_too(tmp_path, make_workbook, good):
    capa = good("corrective_actions")
    capa.loc[0, "status"] = "done"  # CA1 quarantined; complaints pointing at it stay accepted
    folder = make_workbook(
        tmp_path / "wb", {"complaints": good("complaints"), "corrective_actions": capa}
    )
    wb = qmsdata.load(folder)
    assert len(wb.complaints) == 2 and len(wb.rejects["corrective_actions"]) == 1


def test_sql_source_in_a_workbook(tmp_path, make_workbook, good):
    folder = make_workbook(tmp_path / "wb", {})
    con = sqlite3.connect(folder / "qms.db")
    good("risks").to_sql("risk_register", con, index=False)
    con.close()
    with open(folder / "qms.toml", "a", encoding="utf-8") as fh:
        fh.write(
            '\n[records.risks]\nsource = "sqlite:///qms.db"\n'
            'query = "SELECT * FROM risk_register WHERE kind = :kind"\n'
            '[records.risks.params]\nkind = "risk"\n'
        )
    wb = qmsdata.load(folder)
    assert wb.risks["risk_id"].tolist() == ["RK1"]
    assert wb.risks["likelihood"].dtype == "float64"


@pytest.mark.parametrize(
    ("setup", "error", "pattern"),
    [
        ("missing_file", SourceError, r"source file not found.*complaints.csv.*'complaints'"),
        (
            "missing_column",
            SchemaError,
            r"required column 'received_date' is missing.*.Date Rec'd..*\[records.complaints",
        ),
        ("bad_toml", ConfigError, r"not valid TOML"),
    ],
)
def test_structural_errors_stop_the_load(tmp_path, make_workbook, good, setup, error, pattern):
    comp = good("complaints")
    mapping = {}
    if setup == "missing_column":
        comp = comp.drop(columns="received_date")
        mapping = {"complaints": {"received_date": "Date Rec'd"}}
    folder = make_workbook(tmp_path / "wb", {"complaints": comp}, columns=mapping)
    if setup == "missing_file":
        (folder / "complaints.csv").unlink()
    if setup == "bad_toml":
        (folder / "qms.toml").write_text("[workbook\n", encoding="utf-8")
    with pytest.raises(error, match=pattern):
        qmsdata.load(folder)


def test_public_api_exports():
    assert qmsdata.load is not None and qmsdata.Workbook is not None
    assert qmsdata.RECORD_TYPES is RECORD_TYPES
    assert qmsdata.record_spec("risks").name == "risks"
    assert callable(qmsdata.validate)


def test_qmsdata_validate_is_the_function_whatever_is_imported():
    import qmsdata.validation
    import qmsdata.validation.pipeline  # noqa: F401  (no submodule shadows the verb)

    assert qmsdata.validate is qmsdata.validation.validate
    assert isinstance(qmsdata.validate, types.FunctionType)
    assert not isinstance(sys.modules["qmsdata.validation"], types.FunctionType)
    assert type(sys.modules["qmsdata.validation"]) is types.ModuleType  # no callable module
    frame = pd.DataFrame([{"risk_id": "R1", "kind": "Risk", "description": "x"}])
    accepted, rejects, failures = qmsdata.validate(frame, "risks", as_of="2026-10-31")
    assert accepted["kind"].tolist() == ["risk"] and len(rejects) == 0 and failures.empty
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("qmsdata.validate")


def test_load_frees_the_raw_text_before_copying_the_accepted_columns(
    tmp_path, make_workbook, good, monkeypatch
):
    """The loader lets go of each raw frame and the split empties it once the rejects are
    taken, so Arrow holds less after the split than before it (the raw text freed, only the
    accepted copies made), not raw + accepted text at once."""
    import pyarrow as pa

    import qmsdata.validation.pipeline as pipeline

    base = good("complaints").iloc[[1]]  # an open complaint: no CAPA, no closing date
    rows = pd.concat([base] * 3000, ignore_index=True)
    rows["complaint_id"] = [f"C{i}" for i in range(len(rows))]
    rows["description"] = [f"customer reported intermittent fault, unit {i}" for i in range(3000)]
    rows.loc[7, "site"] = "Paris"  # one reject: the accepted text columns are copies
    folder = make_workbook(tmp_path / "wb", {"complaints": rows})
    seen = {}
    split = pipeline.split

    def spy(raw, *args, **kwargs):
        seen["before"] = pa.total_allocated_bytes()  # the system pool while loading
        out = split(raw, *args, **kwargs)
        seen["after"] = pa.total_allocated_bytes()
        seen["raw columns"] = len(raw.columns)
        return out

    monkeypatch.setattr(pipeline, "split", spy)
    wb = qmsdata.load(folder)
    assert len(wb.complaints) == 2999 and wb.rejects["complaints"]["site"].tolist() == ["Paris"]
    assert wb.rejects["complaints"]["source_row"].tolist() == [8]
    assert seen["after"] < seen["before"], seen
    assert seen["raw columns"] == 0
