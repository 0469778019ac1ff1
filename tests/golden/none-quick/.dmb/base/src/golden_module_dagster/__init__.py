"""Dagster definitions of the Golden Module module.

Code location: golden_module
Governance level: quick
"""

from dagster import Definitions, load_assets_from_modules

from . import assets
from .resources import build_io_manager

defs = Definitions(
    assets=load_assets_from_modules([assets]),
    # Instances, not @io_manager factories: Dagster then resolves their EnvVar fields at run time.
    resources={
        "io_manager": build_io_manager(),
    },
)
