"""A small hand-made fleet workbook: nonconformities as a Parquet folder partitioned by site,
supplier receipts as CSV, production volumes as one Parquet file with real timestamps.

Every planted fault is named in ``PLANTED`` (key -> checks) so tests can say what each engine
must quarantine.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

AS_OF = "2026-10-31"
SITES = ["Leeds", "Brno"]

#: key -> (column, check) pairs the validation must report for that row
PLANTED: dict[str, set[tuple[str, str]]] = {
    "NC-B1": {("quantity", "type")},
    "NC-B2": {("source", "not_null")},
    "NC-B3": {("disposition", "allowed_values")},
    "NC-B4": {("closed_date", "status_consistency")},
    "NC-B5": {("closed_date", "date_order")},
    "NC-B6": {("detected_date", "not_future")},
    "NC-B7": {("supplier_id", "reference")},
    "NC-B8": {("cost", "range")},
    "NC-DUP": {("nc_id", "unique")},
    "NC-P1": {("site", "allowed_values")},
    "R-BAD": {("quantity_received", "rejected_le_received")},
}


def _nc_rows() -> list[dict[str, str]]:
    rows = []
    processes = ["SMT", "Wave", "Test"]
    codes = ["D1", "D2", "D3", "D4"]
    sources = ["in_process", "final", "incoming"]
    i = 0
    for site in ("Leeds", "Brno", "leeds"):  # "leeds" folds into Leeds
        for month in range(1, 11):
            for k in range(3):
                i += 1
                src = sources[(i + k) % 3]
                rows.append(
                    dict(
                        nc_id=f"NC-{i:04d}",
                        detected_date=f"2026-{month:02d}-{5 + 7 * k:02d}",
                        site=site,
                        process=processes[(i * 7 + k) % 3] if i % 11 else "",
                        product=f"P{i % 4}",
                        source=src if i % 5 else "In Process",  # normalised to in_process
                        defect_code=codes[(i * 3 + k) % 4],
                        defect_category="solder",
                        quantity=str(1 + (i * 13) % 9),
                        disposition=["scrap", "rework", "Use as is"][i % 3],
                        cost=f"{(i * 17) % 50}.5" if i % 4 else "",
                        supplier_id="S1" if src == "incoming" else "",
                        # a few CAPA links (one with no process: the null-safe series join)
                        capa_id=f"CA-{i % 4}" if i % 9 == 0 else "",
                        status="closed" if i % 2 else "open",
                        closed_date=f"2026-{month:02d}-27" if i % 2 else "",
                        description="found at AOI",
                    )
                )
    base = dict(rows[0], site="Leeds", detected_date="2026-03-02", status="open", closed_date="")
    bad = {
        "NC-B1": dict(quantity="three"),
        "NC-B2": dict(source=""),
        "NC-B3": dict(disposition="burn"),
        "NC-B4": dict(status="closed", closed_date=""),
        "NC-B5": dict(status="closed", closed_date="2026-03-01"),
        "NC-B6": dict(detected_date="2026-11-15"),
        "NC-B7": dict(source="incoming", supplier_id="S-NOPE"),
        "NC-B8": dict(cost="-4"),
        "NC-P1": dict(site="Paris"),
    }
    for key, change in bad.items():
        rows.append(dict(base, nc_id=key, **change))
    rows.append(dict(base, nc_id="NC-DUP"))
    rows.append(dict(base, nc_id="NC-DUP", site="Brno"))
    return rows


def receipts() -> pd.DataFrame:
    rows = []
    for month in range(1, 11):
        for s, sid in enumerate(("S1", "S2")):
            rows.append(
                dict(
                    receipt_id=f"R-{month}-{sid}",
                    supplier_id=sid,
                    received_date=f"2026-{month:02d}-1{s}",
                    due_date=f"2026-{month:02d}-12",
                    quantity_received=str(100 * month),
                    quantity_rejected=str(month % 3),
                    supplier_name=f"Supplier {sid}",
                )
            )
    rows.append(dict(rows[0], receipt_id="R-BAD", quantity_rejected="500"))
    return pd.DataFrame(rows)


def production() -> pd.DataFrame:
    rows = []
    for site in SITES:
        for month in range(1, 11):
            rows.append(
                dict(
                    date=pd.Timestamp(2026, month, 1),
                    site=site,
                    product=None,
                    units_produced=1000.0 * month,
                    units_inspected=900.0 * month,
                    units_shipped=800.0 * month,
                )
            )
    return pd.DataFrame(rows)


def nonconformities() -> pd.DataFrame:
    return pd.DataFrame(_nc_rows())


QMS_TOML = """\
[workbook]
organisation = "Fleet test"
sites = ["Leeds", "Brno"]
as_of = {as_of}

[engine]
name = "spark"
master = "local[2]"

[records.nonconformities]
source = "nonconformities"

[records.supplier_receipts]
source = "supplier_receipts.csv"

[records.production]
source = "production.parquet"
"""


def write_fleet_workbook(root: Path) -> Path:
    """Write the workbook into ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    ncs = nonconformities()
    for site, part in ncs.groupby("site", sort=True):
        folder = root / "nonconformities" / f"site={site}"
        folder.mkdir(parents=True)
        part.drop(columns="site").to_parquet(folder / "part-0.parquet", index=False)
    receipts().to_csv(root / "supplier_receipts.csv", index=False)
    production().to_parquet(root / "production.parquet", index=False)
    (root / "qms.toml").write_text(QMS_TOML.format(as_of=AS_OF), encoding="utf-8")
    return root
