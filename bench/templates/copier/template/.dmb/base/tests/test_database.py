"""The database asset against a real PostgreSQL database.

Skipped, with the reason, when no database is configured.
"""

import os
from pathlib import Path

import pytest
from dagster import AssetKey, materialize

from {{ snake }}_dagster import defs
from {{ snake }}_dagster.assets import (
    MODULE,
    raw_records,
    stored_records,
)
from {{ snake }}_dagster.database import (
    ModuleDatabase,
    build_database,
)
from {{ snake }}_dagster.resources import ModuleIOManager

ENV_NAMES = [
    "{{ upper }}_DB_HOST",
    "{{ upper }}_DB_PORT",
    "{{ upper }}_DB_USER",
    "{{ upper }}_DB_PASSWORD",
    "{{ upper }}{% raw %}_DB_NAME",
]
MISSING = [name for name in ENV_NAMES if not os.environ.get(name)]

needs_database = pytest.mark.skipif(
    bool(MISSING),
    reason=(
        f"no PostgreSQL configured: set {', '.join(MISSING)} "
        "(from this host: HOST=127.0.0.1 and PORT=the published port, "
        "{% endraw %}{{ upper }}{% raw %}_DB_HOST_PORT)"
    ),
)


def test_the_database_resource_reads_the_module_variables() -> None:
    resource = defs.resources["database"]
    assert isinstance(resource, ModuleDatabase)
    fields = [resource.host, resource.port, resource.user, resource.password, resource.database]
    # Unresolved EnvVars: Dagster reads the variables when a run starts, not at import.
    assert [field.env_var_name for field in fields] == ENV_NAMES


@needs_database
def test_stored_records_writes_rows_once_per_record(io_manager: ModuleIOManager, storage_path: Path) -> None:
    database = build_database()
    resources = {"io_manager": io_manager, "database": database}

    for _ in range(2):  # a second run updates the same rows instead of adding new ones
        result = materialize([raw_records, stored_records], resources=resources)
        assert result.success

    assert result.output_for_node(f"{MODULE}__stored_records") == 5
    assert (storage_path / MODULE / "stored_records.pickle").is_file()
    configured = ModuleDatabase(
        host=os.environ["{% endraw %}{{ upper }}_DB_HOST"],
        port=int(os.environ["{{ upper }}_DB_PORT"]),
        user=os.environ["{{ upper }}_DB_USER"],
        password=os.environ["{{ upper }}_DB_PASSWORD"],
        database=os.environ["{{ upper }}_DB_NAME"],
    )
    assert configured.count_records(MODULE) == 5
    assert AssetKey([MODULE, "stored_records"]) in defs.resolve_all_asset_keys()
