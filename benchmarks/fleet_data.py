"""Write a fifty-site fleet workbook, chunk by chunk, never holding it in memory (issue 14).

Layout (a lake-style export; ``qms.toml`` selects the Spark engine)::

    <out>/qms.toml
    <out>/nonconformities/site=Site01/part-00000.parquet ...   partitioned by site
    <out>/supplier_receipts/part-00000.parquet ...             goods-in, chunked files
    <out>/production.parquet                                   monthly units per site x product

At ``--scale 1`` the workbook holds ``--base-rows`` nonconformities (default 1 000 000) and a
tenth as many goods-in receipts; ``--scale 10`` gives the issue's 10M nonconformities and 1M
receipts. Each chunk (at most ``--chunk`` rows) is generated from its own seed and written
before the next one, so memory stays at one chunk whatever the scale. About 0.1% of the rows
carry a planted fault (missing source, unknown disposition, negative quantity, closed without a
date, closed before found, found after the data date, unknown supplier, repeated id).

Dates are Parquet timestamps (microseconds), numbers numeric, codes text: what a warehouse
export holds.

Run:  .venv/bin/python benchmarks/fleet_data.py OUT [--scale 1] [--base-rows 1000000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

AS_OF = "2026-10-31"
N_SITES = 50
SITES = [f"Site{i:02d}" for i in range(1, N_SITES + 1)]
PROCESSES = ["SMT", "Wave", "AOI", "ICT", "Final test", "Packing"]
DEFECTS = [f"D{k:02d}" for k in range(40)]
SOURCES = ["in_process", "final", "incoming", "customer"]
DISPOSITIONS = ["scrap", "rework", "use_as_is", "return_to_supplier", "pending"]
SUPPLIERS = [f"SUP-{k:03d}" for k in range(200)]
PRODUCTS = [f"PCB-{k:03d}" for k in range(20)]
START = np.datetime64("2023-11-01", "D")
DAYS = 1095  # three years up to the data date
FAULT_RATE = 0.001


def _ts(days: np.ndarray) -> pa.Array:
    """Return day offsets from START as a microsecond timestamp array (NaT-free)."""
    return pa.array((START + days).astype("datetime64[us]"), type=pa.timestamp("us"))


def nc_chunk(site_index: int, chunk: int, n: int, first_id: int) -> pa.Table:
    """Return ``n`` nonconformity rows of one site (no site column: it is the partition)."""
    rng = np.random.default_rng([site_index, chunk, 1])
    detected = rng.integers(0, DAYS, n)
    source = rng.choice(SOURCES, n, p=[0.55, 0.2, 0.2, 0.05]).astype(object)
    status = np.where(rng.random(n) < 0.8, "closed", "open").astype(object)
    closed = np.minimum(detected + rng.integers(0, 60, n), DAYS - 1)
    quantity = rng.integers(1, 20, n).astype(float)
    disposition = rng.choice(DISPOSITIONS, n).astype(object)
    supplier = np.where(source == "incoming", rng.choice(SUPPLIERS, n), None).astype(object)
    ids = np.char.add(f"NC-{site_index:02d}-", (first_id + np.arange(n)).astype(str)).astype(object)
    closed_mask = status == "closed"

    faults = np.flatnonzero(rng.random(n) < FAULT_RATE)
    kind = np.arange(len(faults)) % 8
    source[faults[kind == 0]] = None
    disposition[faults[kind == 1]] = "burn"
    quantity[faults[kind == 2]] = -1
    closed_mask[faults[kind == 3]] = False  # status closed, no closed date
    status[faults[kind == 3]] = "closed"
    closed[faults[kind == 4]] = detected[faults[kind == 4]] - 3
    detected[faults[kind == 5]] = DAYS + 30  # after the data date
    supplier[faults[kind == 6]] = "SUP-NONE"
    if len(faults[kind == 7]):  # a repeated id
        ids[faults[kind == 7]] = ids[0]

    closed_arr = pa.array(
        np.where(closed_mask, START + closed, np.datetime64("NaT")).astype("datetime64[us]"),
        type=pa.timestamp("us"),
    )
    return pa.table(
        {
            "nc_id": pa.array(ids, type=pa.string()),
            "detected_date": _ts(detected),
            "process": pa.array(rng.choice(PROCESSES, n), type=pa.string()),
            "product": pa.array(rng.choice(PRODUCTS, n), type=pa.string()),
            "source": pa.array(source, type=pa.string()),
            "defect_code": pa.array(rng.choice(DEFECTS, n), type=pa.string()),
            "quantity": pa.array(quantity),
            "disposition": pa.array(disposition, type=pa.string()),
            "cost": pa.array(np.round(rng.gamma(2.0, 40.0, n), 2)),
            "supplier_id": pa.array(supplier, type=pa.string()),
            "status": pa.array(status, type=pa.string()),
            "closed_date": closed_arr,
        }
    )


def receipt_chunk(chunk: int, n: int, first_id: int) -> pa.Table:
    """Return ``n`` goods-in receipts."""
    rng = np.random.default_rng([chunk, 2])
    received = rng.integers(0, DAYS, n)
    qty = rng.integers(50, 5000, n).astype(float)
    rejected = np.floor(qty * rng.beta(0.5, 200, n))
    bad = np.flatnonzero(rng.random(n) < FAULT_RATE)
    rejected[bad] = qty[bad] + 1
    return pa.table(
        {
            "receipt_id": pa.array(
                np.char.add("R-", (first_id + np.arange(n)).astype(str)), type=pa.string()
            ),
            "supplier_id": pa.array(rng.choice(SUPPLIERS, n), type=pa.string()),
            "received_date": _ts(received),
            "due_date": _ts(received + rng.integers(-5, 10, n)),
            "quantity_received": pa.array(qty),
            "quantity_rejected": pa.array(rejected),
        }
    )


def production_table(scale: float) -> pa.Table:
    """Return monthly units per site x product (the denominators), 36 months."""
    rng = np.random.default_rng(3)
    months = np.arange(np.datetime64("2023-11"), np.datetime64("2026-11")).astype("datetime64[D]")
    grid = [(s, p, m) for s in SITES for p in PRODUCTS for m in months]
    n = len(grid)
    produced = np.round(rng.uniform(2e4, 6e4, n) * scale)
    return pa.table(
        {
            "date": pa.array(np.array([g[2] for g in grid]).astype("datetime64[us]")),
            "site": pa.array([g[0] for g in grid]),
            "product": pa.array([g[1] for g in grid]),
            "units_produced": pa.array(produced),
            "units_inspected": pa.array(produced),
            "units_shipped": pa.array(np.floor(produced * 0.98)),
        }
    )


QMS_TOML = """\
[workbook]
organisation = "Fleet benchmark ({sites} sites, scale {scale:g})"
sites = [{site_list}]
as_of = {as_of}

