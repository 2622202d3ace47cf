"""Invariants of the area analytics (hypothesis), and the docstring convention."""

import inspect

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import qmsdata
from qmsdata.analytics import nonconformities as N
from qmsdata.analytics import periods as P
from qmsdata.stats.survival import time_to_close

AREA_MODULES = (
    "complaints",
    "nonconformities",
    "capa",
    "audits",
    "objectives",
    "suppliers",
    "customers",
    "risks",
    "signals",
)


def test_every_exported_analytic_names_its_iso_clause():
    for name, module in qmsdata._EXPORTS.items():
        if module.rsplit(".", 1)[-1] in AREA_MODULES:
            doc = inspect.getdoc(getattr(qmsdata, name)) or ""
            assert "ISO 9001" in doc, name


@settings(max_examples=40, deadline=None)
@given(
    closed=st.lists(st.integers(0, 400), min_size=1, max_size=30),
    still_open=st.lists(st.integers(0, 400), max_size=30),
)
def test_km_quantiles_ordered_and_open_items_never_shorten(closed, still_open):
    as_of = pd.Timestamp("2027-06-01")
    opened = pd.Series(
        [as_of - pd.Timedelta(days=500)] * len(closed)
        + [as_of - pd.Timedelta(days=d) for d in still_open]
    )
    closes = pd.Series(
        [opened.iloc[0] + pd.Timedelta(days=d) for d in closed] + [pd.NaT] * len(still_open)
    )
    with_open = time_to_close(opened, closes, as_of)
    only_closed = time_to_close(opened[: len(closed)], closes[: len(closed)], as_of)
    assert with_open["n"] == len(closed) + len(still_open)
    if np.isfinite(with_open["p90_days"]):
        assert with_open["median_days"] <= with_open["p90_days"]
    # counting open items (censored) can only lengthen the estimated time to close
    if np.isfinite(with_open["median_days"]):
        assert with_open["median_days"] >= only_closed["median_days"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 200))
def test_nc_rates_conserve_defects(seed, n):
    rng = np.random.default_rng(seed)
    months = pd.period_range("2025-11", "2026-10", freq="M")
    prod = pd.DataFrame(
        {
            "date": [m.start_time for m in months for _ in (0, 1)],
            "site": ["A", "B"] * 12,
            "units_inspected": 1000.0,
            "units_produced": 1000.0,
            "units_shipped": 1000.0,
        }
    )
    ncs = pd.DataFrame(
        {
            "detected_date": pd.Timestamp("2025-09-01")
            + pd.to_timedelta(rng.integers(0, 425, n), "D"),
            "site": rng.choice(["A", "B"], n),
            "process": rng.choice(["p", "q", "r"], n),
            "source": rng.choice(["in_process", "final", "incoming", "customer"], n),
            "quantity": rng.integers(1, 5, n).astype(float),
        }
    )
    t = N.nc_rates({"nonconformities": ncs, "production": prod}, "2026-10", months=12)
    inside = ncs[
        (ncs["detected_date"] >= "2025-11-01")
        & (ncs["detected_date"] <= "2026-10-31")
        & ncs["source"].isin(N.PROCESS_SOURCES)
    ]
    assert t["defects"].sum() == inside["quantity"].sum()
    assert (t["ppm"] == t["defects"] / t["units_inspected"] * 1e6).all()


@given(year=st.integers(2000, 2100), month=st.integers(1, 12), fy=st.integers(1, 12))
def test_ytd_starts_at_fiscal_start_and_ends_at_period(year, month, fy):
    period = f"{year}-{month:02d}"
    months = P.ytd_months(period, fy)
    assert months[0].month == fy and months[-1] == pd.Period(period, "M")
    assert 1 <= len(months) <= 12
