"""The one plotly template of qmsdata: colour-blind-safe, print-friendly.

The palette is Okabe & Ito's (2008) eight colours, distinguishable with the common colour-vision
deficiencies. The template is registered on first use by :func:`register_template` (called by
every figure function), never at ``import qmsdata``.

References
----------
Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from typing import Any

TEMPLATE = "qmsdata"

#: Okabe-Ito palette, in the order plotly's colorway uses it
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: colours with a meaning, used the same way in every figure
COLORS = {
    "data": "#0072B2",
    "centre": "#555555",
    "limit": "#999999",
    "target": "#009E73",
    "concern": "#D55E00",
    "improvement": "#56B4E9",
    "neutral": "#E69F00",
    "muted": "#BBBBBB",
}

#: a sequential scale from white to the palette's blue, for heatmaps
SEQUENTIAL = [[0.0, "#FFFFFF"], [0.5, "#56B4E9"], [1.0, "#0072B2"]]


def register_template() -> str:
    """Register the "qmsdata" plotly template (once) and return its name."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE in pio.templates:
        return TEMPLATE
    base = go.layout.Template(pio.templates["plotly_white"])
    base.layout.colorway = list(PALETTE)
    base.layout.font = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#222222"}
    base.layout.title = {"x": 0.0, "xanchor": "left", "font": {"size": 16}}
    base.layout.margin = {"l": 60, "r": 30, "t": 60, "b": 50}
    base.layout.legend = {"orientation": "h", "y": -0.15}
    base.layout.hovermode = "x unified"
    pio.templates[TEMPLATE] = base
    return TEMPLATE


def finish(fig: Any, *, title: str | None, height: int | None) -> Any:
    """Apply the house template, title and height (the common tail of every figure)."""
    fig.update_layout(template=register_template(), title_text=title)
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(message: str, *, title: str | None = None, height: int | None = None) -> Any:
    """Return a figure with no data and a centred message ("insufficient data: ...")."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 15, "color": "#555555"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title=title, height=height)
