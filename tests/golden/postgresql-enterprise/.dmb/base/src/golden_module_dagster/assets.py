"""Golden Module assets.

Every key starts with the module prefix, so this module's assets never collide with another
module's assets of the same name in one Dagster workspace. Replace the sample data with your own
sources; keep the prefix and the group. Keys:

    golden_module/raw_records
    golden_module/records_summary
    golden_module/stored_records
"""

from datetime import timedelta
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetIn,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from .database import ModuleDatabase

MODULE = "golden_module"
# Who answers for these assets (shown in the Dagster UI) and how fresh they must be: a daily run
# that is more than 24 hours old warns, more than 26 hours old fails its freshness policy.
OWNERS = ["team:data-team"]
DAILY_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=24))

Record = dict[str, Any]


@asset(
    key_prefix=[MODULE],
    group_name=MODULE,
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Sample source records. Replace the body with a read from your real source.",
)
def raw_records(context: AssetExecutionContext) -> list[Record]:
    records = [
        {"id": number, "name": f"{MODULE} record {number}", "amount": round(number * 10.5, 2), "source": MODULE}
        for number in range(1, 6)
    ]
    context.log.info(f"Produced {len(records)} records")
    return records


@asset(
    key_prefix=[MODULE],
    group_name=MODULE,
    # The upstream asset of this module: the key is MODULE/raw_records.
    ins={"raw_records": AssetIn(key_prefix=[MODULE])},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Count and total of the records: a downstream asset loaded through the IO manager.",
)
def records_summary(raw_records: list[Record]) -> dict[str, Any]:
    return {
        "module": MODULE,
        "count": len(raw_records),
        "total_amount": round(sum(record["amount"] for record in raw_records), 2),
    }


@asset(
    key_prefix=[MODULE],
    group_name=MODULE,
    ins={"raw_records": AssetIn(key_prefix=[MODULE])},
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    description="Writes the records to the module's own PostgreSQL database (table raw_records).",
)
def stored_records(raw_records: list[Record], database: ModuleDatabase) -> MaterializeResult:
    # The rows live in the database: nothing goes through the IO manager, and the UI shows the row count.
    written = database.write_records(raw_records)
    return MaterializeResult(
        metadata={"table": database.records_table, "rows_written": MetadataValue.int(written)},
    )
