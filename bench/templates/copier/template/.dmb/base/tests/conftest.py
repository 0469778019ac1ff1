"""Shared fixtures: every test writes into its own temporary storage folder."""

from pathlib import Path

import pytest

from {{ snake }}_dagster.resources import (
    STORAGE_PATH_ENV,
    ModuleIOManager,
)


@pytest.fixture
def storage_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh DAGSTER_STORAGE_PATH for one test."""
    path = tmp_path / "dagster_storage"
    monkeypatch.setenv(STORAGE_PATH_ENV, str(path))
    return path


@pytest.fixture
def io_manager(storage_path: Path) -> ModuleIOManager:
    return ModuleIOManager(base_path=str(storage_path))
