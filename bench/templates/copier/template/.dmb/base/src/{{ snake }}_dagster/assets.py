"""{{ title }} assets.

Every key starts with the module prefix, so this module's assets never collide with another
module's assets of the same name in one Dagster workspace. Replace the sample data with your own
sources; keep the prefix and the group. Keys:

    {{ snake }}/raw_records
    {{ snake }}/records_summary
    {{ snake }}/stored_records
"""

from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetIn,
    asset,
)

from .database import ModuleDatabase

MODULE = "{{ snake }}{% raw %}"

Record = dict[str, Any]


@asset(
    key_prefix=[MODULE],
    group_name=MODULE,
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
    description="Writes the records to the module's own PostgreSQL database (table raw_records).",
)
def stored_records(context: AssetExecutionContext, raw_records: list[Record], database: ModuleDatabase) -> int:
    written = database.write_records(raw_records)
    context.add_output_metadata({"table": "raw_records", "rows_written": written})
    return written
{% endraw %}