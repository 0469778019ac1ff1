"""Materializes the module's assets in-process, with the real IO manager on a temporary folder."""

import pickle
from pathlib import Path

from dagster import AssetKey, materialize

from {{ snake }}_dagster.assets import (
    MODULE,
    raw_records,
    records_summary,
)
from {{ snake }}{% raw %}_dagster.resources import ModuleIOManager


def test_assets_materialize_into_the_storage_folder(io_manager: ModuleIOManager, storage_path: Path) -> None:
    result = materialize([raw_records, records_summary], resources={"io_manager": io_manager})

    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {
        AssetKey([MODULE, "raw_records"]),
        AssetKey([MODULE, "records_summary"]),
    }
    records = pickle.loads((storage_path / MODULE / "raw_records.pickle").read_bytes())
    summary = pickle.loads((storage_path / MODULE / "records_summary.pickle").read_bytes())
    assert len(records) == 5
    assert all(record["source"] == MODULE for record in records)
    assert summary == {
        "module": MODULE,
        "count": len(records),
        "total_amount": round(sum(record["amount"] for record in records), 2),
    }


def test_a_later_run_loads_what_an_earlier_run_stored(io_manager: ModuleIOManager) -> None:
    assert materialize([raw_records], resources={"io_manager": io_manager}).success

    # Only the summary runs now: its input comes from the file the first run wrote.
    result = materialize(
        [raw_records, records_summary],
        selection=[AssetKey([MODULE, "records_summary"])],
        resources={"io_manager": io_manager},
    )

    assert result.success
    assert result.output_for_node(f"{MODULE}__records_summary")["count"] == 5
{% endraw %}