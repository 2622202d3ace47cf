"""Analytics: pure functions from tidy DataFrames to tidy DataFrames or result objects.

The statistics engine (``spc``, ``rules``, ``trends``, ``pareto``, ``capability``, ``rates``,
``screen``) lives here beside the quality-area modules. Import from :mod:`qmsdata` itself; the
module layout may move.
"""
