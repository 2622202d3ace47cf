"""Kaplan-Meier time to close with open items censored (qmsdata.stats.survival)."""

import numpy as np
import pandas as pd

from qmsdata.stats.survival import time_to_close


def test_time_to_close_counts_open_items_as_censored():
    # 4 closed after 10, 20, 30, 40 days; 4 still open at 100 days.
    opened = pd.Series(pd.to_datetime(["2026-01-01"] * 8))
    closed = pd.Series(
        pd.to_datetime(
            ["2026-01-11", "2026-01-21", "2026-01-31", "2026-02-10", None, None, None, None]
        )
    )
    as_of = pd.Timestamp("2026-04-11")  # 100 days
    out = time_to_close(opened, closed, as_of)
    assert out["n"] == 8 and out["n_open"] == 4
    # Kaplan-Meier: S(t) drops by 1/8 at each close; S(40) = 0.5, so the median is 40 days,
    # where ignoring open items would give 25 days. 90% is never reached.
    assert out["median_days"] == 40
    assert np.isnan(out["p90_days"])


def test_time_to_close_all_closed_matches_plain_quantiles():
    opened = pd.Series(pd.to_datetime(["2026-01-01"] * 10))
    closed = opened + pd.to_timedelta(np.arange(1, 11), unit="D")
    out = time_to_close(opened, closed, pd.Timestamp("2026-12-31"))
    assert out["median_days"] == 5 and out["p90_days"] == 9  # empirical CDF reaches 0.5 at 5


def test_time_to_close_closed_after_as_of_is_open():
    opened = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01"]))
    closed = pd.Series(pd.to_datetime(["2026-01-05", "2026-03-01"]))
    out = time_to_close(opened, closed, pd.Timestamp("2026-02-01"))
    assert out["n_open"] == 1


def test_time_to_close_nothing_closed_is_nan_not_error():
    out = time_to_close(
        pd.Series(pd.to_datetime(["2026-01-01"])), pd.Series([pd.NaT]), pd.Timestamp("2026-02-01")
    )
    assert out["n_open"] == 1 and np.isnan(out["median_days"])
