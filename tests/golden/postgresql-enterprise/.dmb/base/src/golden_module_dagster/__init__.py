"""Dagster definitions of the Golden Module module.

Code location: golden_module
Governance level: enterprise

The module's own definitions (assets.py, resources.py...) merged with what Dagster's `dg scaffold defs`
adds under defs/ (see defs_folder.py).
"""

from dagster import Definitions, load_assets_from_modules

from . import assets
from .checks import ASSET_CHECKS
from .database import build_database
from .defs_folder import load_defs_folder
from .resources import build_io_manager
from .schedules import all_assets_job, daily_schedule

# The module's own definitions, merged with what `dg scaffold defs` added under defs/ (one module-level
# Definitions object, as Dagster requires; bound after the defs/ subpackage was imported, so `defs` names
# these Definitions, not that folder).
defs = Definitions.merge(
    Definitions(
        assets=load_assets_from_modules([assets]),
        asset_checks=ASSET_CHECKS,
        # Instances, not @io_manager factories: Dagster then resolves their EnvVar fields at run time.
        resources={
            "io_manager": build_io_manager(),
            "database": build_database(),
        },
        jobs=[all_assets_job],
        schedules=[daily_schedule],
    ),
    load_defs_folder(),
)
