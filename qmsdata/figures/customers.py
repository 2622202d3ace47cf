"""Survey distribution: responses per score 0-10, coloured detractor / passive / promoter."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.figures.theme import empty_figure, finish

GROUP_COLORS = {"detractor": "#D55E00", "passive": "#999999", "promoter": "#009E73"}


def survey_distribution_figure(
    distribution: pd.DataFrame,
    *,
    nps: float | None = None,
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw :func:`qmsdata.survey_distribution` as bars, one trace per NPS group.

    Three bar traces (detractor 0-6, passive 7-8, promoter 9-10); the NPS, when given, is an
    annotation.
    """
    import plotly.graph_objects as go

    if distribution is None or distribution["responses"].sum() == 0:
        return empty_figure("no survey responses in the period", title=title, height=height)
    fig = go.Figure()
    for group, color in GROUP_COLORS.items():
        sel = distribution[distribution["group"] == group]
        fig.add_trace(go.Bar(x=sel["score"], y=sel["responses"], name=group, marker_color=color))
    if nps is not None and pd.notna(nps):
        fig.add_annotation(
            text=f"NPS {nps:+.0f}",
            x=1,
            y=1.05,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="right",
            font={"size": 15},
        )
    fig.update_xaxes(tickmode="linear", dtick=1, range=[-0.5, 10.5], title_text="score")
    fig.update_yaxes(title_text="responses")
    fig.update_layout(hovermode="closest", bargap=0.15)
    return finish(fig, title=title, height=height)
