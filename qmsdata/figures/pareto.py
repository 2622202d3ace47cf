"""Pareto figure: bars by category, cumulative share line, vital-few cut."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.figures.theme import COLORS, empty_figure, finish


def pareto_figure(
    table: pd.DataFrame,
    *,
    vital_share: float = 0.8,
    value_label: str = "count",
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw a Pareto chart from :func:`qmsdata.pareto` output.

    Bars (vital few in the data colour, the rest muted), the cumulative share on a second axis
    (0-100%), a dotted line at ``vital_share`` and a vertical cut after the last vital category
    (both layout shapes).
    """
    import plotly.graph_objects as go

    if table is None or len(table) == 0:
        note = getattr(table, "attrs", {}).get("note", "no data in the period")
        return empty_figure(note, title=title, height=height)
    t = table.reset_index(drop=True)
    cats = t["category"].astype(str)
    vital = t["vital_few"].astype(bool) if "vital_few" in t else pd.Series(False, index=t.index)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=cats,
            y=t["count"],
            name=value_label,
            marker_color=[COLORS["data"] if v else COLORS["muted"] for v in vital],
        )
    )
    fig.add_trace(
        go.Scatter(
            x=cats,
            y=t["cum_share"] * 100,
            name="cumulative %",
            yaxis="y2",
            mode="lines+markers",
            line={"color": COLORS["concern"]},
        )
    )
    fig.update_layout(
        yaxis={"title": value_label},
        yaxis2={
            "title": "cumulative %",
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "showgrid": False,
            "tickmode": "linear",
            "tick0": 0,
            "dtick": 20,
            "ticksuffix": "%",
        },
        xaxis={"type": "category"},
        hovermode="closest",
    )
    fig.add_shape(
        type="line",
        xref="paper",
        x0=0,
        x1=1,
        yref="y2",
        y0=vital_share * 100,
        y1=vital_share * 100,
        line={"dash": "dot", "color": COLORS["centre"]},
    )
    if vital.any() and not vital.all():
        cut = int(vital.to_numpy().nonzero()[0].max())
        fig.add_vline(x=cut + 0.5, line={"dash": "dash", "color": COLORS["centre"]})
        fig.add_annotation(
            x=cut + 0.5, y=1.02, yref="paper", text="vital few", showarrow=False, xanchor="right"
        )
    return finish(fig, title=title, height=height)
