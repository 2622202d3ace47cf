"""Control-chart figure: data, centre line, limits by phase, target, signals labelled by rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qmsdata.figures.theme import COLORS, empty_figure, escape_label, finish

VARIATION_LABELS = {
    "special_cause_concern": ("concern", "Special cause: concern"),
    "special_cause_improvement": ("improvement", "Special cause: improvement"),
    "special_cause": ("neutral", "Special cause"),
}


def _chart_of(chart: Any) -> tuple[Any, str | None]:
    """Accept a ControlChart or a Result holding one; return (chart, note)."""
    if chart is None:
        return None, "insufficient data"
    if hasattr(chart, "table") and hasattr(chart, "note"):  # a Result
        return chart.chart, chart.note or "insufficient data"
    return chart, None


def _with_breaks(data: pd.DataFrame, column: str) -> tuple[list[Any], list[float]]:
    """Return x and y of a limit line with a gap between phases."""
    xs: list[Any] = []
    ys: list[float] = []
    phase = data["phase"] if "phase" in data.columns else pd.Series(0, index=data.index)
    previous = None
    for x, y, ph in zip(data["x"], data[column], phase, strict=True):
        if previous is not None and ph != previous:
            xs.append(x)
            ys.append(np.nan)
        xs.append(x)
        ys.append(y)
        previous = ph
    return xs, ys


def control_chart_figure(
    chart: Any,
    *,
    target: float | None = None,
    value_label: str = "value",
    show_rules: bool = True,
    changes: Any = None,
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw a control chart: points, centre line, limits per phase, target, labelled signals.

    Parameters
    ----------
    chart
        A :class:`qmsdata.stats.spc.ControlChart` or a Result with ``.chart``. With no chart
        (too little data) the figure shows the note instead of a misleading chart.
    target
        Horizontal target line (e.g. an objective's target).
    show_rules
        Label the first point of each run of signalling points with the rules that fired.
    changes
        Documented changes to mark: a DataFrame (or list of dicts) with ``implemented_date``
        and ``change_id`` and optionally ``label`` (default: the change id and its kind). Each
        gets a vertical marker at the first day of its month and a label with ``<`` escaped; changes
        outside the chart's time axis and rows with ``derived`` True are skipped.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: data, centre line, upper limit, lower limit, then one marker trace per
        kind of special cause present (concern, improvement, neutral) and excluded points.
        Target, phase changes and change markers are layout shapes; rule and change labels are
        annotations.
    """
    import plotly.graph_objects as go

    chart, note = _chart_of(chart)
    if chart is None:
        return empty_figure(note or "insufficient data", title=title, height=height)
    data = chart.data.reset_index(drop=True)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=data["x"],
            y=data["value"],
            mode="lines+markers",
            name=value_label,
            line={"color": COLORS["data"], "width": 1.5},
            marker={"size": 6, "color": COLORS["data"]},
        )
    )
    for column, name, dash, color in (
        ("cl", "centre line", "solid", COLORS["centre"]),
        ("ucl", "upper limit", "dash", COLORS["limit"]),
        ("lcl", "lower limit", "dash", COLORS["limit"]),
    ):
        xs, ys = _with_breaks(data, column)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=name,
                line_shape="hvh",
                line={"color": color, "dash": dash, "width": 1},
                connectgaps=False,
                hoverinfo="skip",
            )
        )
    variation = data.get("variation", pd.Series("common_cause", index=data.index)).astype(str)
    for key, (tone, label) in VARIATION_LABELS.items():
        sel = data[variation == key]
        if len(sel):
            fig.add_trace(
                go.Scatter(
                    x=sel["x"],
                    y=sel["value"],
                    mode="markers",
                    name=label,
                    marker={
                        "size": 10,
                        "color": COLORS[tone],
                        "line": {"width": 1, "color": "#222222"},
                    },
                )
            )
    if "excluded" in data.columns and data["excluded"].fillna(False).astype(bool).any():
        sel = data[data["excluded"].fillna(False).astype(bool)]
        fig.add_trace(
            go.Scatter(
                x=sel["x"],
                y=sel["value"],
                mode="markers",
                name="excluded from limits",
                marker={
                    "size": 12,
                    "symbol": "circle-open",
                    "color": COLORS["muted"],
                    "line": {"width": 2},
                },
            )
        )
    if target is not None and np.isfinite(target):
        fig.add_hline(
            y=target,
            line={"color": COLORS["target"], "dash": "dot", "width": 2},
            annotation_text=f"target {target:g}",
            annotation_position="top left",
        )
    if "phase" in data.columns:
        starts = data.index[data["phase"].ne(data["phase"].shift()) & (data.index > 0)]
        for i in starts:
            fig.add_vline(
                x=data.loc[i, "x"], line={"color": COLORS["centre"], "dash": "dot", "width": 1}
            )
    if changes is not None:
        _mark_changes(fig, data, changes)
    if show_rules:
        _label_rules(fig, data)
    fig.update_yaxes(title_text=value_label)
    return finish(fig, title=title, height=height)


def _change_rows(changes: Any) -> list[dict[str, Any]]:
    if isinstance(changes, pd.DataFrame):
        return changes.to_dict("records")
    return [dict(c) for c in changes]


def _mark_changes(fig: Any, data: pd.DataFrame, changes: Any) -> None:
    """Draw a dotted vertical line and an escaped label at each change on the time axis."""
    xs = pd.to_datetime(pd.Series(data["x"]), errors="coerce")
    if xs.isna().all():
        return
    first, last = xs.min(), xs.max()
    for row in _change_rows(changes):
        if row.get("derived") is True or row.get("derived") is np.True_:
            continue  # derived changes (from CAPAs, review actions) start no phase
        when = pd.to_datetime(row.get("implemented_date"), errors="coerce")
        if pd.isna(when):
            continue
        at = when.to_period("M").to_timestamp()
        if at < first or at > last:
            continue
        label = row.get("label")
        if label is None or (isinstance(label, float) and np.isnan(label)):
            kind = row.get("kind")
            kind = "" if kind is None or (isinstance(kind, float) and np.isnan(kind)) else kind
            label = f"{row.get('change_id', '')} {str(kind).replace('_', ' ')}".strip()
        fig.add_vline(x=at, line={"color": COLORS["target"], "dash": "dashdot", "width": 1.5})
        fig.add_annotation(
            x=at,
            y=1.0,
            yref="paper",
            text=escape_label(str(label)),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            textangle=0,
            font={"size": 10, "color": COLORS["target"]},
        )


def _label_rules(fig: Any, data: pd.DataFrame) -> None:
    rules = data["rules"].map(lambda r: tuple(r) if isinstance(r, (tuple, list)) else ())
    sigma = data["sigma_signal"].fillna(False).astype(bool)
    label = [
        ", ".join(([">3 sigma"] if s else []) + list(r)) for r, s in zip(rules, sigma, strict=True)
    ]
    previous = ""
    for i, text in enumerate(label):
        if text and text != previous:
            fig.add_annotation(
                x=data.loc[i, "x"],
                y=data.loc[i, "value"],
                text=text,
                showarrow=True,
                arrowhead=2,
                ax=0,
                ay=-30,
                font={"size": 10, "color": COLORS["concern"]},
            )
        previous = text
