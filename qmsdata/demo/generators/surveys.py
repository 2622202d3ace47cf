"""Customer survey responses (0-10 recommendation scores)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import CUSTOMERS, N_MONTHS, Calendar

_SCORE_P = np.array([0.004, 0.004, 0.008, 0.012, 0.018, 0.035, 0.06, 0.13, 0.26, 0.26, 0.209])


def make_customer_surveys(rng: np.random.Generator, cal: Calendar) -> pd.DataFrame:
    counts = rng.poisson(45, size=N_MONTHS)
    mi = np.repeat(np.arange(N_MONTHS), counts)
    n = len(mi)
    offs = np.array([rng.integers(cal.months[m].days_in_month) for m in mi])
    starts = np.array([cal.months[m].start_time.normalize() for m in mi], dtype="datetime64[ns]")
    cust_w = 1 / np.arange(1, len(CUSTOMERS) + 1) ** 0.6
    cust = rng.choice(len(CUSTOMERS), size=n, p=cust_w / cust_w.sum())
    score = rng.choice(11, size=n, p=_SCORE_P / _SCORE_P.sum())
    comments = {
        0: "Repeated quality problems",
        3: "Too many escapes reaching our line",
        5: "Deliveries often late",
        6: "Communication could be faster",
        10: "Excellent support from the Brno team",
        9: "Good quality and responsive engineers",
    }
    df = pd.DataFrame(
        {
            "response_date": starts + offs.astype("timedelta64[D]"),
            "customer": np.array([c[0] for c in CUSTOMERS], dtype=object)[cust],
            "score": score,
            "site": np.array([c[1] for c in CUSTOMERS], dtype=object)[cust],
            "comment": [comments.get(int(s)) if rng.random() < 0.3 else None for s in score],
        }
    )
    df = df.sort_values("response_date", kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"SR-{i:05d}" for i in range(1, len(df) + 1)])
    return df
