"""Figures of qmsdata: results in, plotly figures out (plotly is imported here, not by qmsdata).

Every function takes the data first, keyword-only options and the same tail (``title``,
``height``), applies the one registered template ("qmsdata", Okabe-Ito palette) and returns a
``plotly.graph_objects.Figure``. Given an empty or "insufficient data" result, a figure shows
the message instead of a misleading chart.
"""

from qmsdata.figures.audits import audit_heatmap_figure
from qmsdata.figures.capa import capa_aging_figure
from qmsdata.figures.customers import survey_distribution_figure
from qmsdata.figures.fleet import fleet_funnel_figure, fleet_small_multiples
from qmsdata.figures.objectives import objective_scorecard_figure
from qmsdata.figures.pareto import pareto_figure
from qmsdata.figures.spc import control_chart_figure
from qmsdata.figures.suppliers import funnel_figure
from qmsdata.figures.theme import PALETTE, TEMPLATE, register_template
from qmsdata.figures.trend import trend_figure

__all__ = [
    "PALETTE",
    "TEMPLATE",
    "audit_heatmap_figure",
    "capa_aging_figure",
    "control_chart_figure",
    "fleet_funnel_figure",
    "fleet_small_multiples",
    "funnel_figure",
    "objective_scorecard_figure",
    "pareto_figure",
    "register_template",
    "survey_distribution_figure",
    "trend_figure",
]
