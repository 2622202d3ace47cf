"""Customer complaints on shipped volume (planted signal complaint_rise)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import COMPLAINT_CATEGORIES, CUSTOMERS, N_MONTHS, OWNERS, Calendar


def monthly_shipped(cal: Calendar, prod: pd.DataFrame) -> pd.DataFrame:
    m = cal.month_index(prod["date"])
    return prod.assign(m=m).groupby(["m", "site", "product"], sort=True)["units_shipped"].sum()


def make_complaints(rng: np.random.Generator, cal: Calendar, prod: pd.DataFrame) -> pd.DataFrame:
    shipped = monthly_shipped(cal, prod)
    base_pm = 360.0  # complaints per million units shipped
    m = np.arange(N_MONTHS)
    # planted signal complaint_rise: linear drift from E-17 (x1.033) to E (x1.6)
    mult = np.where(m >= N_MONTHS - 18, 1 + 0.6 * (m - (N_MONTHS - 19)) / 18, 1.0)
    cats = list(COMPLAINT_CATEGORIES)
    cat_w = np.array([COMPLAINT_CATEGORIES[c][0] for c in cats])
    cust_w = 1 / np.arange(1, len(CUSTOMERS) + 1) ** 0.8
    rows = []
    for mi in m:
        month_ship = shipped.loc[mi]
        total = float(month_ship.sum())
        n = rng.poisson(total * base_pm * mult[mi] / 1e6)
        combos = list(month_ship.index)
        p = month_ship.to_numpy(float) / total
        start = cal.months[mi].start_time.normalize()
        ndays = cal.months[mi].days_in_month
        for _ in range(n):
            site, product = combos[rng.choice(len(combos), p=p)]
            received = start + pd.Timedelta(days=int(rng.integers(0, ndays)))
            cat = cats[rng.choice(len(cats), p=cat_w / cat_w.sum())]
            severity = rng.choice(["critical", "major", "minor"], p=[0.05, 0.30, 0.65])
            qty = {
                "minor": 1 + rng.geometric(0.5),
                "major": 2 + rng.geometric(0.2),
                "critical": 5 + rng.geometric(0.05),
            }[severity] - 1
            cost = {"minor": 150.0, "major": 900.0, "critical": 6000.0}[severity]
            cost = round(float(cost * rng.lognormal(0.0, 0.5)), 2)
            median_days = {"critical": 10, "major": 18, "minor": 25}[severity]
            closed = received + pd.Timedelta(days=int(rng.lognormal(np.log(median_days), 0.5)))
            customer = CUSTOMERS[rng.choice(len(CUSTOMERS), p=cust_w / cust_w.sum())][0]
            template = COMPLAINT_CATEGORIES[cat][2]
            text = template[rng.integers(len(template))].format(
                qty=qty, product=product, days=int(rng.integers(2, 15))
            )
            rows.append(
                {
                    "received_date": received,
                    "customer": customer,
                    "product": product,
                    "site": site,
                    "category": cat,
                    "severity": str(severity),
                    "status": "closed" if closed <= cal.as_of else "open",
                    "closed_date": closed if closed <= cal.as_of else pd.NaT,
                    "capa_id": None,
                    "cost": cost,
                    "quantity_affected": int(qty),
                    "description": text,
                    "logged_by": OWNERS["Sales & contract review"][0 if site == "Leeds" else 1],
                }
            )
    df = pd.DataFrame(rows).sort_values("received_date", kind="stable").reset_index(drop=True)
    df.insert(0, "complaint_id", [f"CC-{i:05d}" for i in range(1, len(df) + 1)])
    return df
