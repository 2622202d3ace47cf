"""``[engine]`` in qms.toml: the in-process default, or Spark with its master and options."""

from __future__ import annotations

import pytest

from qmsdata.config import read_config
from qmsdata.errors import ConfigError


def _write(tmp_path, engine: str):
    (tmp_path / "qms.toml").write_text(f'[workbook]\nsites = ["Leeds"]\n{engine}', encoding="utf-8")
    return tmp_path


def test_default_is_the_in_process_engine(tmp_path):
    engine = read_config(_write(tmp_path, "")).engine
    assert (engine.name, engine.master, dict(engine.options)) == ("pandas", "local[2]", {})


def test_spark_with_master_and_options(tmp_path):
    text = (
        '[engine]\nname = "spark"\nmaster = "spark://h:7077"\n'
        'options = { "spark.executor.memory" = "4g", "spark.sql.shuffle.partitions" = 64, '
        '"spark.sql.adaptive.enabled" = true }\n'
    )
    engine = read_config(_write(tmp_path, text)).engine
    assert engine.name == "spark" and engine.master == "spark://h:7077"
    assert dict(engine.options) == {
        "spark.executor.memory": "4g",
        "spark.sql.shuffle.partitions": "64",
        "spark.sql.adaptive.enabled": "true",
    }


@pytest.mark.parametrize(
    "text",
    [
        '[engine]\nname = "dask"\n',
        "[engine]\nmaster = 2\n",
        '[engine]\nname = "spark"\nworkers = 3\n',
        "[engine]\noptions = { a = [1] }\n",
    ],
)
def test_bad_engine_settings_raise(tmp_path, text):
    with pytest.raises(ConfigError):
        read_config(_write(tmp_path, text))
