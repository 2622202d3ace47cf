"""Audit heatmap: findings by clause x process."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qmsdata.figures.theme import SEQUENTIAL, empty_figure, finish


def _clause_key(clause: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 999 for p in str(clause).split("."))


def audit_heatmap_figure(
    matrix: pd.DataFrame,
    *,
    value: str = "findings",
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """Draw :func:`qmsdata.audit_findings_matrix` as a heatmap (clauses down, processes across).

    One heatmap trace; each cell shows its count as text; cells without findings are blank.
    ``value`` chooses the count (findings, major_nc, minor_nc, observation, ofi).
    """
    import plotly.graph_objects as go

    if matrix is None or len(matrix) == 0:
        note = getattr(matrix, "attrs", {}).get("note", "no audit findings in the window")
        return empty_figure(note, title=title, height=height)
    wide = matrix.pivot_table(index="clause", columns="process", values=value, aggfunc="sum")
    wide = wide.reindex(sorted(wide.index, key=_clause_key))
    text = wide.map(lambda v: "" if pd.isna(v) or v == 0 else f"{int(v)}")
    fig = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(),
            x=list(wide.columns),
            y=list(wide.index),
            text=text.to_numpy(),
            texttemplate="%{text}",
            colorscale=SEQUENTIAL,
            colorbar={"title": value},
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", title_text="ISO 9001 clause")
    fig.update_xaxes(type="category", title_text="process")
    fig.update_layout(hovermode="closest")
    return finish(fig, title=title, height=height)
