"""Supplier goods-in receipts (planted signal supplier_deterioration)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import BAD_SUPPLIER, N_MONTHS, SUPPLIERS, Calendar


def make_supplier_receipts(rng: np.random.Generator, cal: Calendar) -> pd.DataFrame:
    lots = np.array([1000, 2000, 2500, 4000, 5000, 10000])
    lot_p = np.array([0.15, 0.2, 0.15, 0.2, 0.2, 0.1])
    days_by_month = [cal.workdays[cal.month_index(cal.workdays) == mi] for mi in range(N_MONTHS)]
    frames = []
    for sid, name, commodity, per_month, ppm, on_time in SUPPLIERS:
        counts = rng.poisson(per_month, size=N_MONTHS)
        mi = np.repeat(np.arange(N_MONTHS), counts)
        n = len(mi)
        received = np.array(
            [days_by_month[m][rng.integers(len(days_by_month[m]))] for m in mi],
            dtype="datetime64[ns]",
        )
        qty = rng.choice(lots, size=n, p=lot_p)
        p = np.full(n, ppm / 1e6)
        if sid == BAD_SUPPLIER:  # planted signal supplier_deterioration from E-7
            k = mi - (N_MONTHS - 8)
            p = np.where(k >= 0, p * (1 + 5 * (k + 1) / 8), p)
        rejected = rng.binomial(qty, p)
        late = rng.random(n) > on_time
        offset = np.where(late, -rng.integers(1, 11, size=n), rng.integers(0, 6, size=n))
        frames.append(
            pd.DataFrame(
                {
                    "supplier_id": sid,
                    "received_date": received,
                    "due_date": received + offset.astype("timedelta64[D]"),
                    "quantity_received": qty,
                    "quantity_rejected": rejected,
                    "supplier_name": name,
                    "commodity": commodity,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["received_date", "supplier_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "receipt_id", [f"GRN-{i:06d}" for i in range(1, len(df) + 1)])
    return df
