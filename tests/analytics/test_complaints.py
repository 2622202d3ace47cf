"""Complaint analytics on small hand-made frames with known answers."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import complaints as C


def _wb(complaints=None, production=None):
    return {"complaints": complaints, "production": production}


def _production(months, shipped=1_000_000):
    return pd.DataFrame(
        {
            "date": pd.to_datetime([f"{m}-15" for m in months]),
            "site": "A",
            "product": "P1",
            "units_produced": shipped,
            "units_inspected": shipped,
            "units_shipped": shipped,
        }
    )


COMPLAINTS = pd.DataFrame(
    {
        "complaint_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "received_date": pd.to_datetime(
            ["2026-09-03", "2026-10-02", "2026-10-05", "2026-10-20", "2026-10-21", "2026-10-30"]
        ),
        "customer": ["X", "X", "Y", "X", "Z", "Y"],
        "product": ["P1", "P1", "P2", "P1", "P1", "P2"],
        "category": ["label", "solder", "solder", "solder", "packaging", "label"],
        "severity": ["minor", "major", "minor", "critical", "minor", "minor"],
        "status": ["closed", "closed", "closed", "open", "closed", "open"],
        "closed_date": pd.to_datetime(
            ["2026-09-13", "2026-10-12", "2026-10-25", None, "2026-10-31", None]
        ),
        "cost": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
    }
)


def test_counts_and_rate_per_million_shipped():
    wb = _wb(COMPLAINTS, _production(["2026-08", "2026-09", "2026-10"], 2_000_000))
    t = C.complaint_counts(wb, "2026-10", months=3)
    assert list(t["complaints"]) == [0, 1, 5]
    assert list(t["n"]) == [2.0, 2.0, 2.0]
    assert list(t["rate_per_million"]) == [0.0, 0.5, 2.5]


def test_months_without_shipments_are_dropped():
    wb = _wb(COMPLAINTS, _production(["2026-10"]))
    t = C.complaint_counts(wb, "2026-10", months=3)
    assert list(t["month"].astype(str)) == ["2026-10"]


def test_rate_without_production_is_a_note_not_an_error():
    res = C.complaint_rate(_wb(COMPLAINTS, None), "2026-10")
    assert res.chart is None and "production" in res.note


def test_short_series_gives_insufficient_data():
    wb = _wb(COMPLAINTS, _production(["2026-08", "2026-09", "2026-10"]))
    res = C.complaint_rate(wb, "2026-10")
    assert res.chart is None and res.note.startswith("insufficient data")


def test_severity_mix_lists_all_levels():
    t = C.complaint_severity(_wb(COMPLAINTS), "2026-10")
    assert list(t["severity"]) == ["critical", "major", "minor"]
    assert list(t["count"]) == [1, 1, 3]
    assert t["share"].sum() == pytest.approx(1.0)


def test_empty_period_gives_empty_frames():
    wb = _wb(COMPLAINTS)
    assert C.complaint_severity(wb, "2025-01").empty
    assert C.complaint_time_to_close(wb, "2024-01").empty
    assert C.repeat_complaints(_wb(None), "2026-10").empty


def test_time_to_close_by_severity_with_open_items_censored():
    t = C.complaint_time_to_close(_wb(COMPLAINTS), "2026-10", months=1).set_index("group")
    # October: closed after 10 (C2), 20 (C3), 10 (C5) days; C4 open 11 days, C6 open 1 day.
    assert t.loc["all", "n"] == 5 and t.loc["all", "n_open"] == 2
    assert t.loc["all", "median_days"] == 10
    assert np.isnan(t.loc["critical", "median_days"])  # only an open item


def test_repeat_complaints_per_customer():
    t = C.repeat_complaints(_wb(COMPLAINTS), "2026-10", months=2)
    assert list(t["customer"]) == ["X", "Y"]
    assert list(t["complaints"]) == [3, 2]
    assert list(t["open"]) == [1, 1]
    assert t.loc[0, "top_category"] == "solder"


def _steady(months=24, per_month=10, shipped=2_000_000, seed=3):
    rng = np.random.default_rng(seed)
    window = pd.period_range("2024-11", periods=months, freq="M")
    counts = rng.poisson(per_month, months)
    rows = [
        {
            "complaint_id": f"C{m}-{i}",
            "received_date": m.start_time + pd.Timedelta(days=i % 28),
            "customer": "X",
            "category": "solder",
            "severity": "minor",
            "status": "closed",
        }
        for m, k in zip(window, counts, strict=True)
        for i in range(k)
    ]
    return _wb(pd.DataFrame(rows), _production([str(m) for m in window], shipped)), counts


def test_rate_u_chart_centre_is_pooled_rate():
    wb, counts = _steady()
    res = C.complaint_rate(wb, "2026-10", months=24)
    assert res.chart is not None and res.chart_type == "u"  # Poisson data: no over-dispersion
    # u chart centre = total complaints / total inspection units (Montgomery sec. 7.3.1)
    assert res.chart.center == pytest.approx(counts.sum() / (24 * 2.0))
    assert res.trend.trend in ("no trend", "increasing", "decreasing")


def test_pareto_by_unknown_column_is_a_clear_error():
    from qmsdata.errors import DataError

    with pytest.raises(DataError, match="colour"):
        C.complaint_pareto(_wb(COMPLAINTS), "2026-10", by="colour")
    assert C.complaint_pareto(_wb(None), "2026-10", by="colour").empty


def test_quarter_period_covers_three_months():
    t = C.complaint_severity(_wb(COMPLAINTS), "2026Q3")
    assert t["count"].sum() == 1  # only C1 (2026-09-03) falls in Q3


def test_pareto_of_the_period_and_weighted_by_cost():
    t = C.complaint_pareto(_wb(COMPLAINTS), "2026-10")
    assert list(t["category"]) == ["solder", "label", "packaging"]  # ties by name
    assert list(t["count"]) == [3, 1, 1]
    cost = C.complaint_pareto(_wb(COMPLAINTS), "2026-10", weight="cost")
    assert cost.iloc[0]["category"] == "solder" and cost.iloc[0]["count"] == 90
