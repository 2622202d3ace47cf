"""Production volumes: one row per working day, site and product (the rates' denominators)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import LINES, Calendar


def make_production(rng: np.random.Generator, cal: Calendar) -> pd.DataFrame:
    days = cal.workdays
    n_days, n_lines = len(days), len(LINES)
    means = np.array([line[2] for line in LINES])
    # day-to-day variation of about 13 % around a constant mean: no trend, no seasonality
    produced = np.rint(means * rng.gamma(60.0, 1 / 60.0, size=(n_days, n_lines))).astype(np.int64)
    shipped = rng.binomial(produced, 0.985)
    return pd.DataFrame(
        {
            "date": np.repeat(days.values, n_lines),
            "site": np.tile([line[0] for line in LINES], n_days),
            "product": np.tile([line[1] for line in LINES], n_days),
            "units_produced": produced.ravel(),
            "units_inspected": produced.ravel(),  # 100 % AOI and test
            "units_shipped": shipped.ravel(),
        }
    )
