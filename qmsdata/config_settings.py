"""The reading settings of one ``[records.<type>]`` table of ``qms.toml``.

Header row, number format, missing markers, constants and value maps, checked and returned as
keywords of :class:`~qmsdata.config.RecordSource`. :mod:`qmsdata.config` stays the one reader of
``qms.toml``: it passes the parsed table here. Applied to the rows by :mod:`qmsdata.io.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qmsdata.config import _table, _type_error, _unknown_column
from qmsdata.errors import ConfigError, did_you_mean

#: record types whose columns may carry a value map (codes, not numbers or dates)
_MAPPABLE_KINDS = ("enum", "site", "text", "id")


def source_settings(
    name: str, table: dict[str, Any], file: Path, mapped: set[str]
) -> dict[str, Any]:
    """Return the reading settings of ``[records.<name>]``: header row, number format,
    missing markers, constants and value maps (as keywords of :class:`RecordSource`)."""
    from qmsdata.records import RECORD_TYPES

    where = f"[records.{name}]"
    spec = RECORD_TYPES[name]
    header_row = table.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise _type_error(f"{where} header_row", "a line number (1 = the first line)", file, name)
    decimal = table.get("decimal", ".")
    if decimal not in (".", ","):
        raise _type_error(f"{where} decimal", '"." or ","', file, name)
    thousands = table.get("thousands")
    if thousands is not None and thousands not in (".", ",", " ", "'", "\u00a0", "\u202f"):
        raise _type_error(f"{where} thousands", 'one of ".", ",", " " or "\'"', file, name)
    if thousands is not None and thousands == decimal:
        raise ConfigError(
            f"{where} decimal and thousands are both {decimal!r}",
            file=file,
            record_type=name,
            hint='Write e.g. decimal = "," and thousands = "." for 1.234,50.',
        )
    missing = table.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) and m.strip() for m in missing):
        raise _type_error(f"{where} missing", 'a list of texts such as ["N/A", "-"]', file, name)
    constants = _table(table.get("constants", {}), f"[records.{name}.constants]", file)
    for canonical, value in constants.items():
        if canonical not in spec.names:
            raise _unknown_column(
                f"[records.{name}.constants] sets unknown canonical column", canonical, spec, file
            )
        if canonical in mapped:
            raise ConfigError(
                f"{canonical!r} is both mapped in [records.{name}.columns] and set in "
                f"[records.{name}.constants]",
                file=file,
                record_type=name,
                column=canonical,
                hint="Keep one: the source column, or the constant for a column the export lacks.",
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _type_error(
                f"[records.{name}.constants] {canonical}", "a text or a number", file, name
            )
    values = _table(table.get("values", {}), f"[records.{name}.values]", file)
    maps: dict[str, Mapping[str, str]] = {}
    for canonical, vmap in values.items():
        where_map = f"[records.{name}.values.{canonical}]"
        if canonical not in spec.names:
            raise _unknown_column(f"{where_map}: unknown canonical column", canonical, spec, file)
        col = spec.column(canonical)
        if col.kind not in _MAPPABLE_KINDS:
            raise ConfigError(
                f"{where_map}: {canonical} is a {col.kind} column; value maps are for codes",
                file=file,
                record_type=name,
                column=canonical,
                hint="Map codes (enum, site, text and id columns); numbers and dates have "
                "decimal/thousands and date_format.",
            )
        vmap = _table(vmap, where_map, file)
        wrong = []
        for key, target in vmap.items():
            if not isinstance(target, str) or not target.strip():
                raise _type_error(f"{where_map} {key!r}", "a text value", file, name)
            if col.allowed and target.strip() not in col.allowed:
                wrong.append(
                    f"{key!r} to {target.strip()!r}{did_you_mean(target.strip(), col.allowed)}"
                )
        if wrong:
            raise ConfigError(
                f"{where_map} maps {', '.join(wrong)}: not allowed value(s) of {canonical}",
                file=file,
                record_type=name,
                column=canonical,
                hint=f"Allowed values of {canonical}: {', '.join(col.allowed or ())}.",
            )
        maps[canonical] = MappingProxyType({str(k): v.strip() for k, v in vmap.items()})
    return {
        "header_row": header_row,
        "decimal": decimal,
        "thousands": thousands,
        "missing": tuple(dict.fromkeys(m.strip() for m in missing)),
        "constants": MappingProxyType({k: str(v) for k, v in constants.items()}),
        "values": MappingProxyType(maps),
    }
