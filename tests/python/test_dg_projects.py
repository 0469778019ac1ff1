"""Issue 11: a generated module is a `dg` project that Dagster's own tooling extends and serves.

For one module per database type (real PostgreSQL and MariaDB for the DB modules): the real `dg scaffold
defs` adds an asset, a schedule, a sensor and a resources file under defs/; with no hand edit of the
module's Definitions, `dg check defs` passes, `dg list defs --json` shows the scaffolded asset under the
module's prefix and group, and `dg launch` stores it through the module's IO manager at
<DAGSTER_STORAGE_PATH>/<module>/<asset>.pickle (at standard and above, the module's own job picks it up
too). Every `dg` command of the generated README runs with Dagster's SupersessionWarning turned into an
error, and `dg dev` serves the module, scaffolded asset included.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import (
    DG,
    SLOW,
    Completed,
    Module,
    Provisioned,
    generate_module,
    provision_database,
    run,
    unique_name,
)

#: One module per database type, each at another governance level.
VARIANTS = [("postgresql", "standard"), ("mysql", "enterprise"), ("none", "quick")]
SCAFFOLDED_ASSET = "scaffolded_rows"
#: What the scaffolded asset returns once its `...` body is filled in, as a user would.
SCAFFOLDED_VALUE = {"rows": 3}
#: Commands a README must not show: the pinned Dagster prints a SupersessionWarning for each.
SUPERSEDED = ["dagster asset materialize", "dagster dev", "dagster definitions validate", "dagster job execute"]
IN_PROCESS = json.dumps({"execution": {"config": {"in_process": {}}}})


@dataclass
class Project:
    module: Module
    provisioned: Provisioned | None
    work: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The package importable as `pip install -e .` makes it; SupersessionWarning (a FutureWarning)
        fails the command; a throwaway instance and storage path."""
        defaults = {
            "PYTHONPATH": "src",
            "PYTHONWARNINGS": "error::FutureWarning",
            "DAGSTER_HOME": str(self.work / "dagster_home"),
            "DAGSTER_STORAGE_PATH": str(self.work / "storage"),
        }
        return self.module.env(**{**defaults, **extra})

    def dg(self, *args: str) -> Completed:
        return run([DG, *args], cwd=self.module.root, env=self.env())


