"""Shared fixtures: small hand-made workbooks written into tmp_path (helpers in workbooks.py)."""

from __future__ import annotations

import os
from pathlib import Path

# before anything imports openpyxl (tests/security/conftest.py does): as qmsdata/__init__.py
os.environ.setdefault("OPENPYXL_LXML", "False")

import pytest  # noqa: E402
from workbooks import GOOD, good_frame, write_workbook  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _private_config_folder(tmp_path_factory: pytest.TempPathFactory):
    """Point the qmsdata configuration folder (keys, redaction secret) at a temporary folder.

    Tests never read or create keys in the developer's real ~/.config/qmsdata, and a key there
    cannot change what a test sees.
    """
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "QMS_PUBLIC_KEY")}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg-config"))
    os.environ.pop("QMS_PUBLIC_KEY", None)
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def good_workbook(tmp_path: Path) -> Path:
    """Return a workbook folder with all sixteen record types, every row valid (all CSV)."""
    return write_workbook(tmp_path / "wb", {n: good_frame(n) for n in GOOD})


@pytest.fixture
def good_rows() -> dict[str, list[dict[str, str]]]:
    """Return the valid rows of every record type (see ``GOOD``)."""
    return GOOD


@pytest.fixture
def make_workbook():
    """Return :func:`write_workbook` (write frames as a workbook folder)."""
    return write_workbook


@pytest.fixture
def good():
    """Return :func:`good_frame` (the valid rows of one record type as a text DataFrame)."""
    return good_frame
