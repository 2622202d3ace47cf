"""Corrective-action analytics on hand-made frames with known answers."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import capa as K

AS_OF = pd.Timestamp("2026-10-31")

CAPAS = pd.DataFrame(
    {
        "capa_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
        "opened_date": pd.to_datetime(
            ["2026-10-20", "2026-09-15", "2026-08-10", "2026-05-01", "2026-03-01", "2026-01-10"]
        ),
        "source_type": ["nonconformity"] * 6,
        "source_id": ["N1", "N2", "N3", "N4", "N5", "N6"],
        "process": ["reflow", "reflow", "aoi", "reflow", "aoi", "reflow"],
        "owner": ["ann", "ann", "bob", "ann", "bob", "ann"],
        "due_date": pd.to_datetime(
            ["2026-11-20", "2026-10-15", "2026-11-30", "2026-06-01", "2026-04-01", "2026-02-10"]
        ),
        "closed_date": pd.to_datetime([None, None, None, None, "2026-03-21", "2026-03-01"]),
        "status": ["open", "open", "open", "open", "closed", "closed"],
        "effective": [None, None, None, None, "yes", "no"],
    }
)
# ages at 2026-10-31: A1 11 d, A2 46 d, A3 82 d, A4 183 d. Overdue: A2, A4.


def test_status_counts_and_rates():
    t = K.capa_status({"corrective_actions": CAPAS}, "2026-10").set_index("group")
    allrow = t.loc["all"]
    assert (allrow["open"], allrow["overdue"], allrow["closed"]) == (4, 2, 2)
    assert allrow["opened_in_period"] == 1 and allrow["closed_in_period"] == 0
    assert allrow["on_time_rate"] == pytest.approx(0.5)  # A5 on time, A6 late
    assert allrow["effectiveness_rate"] == pytest.approx(0.5)
    assert t.loc["reflow", "overdue"] == 2 and t.loc["aoi", "open"] == 1


def test_status_as_of_earlier_date_sees_the_past():
    t = K.capa_status({"corrective_actions": CAPAS}, "2026-02").set_index("group")
    # on 2026-02-28 only A6 existed, open and overdue (due 02-10, closed 03-01)
    assert (t.loc["all", "open"], t.loc["all", "overdue"], t.loc["all", "closed"]) == (1, 1, 0)


def test_cycle_time_counts_open_capas_censored():
    t = K.capa_status({"corrective_actions": CAPAS}, "2026-10").set_index("group")
    # closed after 20 (A5) and 50 (A6) days; open A1 11, A2 46, A3 82, A4 183 days (censored).
    # KM: at 20 five at risk -> S = 4/5; at 50 three at risk -> S = 0.8 * 2/3 = 0.533 > 0.5:
    # the median is not reached. Ignoring open CAPAs would have claimed a 35-day median.
    assert np.isnan(t.loc["all", "median_cycle_days"])
    assert np.isnan(t.loc["all", "p90_cycle_days"])
    assert t.loc["aoi", "median_cycle_days"] == 20  # aoi: 20 closed, 82 open -> S(20) = 1/2


def test_aging_buckets():
    t = K.capa_aging({"corrective_actions": CAPAS}, "2026-10")
    got = t.groupby("bucket", observed=True)["open"].sum()
    assert list(got) == [1, 1, 1, 1]
    assert list(t["bucket"].cat.categories) == ["0-30", "31-60", "61-90", ">90"]
    reflow = t[t["group"] == "reflow"].set_index("bucket")
    assert reflow.loc[">90", "overdue"] == 1 and reflow.loc["31-60", "overdue"] == 1


def test_overdue_list_most_overdue_first():
    t = K.capa_overdue({"corrective_actions": CAPAS}, "2026-10")
    assert list(t["capa_id"]) == ["A4", "A2"]
    assert list(t["days_overdue"]) == [152, 16]


def test_recurrence_same_code_and_process_within_180_days():
    ncs = pd.DataFrame(
        {
            "nc_id": ["N5", "N6", "R1", "R2", "R3"],
            "detected_date": pd.to_datetime(
                ["2026-02-20", "2026-01-05", "2026-05-01", "2026-04-01", "2026-10-01"]
            ),
            "process": ["aoi", "reflow", "aoi", "reflow", "reflow"],
            "defect_code": ["D5", "D6", "D5", "D7", "D6"],
        }
    )
    t = K.capa_recurrence(
        {"corrective_actions": CAPAS, "nonconformities": ncs}, "2026-10"
    ).set_index("capa_id")
    # A5 closed 03-21: R1 (aoi, D5) on 05-01 recurs. A6 closed 03-01: R2 other code,
    # R3 same code but 214 days later -> no recurrence.
    assert bool(t.loc["A5", "recurred"]) and t.loc["A5", "recurrences"] == 1
    assert not bool(t.loc["A6", "recurred"])
    assert bool(t.loc["A6", "window_complete"])
    # before: A5 opened 03-01, N5 (aoi, D5) 02-20 lies in the 180 days before -> 1 per 5.9 mo
    assert t.loc["A5", "before_per_month"] == pytest.approx(1 / (180 / (365.25 / 12)))
    # A6: N6 (reflow, D6) five days before opening, nothing within 180 days of closure
    assert t.loc["A6", "after_per_month"] == 0 and bool(t.loc["A6", "reduced"])


def test_empty_register():
    assert K.capa_status({}, "2026-10").empty
    assert K.capa_aging({}, "2026-10").empty
    assert K.capa_recurrence({}, "2026-10").empty
    assert K.capa_effect({}, "A1", as_of=AS_OF).chart is None


def test_effect_before_and_after_closure():
    # 12 months of 6 NCs a month before closure (2025-10), 1 a month after
    months = pd.period_range("2024-10", "2026-10", freq="M")
    counts = [6 if m <= pd.Period("2025-10", "M") else 1 for m in months]
    ncs = pd.DataFrame(
        {
            "nc_id": [f"N{m}-{i}" for m, k in zip(months, counts, strict=True) for i in range(k)],
            "detected_date": [
                m.start_time + pd.Timedelta(days=i)
                for m, k in zip(months, counts, strict=True)
                for i in range(k)
            ],
            "process": "reflow",
            "defect_code": "BRIDGE",
            "site": "A",
        }
    )
    capas = pd.DataFrame(
        {
            "capa_id": ["K1"],
            "opened_date": pd.to_datetime(["2025-09-01"]),
            "source_type": ["nonconformity"],
            "source_id": [ncs["nc_id"].iloc[0]],
            "process": ["reflow"],
            "due_date": pd.to_datetime(["2025-11-01"]),
            "closed_date": pd.to_datetime(["2025-10-20"]),
            "status": ["closed"],
        }
    )
    res = K.capa_effect(
        {"corrective_actions": capas, "nonconformities": ncs}, "K1", as_of="2026-10-31"
    )
    assert res.before_mean == 6 and res.after_mean == 1
    assert list(res.table["phase"].unique()) == ["before", "after"]
    assert res.chart is not None
    assert res.chart.data["cl"].iloc[0] == 6 and res.chart.data["cl"].iloc[-1] == 1
