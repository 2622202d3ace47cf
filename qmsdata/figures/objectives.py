"""Objective scorecard: one row per objective with bullet, sparkline, variation and assurance."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.figures.theme import COLORS, empty_figure, finish

VARIATION_ICONS = {
    "special_cause_concern": "\u25b2 concern",
    "special_cause_improvement": "\u25bc improvement",
    "special_cause": "\u25c6 special cause",
    "common_cause": "\u25cf common cause",
}
ASSURANCE_ICONS = {
    "consistent_pass": "\u2713 will pass",
    "consistent_fail": "\u2717 will fail",
    "inconsistent": "? may pass or fail",
}


def objective_scorecard_figure(
    status: pd.DataFrame,
    *,
    history: pd.DataFrame | None = None,
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw :func:`qmsdata.objective_status` as a scorecard.

    One row per objective. Left: a bullet (bar = actual, black tick = target; the bar is green
    when met, vermillion when not). Right (with ``history``: columns ``objective_id, month,
    value``): a sparkline of the KPI with the target as a dotted line. Each row's annotation
    shows the variation and assurance icons (board vocabulary of NHS "Making Data Count").

    Returns
    -------
    plotly.graph_objects.Figure
        Traces per objective: bar, target marker[, sparkline]; one annotation per objective.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if status is None or len(status) == 0:
        note = getattr(status, "attrs", {}).get("note", "no objectives in the period")
        return empty_figure(note, title=title, height=height)
    s = status.reset_index(drop=True)
    cols = 2 if history is not None else 1
    fig = make_subplots(
        rows=len(s),
        cols=cols,
        column_widths=[0.6, 0.4][:cols],
        horizontal_spacing=0.08,
        vertical_spacing=0.5 / max(len(s), 1),
    )
    for i, row in s.iterrows():
        r = i + 1
        label = f"{row['objective_id']} {row.get('name') or ''}".strip()
        met = row.get("met")
        color = (
            COLORS["target"]
            if met is True
            else COLORS["concern"]
            if met is False
            else COLORS["muted"]
        )
        actual = row.get("actual")
        target = row.get("target")
        fig.add_trace(
            go.Bar(
                x=[actual],
                y=[label],
                orientation="h",
                marker_color=color,
                showlegend=False,
                name="actual",
                hovertemplate="%{y}: actual %{x:.4g}<extra></extra>",  # no record text here
            ),
            row=r,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=[target],
                y=[label],
                mode="markers",
                showlegend=False,
                name="target",
                marker={"symbol": "line-ns", "size": 24, "color": "#000000", "line": {"width": 3}},
            ),
            row=r,
            col=1,
        )
        top = np.nanmax([v for v in (actual, target) if v is not None and pd.notna(v)] or [1])
        fig.update_xaxes(range=[0, top * 1.15], row=r, col=1)
        if history is not None:
            h = history[history["objective_id"] == row["objective_id"]]
            xs = (
                h["month"].dt.to_timestamp()
                if isinstance(h["month"].dtype, pd.PeriodDtype)
                else h["month"]
            )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=h["value"],
                    mode="lines",
                    showlegend=False,
                    name="history",
                    line={"color": COLORS["data"]},
                ),
                row=r,
                col=2,
            )
            if target is not None and pd.notna(target):
                fig.add_hline(
                    y=target,
                    row=r,
                    col=2,
                    line={"color": COLORS["target"], "dash": "dot", "width": 1},
                )
            fig.update_xaxes(showticklabels=False, row=r, col=2)
        icons = " \u00b7 ".join(
            t
            for t in (
                VARIATION_ICONS.get(str(row.get("variation"))),
                ASSURANCE_ICONS.get(str(row.get("assurance"))),
            )
            if t
        ) or (row.get("note") or "")
        axis = "" if r == 1 else str((r - 1) * cols + 1)
        fig.add_annotation(
            text=icons,
            xref=f"x{axis} domain",
            yref=f"y{axis} domain",
            x=1,
            y=1.35,
            showarrow=False,
            xanchor="right",
            font={"size": 11, "color": COLORS["centre"]},
        )
    fig.update_layout(hovermode="closest", bargap=0.4)
    return finish(fig, title=title, height=height or 110 * len(s) + 120)
