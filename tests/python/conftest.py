"""Fixtures of the Python proof suite (helpers in support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ensure_built


@pytest.fixture(scope="session", autouse=True)
def built() -> None:
    """dist/ exists before any test runs `bin/dmb` (built once when missing)."""
    ensure_built()


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One temporary workspace for the session's generated modules."""
    yield tmp_path_factory.mktemp("workspace")
