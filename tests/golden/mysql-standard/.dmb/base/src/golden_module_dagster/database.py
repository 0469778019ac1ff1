"""Golden Module's own database (MySQL) as a Dagster resource.

Every connection setting comes from the environment, so one code base runs everywhere:

- GOLDEN_MODULE_DB_HOST
  inside the workspace, the compose service name:
  golden_module_mysql
  on the host: 127.0.0.1;
- GOLDEN_MODULE_DB_PORT
  the container port 3306 inside the workspace; on the host, the published port
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

import pymysql
from dagster import ConfigurableResource, EnvVar

# The table the stored_records asset writes. Tests pass a table of their own (records_table), so running
# them against a real database never touches these rows.
RECORDS_TABLE = "raw_records"
# Table names are checked against this before they are quoted into SQL (MySQL allows 64 characters).
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

CREATE_RECORDS_TABLE = """
CREATE TABLE IF NOT EXISTS `{table}` (
    id INT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    source VARCHAR(255) NOT NULL,
    loaded_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
)
"""

# An upsert keyed by id: materializing twice leaves one row per record, not two.
# VALUES(col) works on MySQL 8 and MariaDB alike (MySQL's `AS new` alias does not exist in MariaDB).
UPSERT_RECORD = """
INSERT INTO `{table}` (id, name, amount, source)
VALUES (%(id)s, %(name)s, %(amount)s, %(source)s)
ON DUPLICATE KEY UPDATE name = VALUES(name), amount = VALUES(amount), source = VALUES(source)
"""

COUNT_RECORDS = "SELECT COUNT(*) FROM `{table}` WHERE source = %s"
DROP_RECORDS_TABLE = "DROP TABLE IF EXISTS `{table}`"


class ModuleDatabase(ConfigurableResource):
    """Connections to the module's MySQL database (PyMySQL)."""

    host: str  # the compose service name in the workspace, 127.0.0.1 from the host
    port: int  # the container port in the workspace, the published port from the host
    user: str
    password: str
    database: str
    connect_timeout: int = 10
    records_table: str = RECORDS_TABLE

    @contextmanager
    def connect(self) -> Iterator[pymysql.connections.Connection]:
        """A connection that commits when the block succeeds and rolls back when it raises.

        mysql:8 authenticates with caching_sha2_password: without TLS, PyMySQL needs the `cryptography`
        package for the full handshake (the `pymysql[rsa]` dependency).
        """
        connection = pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=self.database,
            connect_timeout=self.connect_timeout,
            charset="utf8mb4",
            autocommit=False,
        )
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    def write_records(self, records: Sequence[dict[str, Any]]) -> int:
        """Creates the table when missing, upserts the records in one transaction, returns how many."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(self._sql(CREATE_RECORDS_TABLE))
            cursor.executemany(self._sql(UPSERT_RECORD), list(records))
        return len(records)

    def count_records(self, source: str) -> int:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(self._sql(COUNT_RECORDS), (source,))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def drop_records_table(self) -> None:
        """Drops the records table (tests drop the table they made; never call it on RECORDS_TABLE)."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(self._sql(DROP_RECORDS_TABLE))

    def _sql(self, statement: str) -> str:
        """The statement for records_table; the name is checked first, as MySQL cannot bind identifiers."""
        if not TABLE_NAME.fullmatch(self.records_table):
            raise ValueError(f"records_table {self.records_table!r}: use letters, digits and _ (at most 64).")
        return statement.format(table=self.records_table)


def build_database() -> ModuleDatabase:
    """The resource registered in Definitions: every field is an EnvVar, resolved when a run starts."""
    return ModuleDatabase(
        host=EnvVar("GOLDEN_MODULE_DB_HOST"),
        port=EnvVar.int("GOLDEN_MODULE_DB_PORT"),
        user=EnvVar("GOLDEN_MODULE_DB_USER"),
        password=EnvVar("GOLDEN_MODULE_DB_PASSWORD"),
        database=EnvVar("GOLDEN_MODULE_DB_NAME"),
    )
