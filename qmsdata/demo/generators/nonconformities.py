"""Nonconformities per site, process and product (planted signal defect_step)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import (
    CHANGE_PLAN,
    EFFECTIVE_FACTOR,
    LINES,
    N_MONTHS,
    PROCESSES,
    SITE_FACTOR,
    SUPPLIERS,
    Calendar,
    change_date,
)


def make_nonconformities(
    rng: np.random.Generator, cal: Calendar, prod: pd.DataFrame
) -> pd.DataFrame:
    procs = list(PROCESSES)
    n_lines = len(LINES)
    inspected = prod["units_inspected"].to_numpy(float).reshape(-1, n_lines)  # (days, lines)
    day_month = cal.month_index(cal.workdays)
    rate = np.zeros((len(cal.workdays), n_lines, len(procs)))
    for j, (line_site, _product, _mean, wave, _cost) in enumerate(LINES):
        for k, proc in enumerate(procs):
            r = PROCESSES[proc][0] * SITE_FACTOR[line_site]
            if proc == "Wave soldering" and not wave:
                r = 0.0
            rate[:, j, k] = r
    # planted signal defect_step: Reflow soldering at Leeds x2.2 from E-6
    step = day_month >= N_MONTHS - 7
    leeds = [j for j, line in enumerate(LINES) if line[0] == "Leeds"]
    k_reflow = procs.index("Reflow soldering")
    for j in leeds:
        rate[step, j, k_reflow] *= 2.2
    mean_qty = 1.3  # quantity per NC row = 1 + Poisson(0.3)
    counts = rng.poisson(inspected[:, :, None] * rate / mean_qty)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    d_idx, j_idx, k_idx = np.unravel_index(cell, counts.shape)
    n = len(cell)
    site = np.array([line[0] for line in LINES])[j_idx]
    product = np.array([line[1] for line in LINES])[j_idx]
    unit_cost = np.array([line[4] for line in LINES])[j_idx]
    process = np.array(procs, dtype=object)[k_idx]
    detected = cal.workdays.values[d_idx]
    quantity = 1 + rng.poisson(0.3, size=n)

    code = np.empty(n, dtype=object)
    category = np.empty(n, dtype=object)
    source = np.empty(n, dtype=object)
    for k, proc in enumerate(procs):
        m = k_idx == k
        _rate, src, codes = PROCESSES[proc]
        w = np.array([c[2] for c in codes], float)
        pick = rng.choice(len(codes), size=int(m.sum()), p=w / w.sum())
        code[m] = np.array([c[0] for c in codes], dtype=object)[pick]
        category[m] = np.array([c[1] for c in codes], dtype=object)[pick]
        source[m] = src
    # about 1 % of in-process and final findings are customer returns
    returns = (source != "incoming") & (rng.random(n) < 0.01)
    source[returns] = "customer"

    incoming = source == "incoming"
    disposition = np.where(
        incoming,
        rng.choice(["return_to_supplier", "scrap", "use_as_is"], size=n, p=[0.7, 0.1, 0.2]),
        rng.choice(["rework", "scrap", "use_as_is"], size=n, p=[0.75, 0.15, 0.10]),
    ).astype(object)
    delay = rng.geometric(0.25, size=n)
    closed = detected + delay.astype("timedelta64[D]")
    is_open = closed > np.datetime64(cal.as_of)
    pending = is_open & (rng.random(n) < 0.5)
    disposition[pending] = "pending"
    cost = np.where(
        disposition == "scrap",
        quantity * np.where(incoming, 2.0, unit_cost),
        np.where(disposition == "rework", quantity * 8.5, 0.0),
    ).round(2)
    cost = np.where(pending, np.nan, cost)

    supplier = np.full(n, None, dtype=object)
    weights = np.array([s[3] for s in SUPPLIERS], float)
    supplier[incoming] = np.array([s[0] for s in SUPPLIERS], dtype=object)[
        rng.choice(len(SUPPLIERS), size=int(incoming.sum()), p=weights / weights.sum())
    ]
    line_no = rng.integers(1, 4, size=n)
    df = pd.DataFrame(
        {
            "detected_date": detected,
            "site": site,
            "process": process,
            "product": product,
            "source": source,
            "defect_code": code,
            "defect_category": category,
            "quantity": quantity,
            "disposition": disposition,
            "cost": cost,
            "supplier_id": supplier,
            "capa_id": None,
            "status": np.where(is_open, "open", "closed"),
            "closed_date": np.where(is_open, np.datetime64("NaT"), closed),
            "line": np.char.add(
                np.char.add(np.where(site == "Leeds", "L", "B"), "-SMT"), line_no.astype(str)
            ),
        }
    )
    df["closed_date"] = pd.to_datetime(df["closed_date"])
    df["description"] = df["defect_code"].str.lower().str.replace("-", " ") + " on " + df["product"]
    df = df.sort_values(["detected_date", "site", "line"], kind="stable").reset_index(drop=True)
    df.insert(0, "nc_id", [f"NCR-{i:06d}" for i in range(1, len(df) + 1)])
    return df


def plant_change_effects(
    rng: np.random.Generator, cal: Calendar, ncs: pd.DataFrame
) -> pd.DataFrame:
    """Return ``ncs`` with the effect of the planted change CHG-001 (Brno SMT placement).

    From CHG-001's date each nonconformity of SMT placement at Brno is kept with probability
    :data:`~qmsdata.demo.company.EFFECTIVE_FACTOR` (thinning a Poisson process scales its rate:
    a sustained 40 % drop). Rows linked to a corrective action are always kept, and the NCR
    numbers of the rows left out stay unused, so every other table is exactly as without the
    change (the CAPAs were raised from the same rows).
    """
    plan = {row[0]: row for row in CHANGE_PLAN}["effective"]
    _key, _id, months_before, day, site, process = plan[:6]
    start = change_date(cal.end, months_before, day)
    target = (
        (ncs["site"] == site).to_numpy()
        & (ncs["process"] == process).to_numpy()
        & (ncs["detected_date"] >= start).to_numpy()
        & ncs["capa_id"].isna().to_numpy()
    )
    drop = target & (rng.random(len(ncs)) >= EFFECTIVE_FACTOR)
    return ncs[~drop].reset_index(drop=True)
