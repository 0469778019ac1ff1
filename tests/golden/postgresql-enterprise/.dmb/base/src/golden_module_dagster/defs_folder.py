"""Definitions added with Dagster's `dg`, merged into this module's code location.

`dg scaffold defs dagster.asset <name>.py` (and dagster.schedule, dagster.sensor, dagster.resources,
or a component) writes into the defs/ folder beside this file; __init__.py merges what that folder
holds with assets.py and resources.py, so a scaffolded definition needs no hand edit to load.

What is scaffolded follows the module's rules: an asset key without the module prefix gets it
(and so do dependencies between scaffolded assets), an asset in Dagster's default group joins the
module's group (so the module's job and schedule include it), and every asset is stored by the
module's IO manager. `my_asset` becomes:
    golden_module/my_asset
"""

from pathlib import Path

from dagster import AssetKey, AssetsDefinition, AssetSpec, Definitions, load_from_defs_folder

from .assets import MODULE

#: The group Dagster gives an asset that names none.
DEFAULT_GROUP = "default"


def load_defs_folder() -> Definitions:
    """Everything in defs/ (found through [tool.dg.project] in pyproject.toml), under the module prefix."""
    folder = load_from_defs_folder(path_within_project=Path(__file__).parent)
    keys = {key for asset in folder.assets or [] for key in _keys(asset)}
    renamed = {key: AssetKey([MODULE, *key.path]) for key in keys if key.path[0] != MODULE}
    return Definitions(
        assets=[_in_module(asset, renamed) for asset in folder.assets or []],
        asset_checks=[check.with_attributes(asset_key_replacements=renamed) for check in folder.asset_checks or []],
        schedules=folder.schedules,
        sensors=folder.sensors,
        jobs=folder.jobs,
        resources=folder.resources,
        loggers=folder.loggers,
        executor=folder.executor,
        metadata=folder.metadata,
        component_tree=folder.component_tree,
    )


def _keys(asset: object) -> list[AssetKey]:
    if isinstance(asset, AssetsDefinition):
        return list(asset.keys)
    if isinstance(asset, AssetSpec):
        return [asset.key]
    return []


def _in_module(asset: object, renamed: dict[AssetKey, AssetKey]) -> object:
    """The asset with the module's key prefix and (when it has none of its own) the module's group."""
    if isinstance(asset, AssetsDefinition):
        groups = {spec.key: MODULE for spec in asset.specs if spec.group_name == DEFAULT_GROUP}
        return asset.with_attributes(asset_key_replacements=renamed, group_names_by_key=groups)
    if isinstance(asset, AssetSpec):
        return asset.replace_attributes(
            key=renamed.get(asset.key, asset.key),
            group_name=MODULE if asset.group_name in (None, DEFAULT_GROUP) else asset.group_name,
        )
    return asset
