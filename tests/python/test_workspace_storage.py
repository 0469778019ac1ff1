"""Issue 2 §3/§4: the generated IO manager in a shared storage folder, driven by the Dagster CLI.

- Two modules whose assets have the same names, materialized into one DAGSTER_STORAGE_PATH with
  Dagster's default (multiprocess) executor: both files exist and each module loads its own value.
- A daily-partitioned asset added to a generated module: two partitions give two files, and a
  downstream asset loads both as {partition_key: value}.
- Issue 14 §19: a single-run backfill (`dagster asset materialize --partition-range`) over three days
  gives three files, and a downstream asset then loads all three.
- The base path: DAGSTER_STORAGE_PATH as an EnvVar when set, /tmp/dagster_storage when not.
- The longest module name still gives code that passes ruff (lint and format) at the strictest level.
"""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance
from support import DAGSTER, PYTHON, RUFF, Module, generate_module, run, unique_name

IN_PROCESS = ["--config-json", json.dumps({"execution": {"config": {"in_process": {}}}})]

#: Appended to a generated assets.py: a daily-partitioned asset stored through the module's own IO
#: manager, and an unpartitioned downstream asset that reads every partition.
PARTITIONED_ASSETS = '''

from dagster import DailyPartitionsDefinition

TWO_DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")


@asset(key_prefix=[MODULE], group_name=MODULE, partitions_def=TWO_DAYS)
def daily_events(context: AssetExecutionContext) -> dict[str, Any]:
    return {"day": context.partition_key, "events": int(context.partition_key[-2:]) * 10}


@asset(key_prefix=[MODULE], group_name=MODULE, ins={"daily_events": AssetIn(key_prefix=[MODULE])})
def events_by_day(daily_events: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {day: value["events"] for day, value in sorted(daily_events.items())}
'''


#: Appended to a generated assets.py: a daily asset backfilled in one run, returning {partition_key: value}
#: for every day of the run, and an unpartitioned downstream asset that reads every partition.
SINGLE_RUN_ASSETS = '''

from dagster import BackfillPolicy, DailyPartitionsDefinition

THREE_DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


@asset(key_prefix=[MODULE], group_name=MODULE, partitions_def=THREE_DAYS, backfill_policy=BackfillPolicy.single_run())
def daily_totals(context: AssetExecutionContext) -> dict[str, int]:
    context.log.info(f"one run for {context.partition_keys}")
    return {day: int(day[-2:]) * 100 for day in context.partition_keys}


@asset(key_prefix=[MODULE], group_name=MODULE, ins={"daily_totals": AssetIn(key_prefix=[MODULE])})
def totals_by_day(daily_totals: dict[str, int]) -> dict[str, int]:
    return dict(sorted(daily_totals.items()))
'''


def load_values(module: Module, storage: Path, *assets: str) -> list[object]:
    """Loads asset values in a fresh process through the module's own Definitions and IO manager."""
    keys = [[module.snake, asset] for asset in assets]
    script = textwrap.dedent(
        f"""
        import json
        from {module.package} import defs
        print(json.dumps([defs.load_asset_value(key) for key in {keys!r}]))
        """
    )
    loaded = run([PYTHON, "-c", script], cwd=module.src, env=module.env(DAGSTER_STORAGE_PATH=str(storage)))
    assert loaded.returncode == 0, loaded.output
    return json.loads(loaded.stdout.strip().splitlines()[-1])


def materialize(module: Module, storage: Path, home: Path, *args: str) -> None:
    home.mkdir(exist_ok=True)
    done = run(
        [DAGSTER, "asset", "materialize", "-m", module.package, *args],
        cwd=module.src,
        env=module.env(DAGSTER_STORAGE_PATH=str(storage), DAGSTER_HOME=str(home)),
    )
    assert done.returncode == 0, done.output


def test_two_modules_with_the_same_asset_names_share_one_storage_folder(workspace: Path, tmp_path: Path) -> None:
    first = generate_module(workspace, unique_name("orders"), "none", "quick")
    second = generate_module(workspace, unique_name("invoices"), "none", "standard")
    storage = tmp_path / "storage"

    # Dagster's default executor: each step in its own process, values passed only through the files.
    materialize(first, storage, tmp_path / "home", "--select", "*")
    materialize(second, storage, tmp_path / "home", "--select", "*")

    for module in (first, second):
        for asset in ("raw_records", "records_summary"):
            assert (storage / module.snake / f"{asset}.pickle").is_file(), f"{module.snake}/{asset}"
        records, summary = load_values(module, storage, "raw_records", "records_summary")
        assert {record["source"] for record in records} == {module.snake}
        assert summary["module"] == module.snake
    assert sorted(path.name for path in storage.iterdir()) == sorted([first.snake, second.snake])


