"""CAPA aging figure: open corrective actions by age bucket, stacked per group."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.figures.theme import empty_figure, finish

BUCKET_COLORS = {"0-30": "#56B4E9", "31-60": "#0072B2", "61-90": "#E69F00", ">90": "#D55E00"}


def capa_aging_figure(
    aging: pd.DataFrame, *, title: str | None = None, height: int | None = None
) -> Any:
    """Draw :func:`qmsdata.capa_aging` as stacked bars: one bar per group, one colour per bucket.

    Four bar traces (0-30, 31-60, 61-90, >90 days), stacked; overdue counts in the hover text.
    """
    import plotly.graph_objects as go

    if aging is None or len(aging) == 0:
        note = getattr(aging, "attrs", {}).get("note", "no open corrective actions")
        return empty_figure(note, title=title, height=height)
    fig = go.Figure()
    groups = sorted(aging["group"].astype(str).unique())
    for bucket, color in BUCKET_COLORS.items():
        sel = aging[aging["bucket"].astype(str) == bucket].set_index("group").reindex(groups)
        fig.add_trace(
            go.Bar(
                x=groups,
                y=sel["open"].fillna(0),
                name=f"{bucket} days",
                marker_color=color,
                customdata=sel["overdue"].fillna(0),
                hovertemplate="%{x}: %{y} open, %{customdata} overdue",
            )
        )
    fig.update_layout(barmode="stack", hovermode="closest", legend={"traceorder": "normal"})
    fig.update_yaxes(title_text="open corrective actions")
    return finish(fig, title=title, height=height)
