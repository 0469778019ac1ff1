"""The code location loads, and its assets and resources are wired as the workspace expects."""

from pathlib import Path

import pytest
from dagster import AssetKey, Definitions, materialize

from {{ snake }}_dagster import defs
from {{ snake }}_dagster.assets import (
    MODULE,
    raw_records,
)
from {{ snake }}{% raw %}_dagster.resources import (
    DEFAULT_STORAGE_PATH,
    STORAGE_PATH_ENV,
    ModuleIOManager,
    build_io_manager,
)


def test_definitions_load() -> None:
    Definitions.validate_loadable(defs)


def test_every_asset_key_starts_with_the_module_prefix() -> None:
    keys = defs.resolve_all_asset_keys()
    assert AssetKey([MODULE, "raw_records"]) in keys
    assert AssetKey([MODULE, "records_summary"]) in keys
    assert all(key.path[0] == MODULE for key in keys)


def test_every_asset_is_in_the_module_group() -> None:
    assert {spec.group_name for spec in defs.resolve_all_asset_specs()} == {MODULE}


def test_the_io_manager_is_registered_as_an_instance() -> None:
    assert isinstance(defs.resources["io_manager"], ModuleIOManager)


def test_storage_path_defaults_to_the_shared_volume(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORAGE_PATH_ENV, raising=False)
    assert build_io_manager().base_path == DEFAULT_STORAGE_PATH == "/tmp/dagster_storage"


def test_storage_path_comes_from_dagster_storage_path(storage_path: Path) -> None:
    # build_io_manager() passes an EnvVar: Dagster resolves it when the run starts.
    result = materialize([raw_records], resources={"io_manager": build_io_manager()})
    assert result.success
    assert (storage_path / MODULE / "raw_records.pickle").is_file()
{% endraw %}