"""Funnel plot: supplier rejection rates against limits that narrow with volume."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.figures.theme import COLORS, empty_figure, finish


def funnel_figure(
    funnel: pd.DataFrame,
    *,
    label: str = "supplier_id",
    rate_scale: float = 1e6,
    rate_label: str = "rejected ppm",
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw :func:`qmsdata.supplier_funnel` output as a funnel plot.

    Traces: units (markers, those outside the 99.8% limits in the concern colour and labelled),
    centre line, 95% limits (upper, lower) and 99.8% limits (upper, lower) drawn through the
    units sorted by volume. Rates are multiplied by ``rate_scale`` (default ppm).

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24(8).
    """
    import plotly.graph_objects as go

    if funnel is None or len(funnel) == 0:
        note = getattr(funnel, "attrs", {}).get("note", "no data in the window")
        return empty_figure(note, title=title, height=height)
    f = funnel.sort_values("n").reset_index(drop=True)
    outside = f["position"].isin(["above", "below"])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=f["n"],
            y=f["rate"] * rate_scale,
            mode="markers+text",
            name=label,
            text=np.where(outside, f[label].astype(str), ""),
            textposition="top center",
            marker={"size": 9, "color": np.where(outside, COLORS["concern"], COLORS["data"])},
            customdata=f[label],
            hovertemplate="%{customdata}: %{y:.0f} at n=%{x}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=f["n"],
            y=f["center"] * rate_scale,
            mode="lines",
            name="overall rate",
            line={"color": COLORS["centre"]},
        )
    )
    for tag, dash, name in (("95", "dot", "95% limits"), ("998", "dash", "99.8% limits")):
        for side in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=f["n"],
                    y=f[f"{side}_{tag}"] * rate_scale,
                    mode="lines",
                    name=name,
                    legendgroup=tag,
                    showlegend=side == "upper",
                    line={"color": COLORS["limit"], "dash": dash, "width": 1},
                    hoverinfo="skip",
                )
            )
    fig.update_xaxes(type="log", title_text="quantity received")
    fig.update_yaxes(title_text=rate_label, rangemode="tozero")
    fig.update_layout(hovermode="closest")
    return finish(fig, title=title, height=height)
