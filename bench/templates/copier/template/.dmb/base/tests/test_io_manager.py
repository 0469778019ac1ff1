"""The IO manager: full-key paths, partitions, atomic writes and clear errors."""

from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    DailyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    build_input_context,
    build_output_context,
    materialize,
)

from {{ snake }}_dagster.assets import MODULE
from {{ snake }}{% raw %}_dagster.resources import ModuleIOManager

# Exactly two days, so a downstream asset that reads "all partitions" reads these two.
TWO_DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")


@asset(key_prefix=[MODULE], partitions_def=TWO_DAYS)
def daily_numbers(context: AssetExecutionContext) -> dict[str, Any]:
    return {"day": context.partition_key, "value": len(context.partition_key)}


@asset(key_prefix=[MODULE], ins={"daily_numbers": AssetIn(key_prefix=[MODULE])})
def all_days(daily_numbers: dict[str, Any]) -> list[str]:
    return sorted(daily_numbers)


@asset(
    key_prefix=[MODULE],
    partitions_def=MultiPartitionsDefinition(
        {"region": StaticPartitionsDefinition(["eu", "us"]), "date": TWO_DAYS},
    ),
)
def regional_numbers(context: AssetExecutionContext) -> str:
    return context.partition_key.keys_by_dimension["region"]


def store(io_manager: ModuleIOManager, key: AssetKey, value: object) -> None:
    with build_output_context(asset_key=key) as context:
        io_manager.handle_output(context, value)


def load(io_manager: ModuleIOManager, key: AssetKey) -> object:
    with build_input_context(asset_key=key) as context:
        return io_manager.load_input(context)


def test_round_trip_uses_the_whole_asset_key(io_manager: ModuleIOManager, storage_path: Path) -> None:
    key = AssetKey([MODULE, "example"])
    store(io_manager, key, {"answer": 42})

    assert (storage_path / MODULE / "example.pickle").is_file()
    assert load(io_manager, key) == {"answer": 42}


def test_same_asset_name_in_two_modules_gives_two_files(io_manager: ModuleIOManager, storage_path: Path) -> None:
    ours, theirs = AssetKey([MODULE, "shared_name"]), AssetKey(["other_module", "shared_name"])
    store(io_manager, ours, "ours")
    store(io_manager, theirs, "theirs")

    assert load(io_manager, ours) == "ours"
    assert load(io_manager, theirs) == "theirs"
    assert (storage_path / MODULE / "shared_name.pickle").is_file()
    assert (storage_path / "other_module" / "shared_name.pickle").is_file()


def test_a_missing_input_names_the_asset_and_the_path(io_manager: ModuleIOManager, storage_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        load(io_manager, AssetKey([MODULE, "never_stored"]))

    message = str(raised.value)
    assert f"{MODULE}/never_stored" in message
    assert str(storage_path / MODULE / "never_stored.pickle") in message


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temp_file(
    io_manager: ModuleIOManager, storage_path: Path
) -> None:
    key = AssetKey([MODULE, "example"])
    store(io_manager, key, "first")

    with pytest.raises(Exception, match="pickle"):
        store(io_manager, key, lambda: "functions do not pickle")

    assert load(io_manager, key) == "first"
    assert [path.name for path in (storage_path / MODULE).iterdir()] == ["example.pickle"]


def test_partitions_are_stored_one_file_each_and_load_together(
    io_manager: ModuleIOManager, storage_path: Path
) -> None:
    for day in ("2024-01-01", "2024-01-02"):
        result = materialize([daily_numbers], partition_key=day, resources={"io_manager": io_manager})
        assert result.success

    assert sorted(path.name for path in (storage_path / MODULE / "daily_numbers").iterdir()) == [
        "2024-01-01.pickle",
        "2024-01-02.pickle",
    ]
    # An unpartitioned downstream asset receives every upstream partition: {partition_key: value}.
    result = materialize(
        [daily_numbers, all_days],
        selection=[AssetKey([MODULE, "all_days"])],
        resources={"io_manager": io_manager},
    )
    assert result.success
    assert result.output_for_node(f"{MODULE}__all_days") == ["2024-01-01", "2024-01-02"]


def test_a_missing_partition_is_named_in_the_error(io_manager: ModuleIOManager) -> None:
    assert materialize([daily_numbers], partition_key="2024-01-01", resources={"io_manager": io_manager}).success

    result = materialize(
        [daily_numbers, all_days],
        selection=[AssetKey([MODULE, "all_days"])],
        resources={"io_manager": io_manager},
        raise_on_error=False,
    )

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    text = str(failure.to_string())
    assert "2024-01-02" in text
    assert f"{MODULE}/daily_numbers" in text


def test_multi_partitions_get_one_folder_per_dimension(io_manager: ModuleIOManager, storage_path: Path) -> None:
    key = MultiPartitionKey({"region": "eu", "date": "2024-01-02"})
    result = materialize([regional_numbers], partition_key=key, resources={"io_manager": io_manager})

    assert result.success
    # Dimension values ordered by dimension name (date, region), as Dagster's UPathIOManager does.
    assert (storage_path / MODULE / "regional_numbers" / "2024-01-02" / "eu.pickle").is_file()
{% endraw %}