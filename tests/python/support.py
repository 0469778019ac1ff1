"""Helpers of the Python proof suite: generate modules with the real CLI and run them for real.

Modules are generated with the real CLI (`bin/dmb new`), then driven with the real Dagster CLI,
pytest and ruff from the repository's virtualenv, against the real PostgreSQL and MariaDB on
127.0.0.1. A database server that is down fails the suite with a clear message: nothing here skips.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The repository's virtualenv (tools/requirements-dev.txt); else the one running this suite.
_REPO_VENV_BIN = REPO_ROOT / ".venv" / "bin"
VENV_BIN = _REPO_VENV_BIN if (_REPO_VENV_BIN / "dagster").exists() else Path(sys.executable).parent
DAGSTER = VENV_BIN / "dagster"
#: Dagster's `dg` CLI (dagster-dg-cli): generated modules are dg projects.
DG = VENV_BIN / "dg"
PYTEST = VENV_BIN / "pytest"
RUFF = VENV_BIN / "ruff"
PYTHON = VENV_BIN / "python"
DMB = REPO_ROOT / "bin" / "dmb"

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root"}

# A limit for a hung subprocess, not a speed requirement: CI's two cores may be busy, so it is generous
# (the same DMB_TEST_PATIENCE_MS as the TypeScript tests, default 20 minutes).
SLOW = int(os.environ.get("DMB_TEST_PATIENCE_MS", str(20 * 60_000))) // 1000


@dataclass
class Module:
    """A module generated into a temporary workspace."""

    name: str
    db: str
    governance: str
    root: Path
    snake: str
    upper: str
    package: str
    #: The module's database variables, pointing at the real server on this host (DB modules only).
    db_env: dict[str, str] = field(default_factory=dict)

    @property
    def src(self) -> Path:
        return self.root / "src"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a host-side tool runs the module in: no stray DAGSTER_/module variables
        from the caller, the module's DB variables, and whatever the test adds."""
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DAGSTER_", f"{self.upper}_")) and key != "PYTHONPATH"
        }
        return {**base, **self.db_env, **extra}


@dataclass
class Completed:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        command = " ".join(self.args)
        return f"$ {command}\n--- exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = SLOW) -> Completed:
    """Runs a command to completion and returns everything it printed (for assertion messages)."""
    argv = [str(arg) for arg in args]
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"timed out after {timeout}s: {' '.join(argv)}\n{error.stdout}\n{error.stderr}")
    return Completed(argv, done.returncode, done.stdout, done.stderr)


def ensure_built() -> None:
    """Builds dist/ from the current sources (the CLI runs from dist/), so a run never uses stale code."""
    built = run(["node", "scripts/build.mjs"], cwd=REPO_ROOT, timeout=SLOW)
    if built.returncode != 0:
        pytest.fail(f"building dmb failed (npm run build):\n{built.output}")


def derive_names(name: str) -> tuple[str, str, str]:
    """snake, UPPER, package: what `dmb new` derives for a kebab/snake name."""
    snake = re.sub(r"[\s-]+", "_", name.strip()).lower()
    return snake, snake.upper(), f"{snake}_dagster"


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def generate_module(workspace: Path, name: str, db: str, governance: str) -> Module:
    """`dmb new` with every answer given by a flag, exactly as a user would run it in CI."""
    ensure_built()
    created = run(
        [
            DMB, "new", name,
            "--workspace", workspace,
            "--yes",
            "--db", db,
            "--governance", governance,
            "--integrate", "no",
            "--deploy", "no",
            "--description", f"Proof-suite module ({db}, {governance})",
        ],
        cwd=REPO_ROOT,
    )  # fmt: skip
    assert created.returncode == 0, created.output
    snake, upper, package = derive_names(name)
    root = workspace / "projects" / name
    assert (root / "src" / package / "__init__.py").is_file(), created.output
    return Module(name=name, db=db, governance=governance, root=root, snake=snake, upper=upper, package=package)


def unique_name(prefix: str) -> str:
    """Module names unique per run: the databases and users created for them live on shared servers."""
    return f"{prefix}-{secrets.token_hex(3)}"


# --- databases -------------------------------------------------------------------------------------


def postgres_admin():
    import psycopg

    try:
        return psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=60)
    except psycopg.OperationalError as error:
        pytest.fail(
            "PostgreSQL is not reachable on 127.0.0.1:5432 as user postgres; the proof suite needs the real "
            "server (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start).\n"
            f"{error}"
        )


def mariadb_admin():
    import pymysql

    try:
        return pymysql.connect(**MARIADB, password="", autocommit=True, connect_timeout=60)
    except pymysql.err.OperationalError as error:
        pytest.fail(
            "MariaDB is not reachable on 127.0.0.1:3306 as root (no password); the proof suite needs the real "
            "server (start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd).\n"
            f"{error}"
        )


