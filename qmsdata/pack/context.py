"""The section context: the pack's parameters, built once per build and read by every section.

The engine writes one ``context.json`` per build (beside the build's shared ``signals.parquet``)
and passes its path to each section notebook as the ``context`` parameter; the notebook reads it
with :func:`section_context` and hands it to :func:`qmsdata.section_workbook` and
:func:`section_signals`. Working interactively (``context = None``), the same helper builds a
context from the notebook's own parameter values.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTEXT_FILE = "context.json"
SIGNALS_FILE = "signals.parquet"
ASSESSABILITY_FILE = "assessability.json"


@dataclass(frozen=True)
class SectionContext:
    """What every section of one pack shares.

    Attributes
    ----------
    workbook
        Workbook folder.
    period, start, end
        Period under review (``2026-10``, ``2026Q3``) and its first and last day.
    as_of
        Reporting date ``YYYY-MM-DD`` (None interactively: the data date).
    data_as_of
        Data date ``YYYY-MM-DD`` (None interactively: read from the workbook).
    site, product
        Restrictions, or None.
    baseline_months, rules
        Months of baseline for control limits and the run-rule set, for every analytics call.
    out_dir
        Where the section writes its extracts (None interactively: nothing is written).
    organisation, fiscal_year_start
        From ``qms.toml`` (read by :func:`qmsdata.config.read_config`).
    snapshot
        The validated snapshot folder the engine wrote (None: load the workbook).
    signals
        ``signals.parquet`` computed once per build (None: compute in the section).
    assessability
        ``assessability.json`` computed once per build: what each review input can be
        assessed on (:func:`qmsdata.analytics.assessability.assess`; None: compute it).
    standard
        Name of the clause profile the pack follows (``"ISO 9001:2015+A1:2024"``), resolved
        once per build (:func:`resolve_standard`); its labels head the sections.
    """

    workbook: str
    period: str
    start: str
    end: str
    as_of: str | None
    data_as_of: str | None
    site: str | None
    product: str | None
    baseline_months: int
    rules: str
    out_dir: str | None
    organisation: str
    fiscal_year_start: int
    snapshot: str | None = None
    signals: str | None = None
    assessability: str | None = None
    standard: str | None = None

    def to_json(self) -> str:
        """Return the context as JSON text."""
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SectionContext:
        """Read a context written by :meth:`to_json` (unknown keys are ignored)."""
        raw = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})

    def replace(self, **changes: Any) -> SectionContext:
        """Return a copy with ``changes``."""
        return dataclasses.replace(self, **changes)


def section_context(
    context: str | Path | SectionContext | None = None,
    *,
    out_dir: str | Path | None = None,
    workbook: str | Path | None = None,
    period: str | None = None,
    as_of: str | None = None,
    site: str | None = None,
    product: str | None = None,
    baseline_months: int = 12,
    rules: str = "anhoej",
) -> SectionContext:
    """Return a section's context: the pack's (``context``), else one built from the arguments.

    Parameters
    ----------
    context
        Path of the ``context.json`` the engine passes as the notebook parameter ``context``
        (or a :class:`SectionContext`). When given, the other arguments except ``out_dir`` are
        ignored: the pack's values win.
    out_dir
        The section's output folder (the notebook parameter ``out_dir``).
    workbook, period, as_of, site, product, baseline_months, rules
        Working interactively (``context`` None): the notebook's own parameter values.
    """
    if isinstance(context, SectionContext):
        ctx = context
    elif context is not None:
        tracker = active_tracker()
        with tracker.quiet() if tracker is not None else contextlib.nullcontext():
            text = Path(context).read_text(encoding="utf-8")
        ctx = SectionContext.from_json(text)
    else:
        from qmsdata.analytics.periods import parse_period
        from qmsdata.config import read_config
        from qmsdata.errors import DataError

        if workbook is None or period is None:
            raise DataError("section_context needs a context file, or a workbook and a period")
        config = read_config(workbook)
        p = parse_period(period)
        ctx = SectionContext(
            workbook=str(workbook),
            period=str(p),
            start=p.start_time.date().isoformat(),
            end=p.end_time.date().isoformat(),
            as_of=as_of,
            data_as_of=None,
            site=site,
            product=product,
            baseline_months=int(baseline_months),
            rules=str(rules),
            out_dir=None,
            organisation=config.organisation,
            fiscal_year_start=config.fiscal_year_start,
            standard=resolve_standard(config, as_of),
        )
    if out_dir is not None:
        ctx = ctx.replace(out_dir=str(out_dir))
    return ctx


def resolve_standard(config: Any, as_of: Any = None) -> str:
    """Return the name of the workbook's clause profile: ``[workbook] standard``, else the
    edition in force on ``as_of`` (:func:`qmsdata.standards.profile_for`).

    ``config`` is the workbook's :class:`qmsdata.config.Config`. Raises ``ConfigError`` for a
    standard no profile has.
    """
    from qmsdata.standards import profile_for

    return profile_for({"config": config}, as_of=as_of).name


def section_signals(wb: Any, context: SectionContext) -> Any:
    """Return the findings of :func:`qmsdata.signals` for the pack's period and parameters.

    In a pack build they were computed once, in the engine, on the section's workbook
    (``signals.parquet``); working interactively they are computed here, with the same
    arguments (``baseline=context.baseline_months``).
    """
    if context.signals and Path(context.signals).is_file():
        import pandas as pd

        tracker = active_tracker()
        if tracker is None:
            return pd.read_parquet(context.signals)
        tracker.shared.add("signals")  # the engine keys it on what signals() itself read
        with tracker.quiet():
            return pd.read_parquet(context.signals)
    return compute_signals(wb, context)


def active_tracker() -> Any:
    """Return the running pack section's read tracker (:mod:`qmsdata.pack.reads`), or None.

    Without importing the recorder: it is loaded only when a pack section records its reads.
    """
    import sys

    reads = sys.modules.get("qmsdata.pack.reads")
    return reads.active() if reads is not None else None


def compute_signals(wb: Any, context: SectionContext) -> Any:
    """Run :func:`qmsdata.signals` with the context's period, reporting date, baseline, rules."""
    from qmsdata.analytics.signals import signals

    return signals(
        wb,
        context.period,
        as_of=context.as_of,
        baseline=context.baseline_months,
        rules=context.rules,
    )


def section_assessability(wb: Any, context: SectionContext) -> Any:
    """Return what each review input can be assessed on (an :class:`Assessability`).

    In a pack build it was computed once, in the engine, right after the load
    (``assessability.json``); working interactively it is computed here from ``wb``.
    """
    from qmsdata.analytics.assessability import Assessability

    if context.assessability and Path(context.assessability).is_file():
        tracker = active_tracker()
        if tracker is None:
            return Assessability.from_json(Path(context.assessability).read_text(encoding="utf-8"))
        from qmsdata.pack.reads import TrackedAssessability

        with tracker.quiet():
            text = Path(context.assessability).read_text(encoding="utf-8")
        # each question the section asks is noted and replayed for its cache key
        return TrackedAssessability(Assessability.from_json(text), tracker)
    return compute_assessability(wb, context)


def compute_assessability(wb: Any, context: SectionContext) -> Any:
    """Run :func:`qmsdata.analytics.assessability.assess` for the context's period."""
    from qmsdata.analytics.assessability import assess

    return assess(wb, context.period, as_of=context.as_of)
