"""Dagster definitions of the {{ title }} module.

Code location: {{ snake }}{% raw %}
Governance level: standard
"""

from dagster import Definitions, load_assets_from_modules

from . import assets
from .database import build_database
from .resources import build_io_manager
from .schedules import all_assets_job, daily_schedule

defs = Definitions(
    assets=load_assets_from_modules([assets]),
    # Instances, not @io_manager factories: Dagster then resolves their EnvVar fields at run time.
    resources={
        "io_manager": build_io_manager(),
        "database": build_database(),
    },
    jobs=[all_assets_job],
    schedules=[daily_schedule],
)
{% endraw %}