[engine]
name = "spark"
master = "local[2]"

[records.nonconformities]
source = "nonconformities"

[records.supplier_receipts]
source = "supplier_receipts"

[records.production]
source = "production.parquet"
"""


def write(out: Path, *, scale: float = 1, base_rows: int = 1_000_000, chunk: int = 250_000):
    """Write the workbook into ``out``; return ``{record type: rows}``."""
    out.mkdir(parents=True, exist_ok=True)
    n_nc = int(base_rows * scale)
    n_rec = max(n_nc // 10, 1)
    per_site = np.full(N_SITES, n_nc // N_SITES)
    per_site[: n_nc % N_SITES] += 1
    for s, site in enumerate(SITES, start=1):
        folder = out / "nonconformities" / f"site={site}"
        folder.mkdir(parents=True, exist_ok=True)
        done = 0
        part = 0
        while done < per_site[s - 1]:
            n = int(min(chunk, per_site[s - 1] - done))
            pq.write_table(nc_chunk(s, part, n, done), folder / f"part-{part:05d}.parquet")
            done += n
            part += 1
    folder = out / "supplier_receipts"
    folder.mkdir(parents=True, exist_ok=True)
    done = part = 0
    while done < n_rec:
        n = min(chunk, n_rec - done)
        pq.write_table(receipt_chunk(part, n, done), folder / f"part-{part:05d}.parquet")
        done += n
        part += 1
    pq.write_table(production_table(scale), out / "production.parquet")
    site_list = ", ".join(f'"{s}"' for s in SITES)
    text = QMS_TOML.format(sites=N_SITES, scale=scale, site_list=site_list, as_of=AS_OF)
    (out / "qms.toml").write_text(text, encoding="utf-8")
    return {"nonconformities": n_nc, "supplier_receipts": n_rec}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--base-rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=250_000)
    args = parser.parse_args()
    t = time.perf_counter()
    rows = write(args.out, scale=args.scale, base_rows=args.base_rows, chunk=args.chunk)
    print(f"wrote {rows} to {args.out} in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
