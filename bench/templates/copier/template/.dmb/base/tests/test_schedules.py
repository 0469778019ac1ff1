"""The job covers exactly this module's assets; the schedule fires daily and asks for that job."""

from datetime import datetime, timezone

from dagster import AssetSelection, build_schedule_context

from {{ snake }}_dagster import defs
from {{ snake }}_dagster.assets import MODULE
from {{ snake }}{% raw %}_dagster.schedules import (
    all_assets_job,
    daily_schedule,
)


def test_the_job_selects_every_asset_of_the_module() -> None:
    job = defs.resolve_job_def(all_assets_job.name)
    selected = AssetSelection.groups(MODULE).resolve(defs.resolve_asset_graph())

    assert job.name == f"{MODULE}_all_assets"
    assert selected == set(defs.resolve_all_asset_keys())


def test_the_schedule_runs_the_job_daily() -> None:
    schedule = defs.resolve_schedule_def(daily_schedule.name)
    tick = datetime(2024, 1, 2, 6, 0, tzinfo=timezone.utc)

    result = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))

    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == all_assets_job.name
    assert len(result.run_requests or []) == 1
{% endraw %}