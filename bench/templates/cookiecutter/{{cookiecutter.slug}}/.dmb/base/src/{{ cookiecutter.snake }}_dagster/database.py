"""{{ cookiecutter.title }}'s own database (PostgreSQL) as a Dagster resource.

Every connection setting comes from the environment, so one code base runs everywhere:

- {{ cookiecutter.upper }}_DB_HOST
  inside the workspace, the compose service name:
  {{ cookiecutter.snake }}_postgres
  on the host: 127.0.0.1;
- {{ cookiecutter.upper }}_DB_PORT
  the container port 5432 inside the workspace; on the host, the published port
  ({{ cookiecutter.upper }}_DB_HOST_PORT in workspace/local/.env);
- {{ cookiecutter.upper }}_DB_USER
- {{ cookiecutter.upper }}_DB_PASSWORD
- {{ cookiecutter.upper }}_DB_NAME
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from dagster import ConfigurableResource, EnvVar

CREATE_RECORDS_TABLE = """
CREATE TABLE IF NOT EXISTS raw_records (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    amount NUMERIC(12, 2) NOT NULL,
    source TEXT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""

# An upsert keyed by id: materializing twice leaves one row per record, not two.
UPSERT_RECORD = """
INSERT INTO raw_records (id, name, amount, source)
VALUES (%(id)s, %(name)s, %(amount)s, %(source)s)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, amount = EXCLUDED.amount, source = EXCLUDED.source, loaded_at = now()
"""


class ModuleDatabase(ConfigurableResource):
    """Connections to the module's PostgreSQL database (psycopg 3)."""

    host: str  # the compose service name in the workspace, 127.0.0.1 from the host
    port: int  # the container port in the workspace, the published port from the host
    user: str
    password: str
    database: str
    connect_timeout: int = 10

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
            cursor.execute(CREATE_RECORDS_TABLE)
            cursor.executemany(UPSERT_RECORD, list(records))
        return len(records)

    def count_records(self, source: str) -> int:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM raw_records WHERE source = %s", (source,))
            row = cursor.fetchone()
        return int(row[0]) if row else 0


def build_database() -> ModuleDatabase:
    """The resource registered in Definitions: every field is an EnvVar, resolved when a run starts."""
    return ModuleDatabase(
        host=EnvVar("{{ cookiecutter.upper }}_DB_HOST"),
        port=EnvVar.int("{{ cookiecutter.upper }}_DB_PORT"),
        user=EnvVar("{{ cookiecutter.upper }}_DB_USER"),
        password=EnvVar("{{ cookiecutter.upper }}_DB_PASSWORD"),
        database=EnvVar("{{ cookiecutter.upper }}_DB_NAME"),
    )
