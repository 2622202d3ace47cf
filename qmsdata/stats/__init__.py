"""The statistics engine: control charts, run rules, trends, Pareto, capability, rates, screening.

Pure functions of arrays and tidy DataFrames. Nothing here knows about record types, workbooks,
ISO 9001 areas or packs (``qmsdata.analytics`` builds the series and calls in here; ``figures``
draws the results), so the engine can be tested and reused on its own.

Modules
-------
spc          control charts (:func:`~qmsdata.stats.spc.control_chart`, the chart-type registry)
rules        Western Electric, Nelson and Anhoej run rules (2-D, vectorised)
trends       Mann-Kendall trend test and Sen's slope
pareto       Pareto tables
capability   process capability indices
rates        ppm, dpmo, sigma level, yields, funnel limits
screen       many series at once (vectorised control chart + rules + trend)
attributes   Laney's z-scaling: over-dispersion ratio and the p/p' (u/u') chart choice
survival     Kaplan-Meier quantiles of time to close, open items censored

The one minimum-points rule lives here: :data:`MIN_POINTS` and :func:`enough_points`.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np

__all__ = ["MIN_POINTS", "enough_points", "insufficient_note"]

#: Fewest points (months) for a control-chart, run-chart or trend *verdict*. The chart summary
#: (``ControlChart.insufficient``), :func:`qmsdata.stats.screen.screen`, the area analytics and
#: the pack's "insufficient data" notes all read this one value (iso9001-review-map: "about 12"
#: monthly points before a control-chart or trend verdict is shown to a management review).
MIN_POINTS = 12


@overload
def enough_points(n: int, minimum: int | None = None) -> bool: ...
@overload
def enough_points(n: np.ndarray, minimum: int | None = None) -> np.ndarray: ...
def enough_points(n: Any, minimum: int | None = None) -> Any:
    """Return True when ``n`` points are enough for a verdict (``n >= MIN_POINTS``).

    Parameters
    ----------
    n
        Number of points (months) in the series or the current phase; an array gives an array
        of bool (one per series, as :func:`qmsdata.stats.screen.screen` uses it).
    minimum
        Override of :data:`MIN_POINTS` for a caller that documents a different rule (e.g. a
        before/after CAPA chart with 6 points a phase); None: :data:`MIN_POINTS`.
    """
    need = MIN_POINTS if minimum is None else int(minimum)
    out = np.asarray(n) >= need
    return bool(out) if out.ndim == 0 else out


def insufficient_note(n: int, minimum: int | None = None, unit: str = "months") -> str:
    """Return the note for a too-short series: ``"insufficient data: 7 months, need 12"``."""
    need = MIN_POINTS if minimum is None else int(minimum)
    return f"insufficient data: {int(n)} {unit}, need {need}"
