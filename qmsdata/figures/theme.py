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

import re
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


#: keys whose strings are plotly templates (they hold <br>, <extra>): see escape_template
_TEMPLATE_KEYS = frozenset(
    {
        "hovertemplate",
        "texttemplate",
        "hovertemplatefallback",
        "texttemplatefallback",
    }
)


#: the tags a plotly template may keep: line break, the hover box's <extra>, bold, italic, sup/sub
_KEEP_IN_TEMPLATES = re.compile(r"<(?!(?:br\s*/?|/?extra|/?b|/?i|/?sup|/?sub)>)", re.IGNORECASE)


def escape_template(value: Any) -> Any:
    """Escape a hover/text template: every ``<`` except those opening the harmless tags.

    Templates are code (``%{y}: %{x:.4g}<extra></extra>``), but ``plotly.express`` writes group
    values into them (``site=<value>``); a link or any other tag there is escaped.
    """
    if not isinstance(value, str) or "<" not in value:
        return value
    return _KEEP_IN_TEMPLATES.sub("&lt;", value)


def escape_label(value: Any) -> Any:
    """Return ``value`` safe to show in a plotly label; non-text values are returned as they are.

    Plotly renders a subset of HTML in every label (``<a href>``, ``<b>``, ``<br>``, ...): record
    text such as a complaint category ``<a href="https://evil.example">`` would become a live
    link. Every ``<`` becomes ``&lt;``, which plotly draws as the character ``<``, as text: with
    no ``<`` left, no tag can open (plotly decodes entities only into text, after it has split
    the tags). This is the part of :func:`html.escape` that matters here; ``>``, ``&`` and quotes
    are left alone so labels such as ">3 sigma" or "R&D" stay as they are, and escaping twice
    changes nothing (a record that literally reads ``&lt;`` is shown as ``<``).
    """
    if not isinstance(value, str) or "<" not in value:
        return value
    return value.replace("<", "&lt;")


def _escape_tree(obj: Any, *, template: bool = False) -> tuple[Any, bool]:
    """Escape every string in a plotly property tree; return (new tree, whether it changed)."""
    import numpy as np

    escape = escape_template if template else escape_label
    if isinstance(obj, str):
        new = escape(obj)
        return new, new is not obj
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        changed = False
        for k, v in obj.items():
            if k == "template":
                out[k] = v  # plotly's layout template: no record text
                continue
            if k in _TEMPLATE_KEYS:
                out[k], c = _escape_tree(v, template=True)
            else:
                out[k], c = _escape_tree(v)
            changed |= c
        return (out, True) if changed else (obj, False)
    if isinstance(obj, (list, tuple)):
        items = [_escape_tree(v, template=template) for v in obj]
        if any(c for _, c in items):
            return [v for v, _ in items], True
        return obj, False
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "OUS":
        flat = [escape(v.decode() if isinstance(v, bytes) else v) for v in obj.ravel()]
        if any(a is not b for a, b in zip(flat, obj.ravel(), strict=True)):
            return np.array(flat, dtype=object).reshape(obj.shape), True
        return obj, False
    return obj, False


def escape_figure(fig: Any) -> Any:
    """Escape record text in every label of ``fig`` (in place) and return it.

    Every string of every trace (names, text, hover text, custom data, category values that
    become tick labels) and of the layout (titles, tick text, annotations, legend titles, shape
    labels) goes through :func:`escape_label`; ``hovertemplate``/``texttemplate`` strings
    through :func:`escape_template` (their ``<br>``, ``<extra>`` kept). Applied by
    :func:`finish`, so every figure of :mod:`qmsdata.figures` gets it.
    """
    for trace in fig.data:
        props = trace.to_plotly_json()
        changed = {}
        for key, value in props.items():
            if key == "type":
                continue
            new, c = _escape_tree(value, template=key in _TEMPLATE_KEYS)
            if c:
                changed[key] = new
        if changed:
            trace.update(changed)
    layout = fig.layout.to_plotly_json()
    for key, value in layout.items():
        if key == "template":
            continue
        new, c = _escape_tree(value)
        if c:
            fig.layout[key] = new
    return fig


def escape_figure_dict(spec: dict[str, Any]) -> dict[str, Any]:
    """Return a plotly figure *dict* (``{"data": [...], "layout": {...}}``) with its labels escaped.

    For figures that did not come from :mod:`qmsdata.figures` (``plotly.express`` in a notebook):
    the pack exporter can pass every figure's JSON through this before it is embedded. Same rule
    as :func:`escape_figure` (templates kept, plotly's own ``layout.template`` untouched);
    idempotent, so a figure already escaped by :func:`finish` is unchanged.
    """
    out = dict(spec)
    if "data" in out:
        out["data"] = _escape_tree(out["data"])[0]
    layout = out.get("layout")
    if isinstance(layout, dict):
        out["layout"] = _escape_tree(layout)[0]
    return out


def finish(fig: Any, *, title: str | None, height: int | None) -> Any:
    """Apply the house template, title and height (the common tail of every figure).

    Record text in any label is escaped here (:func:`escape_figure`): plotly renders HTML in
    labels.
    """
    fig.update_layout(template=register_template(), title_text=title)
    if height:
        fig.update_layout(height=height)
    return escape_figure(fig)


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
