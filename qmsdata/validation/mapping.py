"""Mapping: which source column holds each canonical column (``[records.<type>.columns]``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from qmsdata.errors import SchemaError
from qmsdata.records import RecordSpec

__all__ = ["MAX_COLUMNS", "map_columns"]

#: a source with more columns than this is refused (no quality export is that wide; such a
#: file is a mistake, or a file built to make validation slow).
MAX_COLUMNS = 2000


def map_columns(
    available: Iterable[Any],
    spec: RecordSpec,
    columns: Mapping[str, str],
    *,
    file: str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """Return ``{canonical: source column}`` for the canonical columns found in ``available``.

    A mapped name is matched exactly, then case-insensitively (surrounding spaces ignored); an
    unmapped canonical column is looked up by its own name the same way.

    Raises
    ------
    SchemaError
        A required column, or a column mapped explicitly in ``columns``, is missing; or the
        source has more than :data:`MAX_COLUMNS` columns.
    """
    names = [str(a) for a in available]
    where = None if file is None else os.fspath(file)
    if len(names) > MAX_COLUMNS:
        raise SchemaError(
            f"the source has {len(names):,} columns, more than the {MAX_COLUMNS:,} qmsdata reads",
            file=where,
            record_type=spec.name,
            hint="Export only the record's columns (the spec names "
            f"{len(spec.columns)}); a file this wide is usually a wrong export or a wrong "
            "delimiter.",
        )
    folded: dict[str, list[str]] = {}
    for n in names:
        folded.setdefault(n.strip().casefold(), []).append(n)
    exact = set(names)
    mapping: dict[str, str] = {}
    for col in spec.columns:
        wanted = columns.get(col.name, col.name)
        if wanted in exact:
            mapping[col.name] = wanted
            continue
        hits = folded.get(wanted.strip().casefold(), [])
        if len(hits) == 1:
            mapping[col.name] = hits[0]
            continue
        if col.required or col.name in columns:
            how = (
                f"mapped from source column {wanted!r}"
                if col.name in columns
                else "not mapped in qms.toml, so looked up by its own name"
            )
            kind = "required" if col.required else "mapped"
            has = ", ".join(map(repr, names[:50])) or "no columns"
            if len(names) > 50:
                has += f" and {len(names) - 50} more"
            raise SchemaError(
                f"{kind} column {col.name!r} is missing ({how}); the source has: {has}",
                file=where,
                record_type=spec.name,
                column=col.name,
                hint=f"Map it in [records.{spec.name}.columns] of qms.toml, e.g. "
                f'{col.name} = "<source column name>", or add the column to the export.',
            )
    return mapping
