"""Read Parquet sources with pyarrow (columns keep their stored types)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qmsdata.errors import SourceError
from qmsdata.io import Provenance, RawSource, clean_headers, sha256_file

if TYPE_CHECKING:
    from qmsdata.config import RecordSource


def read_parquet(rs: RecordSource, path: Path) -> RawSource:
    """Read a Parquet file."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a bad file
        raise SourceError(
            f"cannot read the file as Parquet: {exc}",
            file=path,
            record_type=rs.record_type,
            hint="Write it again with pandas.DataFrame.to_parquet or check source in qms.toml.",
        ) from None
    frame = clean_headers(frame)
    prov = Provenance(rs.record_type, str(path), "parquet", sha256_file(path), len(frame))
    return RawSource(frame, prov)
