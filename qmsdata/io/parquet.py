"""Read Parquet sources with pyarrow (columns keep their stored types).

A file is read with :class:`pyarrow.parquet.ParquetFile`, not ``pd.read_parquet``, whose
``pyarrow.parquet.read_table`` goes through Arrow's dataset layer (``pyarrow.dataset``,
libarrow_dataset and Acero): the same frame, ~5 MiB less resident memory for the first read of
a process (measured after GX's import: 14.8 -> 10.4 MiB for the demo's production file, most
of what stays is libparquet's and the filesystem layer's code).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    import pandas as pd

    from qmsdata.config import RecordSource


def read_parquet(rs: RecordSource, path: Path, *, nrows: int | None = None) -> RawSource:
    """Read a Parquet file (``nrows``: only the first rows, for ``qms check``)."""
    try:
        if nrows is None:
            frame = _read_file(path)
        else:
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            batch = next(pf.iter_batches(batch_size=max(nrows, 1)), None)
            frame = (
                pf.schema_arrow.empty_table().to_pandas() if batch is None else (batch.to_pandas())
            )
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a bad file
        raise SourceError(
            f"cannot read the file as Parquet: {exc}",
            file=path,
            record_type=rs.record_type,
            hint="Write it again with pandas.DataFrame.to_parquet or check source in qms.toml.",
        ) from None
    frame = clean_headers(frame)
    digest = sha256_file(path) if nrows is None else ""  # a sample is not hashed
    prov = Provenance(rs.record_type, str(path), "parquet", digest, len(frame))
    return RawSource(frame, prov)


def _read_file(path: Path) -> pd.DataFrame:
    """Return one Parquet file as ``pd.read_parquet`` does (pandas metadata, ``df.attrs``)."""
    import json

    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read(use_pandas_metadata=True)
    frame = table.to_pandas()
    meta = table.schema.metadata or {}
    if b"PANDAS_ATTRS" in meta:
        frame.attrs = json.loads(meta[b"PANDAS_ATTRS"])
    return frame
