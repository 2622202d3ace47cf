"""What a site's (product's) pack leaves out because the records do not say: its scope note.

A Leeds pack counts Leeds's complaints; a complaint whose site is not recorded is in no site's
pack (:mod:`qmsdata.workbook.filters`), and without a word the Leeds pack would seem to cover
every complaint it could. So the pack says, where it states its scope (the cover's facts, under
"Site"), per record type how many rows it left out for that reason and which
(:meth:`qmsdata.Workbook.left_out`, the one rule):

    Not in this site's pack: 5 complaints with no site recorded (C-0012, C-0019, ...); ...

The IDs shown are capped (:data:`MAX_IDS` per record type, then "and 37 more"); the full list is
``data/scope--left_out.csv`` and the manifest's ``scope``. The cover is rendered by the build
from the snapshot every time (never from the section cache), so the note always matches the
records; the page's template escapes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "LEFT_OUT_CSV",
    "MAX_IDS",
    "left_out_entries",
    "pack_scope",
    "left_out_sentence",
    "scope_fact",
    "scope_manifest",
    "write_left_out",
]

#: the pack's full list of the rows left out (one row per record ID)
LEFT_OUT_CSV = "data/scope--left_out.csv"
#: record IDs shown per record type before "and N more"
MAX_IDS = 10

#: (one, many) for a record type's rows in a sentence; others read their name
_NOUNS: dict[str, tuple[str, str]] = {
    "complaints": ("complaint", "complaints"),
    "nonconformities": ("nonconformity", "nonconformities"),
    "production": ("production row", "production rows"),
    "audit_findings": ("audit finding", "audit findings"),
    "audit_programme": ("audit in the audit programme", "audits in the audit programme"),
    "customer_surveys": ("customer survey response", "customer survey responses"),
    "training_records": ("training record", "training records"),
    "changes": ("change", "changes"),
    "objectives": ("objective", "objectives"),
    "documents": ("document", "documents"),
}

_WHY = {
    ("site", "not_recorded"): "with no site recorded",
    ("product", "not_recorded"): "with no product recorded",
    ("product", "every_product"): "not specific to one product",
}


def left_out_entries(wb: Any, *, site: str | None, product: str | None) -> list[dict[str, Any]]:
    """Return the rows a ``site`` / ``product`` pack of ``wb`` leaves out, as JSON-able entries.

    One entry per record type and column: ``record_type``, ``column``, ``reason``
    (:class:`~qmsdata.workbook.filters.LeftOut`), ``count`` and ``ids`` (all of them). Empty
    for the whole organisation's pack.
    """
    return [
        {
            "record_type": x.record_type,
            "column": x.column,
            "reason": x.reason,
            "count": len(x.ids),
            "ids": list(x.ids),
        }
        for x in wb.left_out(site=site, product=product)
    ]


def _noun(record_type: str, n: int) -> str:
    one, many = _NOUNS.get(record_type, (record_type.replace("_", " "),) * 2)
    return one if n == 1 else many


def _ids(ids: list[str], max_ids: int) -> str:
    shown = ", ".join(i if i else "(no ID)" for i in ids[:max_ids])
    more = len(ids) - max_ids
    return shown + (f" and {more} more" if more > 0 else "")


def left_out_sentence(entries: list[dict[str, Any]], *, max_ids: int = MAX_IDS) -> str:
    """Return the entries in words ("5 complaints with no site recorded (C-1, ...); ..."), or "".

    Plain text: the page's template escapes it. Beyond ``max_ids`` IDs per record type it says
    "and N more" and where the full list is.
    """
    if not entries:
        return ""
    parts = [
        f"{e['count']} {_noun(e['record_type'], e['count'])} "
        f"{_WHY.get((e['column'], e['reason']), 'with no ' + e['column'] + ' recorded')} "
        f"({_ids(e['ids'], max_ids)})"
        for e in entries
    ]
    capped = any(e["count"] > max_ids for e in entries)
    return (
        "; ".join(parts)
        + ". No site's or product's pack includes these records; the whole organisation's pack"
        " does." + (f" Every ID is listed in {LEFT_OUT_CSV}." if capped else "")
    )


def scope_fact(
    entries: list[dict[str, Any]], *, site: str | None, product: str | None
) -> tuple[str, str] | None:
    """Return the cover's (label, value) for the rows left out, or None when there are none."""
    sentence = left_out_sentence(entries)
    if not sentence:
        return None
    label = (
        "Not in this pack"
        if site and product
        else "Not in this site's pack"
        if site
        else "Not in this product's pack"
    )
    return label, sentence


def scope_manifest(
    entries: list[dict[str, Any]], *, site: str | None, product: str | None
) -> dict[str, Any]:
    """Return the manifest's ``scope``: the view, the rows left out (every ID), the note shown."""
    fact = scope_fact(entries, site=site, product=product)
    return {
        "site": site,
        "product": product,
        "left_out": entries,
        "left_out_file": LEFT_OUT_CSV if entries else None,
        "note": fact[1] if fact else None,
    }


def write_left_out(build: Path, entries: list[dict[str, Any]]) -> Path | None:
    """Write :data:`LEFT_OUT_CSV` (one row per record ID) into ``build``; None when empty."""
    if not entries:
        return None
    import pandas as pd

    from qmsdata.files import write_csv

    rows = [
        {
            "record_type": e["record_type"],
            "column": e["column"],
            "reason": _WHY.get((e["column"], e["reason"]), e["reason"]),
            "record_id": rid,
        }
        for e in entries
        for rid in e["ids"]
    ]
    return write_csv(pd.DataFrame(rows), build / LEFT_OUT_CSV)


def pack_scope(build: Path, snapshot: Path, *, site: str | None, product: str | None) -> dict:
    """Return the manifest's ``scope`` for a pack being built, writing its CSV into ``build``.

    The rows left out are taken from the snapshot (the records as at the reporting date, every
    site's), read here only for a site's or product's pack.
    """
    entries: list[dict[str, Any]] = []
    if site is not None or product is not None:
        from qmsdata.pack.snapshot import read_snapshot

        entries = left_out_entries(read_snapshot(snapshot), site=site, product=product)
        write_left_out(build, entries)
    return scope_manifest(entries, site=site, product=product)
