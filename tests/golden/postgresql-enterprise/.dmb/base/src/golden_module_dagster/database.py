"""Golden Module's own database (PostgreSQL) as a Dagster resource.

Every connection setting comes from the environment, so one code base runs everywhere:

- GOLDEN_MODULE_DB_HOST
  inside the workspace, the compose service name:
  golden_module_postgres
  on the host: 127.0.0.1;
- GOLDEN_MODULE_DB_PORT
  the container port 5432 inside the workspace; on the host, the published port
  (GOLDEN_MODULE_DB_HOST_PORT in workspace/local/.env);
- GOLDEN_MODULE_DB_USER
- GOLDEN_MODULE_DB_PASSWORD
- GOLDEN_MODULE_DB_NAME
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from dagster import ConfigurableResource, EnvVar
from psycopg import sql

# The table the stored_records asset writes. Tests pass a table of their own (records_table), so running
# them against a real database never touches these rows.
RECORDS_TABLE = "raw_records"
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

CREATE_RECORDS_TABLE = sql.SQL("""
CREATE TABLE IF NOT EXISTS {table} (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    amount NUMERIC(12, 2) NOT NULL,
    source TEXT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
""")

# An upsert keyed by id: materializing twice leaves one row per record, not two.
UPSERT_RECORD = sql.SQL("""
INSERT INTO {table} (id, name, amount, source)
VALUES (%(id)s, %(name)s, %(amount)s, %(source)s)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, amount = EXCLUDED.amount, source = EXCLUDED.source, loaded_at = now()
""")

COUNT_RECORDS = sql.SQL("SELECT count(*) FROM {table} WHERE source = %s")
DROP_RECORDS_TABLE = sql.SQL("DROP TABLE IF EXISTS {table}")


class ModuleDatabase(ConfigurableResource):
    """Connections to the module's PostgreSQL database (psycopg 3)."""

    host: str  # the compose service name in the workspace, 127.0.0.1 from the host
    port: int  # the container port in the workspace, the published port from the host
    user: str
    password: str
    database: str
    connect_timeout: int = 10
    records_table: str = RECORDS_TABLE

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """A connection that commits when the block succeeds and rolls back when it raises."""
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            connect_timeout=self.connect_timeout,
        ) as connection:
            yield connection

    def write_records(self, records: Sequence[dict[str, Any]]) -> int:
        """Creates the table when missing, upserts the records in one transaction, returns how many."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(CREATE_RECORDS_TABLE.format(table=self._table()))
            cursor.executemany(UPSERT_RECORD.format(table=self._table()), list(records))
        return len(records)

    def count_records(self, source: str) -> int:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(COUNT_RECORDS.format(table=self._table()), (source,))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def drop_records_table(self) -> None:
        """Drops the records table (tests drop the table they made; never call it on RECORDS_TABLE)."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(DROP_RECORDS_TABLE.format(table=self._table()))

    def _table(self) -> sql.Identifier:
        if not TABLE_NAME.fullmatch(self.records_table):
            raise ValueError(f"records_table {self.records_table!r}: use letters, digits and _ (at most 63).")
        return sql.Identifier(self.records_table)


def build_database() -> ModuleDatabase:
    """The resource registered in Definitions: every field is an EnvVar, resolved when a run starts."""
    return ModuleDatabase(
        host=EnvVar("GOLDEN_MODULE_DB_HOST"),
        port=EnvVar.int("GOLDEN_MODULE_DB_PORT"),
        user=EnvVar("GOLDEN_MODULE_DB_USER"),
        password=EnvVar("GOLDEN_MODULE_DB_PASSWORD"),
        database=EnvVar("GOLDEN_MODULE_DB_NAME"),
    )
