"""Fleet figures: a funnel plot across sites, and small multiples of every site's series."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.figures.suppliers import funnel_figure
from qmsdata.figures.theme import COLORS, empty_figure, finish

__all__ = ["fleet_funnel_figure", "fleet_small_multiples"]


def fleet_funnel_figure(
    funnel: pd.DataFrame,
    series: str,
    *,
    unit: str = "",
    title: str | None = None,
    height: int | None = 420,
) -> Any:
    """Draw one series' sites on a funnel plot (:attr:`qmsdata.fleet_screen` ``.funnel``).

    Each site is a marker at its review-period denominator and rate; the limits around the
    fleet's pooled rate narrow with volume. Sites outside the 99.8% limits are labelled.
    """
    rows = funnel[funnel["series"] == series] if len(funnel) else funnel
    if rows is None or len(rows) == 0:
        return empty_figure(f"no sites with data for {series}", title=title, height=height)
    fig = funnel_figure(
        rows, label="site", rate_scale=1.0, rate_label=unit or series, title=title, height=height
    )
    fig.update_xaxes(title_text="denominator in the period (units)")
    return fig


def fleet_small_multiples(
    monthly: pd.DataFrame,
    table: pd.DataFrame,
    *,
    series: str | None = None,
    title: str | None = None,
    facet_col_wrap: int = 4,
    height: int | None = None,
) -> Any:
    """Draw every site x series as a small chart in one figure (facets share the y axis per row).

    ``monthly`` and ``table`` are :func:`qmsdata.fleet_screen`'s; with ``series`` only that
    series (one facet per site), else one facet per site x series. The line is the monthly rate,
    the dotted lines the centre and limits of the latest point, the markers of a special cause
    of concern in the concern colour.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    data = monthly if series is None else monthly[monthly["series"] == series]
    if data is None or len(data) == 0:
        return empty_figure("no series to show", title=title, height=height)
    order = table if series is None else table[table["series"] == series]
    keys = [(s, n) for s, n in zip(order["site"], order["series"], strict=True)]
    keys = [k for k in keys if ((data["site"] == k[0]) & (data["series"] == k[1])).any()]
    cols = max(1, min(facet_col_wrap, len(keys)))
    nrows = -(-len(keys) // cols)
    names = [s if series is not None else f"{s}: {n}" for s, n in keys]
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=names,
        shared_xaxes=True,
        vertical_spacing=min(0.12, 0.6 / max(nrows, 1)),
        horizontal_spacing=0.05,
    )
    info = order.set_index(["site", "series"])
    for i, (site, name) in enumerate(keys):
        r, c = divmod(i, cols)
        g = data[(data["site"] == site) & (data["series"] == name)]
        x = g["month"].astype(str)
        row = info.loc[(site, name)]
        concern = row["variation"] == "special_cause_concern"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=g["rate"],
                mode="lines",
                line={"color": COLORS["concern"] if concern else COLORS["data"], "width": 1.5},
                name=f"{site}: {name}",
                showlegend=False,
                hovertemplate="%{x}: %{y:.4g}<extra></extra>",
            ),
            row=r + 1,
            col=c + 1,
        )
        for level, dash in (("center", "solid"), ("ucl", "dot"), ("lcl", "dot")):
            value = row[level]
            if pd.notna(value):
                fig.add_trace(
                    go.Scatter(
                        x=[x.iloc[0], x.iloc[-1]],
                        y=[value, value],
                        mode="lines",
                        line={
                            "color": COLORS["centre" if level == "center" else "limit"],
                            "dash": dash,
                            "width": 1,
                        },
                        showlegend=False,
                        hoverinfo="skip",
                    ),
                    row=r + 1,
                    col=c + 1,
                )
    fig.update_xaxes(showticklabels=False)
    fig.update_xaxes(showticklabels=True, row=nrows)
    fig.update_annotations(font={"size": 11})
    return finish(fig, title=title, height=height or max(260, 180 * nrows))
