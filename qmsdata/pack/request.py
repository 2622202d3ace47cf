"""What a pack build is asked to do: one frozen, validated :class:`PackRequest`.

Every argument of :func:`qmsdata.pack.build_pack` that shapes the pack's content or its folder is
checked here, once, before any work starts: the period (read by the one period parser,
:func:`qmsdata.analytics.periods.parse_period`, after a fiscal quarter is turned into the calendar
quarter it covers), the reporting date and the data date, the site and product (they name
folders), the output formats. The rest of the engine reads the request and never re-validates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qmsdata.errors import PackError

FORMATS = ("html", "pdf", "pptx")
#: what a build writes when no formats are given (the deck is asked for)
DEFAULT_FORMATS = ("html", "pdf")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SITE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_PERIOD_HINT = (
    "For example --period 2026-10, --period 2026Q3, --period FY2027Q1, --period last or "
    "--period last-quarter."
)
#: relative periods, resolved against the data date (for schedules: no date arithmetic)
RELATIVE_PERIODS = ("last", "last-quarter")


def resolve_period(
    period: str, fiscal_year_start: int = 1, data_date: str | None = None
) -> tuple[str, str, str]:
    """Return ``(period, first day, last day)`` for a month or a quarter.

    Accepted: a month ``YYYY-MM``; a calendar quarter ``YYYYQn`` (or ``YYYY-Qn``); a fiscal
    quarter ``FYyyyyQn``, the fiscal year named by the calendar year it ends in and starting in
    month ``fiscal_year_start`` (``qms.toml``). Fiscal quarters are returned as the calendar
    quarter they cover (``FY2027Q1`` with an April year start is ``2026Q2``). The reading itself
    is :func:`qmsdata.analytics.periods.parse_period`'s (the one period parser).

    Relative periods, read against ``data_date`` (``YYYY-MM-DD``, when the data were
    extracted): ``last`` is the last complete month — the latest month whose last day is on or
    before the data date (data of 2026-11-02 or of 2026-10-31 give ``2026-10``); ``last-quarter``
    is the last complete fiscal quarter likewise. Fiscal quarters line up with calendar quarters
    (a year start of 1, 4, 7 or 10), so it is returned as the calendar quarter it covers.

    Raises
    ------
    PackError
        When the period is not written that way, a fiscal quarter does not line up with
        calendar quarters (fiscal year starting in a month other than 1, 4, 7 or 10), or a
        relative period is given without a data date.
    """
    from qmsdata.analytics.periods import parse_period
    from qmsdata.errors import DataError

    rel = str(period).strip().lower()
    if rel in RELATIVE_PERIODS:
        if data_date is None or not _DATE_RE.match(str(data_date)):
            raise PackError(
                f"--period {rel} needs the data date (YYYY-MM-DD) to count back from",
                hint="Set `[workbook] as_of` in qms.toml or give --data-as-of.",
            )
        period = _relative_period(rel, str(data_date), int(fiscal_year_start))
    text = str(period).strip().upper().replace("-Q", "Q")
    fq = re.fullmatch(r"FY(\d{4})Q([1-4])", text)
    if fq:
        s = int(fiscal_year_start)
        if s not in (1, 4, 7, 10):
            raise PackError(
                f"fiscal quarter {period!r}: the fiscal year starts in month {s}, so its quarters "
                "are not calendar quarters",
                hint="Use a month (YYYY-MM) or a calendar quarter (YYYYQn).",
            )
        year, q = int(fq.group(1)), int(fq.group(2))
        first = s - 1 + 3 * (q - 1)  # months after January of the fiscal year's first year
        first_year = year - 1 if s > 1 else year
        text = f"{first_year + first // 12}Q{(first % 12) // 3 + 1}"
    # the pack takes a month or a quarter only (parse_period also reads dates)
    if not re.fullmatch(r"\d{4}Q[1-4]", text) and not re.fullmatch(r"\d{4}-\d{2}", str(period)):
        raise PackError(
            f"period {period!r} is not a month YYYY-MM or a quarter YYYYQn / FYyyyyQn",
            hint=_PERIOD_HINT,
        )
    try:
        p = parse_period(text)
    except DataError as exc:
        raise PackError(
            f"period {period!r} is not a month YYYY-MM or a quarter YYYYQn / FYyyyyQn",
            hint=_PERIOD_HINT,
        ) from exc
    return str(p), p.start_time.date().isoformat(), p.end_time.date().isoformat()


def _relative_period(which: str, data_date: str, fiscal_year_start: int) -> str:
    """Return the month ``YYYY-MM`` or calendar quarter ``YYYYQn`` that ``which`` names."""
    import pandas as pd

    from qmsdata.analytics.periods import parse_period

    day = pd.Timestamp(data_date)
    month = parse_period(data_date)  # the data date's own month (parse_period reads dates)
    last = month if day.normalize() == month.end_time.normalize() else month - 1
    if which == "last":
        return str(last)
    if fiscal_year_start not in (1, 4, 7, 10):
        raise PackError(
            f"--period last-quarter: the fiscal year starts in month {fiscal_year_start}, so its "
            "quarters are not calendar quarters",
            hint="Use --period last (a month) or a month YYYY-MM.",
        )
    # the quarter holding the last complete month is complete when that month ends it
    quarter = last.asfreq("Q-DEC")
    if last != quarter.asfreq("M", how="end"):
        quarter -= 1
    return str(quarter)


def pack_name(period: str, site: str | None) -> str:
    """Return the pack folder name: ``2026-10`` or ``2026-10-<site>``."""
    if site is None:
        return period
    if not _SITE_RE.match(site):
        raise PackError(f"site {site!r} cannot name a folder", hint="Use letters, digits, _ . -")
    return f"{period}-{site.replace(' ', '_')}"


@dataclass(frozen=True)
class PackRequest:
    """One validated pack build request (build it with :meth:`PackRequest.create`).

    Attributes
    ----------
    workbook
        Resolved workbook folder (has ``qms.toml``).
    period, start, end
        The period as the packs name it (``2026-10``, ``2026Q3``) and its first and last day.
    as_of
        Reporting date ``YYYY-MM-DD``: the records as at this date.
    data_as_of
        Data date ``YYYY-MM-DD``: when the data were extracted (validation runs against it).
    site, product
        Restrictions, or None for the whole QMS.
    baseline_months, rules
        Months of baseline for control limits; run-rule set name (reach every analytics call).
    formats
        Output formats, a subset of :data:`FORMATS`, in order.
    jobs
        Sections run at once.
    out
        Resolved parent folder of the packs.
    force, redact
        Ignore the cache; pseudonymise the pack.
    """

    workbook: Path
    period: str
    start: str
    end: str
    as_of: str
    data_as_of: str
    site: str | None
    product: str | None
    baseline_months: int
    rules: str
    formats: tuple[str, ...]
    jobs: int
    out: Path
    force: bool = False
    redact: bool = False

    @property
    def name(self) -> str:
        """Return the pack folder name: ``<period>[-<site>][-<product>][-redacted]``."""
        name = pack_name(self.period, self.site)
        name += f"-{pack_name('', self.product)[1:]}" if self.product else ""
        return name + ("-redacted" if self.redact else "")

    @property
    def target(self) -> Path:
        """Return the pack folder the build is swapped into."""
        return self.out / self.name

    def parameters(self) -> dict[str, object]:
        """Return the parameters that shape a section's output (cache key, manifest)."""
        return {
            "workbook": str(self.workbook),
            "period": self.period,
            "as_of": self.as_of,
            "site": self.site,
            "product": self.product,
            "baseline_months": self.baseline_months,
            "rules": self.rules,
            "data_as_of": self.data_as_of,
        }

    @classmethod
    def create(
        cls,
        workbook: str | Path,
        period: str,
        *,
        site: str | None = None,
        product: str | None = None,
        out: str | Path = "reports",
        formats: Sequence[str] = DEFAULT_FORMATS,
        jobs: int | None = None,
        force: bool = False,
        as_of: str | None = None,
        data_as_of: str | None = None,
        baseline_months: int = 12,
        rules: str = "anhoej",
        redact: bool = False,
    ) -> PackRequest:
        """Validate the arguments of a build and return the request.

        Raises
        ------
        PackError
            A bad period, date, format, site or product name; a workbook folder without
            ``qms.toml``; a reporting date after the data date.
        QmsError
            ``qms.toml`` cannot be read (see :func:`qmsdata.config.read_config`).
        """
        import os

        from qmsdata.config import read_config

        wb_dir = Path(workbook).resolve()
        if not (wb_dir / "qms.toml").is_file():
            raise PackError(
                "the workbook folder has no qms.toml",
                file=wb_dir / "qms.toml",
                hint="Point at a workbook folder (try: qms demo data/demo).",
            )
        config = read_config(wb_dir)
        data_date = _data_date(wb_dir, data_as_of)
        period, start, end = resolve_period(period, config.fiscal_year_start, data_date)
        as_of_given = as_of is not None
        as_of = as_of or end
        if not _DATE_RE.match(str(as_of)):
            raise PackError(f"as_of {as_of!r} is not a date written YYYY-MM-DD")
        fmts = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
        unknown = [f for f in fmts if f not in FORMATS]
        if unknown or not fmts:
            raise PackError(
                f"unknown format(s) {unknown or fmts}", hint=f"Use any of {', '.join(FORMATS)}."
            )
        if not as_of_given and str(as_of) > data_date:
            # a period still in progress: report up to the data date (the header shows both)
            as_of = data_date
            if as_of < start:
                raise PackError(
                    f"the data date {data_date} is before period {period} starts",
                    file=wb_dir / "qms.toml",
                    hint="Choose an earlier --period, or set the data date (`[workbook] as_of` "
                    "in qms.toml, or --data-as-of) to when the data were extracted.",
                )
        if str(as_of) > data_date:
            raise PackError(
                f"reporting date {as_of} is after the data date {data_date}",
                file=wb_dir / "qms.toml",
                hint="The data cannot show what happened after they were extracted: give "
                f"--as-of on or before {data_date}, or set the data date (`[workbook] as_of` in "
                "qms.toml, or --data-as-of) to when the data were extracted.",
            )
        request = cls(
            workbook=wb_dir,
            period=period,
            start=start,
            end=end,
            as_of=str(as_of),
            data_as_of=data_date,
            site=site,
            product=product,
            baseline_months=int(baseline_months),
            rules=str(rules),
            formats=fmts,
            jobs=max(1, int(jobs or os.cpu_count() or 1)),
            out=Path(out).resolve(),
            force=bool(force),
            redact=bool(redact),
        )
        _ = request.name  # site and product must name a folder
        return request


def _data_date(workbook: Path, data_as_of: str | None) -> str:
    """Return the data date ``YYYY-MM-DD``: given, else ``[workbook] as_of``, else today."""
    from qmsdata.config import read_config
    from qmsdata.workbook import _resolve_as_of

    if data_as_of is not None and not _DATE_RE.match(str(data_as_of)):
        raise PackError(f"data_as_of {data_as_of!r} is not a date written YYYY-MM-DD")
    return _resolve_as_of(data_as_of, read_config(workbook)).date().isoformat()
