"""Quality objectives and their monthly KPI measurements (planted objective_missed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qmsdata.demo.company import N_MONTHS, OBJECTIVES, Calendar


def make_objectives(cal: Calendar) -> pd.DataFrame:
    valid_to = pd.Timestamp(year=cal.end.year, month=12, day=31)
    rows = []
    for oid, name, proc, owner, unit, direction, target, complete in OBJECTIVES:
        rows.append(
            {
                "objective_id": oid,
                "name": name,
                "process": proc,
                "owner": owner,
                "unit": unit,
                "direction": direction,
                "target": target,
                "valid_from": cal.first_day,
                "valid_to": valid_to,
                "frequency": "monthly",
                "action_plan": f"Monthly review of {name.lower()} with actions on misses"
                if complete
                else None,
                "resources": "Process engineer time; data from MES and ERP" if complete else None,
                "responsible": owner,
                "plan_due": valid_to if complete else pd.NaT,
                "evaluation_method": "Control chart of the monthly KPI against target"
                if complete
                else None,
            }
        )
    return pd.DataFrame(rows)


def make_kpi_measurements(
    rng: np.random.Generator, cal: Calendar, surveys: pd.DataFrame
) -> pd.DataFrame:
    n = N_MONTHS
    survey_mean = surveys.groupby(cal.month_index(surveys["response_date"]))["score"].mean()
    series: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = {}

    def ratio(den_mean: float, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        den = rng.poisson(den_mean, size=n).astype(float)
        num = rng.binomial(den.astype(np.int64), p).astype(float)
        return np.round(100 * num / den, 2), num, den

    series["OBJ-01"] = ratio(110_000, 0.9855)
    series["OBJ-02"] = ratio(1_800, 0.928)  # planted signal objective_missed
    series["OBJ-03"] = (np.round(survey_mean.reindex(range(n)).to_numpy(), 2), None, None)
    sales = np.round(rng.normal(4_200_000, 150_000, size=n), 0)
    scrap = np.round(sales * rng.normal(0.0072, 0.0004, size=n), 0)
    series["OBJ-04"] = (np.round(100 * scrap / sales, 3), scrap, sales)
    series["OBJ-05"] = ratio(400, 0.985)
    series["OBJ-06"] = (np.round(rng.normal(385, 6, size=n), 1), None, None)
    series["OBJ-07"] = ratio(200, 0.96)
    frames = []
    for oid, (value, num, den) in series.items():
        frames.append(
            pd.DataFrame(
                {
                    "objective_id": oid,
                    "period": cal.months,
                    "value": value,
                    "numerator": num if num is not None else np.nan,
                    "denominator": den if den is not None else np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(
        ["period", "objective_id"], kind="stable", ignore_index=True
    )
