"""Benchmark: screen 10,000 KPI series of 36 points at once vs the single-series API in a loop.

Per series: I chart + Western Electric + Anhoej rules + Mann-Kendall/Sen. ``qmsdata.screen``
does all series in one vectorised pass; the baseline is the obvious Python loop calling
``qmsdata.control_chart(...)`` and ``qmsdata.trend_test(...)`` per series. The loop is timed on
a subset (``--loop-series``, default 500) and scaled linearly to the full count, which the
output says; both are measured in the same run, medians of ``--repeats`` runs. A check that the
screen's answers equal the loop's on the subset runs first.

Goal (issue 3): the screen is at least 10x faster than the loop.

Run:  .venv/bin/python benchmarks/screening.py [--series 10000] [--points 36] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

import qmsdata

RULES = ("western_electric", "anhoej")


def make_frame(n_series: int, n_points: int, seed: int = 1) -> pd.DataFrame:
    """Return a long KPI frame: n_series x n_points monthly values, a fifth with a shift."""
    rng = np.random.default_rng(seed)
    level = rng.normal(100, 20, (n_series, 1))
    noise = rng.normal(0, 5, (n_series, n_points))
    shifted = rng.random((n_series, 1)) < 0.2
    step = np.where(np.arange(n_points) >= n_points * 2 // 3, 12.0, 0.0)
    values = level + noise + shifted * step
    months = pd.period_range("2023-11", periods=n_points, freq="M")
    return pd.DataFrame(
        {
            "kpi": np.repeat([f"KPI-{i:05d}" for i in range(n_series)], n_points),
            "month": np.tile(months, n_series),
            "value": values.ravel(),
        }
    )


def run_screen(df: pd.DataFrame) -> pd.DataFrame:
    return qmsdata.screen(df, series="kpi", value="value", x="month", chart="i", rules=RULES)


def run_loop(df: pd.DataFrame) -> list[tuple]:
    out = []
    for kpi, sub in df.groupby("kpi", sort=True):
        cc = qmsdata.control_chart(sub, "i", value="value", x="month", rules=RULES)
        tt = qmsdata.trend_test(sub["value"].to_numpy())
        s = cc.summary()
        out.append((kpi, s["variation"], s["runs_signal"], s["sigma_signals"], tt.trend))
    return out


def median_time(fn, arg, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--points", type=int, default=36)
    ap.add_argument("--loop-series", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    df = make_frame(args.series, args.points)
    subset_keys = sorted(df["kpi"].unique())[: args.loop_series]
    subset = df[df["kpi"].isin(subset_keys)]

    # correctness first: the screen and the loop agree on the subset
    screened = run_screen(subset)
    looped = run_loop(subset)
    got = list(
        screened[["kpi", "variation", "runs_signal", "sigma_signals", "trend"]].itertuples(
            index=False, name=None
        )
    )
    if [tuple(map(str, a)) for a in got] != [tuple(map(str, b)) for b in looped]:
        raise SystemExit("screen and loop disagree: benchmark aborted")

    t_screen = median_time(run_screen, df, args.repeats)
    t_loop_subset = median_time(run_loop, subset, max(1, args.repeats // 2))
    t_loop = t_loop_subset * args.series / args.loop_series
    print(f"series x points         : {args.series:,} x {args.points}")
    print(f"screen (vectorised)     : {t_screen:8.3f} s  median of {args.repeats}")
    print(
        f"loop over control_chart : {t_loop_subset:8.3f} s for {args.loop_series} series "
        f"(median of {max(1, args.repeats // 2)}), scaled x{args.series / args.loop_series:g} "
        f"-> {t_loop:8.1f} s for {args.series:,}"
    )
    print(
        f"per series              : screen {1e6 * t_screen / args.series:8.1f} us, "
        f"loop {1e6 * t_loop / args.series:8.1f} us"
    )
    print(f"speed-up                : {t_loop / t_screen:8.1f}x  (goal >= 10x)")
    flagged = (screened["variation"] != "common_cause").mean()
    print(f"(subset check passed; {flagged:.0%} of subset series flagged)")


if __name__ == "__main__":
    main()