def test_a_daily_partitioned_asset_stores_one_file_per_day_and_loads_both_downstream(
    workspace: Path, tmp_path: Path
) -> None:
    module = generate_module(workspace, unique_name("events"), "none", "quick")
    assets_py = module.src / module.package / "assets.py"
    assets_py.write_text(assets_py.read_text() + PARTITIONED_ASSETS)
    storage, home = tmp_path / "storage", tmp_path / "home"

    for day in ("2024-01-01", "2024-01-02"):
        materialize(module, storage, home, "--select", f"{module.snake}/daily_events", "--partition", day, *IN_PROCESS)
    materialize(module, storage, home, "--select", f"{module.snake}/events_by_day", *IN_PROCESS)

    partitions = storage / module.snake / "daily_events"
    assert sorted(path.name for path in partitions.iterdir()) == ["2024-01-01.pickle", "2024-01-02.pickle"]
    assert pickle.loads((partitions / "2024-01-02.pickle").read_bytes()) == {"day": "2024-01-02", "events": 20}
    expected = {"2024-01-01": 10, "2024-01-02": 20}
    assert pickle.loads((storage / module.snake / "events_by_day.pickle").read_bytes()) == expected


def test_a_single_run_backfill_stores_one_file_per_day_and_all_three_load_downstream(
    workspace: Path, tmp_path: Path
) -> None:
    module = generate_module(workspace, unique_name("backfill"), "none", "quick")
    assets_py = module.src / module.package / "assets.py"
    assets_py.write_text(assets_py.read_text() + SINGLE_RUN_ASSETS)
    storage, home = tmp_path / "storage", tmp_path / "home"

    # One run for the three days, with Dagster's default (multiprocess) executor.
    select = ["--select", f"{module.snake}/daily_totals"]
    materialize(module, storage, home, *select, "--partition-range", "2024-01-01...2024-01-03")
    materialize(module, storage, home, "--select", f"{module.snake}/totals_by_day")

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        backfill_runs = [run for run in runs if run.asset_selection == {AssetKey([module.snake, "daily_totals"])}]
    assert len(backfill_runs) == 1, [run.tags for run in runs]
    partitions = storage / module.snake / "daily_totals"
    assert sorted(path.name for path in partitions.iterdir()) == [
        "2024-01-01.pickle",
        "2024-01-02.pickle",
        "2024-01-03.pickle",
    ]
    assert pickle.loads((partitions / "2024-01-02.pickle").read_bytes()) == 200
    expected = {"2024-01-01": 100, "2024-01-02": 200, "2024-01-03": 300}
    assert pickle.loads((storage / module.snake / "totals_by_day.pickle").read_bytes()) == expected


def test_the_base_path_comes_from_dagster_storage_path_with_the_documented_default(
    workspace: Path, tmp_path: Path
) -> None:
    module = generate_module(workspace, unique_name("paths"), "none", "quick")
    probe = textwrap.dedent(
        f"""
        import json
        from {module.package} import defs
        path = defs.resources["io_manager"].base_path
        print(json.dumps(getattr(path, "env_var_name", None) or str(path)))
        """
    )

    unset = run([PYTHON, "-c", probe], cwd=module.src, env=module.env())
    set_ = run([PYTHON, "-c", probe], cwd=module.src, env=module.env(DAGSTER_STORAGE_PATH=str(tmp_path)))

    assert unset.returncode == 0, unset.output
    assert set_.returncode == 0, set_.output
    assert json.loads(unset.stdout.strip().splitlines()[-1]) == "/tmp/dagster_storage"
    # Registered as an EnvVar: Dagster resolves it when a run starts (the tests above show where files land).
    assert json.loads(set_.stdout.strip().splitlines()[-1]) == "DAGSTER_STORAGE_PATH"


@pytest.mark.parametrize("db", ["postgresql", "mysql"])
def test_the_longest_module_name_still_passes_the_strictest_ruff(workspace: Path, db: str) -> None:
    # 64 characters: the longest name dmb accepts.
    name = unique_name("l" * 57)
    assert len(name) == 64
    module = generate_module(workspace, name, db, "enterprise")

    linted = run([RUFF, "check", "--no-cache", "src", "tests"], cwd=module.root)
    assert linted.returncode == 0, linted.output
    formatted = run([RUFF, "format", "--check", "--no-cache", "src", "tests"], cwd=module.root)
    assert formatted.returncode == 0, formatted.output
    compiled = run([PYTHON, "-m", "compileall", "-q", "src", "tests"], cwd=module.root)
    assert compiled.returncode == 0, compiled.output
