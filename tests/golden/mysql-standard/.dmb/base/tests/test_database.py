"""The database asset against a real MySQL database.

The tests write to a table of their own (dropped afterwards), never to the table the asset writes in
production: running them against the workspace's database leaves its rows untouched.
Skipped, with the reason, when no database is configured.
"""

import importlib.util
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import AssetKey, materialize

from golden_module_dagster import defs
from golden_module_dagster.assets import (
    MODULE,
    raw_records,
    stored_records,
)
from golden_module_dagster.database import (
    RECORDS_TABLE,
    ModuleDatabase,
)
from golden_module_dagster.resources import ModuleIOManager

ENV_NAMES = [
    "GOLDEN_MODULE_DB_HOST",
    "GOLDEN_MODULE_DB_PORT",
    "GOLDEN_MODULE_DB_USER",
    "GOLDEN_MODULE_DB_PASSWORD",
    "GOLDEN_MODULE_DB_NAME",
]
MISSING = [name for name in ENV_NAMES if not os.environ.get(name)]

needs_database = pytest.mark.skipif(
    bool(MISSING),
    reason=(
        f"no MySQL configured: set {', '.join(MISSING)} "
        "(from this host: HOST=127.0.0.1 and PORT=the published port, "
        "GOLDEN_MODULE_DB_HOST_PORT)"
    ),
)


@pytest.fixture
def test_database() -> Iterator[ModuleDatabase]:
    """The configured database with a fresh table of this test's own, dropped afterwards."""
    database = ModuleDatabase(
        host=os.environ["GOLDEN_MODULE_DB_HOST"],
        port=int(os.environ["GOLDEN_MODULE_DB_PORT"]),
        user=os.environ["GOLDEN_MODULE_DB_USER"],
        password=os.environ["GOLDEN_MODULE_DB_PASSWORD"],
        database=os.environ["GOLDEN_MODULE_DB_NAME"],
        records_table=f"test_records_{uuid.uuid4().hex[:12]}",
    )
    yield database
    database.drop_records_table()


def test_the_database_resource_reads_the_module_variables() -> None:
    resource = defs.resources["database"]
    assert isinstance(resource, ModuleDatabase)
    fields = [resource.host, resource.port, resource.user, resource.password, resource.database]
    # Unresolved EnvVars: Dagster reads the variables when a run starts, not at import.
    assert [field.env_var_name for field in fields] == ENV_NAMES
    assert resource.records_table == RECORDS_TABLE


def test_the_driver_can_complete_the_mysql_8_handshake() -> None:
    # mysql:8 authenticates with caching_sha2_password: without TLS, PyMySQL encrypts the password with the
    # server's RSA key, which needs `cryptography` (installed with the pymysql[rsa] dependency).
    assert importlib.util.find_spec("cryptography") is not None, "install the dependencies: pip install -e ."


@needs_database
def test_stored_records_writes_rows_once_per_record(
    io_manager: ModuleIOManager, storage_path: Path, test_database: ModuleDatabase
) -> None:
    assert test_database.records_table != RECORDS_TABLE
    resources = {"io_manager": io_manager, "database": test_database}

    for _ in range(2):  # a second run updates the same rows instead of adding new ones
        result = materialize([raw_records, stored_records], resources=resources)
        assert result.success

    # MaterializeResult: the row count is metadata shown in the UI; nothing is stored by the IO manager.
    [materialization] = result.asset_materializations_for_node(f"{MODULE}__stored_records")
    assert materialization.metadata["rows_written"].value == 5
    assert materialization.metadata["table"].value == test_database.records_table
    assert not (storage_path / MODULE / "stored_records.pickle").exists()
    assert test_database.count_records(MODULE) == 5
    assert AssetKey([MODULE, "stored_records"]) in defs.resolve_all_asset_keys()
