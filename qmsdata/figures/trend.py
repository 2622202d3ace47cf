"""Trend figure: a series with its Sen slope line and the Mann-Kendall verdict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.figures.theme import COLORS, empty_figure, finish


def trend_figure(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    trend: Any = None,
    interval: tuple[str, str] | None = None,
    value_label: str | None = None,
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw a series with the Sen-slope line of :func:`qmsdata.trend_test` and its verdict.

    Parameters
    ----------
    data
        One row per point; ``x`` the time axis (Period values are drawn as their start date),
        ``y`` the values.
    trend
        The result of ``qmsdata.trend_test(data[y])`` (computed here when None). The line is
        ``intercept + slope * i`` over the point positions i = 0, 1, ...
    interval
        Optional (low, high) columns drawn as a band (e.g. a confidence interval).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: [band low, band high,] data, Sen slope (when a slope exists); one annotation
        with the verdict.
    """
    import plotly.graph_objects as go

    from qmsdata.stats.trends import trend_test

    if data is None or len(data) == 0:
        return empty_figure("no data in the window", title=title, height=height)
    d = data.reset_index(drop=True)
    xs = d[x].dt.to_timestamp() if isinstance(d[x].dtype, pd.PeriodDtype) else d[x]
    values = pd.to_numeric(d[y], errors="coerce").to_numpy(float)
    if trend is None:
        trend = trend_test(values)
    fig = go.Figure()
    if interval:
        lo, hi = interval
        fig.add_trace(
            go.Scatter(
                x=xs, y=d[lo], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=d[hi],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(86,180,233,0.25)",
                name="interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=values,
            mode="lines+markers",
            name=value_label or y,
            line={"color": COLORS["data"]},
        )
    )
    slope = getattr(trend, "slope", np.nan)
    if slope is not None and np.isfinite(slope):
        line = trend.intercept + slope * np.arange(len(d))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=line,
                mode="lines",
                name="Sen slope",
                line={"color": COLORS["concern"], "dash": "dash"},
            )
        )
    verdict = getattr(trend, "trend", "insufficient data")
    p = getattr(trend, "p", np.nan)
    text = verdict if not np.isfinite(p) else f"{verdict} (Mann-Kendall p = {p:.3g})"
    fig.add_annotation(
        text=text, x=0, y=1.05, xref="paper", yref="paper", showarrow=False, xanchor="left"
    )
    fig.update_yaxes(title_text=value_label or y)
    return finish(fig, title=title, height=height)
