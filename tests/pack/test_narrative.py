"""Rule-made sentences, key numbers, verdict and sparklines of the executive summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qmsdata.pack import narrative as N


def _wb() -> dict[str, pd.DataFrame]:
    """A dict standing in for a workbook: complaints in 2025-10, 2026-09 and 2026-10."""
    dates = ["2025-10-03"] * 2 + ["2026-09-10"] * 4 + ["2026-10-01", "2026-10-31", "2026-10-15"]
    return {
        "complaints": pd.DataFrame(
            {
                "complaint_id": [f"C{i}" for i in range(len(dates))],
                "received_date": pd.to_datetime(dates),
            }
        ),
    }


def test_key_numbers_count_and_change() -> None:
    k = N.key_numbers(_wb(), "2026-10").set_index("metric")
    row = k.loc["Complaints received"]
    assert (row["value"], row["previous"], row["last_year"]) == (3, 4, 2)
    assert row["change_previous"] == pytest.approx(-0.25)
    assert row["change_last_year"] == pytest.approx(0.5)
    # record types without data give no row
    assert list(k.index) == ["Complaints received"]


def test_key_numbers_quarter() -> None:
    k = N.key_numbers(_wb(), "2026Q4").set_index("metric")
    assert k.loc["Complaints received", "value"] == 3
    assert k.loc["Complaints received", "previous"] == 4  # 2026Q3


def test_key_number_sentence_cites_figure_and_period() -> None:
    k = N.key_numbers(_wb(), "2026-10")
    s = N.key_number_sentence(k.iloc[0])
    assert s == (
        "Complaints received: 3 in 2026-10 (down 25% from 4 in 2026-09; up 50% from 2 "
        "in 2025-10) [9.3.2 c) 1]."
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("anhoej_shift, beyond_limits", "a sustained shift and points beyond the control limits"),
        ("overdue_cluster", "more overdue corrective actions than elsewhere"),
        ("mann_kendall", "a steady trend"),
        ("consistent_fail", "cannot meet its target"),
    ],
)
def test_signal_sentence(rule: str, expected: str) -> None:
    row = pd.Series(
        {
            "rank": 2,
            "series": "Supplier S1 rejection rate",
            "rule": rule,
            "since": pd.Period("2026-03", "M"),
            "direction": "concern",
            "detail": "mean 0.01 vs 0.002",
            "area": "9.3.2 c7 suppliers",
        }
    )
    s = N.signal_sentence(row, "2026-10")
    assert s.startswith("Concern (rank 2): Supplier S1 rejection rate shows ")
    assert expected in s and "from 2026-03 to 2026-10" in s and "[9.3.2 c7 suppliers]" in s


def test_objective_sentence_met_and_missed() -> None:
    row = pd.Series(
        {
            "objective_id": "OBJ-9",
            "name": "On time",
            "unit": "%",
            "actual": 92.5,
            "target": 95.0,
            "met": False,
            "assurance": "consistent_fail",
        }
    )
    s = N.objective_sentence(row, "2026-10")
    assert s.startswith("OBJ-9 On time: 92.5 % in 2026-10 against a target of 95 %, not met")
    assert "will not meet the target" in s
    row["actual"] = np.nan
    assert "no measurement in 2026-10" in N.objective_sentence(row, "2026-10")


def test_findings_order_concern_objectives_improvement_numbers() -> None:
    sig = pd.DataFrame(
        {
            "rank": [1, 2],
            "series": ["A", "B"],
            "rule": ["anhoej_shift", "anhoej_shift"],
            "since": [pd.Period("2026-01", "M")] * 2,
            "direction": ["concern", "improvement"],
            "detail": ["d1", "d2"],
            "area": ["x", "y"],
        }
    )
    obj = pd.DataFrame(
        {
            "objective_id": ["O1", "O2"],
            "name": ["n1", "n2"],
            "unit": ["%", "%"],
            "actual": [1.0, 2.0],
            "target": [2.0, 1.0],
            "met": [False, True],
        }
    )
    out = N.summary_findings(sig, obj, N.key_numbers(_wb(), "2026-10"), "2026-10")
    assert [s.split(" ")[0] for s in out] == ["Concern", "O1", "Improvement", "Complaints"]


@pytest.mark.parametrize(
    ("rejected", "verdict"),
    [
        ([0, 0], "Fit to report."),
        ([3, 0], "Fit to report with reservations: 3 rows quarantined in 1 record type "),
        ([3, 2], "Fit to report with reservations: 5 rows quarantined in 2 record types"),
    ],
)
def test_data_quality_verdict(rejected: list[int], verdict: str) -> None:
    v = pd.DataFrame(
        {"rows": [10, 20], "rejected": rejected},
        index=pd.Index(["complaints", "risks"], name="record_type"),
    )
    text, res = N.data_quality_verdict(v)
    assert text.startswith(verdict)
    assert int(res["rejected"].sum()) == sum(rejected)


def test_sparkline() -> None:
    assert N.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert N.sparkline([5, np.nan, 5]) == "▁ ▁"
    assert N.sparkline([]) == ""


@pytest.mark.parametrize(
    ("period", "fy_start", "expected"),
    [
        ("2026-10", 1, ("2026-10", "2026-10-31")),
        ("2026Q3", 1, ("2026Q3", "2026-09-30")),
        ("2026-q4", 1, ("2026Q4", "2026-12-31")),
        ("FY2026Q1", 1, ("2026Q1", "2026-03-31")),
        ("FY2027Q1", 4, ("2026Q2", "2026-06-30")),  # UK-style year, April to March
        ("FY2027Q4", 4, ("2027Q1", "2027-03-31")),
        ("FY2027Q2", 10, ("2027Q1", "2027-03-31")),
    ],
)
def test_pack_period_month_quarter_fiscal(period: str, fy_start: int, expected) -> None:
    from qmsdata.pack.request import resolve_period

    label, _start, end = resolve_period(period, fy_start)
    assert (label, end) == expected


@pytest.mark.parametrize("period", ["2026-13", "2026Q5", "FY2027Q1x", "October"])
def test_pack_period_refused(period: str) -> None:
    from qmsdata.errors import PackError
    from qmsdata.pack.request import resolve_period as parse_period

    with pytest.raises(PackError, match="quarter"):
        parse_period(period)


def test_fiscal_quarter_needs_aligned_year() -> None:
    from qmsdata.errors import PackError
    from qmsdata.pack.request import resolve_period as parse_period

    with pytest.raises(PackError, match="starts in month 2"):
        parse_period("FY2027Q1", 2)


def test_a_product_view_keeps_qms_wide_records(monkeypatch, tmp_path) -> None:
    """The pack's helper gives Workbook.for_product's view (one row rule)."""
    import qmsdata
    from qmsdata.pack.notebook import section_workbook

    wb = qmsdata.load(_product_workbook(tmp_path / "wb"))
    monkeypatch.setattr(qmsdata, "load", lambda path: wb)
    out = section_workbook(wb.path, product="P1")
    assert out.complaints["complaint_id"].tolist() == ["C1"]
    assert out.review_actions["action_id"].tolist() == ["RA-1"], "no product column: kept"
    assert wb.complaints["complaint_id"].tolist() == ["C1", "C2"], "untouched"


def _product_workbook(folder):
    from workbooks import good_frame, write_workbook

    complaints = (
        good_frame("complaints")
        .head(2)
        .assign(complaint_id=["C1", "C2"], product=["P1", "P2"], capa_id="")
    )
    actions = good_frame("review_actions").head(1).assign(action_id=["RA-1"])
    return write_workbook(folder, {"complaints": complaints, "review_actions": actions})


@pytest.mark.parametrize(
    ("site", "product", "redact", "name"),
    [
        (None, None, False, "2026-10"),
        ("Leeds", None, False, "2026-10-Leeds"),
        (None, "SEN 080", True, "2026-10-SEN_080-redacted"),
        ("Brno", "HMI-700", False, "2026-10-Brno-HMI-700"),
    ],
)
def test_pack_folder_names(site, product, redact, name, tmp_path) -> None:
    from unittest import mock

    from qmsdata.pack import build as run

    seen = {}

    def fake_build(request, build, *a, **k):
        seen["name"] = request.target.name
        raise KeyboardInterrupt  # stop before any work; the folder name is all we check

    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "qms.toml").write_text(
        '[workbook]\norganisation = "X"\nas_of = 2026-10-31\n', encoding="utf-8"
    )
    with mock.patch.object(run, "_build", fake_build), pytest.raises(KeyboardInterrupt):
        run.build_pack(
            wb,
            "2026-10",
            site=site,
            product=product,
            redact=redact,
            out=tmp_path / "r",
            progress=False,
        )
    assert seen["name"] == name
    assert not (tmp_path / "r" / name).exists()


def test_suggested_actions_one_per_concern_in_rank_order() -> None:
    sig = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "series": ["A", "B", "C"],
            "rule": ["r1", "r2", "r3"],
            "since": ["2026-01", "2026-02", "2026-03"],
            "direction": ["concern", "improvement", "concern"],
            "key": ["k1", "k2", "k3"],
            "objective_id": [None, None, "O1"],
        }
    )
    reg = N.suggested_actions(sig, "2026Q3")
    assert reg["action_id"].tolist() == ["RA-2026Q3-01", "RA-2026Q3-02"]
    assert reg["signal_key"].tolist() == ["k1", "k3"]
    assert (reg["review_date"] == "2026-09-30").all() and (reg["owner"] == "").all()
    assert reg["description"].iloc[1] == "Investigate and act on: C (r3, since 2026-03)"
    obj = pd.DataFrame(
        {
            "objective_id": ["O1"],
            "name": ["n"],
            "unit": ["%"],
            "actual": [1.0],
            "target": [2.0],
            "met": [False],
        }
    )
    m = N.objective_matrix({}, obj, "2026Q3", sig=sig)
    assert m["linked action"].iloc[0] == "RA-2026Q3-02 (suggested)"


def test_evidence_rows_rebuilt_from_aggregates_say_so_not_row_numbers():
    """On a Spark workbook the key numbers' evidence comes from aggregate rows (no ids on the
    driver): it must say how many records each stands for, not pass a row number off as an id."""
    from qmsdata.pack.narrative import _ids

    rebuilt = pd.DataFrame({"site": ["Leeds", "Brno"], "quantity": [4.0, 9.0], "_rows": [3, 1]})
    assert list(_ids(rebuilt, "nonconformities")) == [
        "aggregate of 3 records (qmsdata.record_ids)",
        "aggregate of 1 record (qmsdata.record_ids)",
    ]
    rows = pd.DataFrame({"nc_id": ["NC-1"], "_rows": [1]})
    assert list(_ids(rows, "nonconformities")) == ["NC-1"]
