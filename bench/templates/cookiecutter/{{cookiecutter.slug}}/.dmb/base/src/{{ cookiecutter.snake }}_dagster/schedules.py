"""Jobs and schedules of the {{ cookiecutter.title }}{% raw %} module.

Governance: standard and above.
"""

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from .assets import MODULE

# Every asset of this module (its group), and nothing of other modules.
all_assets_job = define_asset_job(
    name=f"{MODULE}_all_assets",
    selection=AssetSelection.groups(MODULE),
    description=f"Materializes every asset of the {MODULE} module.",
)

# Daily at 06:00 UTC. Schedules start stopped: turn it on in the Dagster UI (Automation) once the
# module's assets work, or set default_status=DefaultScheduleStatus.RUNNING here.
daily_schedule = ScheduleDefinition(
    name=f"{MODULE}_daily",
    job=all_assets_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
)
{% endraw %}