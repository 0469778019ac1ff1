"""Definitions scaffolded with Dagster's `dg` (see defs_folder.py).

Add one with, from the module folder: dg scaffold defs dagster.asset my_asset.py
It is loaded with the module's key prefix, group and IO manager:
golden_module/my_asset
"""
