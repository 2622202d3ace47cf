"""A session-scoped local Spark (``local[2]``, 127.0.0.1, no UI) for the engine tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    """Return a local Spark session; skip when PySpark or Java is missing."""
    pytest.importorskip("pyspark", reason="PySpark not installed (make setup installs it)")
    from qmsdata.engine.spark import java_available, session

    if not java_available():
        pytest.skip("no Java runtime: `make setup` installs default-jre-headless as root")
    s = session("local[2]", {"spark.sql.shuffle.partitions": "2"}, app_name="qmsdata-tests")
    yield s
    s.stop()
