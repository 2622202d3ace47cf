"""signals() on small synthetic workbooks with a known answer."""

import numpy as np
import pandas as pd
import pytest

from qmsdata.analytics import signals as S

MONTHS = pd.period_range("2023-11", "2026-10", freq="M")


def _workbook(step_from=None, factor=2.5, cluster=0, seed=1):
    """Two sites x two processes, binomial defects on 20k inspected a month per site."""
    rng = np.random.default_rng(seed)
    prod = pd.DataFrame(
        [
            {
                "date": m.start_time,
                "site": s,
                "product": "P",
                "units_produced": 20_000,
                "units_inspected": 20_000,
                "units_shipped": 20_000,
            }
            for m in MONTHS
            for s in ("A", "B")
        ]
    )
    rows = []
    for m in MONTHS:
        for site in ("A", "B"):
            for process in ("reflow", "aoi"):
                p = 0.004
                if (
                    step_from
                    and site == "A"
                    and process == "reflow"
                    and m >= pd.Period(step_from, "M")
                ):
                    p *= factor
                rows.append(
                    {
                        "detected_date": m.start_time + pd.Timedelta(days=3),
                        "site": site,
                        "process": process,
                        "source": "in_process",
                        "defect_code": "D",
                        "quantity": rng.binomial(20_000, p),
                    }
                )
    ncs = pd.DataFrame(rows)
    ncs["nc_id"] = [f"N{i}" for i in range(len(ncs))]
    capas = [
        {
            "capa_id": f"K{i}",
            "opened_date": pd.Timestamp("2025-11-01") + pd.Timedelta(days=30 * (i % 12)),
            "process": ["reflow", "aoi", "packing"][i % 3],
            "owner": "o",
            "due_date": pd.Timestamp("2025-11-01") + pd.Timedelta(days=30 * (i % 12) + 30),
            "closed_date": pd.Timestamp("2025-11-01") + pd.Timedelta(days=30 * (i % 12) + 20),
            "status": "closed",
        }
        for i in range(36)
    ]
    capas += [
        {
            "capa_id": f"X{i}",
            "opened_date": pd.Timestamp("2026-05-01"),
            "process": "aoi",
            "owner": "late",
            "due_date": pd.Timestamp("2026-07-01"),
            "closed_date": pd.NaT,
            "status": "open",
        }
        for i in range(cluster)
    ]
    return {"production": prod, "nonconformities": ncs, "corrective_actions": pd.DataFrame(capas)}


def test_step_and_cluster_are_found_and_ranked_first():
    out = S.signals(_workbook(step_from="2026-04", cluster=8), "2026-10")
    top = out.iloc[:2]
    assert set(top["rule"].str.contains("overdue_cluster")) == {True, False}
    step = out[(out["site"] == "A") & (out["process"] == "reflow")].iloc[0]
    assert step["direction"] == "concern" and step["severity"] == 4
    assert step["since"] == pd.Period("2026-04", "M")
    assert step["magnitude"] == pytest.approx(1.5, abs=0.3)  # 2.5x the centre line
    assert "site == 'A' and process == 'reflow'" in step["evidence"]
    assert step["key"] == "nonconformities|A|reflow|||" + step["rule"]
    assert out["key"].is_unique
    cluster = out[out["rule"] == "overdue_cluster"].iloc[0]
    assert cluster["process"] == "aoi" and cluster["owner"] == "late"
    assert cluster["since"] == pd.Period("2026-05", "M")


def test_improvement_is_ranked_after_concerns():
    out = S.signals(_workbook(step_from="2026-04", factor=0.3, cluster=8), "2026-10")
    step = out[(out["site"] == "A") & (out["process"] == "reflow")].iloc[0]
    assert step["direction"] == "improvement"
    assert (out.loc[out["direction"] == "concern", "rank"] < step["rank"]).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_steady_process_raises_no_flood(seed):
    out = S.signals(_workbook(seed=seed), "2026-10")
    # 4 binomial series, 6 recent points each: an occasional false alarm, never a flood
    assert (out["direction"] == "concern").sum() <= 1 if len(out) else True


def test_too_short_history_is_no_signal_not_an_error():
    wb = _workbook(step_from="2026-04")
    wb["nonconformities"] = wb["nonconformities"][
        wb["nonconformities"]["detected_date"] >= "2026-01-01"
    ]
    wb["production"] = wb["production"][wb["production"]["date"] >= "2026-01-01"]
    out = S.signals(wb, "2026-10")
    assert out.empty and out.attrs["note"]


def test_chart_finding_dates_the_run_start():
    class Chart:
        data = pd.DataFrame(
            {
                "x": pd.date_range("2025-01-01", periods=12, freq="MS"),
                "value": [1, -1, 1, -1, 1, -1, -1, 2, 2, 2, 2, 5.0],
                "cl": 0.0,
                "sigma_signal": [False] * 11 + [True],
                "rules": [()] * 12,
            }
        )

    f = S.chart_finding(Chart(), recent=3, improvement="decrease")
    assert f["since"] == pd.Period("2025-08", "M") and f["direction"] == "concern"
    assert f["rule"] == "beyond_limits"
    assert S.chart_finding(Chart(), recent=3, improvement=None)["direction"] == "neutral"


def test_overdue_audit_nonconformities():
    findings = pd.DataFrame(
        {
            "finding_id": ["F1", "F2", "F3", "F4"],
            "audit_id": ["A1", "A1", "A2", "A2"],
            "audit_date": pd.to_datetime(["2026-05-01"] * 4),
            "process": ["reflow", "aoi", "aoi", "packing"],
            "clause": ["8.5.1", "7.1.5", "7.5", "8.5.4"],
            "finding_type": ["major_nc", "minor_nc", "minor_nc", "observation"],
            "due_date": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01", "2026-06-01"]),
            "closed_date": pd.NaT,
            "status": "open",
        }
    )
    out = S.signals({"audit_findings": findings}, "2026-10")
    assert list(out["process"]) == ["reflow", "aoi"]  # the major first; observations ignored
    assert list(out["severity"]) == [3, 2]
    assert out.loc[0, "magnitude"] == 122  # days overdue on 2026-10-31
