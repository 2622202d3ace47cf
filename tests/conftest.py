"""Shared fixtures: small hand-made workbooks written into tmp_path (helpers in workbooks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import GOOD, good_frame, write_workbook


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
