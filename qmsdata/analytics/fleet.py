"""Fleet screening: every monitored series at every site, ranked in one run (ISO 9001 9.1.3).

What JMP's Process Screening does for process columns, across a QMS: the site-level monitored
series (complaints per million shipped, the defect rate of all processes and of each process)
are built for each site from that site's view of the workbook (:meth:`Workbook.for_site`, the
very tables a site pack charts, so a site pack's numbers equal the group's for that site), laid
out series x month and screened together by :func:`qmsdata.stats.screen` (vectorised: one call
per chart type, whatever the number of sites). Works the same above the Spark engine's
aggregates (the site views filter the aggregates).

Sites are compared on a funnel plot per series: each site's rate over the review period against
limits around the fleet's pooled rate that narrow with the site's volume
(:func:`qmsdata.stats.rates.funnel_limits`), never on a league table of raw rates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qmsdata.analytics import complaints, nonconformities
from qmsdata.analytics import periods as P
from qmsdata.errors import DataError
from qmsdata.stats.rates import funnel_limits
from qmsdata.stats.screen import screen

if TYPE_CHECKING:
    from qmsdata.workbook import Workbook

__all__ = ["FLEET_COLUMNS", "FLEET_SERIES", "FleetScreen", "FleetSeries", "fleet_screen"]

#: columns of :attr:`FleetScreen.table`
FLEET_COLUMNS = [
    "rank",
    "site",
    "series",
    "chart",
    "variation",
    "assurance",
    "latest_month",
    "latest_value",
    "center",
    "lcl",
    "ucl",
    "target",
    "rules",
    "since",
    "trend",
    "n_points",
    "funnel_position",
    "unit",
]

#: columns of :attr:`FleetScreen.monthly` (the small multiples' data)
MONTHLY_COLUMNS = ["site", "series", "month", "value", "n", "rate"]

#: columns of :attr:`FleetScreen.funnel`
FUNNEL_COLUMNS = [
    "series",
    "site",
    "n",
    "events",
    "rate",
    "center",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "position",
]


@dataclass(frozen=True)
class FleetSeries:
    """One kind of site-level series: how to build its monthly tables from one site's view.

    ``build(view, period, months)`` yields ``(series name, monthly table)``; the table has
    ``month``, the count ``value`` and the denominator ``n`` (columns named here). ``scale``
    turns a rate into the unit shown (1e6: per million).
    """

    name: str
    build: Callable[[Any, Any, int], Iterator[tuple[str, pd.DataFrame]]]
    chart: str
    value: str
    n: str
    improvement: str
    kind: str  # funnel: "proportion" or "rate"
    scale: float
    unit: str


def _complaint_tables(view: Any, period: Any, months: int) -> Iterator[tuple[str, pd.DataFrame]]:
    table = complaints.complaint_counts(view, period, months=months)
    if len(table):
        yield "Complaints per million units shipped", table


def _defect_tables(view: Any, period: Any, months: int) -> Iterator[tuple[str, pd.DataFrame]]:
    overall = nonconformities.nc_rates(view, period, months=months, by=("site",))
    if len(overall):
        yield "Defect rate, all processes", overall
    rates = nonconformities.nc_rates(view, period, months=months)
    if len(rates):
        for process, t in rates.groupby("process", sort=True):
            yield f"Defect rate / {process}", t


#: the site-level series screened; add an entry to screen another
FLEET_SERIES: tuple[FleetSeries, ...] = (
    FleetSeries(
        "complaint_rate",
        _complaint_tables,
        chart="u",
        value="complaints",
        n="units_shipped",
        improvement="decrease",
        kind="rate",
        scale=1e6,
        unit="per million shipped",
    ),
    FleetSeries(
        "defect_rate",
        _defect_tables,
        chart="p",
        value="defects",
        n="units_inspected",
        improvement="decrease",
        kind="proportion",
        scale=1e6,
        unit="ppm inspected",
    ),
)


@dataclass
class FleetScreen:
    """The result of :func:`fleet_screen`.

    Attributes
    ----------
    table
        One row per site x series (:data:`FLEET_COLUMNS`), most urgent first (``rank`` 1):
        ``variation`` of the latest month (special cause concern / improvement, common cause,
        insufficient data), ``assurance`` against a target where one is given
        (``consistent_pass`` / ``consistent_fail`` / ``inconsistent``, else ``"no target"``),
        ``latest_value``, ``center``, ``lcl``, ``ucl`` and ``target`` in ``unit``, the rules
        that fired, ``since`` (first flagged month), the Mann-Kendall ``trend``, and the site's
        ``funnel_position`` over the review period.
    funnel
        Per series and site: the review period's ``n`` (denominator), ``events``, ``rate``
        (in ``unit``), the pooled ``center`` and 95% / 99.8% limits at that ``n``, ``position``
        ("above" | "below" the 99.8% limits, "above_95" | "below_95", else "within").
    monthly
        The screened monthly series (:data:`MONTHLY_COLUMNS`, ``rate`` in the series' unit),
        for small multiples.
    """

    table: pd.DataFrame
    funnel: pd.DataFrame
    monthly: pd.DataFrame
    period: str
    units: dict[str, str]

    def for_site(self, site: str) -> pd.DataFrame:
        """Return one site's rows of :attr:`table`."""
        return self.table[self.table["site"] == site].reset_index(drop=True)


def _sites(workbook: Workbook, by: str) -> list[str]:
    configured = list(getattr(getattr(workbook, "config", None), "sites", None) or [])
    if by == "site" and configured:
        return configured
    found: set[str] = set()
    for name in ("nonconformities", "complaints", "production"):
        frame = P.records(workbook, name, (by,))
        if by in frame.columns:
            found |= {str(v) for v in frame[by].dropna().unique()}
    return sorted(found)


def _assurance(lcl: float, ucl: float, target: float | None, improvement: str) -> str:
    if target is None or not np.isfinite(target):
        return "no target"
    if not (np.isfinite(lcl) and np.isfinite(ucl)):
        return "insufficient data"
    lower_better = improvement == "decrease"
    if (ucl <= target) if lower_better else (lcl >= target):
        return "consistent_pass"
    if (lcl > target) if lower_better else (ucl < target):
        return "consistent_fail"
    return "inconsistent"


def _position(rate: float, row: Mapping[str, float]) -> str:
    if rate > row["upper_998"]:
        return "above"
    if rate < row["lower_998"]:
        return "below"
    if rate > row["upper_95"]:
        return "above_95"
    if rate < row["lower_95"]:
        return "below_95"
    return "within"


def fleet_screen(
    workbook: Workbook,
    period: Any,
    *,
    by: str = "site",
    sites: Sequence[str] | None = None,
    months: int = 36,
    baseline: int = 18,
    rules: str | Sequence[str] | None = P.DEFAULT_RULES,
    targets: Mapping[str, float] | None = None,
    series: Sequence[FleetSeries] = FLEET_SERIES,
) -> FleetScreen:
    """Screen every site-level monitored series at every site and rank them (ISO 9001 9.1.3).

    Parameters
    ----------
    workbook
        A Workbook from either engine (above the Spark engine's aggregates too).
    period
        The review period (``"2026-10"``, ``"2026Q3"``); each series' window ends with it.
    by
        ``"site"`` (default) or ``"product"``: the unit compared.
    sites
        The units screened (default ``[workbook] sites``, else every value found).
    months, baseline, rules
        Window length; months at its start that set the frozen limits (at most the window less
        6 months, at least :data:`qmsdata.stats.MIN_POINTS`); run-rule set(s) as in
        :func:`qmsdata.signals`.
    targets
        ``{series name: target}`` in the series' unit (e.g. ``{"Defect rate, all processes":
        500}`` ppm) for the assurance verdict.
    series
        The series kinds (default :data:`FLEET_SERIES`).

    Returns
    -------
    FleetScreen
        ``table`` (ranked: special cause concern first, then the latest point's distance from
        the centre in sigma, worst first), ``funnel`` and ``monthly``.

    References
    ----------
    Spiegelhalter (2005) for the funnel plots; Anhoej & Olesen (2014) for the run rules.
    """
    if by not in ("site", "product"):
        raise DataError(f"fleet_screen compares sites or products, not {by!r}", column=by)
    if by == "product" and getattr(workbook, "aggregates", None) is not None:
        raise DataError(
            "the Spark engine's aggregates have no product column: compare sites, or products "
            "on the in-process engine",
            column=by,
        )
    p = P.parse_period(period)
    units = list(sites) if sites is not None else _sites(workbook, by)
    view_of = workbook.for_site if by == "site" else workbook.for_product
    views = {u: view_of(u) for u in units}
    review = P.period_months(p)
    targets = dict(targets or {})

    monthly_parts: list[pd.DataFrame] = []
    rows: list[pd.DataFrame] = []
    funnel_parts: list[pd.DataFrame] = []
    unit_of: dict[str, str] = {}
    for kind in series:
        parts = []
        for unit, view in views.items():
            for name, t in kind.build(view, p, months):
                t = t[t[kind.n] > 0]
                if len(t) == 0:
                    continue
                parts.append(
                    pd.DataFrame(
                        {
                            "site": unit,
                            "series": name,
                            "month": t["month"].to_numpy(),
                            "value": t[kind.value].to_numpy(float),
                            "n": t[kind.n].to_numpy(float),
                        }
                    )
                )
        if not parts:
            continue
        long = pd.concat(parts, ignore_index=True)
        long["rate"] = long["value"] / long["n"] * kind.scale
        monthly_parts.append(long[MONTHLY_COLUMNS])
        for name in long["series"].unique():
            unit_of[name] = kind.unit
        # p charts need proportions, u charts counts per unit: n per million for the u chart
        # (the complaint rate's convention), so that its statistic is per million shipped
        screened_n = long["n"] / 1e6 if kind.chart == "u" else long["n"]
        counts = long.assign(_n=screened_n)
        length = counts.groupby(["site", "series"])["month"].transform("size")
        base = int(min(baseline, max(int(length.max()) - 6, P.MIN_POINTS)))
        result = screen(
            counts,
            series=["site", "series"],
            value="value",
            n="_n",
            x="month",
            chart=kind.chart,
            rules=rules,
            improvement=kind.improvement,
            baseline=base,
        )
        scale = 1.0 if kind.chart == "u" else kind.scale
        result = result.assign(
            chart=kind.chart,
            latest_value=result["last_value"] * scale,
            center=result["center"] * scale,
            lcl=result["lcl"] * scale,
            ucl=result["ucl"] * scale,
            _improvement=kind.improvement,
        )
        rows.append(result)
        funnel_parts.append(_funnel(long, review, kind))

    if not rows:
        empty = P.empty(FLEET_COLUMNS, "no site-level series with data in the window")
        return FleetScreen(
            empty, P.empty(FUNNEL_COLUMNS), P.empty(MONTHLY_COLUMNS), str(p), unit_of
        )
    table = pd.concat(rows, ignore_index=True)
    funnel = pd.concat(funnel_parts, ignore_index=True)
    table["target"] = table["series"].map(targets).astype(float)
    table["assurance"] = [
        _assurance(lo, hi, t if pd.notna(t) else None, imp)
        for lo, hi, t, imp in zip(
            table["lcl"], table["ucl"], table["target"], table["_improvement"], strict=True
        )
    ]
    table["latest_month"] = table["last_x"]
    table["unit"] = table["series"].map(unit_of)
    pos = funnel.set_index(["site", "series"])["position"]
    table["funnel_position"] = [
        pos.get((s, n), "") for s, n in zip(table["site"], table["series"], strict=True)
    ]
    table = _rank(table)
    return FleetScreen(
        table[FLEET_COLUMNS], funnel[FUNNEL_COLUMNS], _monthly(monthly_parts), str(p), unit_of
    )


def _monthly(parts: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["series", "site", "month"], kind="stable").reset_index(drop=True)


def _funnel(long: pd.DataFrame, review: pd.PeriodIndex, kind: FleetSeries) -> pd.DataFrame:
    """Return each site's review-period rate against funnel limits across the sites."""
    now = long[long["month"].isin(review)]
    out = []
    for name, g in now.groupby("series", sort=True):
        per = g.groupby("site", sort=True)[["value", "n"]].sum()
        per = per[per["n"] > 0]
        if per.empty:
            continue
        center = per["value"].sum() / per["n"].sum()
        exposure = per["n"].to_numpy(float) / (1e6 if kind.kind == "rate" else 1.0)
        centre = center * (1e6 if kind.kind == "rate" else 1.0)
        limits = funnel_limits(exposure, center=centre, kind=kind.kind)
        scale = 1.0 if kind.kind == "rate" else kind.scale
        rate = per["value"].to_numpy(float) / exposure
        frame = pd.DataFrame(
            {
                "series": name,
                "site": per.index.astype(str),
                "n": per["n"].to_numpy(float),
                "events": per["value"].to_numpy(float),
                "rate": rate * scale,
                "center": limits["center"].to_numpy(float) * scale,
            }
        )
        for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
            frame[col] = limits[col].to_numpy(float) * scale
        frame["position"] = [
            _position(r, row) for r, (_, row) in zip(frame["rate"], frame.iterrows(), strict=True)
        ]
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else P.empty(FUNNEL_COLUMNS)


_VARIATION_ORDER = {
    "special_cause_concern": 0,
    "special_cause": 1,
    "special_cause_improvement": 2,
    "common_cause": 3,
    "insufficient data": 4,
}


def _rank(table: pd.DataFrame) -> pd.DataFrame:
    """Rank: concern first, then distance of the latest point from the centre (in sigma)."""
    half = (table["ucl"] - table["center"]) / 3
    z = (table["latest_value"] - table["center"]) / half.where(half > 0)
    worse = np.where(table["_improvement"] == "decrease", z, -z)
    table = table.assign(
        _v=table["variation"].map(_VARIATION_ORDER).fillna(5),
        _z=-pd.Series(worse, index=table.index).fillna(-np.inf),
    )
    table = table.sort_values(["_v", "_z", "site", "series"], kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table