@dataclass
class Provisioned:
    """A database and user created on a real server for one module, with the module's own credentials."""

    kind: str
    name: str
    user: str
    password: str
    port: int

    def drop(self) -> None:
        if self.kind == "postgresql":
            from psycopg import sql

            with postgres_admin() as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(self.user)))
        else:
            admin = mariadb_admin()
            try:
                with admin.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
                    cursor.execute("DROP USER IF EXISTS %s@'%%'", (self.user,))
            finally:
                admin.close()


def provision_database(module: Module) -> Provisioned:
    """Creates the module's database and user (names and password from its workspace/local/.env) on the
    real server, and points the module's variables at it: HOST=127.0.0.1 and PORT=the server's port, as
    host-side tools do with the published port."""
    env = read_env_file(module.root / "workspace" / "local" / ".env")
    prefix = f"{module.upper}_DB_"
    name, user, password = env[f"{prefix}NAME"], env[f"{prefix}USER"], env[f"{prefix}PASSWORD"]
    if module.db == "postgresql":
        from psycopg import sql

        with postgres_admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(user)))
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(user), sql.Literal(password))
            )
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(user)))
        port = POSTGRES["port"]
    else:
        admin = mariadb_admin()
        try:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute("DROP USER IF EXISTS %s@'%%'", (user,))
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
                cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO %s@'%%'", (user,))
        finally:
            admin.close()
        port = MARIADB["port"]
    module.db_env = {
        f"{prefix}HOST": "127.0.0.1",
        f"{prefix}PORT": str(port),
        f"{prefix}USER": user,
        f"{prefix}PASSWORD": password,
        f"{prefix}NAME": name,
    }
    return Provisioned(kind=module.db, name=name, user=user, password=password, port=port)


def drop_records_table(provisioned: Provisioned) -> None:
    """Empties the module's database of the sample table, so the next rows are provably the next run's."""
    query_module_database(provisioned, "DROP TABLE IF EXISTS raw_records")


#: The asset's table, as the module's own database.py creates it.
CREATE_RECORDS_TABLE = {
    "postgresql": "CREATE TABLE raw_records (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(12, 2) NOT NULL, "
    "source TEXT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    "mysql": "CREATE TABLE raw_records (id INT PRIMARY KEY, name VARCHAR(255) NOT NULL, amount DECIMAL(12, 2) NOT NULL, "
    "source VARCHAR(255) NOT NULL, loaded_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
}


def seed_client_rows(provisioned: Provisioned, source: str) -> None:
    """Rows a client already has in the asset's table, with the ids the sample records use (1-5)."""
    drop_records_table(provisioned)
    query_module_database(provisioned, CREATE_RECORDS_TABLE[provisioned.kind])
    for number in range(1, 6):
        query_module_database(
            provisioned,
            "INSERT INTO raw_records (id, name, amount, source) VALUES (%s, %s, %s, %s)",
            (number, f"client row {number}", 1000 + number, source),
        )


def read_client_rows(provisioned: Provisioned) -> list[tuple[int, str, int]]:
    rows = query_module_database_all(provisioned, "SELECT id, name, amount FROM raw_records ORDER BY id")
    return [(int(row[0]), str(row[1]), int(row[2])) for row in rows]


def list_tables(provisioned: Provisioned) -> list[str]:
    """The tables in the module's database (PostgreSQL: schema public)."""
    if provisioned.kind == "postgresql":
        statement = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
    else:
        statement = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
    return [str(row[0]) for row in query_module_database_all(provisioned, statement)]


def count_rows(provisioned: Provisioned, source: str) -> int:
    """Reads the module's rows back with the module's own credentials."""
    row = query_module_database(provisioned, "SELECT COUNT(*) FROM raw_records WHERE source = %s", (source,))
    assert row is not None
    return int(row[0])


def query_module_database(provisioned: Provisioned, sql: str, params: tuple = ()) -> tuple | None:
    """Runs one statement as the module's own user on 127.0.0.1 and returns the first row, if any."""
    rows = query_module_database_all(provisioned, sql, params)
    return rows[0] if rows else None


def query_module_database_all(provisioned: Provisioned, sql: str, params: tuple = ()) -> list[tuple]:
    """Runs one statement as the module's own user on 127.0.0.1 and returns every row it gives."""
    credentials = {"host": "127.0.0.1", "port": provisioned.port, "user": provisioned.user, "password": provisioned.password}
    if provisioned.kind == "postgresql":
        import psycopg

        with psycopg.connect(**credentials, dbname=provisioned.name) as connection:
            cursor = connection.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
    import pymysql

    connection = pymysql.connect(**credentials, database=provisioned.name, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
    finally:
        connection.close()


# --- junit results of a module's own test run ---------------------------------------------------------


@dataclass
class JunitCounts:
    tests: int
    failures: int
    errors: int
    skipped: int


def read_junit(path: Path) -> JunitCounts:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    return JunitCounts(
        tests=sum(int(suite.get("tests", 0)) for suite in suites),
        failures=sum(int(suite.get("failures", 0)) for suite in suites),
        errors=sum(int(suite.get("errors", 0)) for suite in suites),
        skipped=sum(int(suite.get("skipped", 0)) for suite in suites),
    )
