"""Period helpers and shared plumbing of the area analytics."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import periods as P
from qmsdata.errors import DataError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", pd.Period("2026-10", "M")),
        ("2026Q3", pd.Period("2026Q3", "Q-DEC")),
        ("2026q3", pd.Period("2026Q3", "Q-DEC")),
        (pd.Period("2026-02", "M"), pd.Period("2026-02", "M")),
        ("2026-10-15", pd.Period("2026-10", "M")),
    ],
)
def test_parse_period(text, expected):
    assert P.parse_period(text) == expected


@pytest.mark.parametrize("bad", ["October", "2026-13", None, pd.Period("2026", "Y")])
def test_parse_period_rejects_clearly(bad):
    with pytest.raises(DataError):
        P.parse_period(bad)


@pytest.mark.parametrize(
    ("period", "start", "end", "prev", "last_year"),
    [
        ("2026-10", "2026-10-01", "2026-10-31", "2026-09", "2025-10"),
        ("2024-02", "2024-02-01", "2024-02-29", "2024-01", "2023-02"),
        ("2026Q1", "2026-01-01", "2026-03-31", "2025Q4", "2025Q1"),
    ],
)
def test_bounds_previous_and_last_year(period, start, end, prev, last_year):
    assert P.period_start(period) == pd.Timestamp(start)
    assert P.period_end(period) == pd.Timestamp(end)
    assert P.resolve_as_of(period) == pd.Timestamp(end)
    assert str(P.previous_period(period)) == prev
    assert str(P.same_period_last_year(period)) == last_year


@pytest.mark.parametrize(
    ("period", "fy_start", "first", "count"),
    [
        ("2026-10", 1, "2026-01", 10),
        ("2026-10", 4, "2026-04", 7),
        ("2026-02", 4, "2025-04", 11),
        ("2026-04", 4, "2026-04", 1),
        ("2026Q3", 7, "2026-07", 3),
    ],
)
def test_fiscal_ytd(period, fy_start, first, count):
    months = P.ytd_months(period, fy_start)
    assert str(months[0]) == first
    assert len(months) == count
    assert months[-1] == P.last_month(period)


def test_fiscal_year_start_must_be_a_month():
    with pytest.raises(DataError):
        P.fiscal_year_start("2026-10", 13)


def test_trailing_months_and_quarter_months():
    assert [str(m) for m in P.period_months("2026Q2")] == ["2026-04", "2026-05", "2026-06"]
    window = P.trailing_months("2026Q2", 12)
    assert str(window[0]) == "2025-07" and str(window[-1]) == "2026-06"


def test_records_of_unconfigured_type_is_empty():
    class Wb:
        complaints = pd.DataFrame({"a": [1]})

    assert P.records(Wb(), "risks").empty
    assert len(P.records(Wb(), "complaints")) == 1
    assert P.records({"risks": None}, "risks").empty


def test_time_to_close_counts_open_items_as_censored():
    # 4 closed after 10, 20, 30, 40 days; 4 still open at 100 days.
    opened = pd.Series(pd.to_datetime(["2026-01-01"] * 8))
    closed = pd.Series(
        pd.to_datetime(
            ["2026-01-11", "2026-01-21", "2026-01-31", "2026-02-10", None, None, None, None]
        )
    )
    as_of = pd.Timestamp("2026-04-11")  # 100 days
    out = P.time_to_close(opened, closed, as_of)
    assert out["n"] == 8 and out["n_open"] == 4
    # Kaplan-Meier: S(t) drops by 1/8 at each close; S(40) = 0.5, so the median is 40 days,
    # where ignoring open items would give 25 days. 90% is never reached.
    assert out["median_days"] == 40
    assert np.isnan(out["p90_days"])


def test_time_to_close_all_closed_matches_plain_quantiles():
    opened = pd.Series(pd.to_datetime(["2026-01-01"] * 10))
    closed = opened + pd.to_timedelta(np.arange(1, 11), unit="D")
    out = P.time_to_close(opened, closed, pd.Timestamp("2026-12-31"))
    assert out["median_days"] == 5 and out["p90_days"] == 9  # empirical CDF reaches 0.5 at 5


def test_time_to_close_closed_after_as_of_is_open():
    opened = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01"]))
    closed = pd.Series(pd.to_datetime(["2026-01-05", "2026-03-01"]))
    out = P.time_to_close(opened, closed, pd.Timestamp("2026-02-01"))
    assert out["n_open"] == 1


def test_time_to_close_nothing_closed_is_nan_not_error():
    out = P.time_to_close(
        pd.Series(pd.to_datetime(["2026-01-01"])), pd.Series([pd.NaT]), pd.Timestamp("2026-02-01")
    )
    assert out["n_open"] == 1 and np.isnan(out["median_days"])


def test_dispersion_ratio_near_one_for_binomial_data():
    rng = np.random.default_rng(1)
    n = np.full(200, 5000)
    k = rng.binomial(n, 0.01)
    assert 0.8 < P.dispersion_ratio(k, n, "p") < 1.2
    assert P.choose_attribute_chart(k, n, "p")[0] == "p"


def test_overdispersed_counts_choose_laney():
    rng = np.random.default_rng(2)
    n = np.full(36, 2_000_000)
    k = rng.binomial(n, rng.uniform(0.008, 0.012, 36))  # rate itself varies month to month
    chart, ratio = P.choose_attribute_chart(k, n, "p")
    assert chart == "p_prime" and ratio > 5
