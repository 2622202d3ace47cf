"""Errors raised by qmsdata.

Every expected failure is a :class:`QmsError` carrying structured context — the file, the record
type, the column — and a hint saying what to do. The CLI prints ``str(error)`` and exits with a
documented code; it never shows a traceback for a ``QmsError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class QmsError(Exception):
    """Base class of every error qmsdata raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, record_type, column
        Where it is wrong, when known.
    hint
        What the user should do about it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        record_type: str | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.record_type = record_type
        self.column = column
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.record_type:
            where.append(f"record type {self.record_type!r}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = self.message
        if where:
            text = f"{text} ({', '.join(where)})"
        if self.hint:
            text = f"{text}. {self.hint}" if not text.endswith(".") else f"{text} {self.hint}"
        return text


class ConfigError(QmsError):
    """The workbook's qms.toml is missing, unreadable or inconsistent."""


class SourceError(QmsError):
    """A record source cannot be read: missing file, bad sheet, bad encoding, bad SQL source."""


class SchemaError(QmsError):
    """A source lacks a required column, or its columns cannot be mapped."""


class DataError(QmsError, ValueError):
    """Bad input to an analytic or chart: empty data, NaN, bad denominators, unknown names."""


class PackError(QmsError):
    """A review pack could not be built, exported or verified."""


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 1) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``.

    Matched by :func:`difflib.get_close_matches`, ignoring case.
    """
    import difflib

    options = {str(c).casefold(): str(c) for c in choices}
    hits = difflib.get_close_matches(str(word).casefold(), list(options), n=n, cutoff=0.6)
    if not hits:
        return ""
    return " (did you mean " + " or ".join(repr(options[h]) for h in hits) + "?)"
