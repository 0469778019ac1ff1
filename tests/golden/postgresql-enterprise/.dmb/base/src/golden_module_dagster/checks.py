"""Asset checks of the Golden Module module (governance: enterprise).

Checks run after their asset in the same run and show in the UI next to it. A blocking check that
fails stops the assets downstream of it from materializing with bad data.
"""

from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetIn, asset_check

from .assets import MODULE, raw_records, records_summary

Record = dict[str, Any]


@asset_check(asset=raw_records, blocking=True, description="Records exist and their ids are unique.")
def raw_records_have_unique_ids(raw_records: list[Record]) -> AssetCheckResult:
    ids = [record["id"] for record in raw_records]
    duplicates = sorted({record_id for record_id in ids if ids.count(record_id) > 1})
    return AssetCheckResult(
        passed=bool(ids) and not duplicates,
        metadata={"rows": len(ids), "duplicate_ids": str(duplicates)},
    )


@asset_check(
    asset=records_summary,
    additional_ins={"raw_records": AssetIn(key_prefix=[MODULE])},
    description="The summary agrees with the records it summarises.",
)
def records_summary_matches_records(records_summary: dict[str, Any], raw_records: list[Record]) -> AssetCheckResult:
    expected_total = round(sum(record["amount"] for record in raw_records), 2)
    passed = records_summary["count"] == len(raw_records) and records_summary["total_amount"] == expected_total
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={"count": records_summary["count"], "expected_total": expected_total},
    )


ASSET_CHECKS = [raw_records_have_unique_ids, records_summary_matches_records]