@pytest.fixture(scope="module", params=VARIANTS, ids=[f"{db}-{gov}" for db, gov in VARIANTS])
def project(request: pytest.FixtureRequest, workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    db, governance = request.param
    module = generate_module(workspace, unique_name(f"dg-{db[:2]}"), db, governance)
    provisioned = provision_database(module) if db != "none" else None
    work = tmp_path_factory.mktemp(module.name)
    (work / "dagster_home").mkdir()
    project = Project(module, provisioned, work)
    scaffold(project)
    yield project
    if provisioned is not None:
        provisioned.drop()


def scaffold(project: Project) -> None:
    """Runs the real `dg scaffold defs` for each kind, then fills in the asset's body as a user would."""
    for kind, name in [
        ("dagster.asset", SCAFFOLDED_ASSET),
        ("dagster.schedule", "scaffolded_schedule"),
        ("dagster.sensor", "scaffolded_sensor"),
        ("dagster.resources", "scaffolded_resources"),
    ]:
        done = project.dg("scaffold", "defs", kind, f"{name}.py")
        assert done.returncode == 0, done.output
    asset_file = project.module.src / project.module.package / "defs" / f"{SCAFFOLDED_ASSET}.py"
    text = asset_file.read_text()
    stub = "-> dg.MaterializeResult: ..."
    assert stub in text, f"dg scaffolded something else than expected:\n{text}"
    asset_file.write_text(text.replace(stub, f"-> dict[str, int]:\n    return {SCAFFOLDED_VALUE!r}"))


def test_scaffolded_definitions_land_in_the_defs_folder(project: Project) -> None:
    defs_folder = project.module.src / project.module.package / "defs"
    names = sorted(path.name for path in defs_folder.glob("*.py"))
    assert names == sorted(
        ["__init__.py", f"{SCAFFOLDED_ASSET}.py", "scaffolded_schedule.py", "scaffolded_sensor.py", "scaffolded_resources.py"]
    )


def test_dg_check_defs_passes_with_the_scaffolded_definitions(project: Project) -> None:
    checked = project.dg("check", "defs")
    assert checked.returncode == 0, checked.output
    assert "All definitions loaded successfully." in checked.stdout + checked.stderr, checked.output


def test_dg_list_defs_shows_the_scaffolded_asset_under_the_module_prefix(project: Project) -> None:
    module = project.module
    listed = project.dg("list", "defs", "--json")
    assert listed.returncode == 0, listed.output
    found = json.loads(listed.stdout)
    assets = {asset["asset_key"]: asset for asset in found["assets"]}
    scaffolded = assets.get(f"{module.snake}/{SCAFFOLDED_ASSET}")
    assert scaffolded is not None, f"no {module.snake}/{SCAFFOLDED_ASSET} in {sorted(assets)}"
    assert scaffolded["group_name"] == module.snake
    assert all(key.startswith(f"{module.snake}/") for key in assets), sorted(assets)
    assert "scaffolded_schedule" in {schedule["name"] for schedule in found["schedules"]}
    assert "scaffolded_sensor" in {sensor["name"] for sensor in found["sensors"]}
    assert "io_manager" in {resource["name"] for resource in found["resources"]}


def test_dg_launch_stores_the_scaffolded_asset_through_the_module_io_manager(project: Project) -> None:
    module = project.module
    launched = project.dg("launch", "--assets", f"{module.snake}/{SCAFFOLDED_ASSET}", "--config-json", IN_PROCESS)
    assert launched.returncode == 0, launched.output
    stored = project.work / "storage" / module.snake / f"{SCAFFOLDED_ASSET}.pickle"
    assert stored.is_file(), launched.output
    assert pickle.loads(stored.read_bytes()) == SCAFFOLDED_VALUE


def test_a_run_of_the_whole_module_includes_the_scaffolded_asset(project: Project) -> None:
    """At standard and above the module's own job (its group) picks the scaffolded asset up; a quick
    module has no job, so every asset is launched."""
    module = project.module
    storage = project.work / "whole_module_storage"
    target = ["--assets", "*"] if module.governance == "quick" else ["--job", f"{module.snake}_all_assets"]
    launched = run(
        [DG, "launch", *target, "--config-json", IN_PROCESS],
        cwd=module.root,
        env=project.env(DAGSTER_STORAGE_PATH=str(storage)),
    )
    assert launched.returncode == 0, launched.output
    assert pickle.loads((storage / module.snake / f"{SCAFFOLDED_ASSET}.pickle").read_bytes()) == SCAFFOLDED_VALUE
    assert (storage / module.snake / "raw_records.pickle").is_file()


def readme_commands(module: Module) -> list[str]:
    """Every command line inside the README's bash blocks (comments stripped)."""
    readme = (module.root / "README.md").read_text()
    lines: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def test_the_readme_shows_no_superseded_command(project: Project) -> None:
    commands = readme_commands(project.module)
    assert any(command.startswith("dg launch") for command in commands), commands
    for command in commands:
        assert not any(command.startswith(old) for old in SUPERSEDED), f"superseded command in README: {command}"


def test_the_readme_dg_commands_run_without_supersession_warnings(project: Project) -> None:
    """Runs the README's `dg` commands (all but `dg dev`, a server: see the next test) with warnings as errors.
    Scaffolds go to their own names, so they do not clash with the fixture's."""
    commands = [c for c in readme_commands(project.module) if c.startswith("dg ") and c != "dg dev"]
    assert commands, "the README shows no dg command"
    for command in commands:
        args = command.split()[1:]
        args = [arg.strip("'") for arg in args]
        if args[:2] == ["scaffold", "defs"]:
            args[-1] = f"readme_{args[-1]}"
        if args[0] == "launch":
            args += ["--config-json", IN_PROCESS]
        done = project.dg(*args)
        assert done.returncode == 0, done.output
        assert "SupersessionWarning" not in done.stdout + done.stderr, done.output
    scaffolded = project.module.src / project.module.package / "defs"
    for path in scaffolded.glob("readme_*.py"):
        path.unlink()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ASSETS_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on RepositoryLocation { repositories { assetNodes { assetKey { path } } } }
  ... on PythonError { message } } } } } }"""


def loaded_asset_keys(port: int) -> tuple[str, list[str]]:
    """(load status, asset keys) of the only code location, from the webserver's GraphQL API."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": ASSETS_QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        body = json.loads(response.read())
    entries = body["data"]["workspaceOrError"]["locationEntries"]
    if not entries:
        return "NONE", []
    entry = entries[0]
    location = entry["locationOrLoadError"] or {}
    keys = [
        "/".join(node["assetKey"]["path"])
        for repository in location.get("repositories", [])
        for node in repository["assetNodes"]
    ]
    return entry["loadStatus"], keys


def test_dg_dev_serves_the_module_with_the_scaffolded_asset(project: Project) -> None:
    module = project.module
    port = free_port()
    log = project.work / "dg-dev.log"
    with log.open("w") as output:
        # Its own process group: dg dev starts a webserver and a daemon, stopped together by this PID.
        server = subprocess.Popen(
            [str(DG), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=module.root,
            env=project.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status, keys = "NOT STARTED", []
        deadline = time.monotonic() + SLOW
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, keys = loaded_asset_keys(port)
            except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
                status = "NOT ANSWERING"
            if status == "LOADED" and keys:
                break
            time.sleep(1)
        assert server.poll() is None, f"dg dev exited {server.returncode}:\n{log.read_text()}"
        assert status == "LOADED", f"code location {status}:\n{log.read_text()}"
        assert f"{module.snake}/{SCAFFOLDED_ASSET}" in keys, keys
        assert f"{module.snake}/raw_records" in keys, keys
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    assert "SupersessionWarning" not in log.read_text(), log.read_text()
