"""Arrow's memory pool while a workbook loads: the system allocator.

pyarrow allocates from its own pool (mimalloc in the wheels), whose freed memory the rest of the
process (numpy, pandas, Python, the CSV parser: all glibc malloc) cannot reuse, and the reverse:
a load that frees text columns in one allocator and builds typed columns in the other holds the
high-water mark of both. With Arrow on the system allocator both draw on one heap.

Measured (``benchmarks/load_validate.py --memory``; demo workbook, medians of 3, GX imported
beforehand): peak RSS of ``qmsdata.load`` 167 -> 115 MiB above its start for 26 MiB of accepted
frames, the same CPU time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["system_pool"]


@contextmanager
def system_pool() -> Iterator[None]:
    """Make Arrow allocate from the system allocator inside the block; restore the pool after.

    Left alone when the user chose a pool (``ARROW_DEFAULT_MEMORY_POOL``) or the default pool is
    already the system one. Buffers remember their pool, so frames made inside the block are
    freed correctly after it. Usable as a decorator.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        yield
        return
    import pyarrow as pa

    previous = pa.default_memory_pool()
    if previous.backend_name == "system":
        yield
        return
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
