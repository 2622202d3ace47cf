"""Read Parquet sources with pyarrow (columns keep their stored types)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


def read_parquet(rs: RecordSource, path: Path, *, nrows: int | None = None) -> RawSource:
    """Read a Parquet file (``nrows``: only the first rows, for ``qms check``)."""
    import pandas as pd

    try:
        if nrows is None:
            frame = pd.read_parquet(path)
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
