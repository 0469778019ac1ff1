"""Single-run backfills: one run materializes several partitions, and the IO manager stores one file each.

An asset with BackfillPolicy.single_run() is backfilled in one run (a backfill launched from the Dagster
UI, or `dagster asset materialize --partition-range 2024-01-01...2024-01-03`). It reads
context.partition_keys and returns {partition_key: value}: every value is stored, or none is.
"""

import pickle
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    BackfillPolicy,
    Config,
    DailyPartitionsDefinition,
    ExecuteInProcessResult,
    asset,
    materialize,
)

from golden_module_dagster.assets import MODULE
from golden_module_dagster.resources import ModuleIOManager

THREE_DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03"]
# What the backfilled asset returns for them (the day of the month, plus an offset).
VALUES = {"2024-01-01": 1, "2024-01-02": 2, "2024-01-03": 3}
# The run tags of a partition range: what the UI's single-run backfill and --partition-range launch.
ALL_THREE_DAYS = {"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]}


class Shape(Config):
    """What the backfilled asset returns, so that each test can ask for another value."""

    offset: int = 0
    # "dict": one value per partition; "list": the wrong shape; "unpicklable": the last value is a function.
    shape: str = "dict"


@asset(key_prefix=[MODULE], partitions_def=THREE_DAYS, backfill_policy=BackfillPolicy.single_run())
def backfilled_numbers(context: AssetExecutionContext, config: Shape) -> Any:
    values: dict[str, Any] = {key: int(key[-2:]) + config.offset for key in context.partition_keys}
    if config.shape == "list":
        return list(values.values())
    if config.shape == "unpicklable":
        values[context.partition_keys[-1]] = lambda: "functions do not pickle"
    return values


@asset(key_prefix=[MODULE], ins={"backfilled_numbers": AssetIn(key_prefix=[MODULE])})
def all_backfilled(backfilled_numbers: dict[str, int]) -> dict[str, int]:
    return backfilled_numbers


def backfill(io_manager: ModuleIOManager, **shape: Any) -> ExecuteInProcessResult:
    """One run over all three days, as a single-run backfill launches it."""
    return materialize(
        [backfilled_numbers],
        resources={"io_manager": io_manager},
        tags=ALL_THREE_DAYS,
        run_config={"ops": {f"{MODULE}__backfilled_numbers": {"config": shape}}},
        raise_on_error=False,
    )


def stored(storage_path: Path) -> dict[str, Any]:
    """Every file in the asset's folder (temporary files included, so leftovers show) and its value."""
    folder = storage_path / MODULE / "backfilled_numbers"
    if not folder.is_dir():
        return {}
    return {path.name: pickle.loads(path.read_bytes()) for path in sorted(folder.iterdir())}


def failure_text(result: ExecuteInProcessResult) -> str:
    return "\n".join(str(event.step_failure_data.error.to_string()) for event in result.get_step_failure_events())


def test_a_single_run_backfill_stores_one_file_per_partition_and_all_load_downstream(
    io_manager: ModuleIOManager, storage_path: Path
) -> None:
    result = backfill(io_manager)

    assert result.success
    assert sorted(event.partition for event in result.get_asset_materialization_events()) == DAYS
    assert stored(storage_path) == {f"{day}.pickle": value for day, value in VALUES.items()}
    # An unpartitioned downstream asset loads every partition from its own file: {partition_key: value}.
    downstream = materialize(
        [backfilled_numbers, all_backfilled],
        selection=[AssetKey([MODULE, "all_backfilled"])],
        resources={"io_manager": io_manager},
    )
    assert downstream.success
    assert downstream.output_for_node(f"{MODULE}__all_backfilled") == VALUES


def test_a_value_that_is_not_one_per_partition_is_refused_and_nothing_is_stored(
    io_manager: ModuleIOManager, storage_path: Path
) -> None:
    result = backfill(io_manager, shape="list")

    assert not result.success
    text = failure_text(result)
    assert f"{MODULE}/backfilled_numbers" in text
    assert "covers 3 partitions (2024-01-01, 2024-01-02, 2024-01-03)" in text
    assert "returned a list" in text
    assert "{partition_key: value}" in text
    assert stored(storage_path) == {}


def test_a_value_that_does_not_pickle_stores_no_partition(io_manager: ModuleIOManager, storage_path: Path) -> None:
    assert backfill(io_manager).success
    before = stored(storage_path)

    result = backfill(io_manager, offset=10, shape="unpicklable")

    assert not result.success
    assert "pickle" in failure_text(result)
    assert stored(storage_path) == before


def test_a_failed_rename_puts_back_the_partitions_already_replaced(
    io_manager: ModuleIOManager, storage_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert backfill(io_manager).success
    before = stored(storage_path)
    folder = storage_path / MODULE / "backfilled_numbers"
    real_replace = Path.replace
    renamed: list[str] = []

    def replace_failing_on_the_second_partition(self: Path, target: Any) -> Path:
        if Path(target).parent == folder and self.name.endswith(".tmp"):
            renamed.append(Path(target).name)
            if len(renamed) == 2:
                raise OSError(f"injected failure renaming onto {target}")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace_failing_on_the_second_partition)
    result = backfill(io_manager, offset=10)

    assert not result.success
    assert renamed == ["2024-01-01.pickle", "2024-01-02.pickle"]
    assert stored(storage_path) == before
