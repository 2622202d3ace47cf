"""Analytics: pure functions from tidy DataFrames to tidy DataFrames or result objects.

The ISO 9001 areas (complaints, nonconformities, capa, audits, objectives, suppliers, customers,
risks) and the executive-summary screen (signals). They build series from a workbook and call the
statistics engine in :mod:`qmsdata.stats`; :mod:`.periods` holds the period handling.
"""
