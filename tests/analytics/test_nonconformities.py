"""Nonconformity analytics on small hand-made frames with known answers."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import nonconformities as N


def _production():
    rows = []
    for m in ["2026-08", "2026-09", "2026-10"]:
        for site in ["A", "B"]:
            rows.append(
                {
                    "date": pd.Timestamp(f"{m}-10"),
                    "site": site,
                    "product": "P",
                    "units_produced": 500_000,
                    "units_inspected": 500_000,
                    "units_shipped": 500_000,
                }
            )
            rows.append(
                {
                    "date": pd.Timestamp(f"{m}-20"),
                    "site": site,
                    "product": "Q",
                    "units_produced": 500_000,
                    "units_inspected": 500_000,
                    "units_shipped": 500_000,
                }
            )
    return pd.DataFrame(rows)


NCS = pd.DataFrame(
    {
        "nc_id": [f"N{i}" for i in range(8)],
        "detected_date": pd.to_datetime(
            [
                "2026-08-05",
                "2026-09-05",
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "2026-10-04",
                "2026-10-05",
                "2026-10-06",
            ]
        ),
        "site": ["A", "A", "A", "A", "B", "B", "A", "A"],
        "process": ["reflow", "reflow", "reflow", "reflow", "aoi", "aoi", "reflow", "reflow"],
        "source": [
            "in_process",
            "final",
            "in_process",
            "in_process",
            "final",
            "in_process",
            "incoming",
            "customer",
        ],
        "defect_code": ["D1", "D1", "D2", "D2", "D1", "D1", "D3", "D1"],
        "quantity": [10, 20, 5, 5, 2, 3, 7, 1],
        "disposition": [
            "scrap",
            "rework",
            "scrap",
            "use_as_is",
            "rework",
            "pending",
            "return_to_supplier",
            "scrap",
        ],
        "cost": [100.0, 50.0, 10.0, 0.0, 5.0, 0.0, 70.0, 300.0],
    }
)


def test_nc_rates_on_units_inspected_per_site():
    t = N.nc_rates({"nonconformities": NCS, "production": _production()}, "2026-10", months=3)
    a = t[(t["site"] == "A") & (t["process"] == "reflow")].set_index(
        t["month"].astype(str)[(t["site"] == "A") & (t["process"] == "reflow")]
    )
    # site A inspects 1e6 units a month; incoming and customer NCs are not process defects
    assert list(a["defects"]) == [10, 20, 10]
    assert list(a["ppm"]) == [10, 20, 10]
    b = t[t["site"] == "B"]
    assert list(b["defects"]) == [0, 0, 5]  # zero months are kept
    assert set(t["units_inspected"]) == {1_000_000}


def test_nc_rates_without_production_is_empty_with_note():
    t = N.nc_rates({"nonconformities": NCS}, "2026-10")
    assert t.empty and "production" in t.attrs["note"]


def test_disposition_mix_counts_quantity_and_cost():
    t = N.disposition_mix({"nonconformities": NCS}, "2026-10").set_index("disposition")
    assert t.loc["scrap", "quantity"] == 6 and t.loc["scrap", "cost"] == 310
    assert t.loc["rework", "ncs"] == 1
    assert t["share"].sum() == pytest.approx(1.0)
    assert list(t.index[:5]) == ["scrap", "rework", "use_as_is", "return_to_supplier", "pending"]


def test_copq_paf_convention():
    comp = pd.DataFrame(
        {"complaint_id": ["C1"], "received_date": pd.to_datetime(["2026-10-09"]), "cost": [1000.0]}
    )
    t = N.copq({"nonconformities": NCS, "complaints": comp}, "2026-10", months=3)
    oct_ = t[t["month"].astype(str) == "2026-10"].iloc[0]
    assert oct_["internal_scrap"] == 10 and oct_["internal_rework"] == 5
    assert oct_["internal_other"] == 70  # use_as_is 0 + pending 0 + return_to_supplier 70
    assert oct_["external_failure"] == 1300  # complaint 1000 + customer-found NC 300
    assert oct_["failure_total"] == 1385
    assert np.isnan(oct_["appraisal"])  # shown separately, not in the record model
    assert len(t) == 3


def test_defect_pareto_shift_flags_a_new_code():
    rng = np.random.default_rng(5)
    base_dates = pd.Timestamp("2025-10-01") + pd.to_timedelta(rng.integers(0, 360, 600), "D")
    codes = rng.choice(["D1", "D2", "D3"], 600, p=[0.6, 0.3, 0.1])
    now_dates = pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 30, 100), "D")
    now_codes = rng.choice(["D1", "D2", "D3"], 100, p=[0.2, 0.3, 0.5])
    ncs = pd.DataFrame(
        {
            "detected_date": np.concatenate([base_dates, now_dates]),
            "defect_code": np.concatenate([codes, now_codes]),
            "quantity": 1,
        }
    )
    t = N.defect_pareto_shift({"nonconformities": ncs}, "2026-10").set_index("category")
    assert t.loc["D3", "moved"] == "up" and t.loc["D1", "moved"] == "down"
    assert t["share"].sum() == pytest.approx(1.0)


def test_pareto_shift_empty_period():
    assert N.defect_pareto_shift({"nonconformities": NCS}, "2027-01").empty


def test_first_pass_yield():
    t = N.site_first_pass_yield(
        {"nonconformities": NCS, "production": _production()}, "2026-10", months=1
    ).set_index("site")
    assert t.loc["A", "fpy"] == pytest.approx(1 - 10 / 1e6)
    assert t.loc["B", "fpy"] == pytest.approx(1 - 5 / 1e6)


def test_rate_chart_for_one_site_and_process():
    rng = np.random.default_rng(8)
    months = pd.period_range("2024-11", periods=24, freq="M")
    prod = pd.DataFrame(
        {
            "date": [m.start_time for m in months],
            "site": "A",
            "product": "P",
            "units_produced": 10_000,
            "units_inspected": 10_000,
            "units_shipped": 10_000,
        }
    )
    k = rng.binomial(10_000, 0.01, 24)
    ncs = pd.DataFrame(
        {
            "nc_id": [f"N{i}" for i in range(24)],
            "detected_date": [m.start_time for m in months],
            "site": "A",
            "process": "reflow",
            "source": "in_process",
            "defect_code": "D1",
            "quantity": k,
        }
    )
    res = N.nc_rate_chart(
        {"nonconformities": ncs, "production": prod},
        "2026-10",
        site="A",
        process="reflow",
        months=24,
    )
    assert res.chart_type == "p" and res.chart is not None
    # p chart centre = total defective / total inspected (Montgomery sec. 7.2.1)
    assert res.chart.center == pytest.approx(k.sum() / 240_000)
    missing = N.nc_rate_chart(
        {"nonconformities": ncs, "production": prod}, "2026-10", site="B", process="reflow"
    )
    assert missing.chart is None and "B" in missing.note
