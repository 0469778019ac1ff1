"""Storage of the {{ title }} module.

A pickle IO manager whose files survive container restarts.

Dagster's default IO manager writes into the container's own filesystem (or a temp dir), so a
restart loses every stored value while the UI still shows the assets as materialized. This IO
manager writes under DAGSTER_STORAGE_PATH, a volume shared by every container that executes runs.

Layout: the whole asset key, so two modules' same-named assets never share a file.

- an unpartitioned asset, e.g. {{ snake }}/raw_records:
  <base_path>/{{ snake }}/raw_records.pickle
- one file per partition of a partitioned asset:
  <base_path>/{{ snake }}/<asset>/<partition>.pickle
- multi-partitions: one folder level per dimension, ordered by dimension name:
  <base_path>/{{ snake }}{% raw %}/<asset>/<date>/<region>.pickle
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dagster import (
    ConfigurableIOManager,
    EnvVar,
    InputContext,
    MetadataValue,
    MultiPartitionKey,
    OutputContext,
)

STORAGE_PATH_ENV = "DAGSTER_STORAGE_PATH"
DEFAULT_STORAGE_PATH = "/tmp/dagster_storage"  # noqa: S108 - the shared volume's mount point, by design
EXTENSION = ".pickle"


class ModuleIOManager(ConfigurableIOManager):
    """Pickles each asset (and each asset partition) to its own file under base_path."""

    base_path: str = DEFAULT_STORAGE_PATH

    # --- where things live -------------------------------------------------------------------

    def _key_path(self, context: InputContext | OutputContext) -> Path:
        """The asset's path without extension: base_path / every part of the asset key."""
        if context.has_asset_key:
            parts: Sequence[str] = context.asset_key.path
        else:
            # A plain op output (no asset): run id / step / output name, as Dagster's own IO managers do.
            parts = context.get_identifier()
        return Path(self.base_path).joinpath(*(_safe_segment(part) for part in parts))

    def _partition_paths(self, context: InputContext | OutputContext) -> dict[str, Path]:
        """Partition key -> file, for the partitions this output writes or this input reads."""
        base = self._key_path(context)
        paths: dict[str, Path] = {}
        for key in context.asset_partition_keys:
            *folders, name = _partition_segments(key)
            paths[key] = base.joinpath(*folders, name + EXTENSION)
        return paths

    def _unpartitioned_path(self, context: InputContext | OutputContext) -> Path:
        path = self._key_path(context)
        return path.with_name(path.name + EXTENSION)

    # --- Dagster's IOManager interface ---------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        # has_asset_partitions is asset-scoped; has_partition_key is run-scoped and wrong when a run
        # mixes partitioned and unpartitioned assets.
        if context.has_asset_key and context.has_asset_partitions:
            paths = self._partition_paths(context)
            if len(paths) != 1:
                raise ValueError(
                    f"{context.asset_key.to_user_string()}: one output covers {len(paths)} partitions "
                    f"({', '.join(sorted(paths))}); this IO manager stores one file per partition. "
                    "Launch the backfill as one run per partition, or return a dict and store it yourself."
                )
            path = next(iter(paths.values()))
        else:
            path = self._unpartitioned_path(context)
        _write_atomically(path, obj)
        context.log.debug(f"Stored {_describe(context)} at {path}")
        if obj is not None:
            context.add_output_metadata({"path": MetadataValue.path(str(path))})

    def load_input(self, context: InputContext) -> Any:
        if not (context.has_asset_key and context.has_asset_partitions):
            return _read(self._unpartitioned_path(context), context, partition=None)
        paths = self._partition_paths(context)
        if not paths:
            return None
        allow_missing = bool((context.definition_metadata or {}).get("allow_missing_partitions", False))
        values: dict[str, Any] = {}
        for key, path in paths.items():
            if allow_missing and not path.exists():
                context.log.warning(f"Skipping missing partition {key} of {_describe(context)} ({path})")
                continue
            values[key] = _read(path, context, partition=key)
        # Like Dagster's UPathIOManager: one partition loads as its value, several as {partition_key: value}.
        if len(paths) == 1 and values:
            return next(iter(values.values()))
        return values


def build_io_manager() -> ModuleIOManager:
    """The IO manager registered in Definitions.

    When DAGSTER_STORAGE_PATH is set, the base path is an EnvVar: Dagster resolves it when the run
    starts and shows it as configuration in the UI, without baking the value into the code location.
    When it is not set, the shared volume's default path is used.
    """
    if os.environ.get(STORAGE_PATH_ENV):
        return ModuleIOManager(base_path=EnvVar(STORAGE_PATH_ENV))
    return ModuleIOManager(base_path=DEFAULT_STORAGE_PATH)


def _partition_segments(key: str) -> list[str]:
    """A partition key as path segments: multi-partition keys give one folder per dimension,
    ordered by dimension name (the layout of Dagster's UPathIOManager)."""
    if isinstance(key, MultiPartitionKey):
        return [_safe_segment(value) for _, value in sorted(key.keys_by_dimension.items())]
    return [_safe_segment(key)]


def _safe_segment(segment: str) -> str:
    """Keeps a key part one path segment inside base_path: separators and '..' are escaped
    (and '%' too, so two different keys never map to one file)."""
    escaped = segment.replace("%", "%25").replace("/", "%2F").replace("\\", "%5C")
    return {"": "%00", ".": "%2E", "..": "%2E%2E"}.get(escaped, escaped)


def _describe(context: InputContext | OutputContext) -> str:
    return context.asset_key.to_user_string() if context.has_asset_key else "/".join(context.get_identifier())


def _write_atomically(path: Path, obj: Any) -> None:
    """Writes to a temporary file in the same folder, then renames it over the target: readers see
    the old file or the new one, never half of one, even if the process dies mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(obj, stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.flush()
            os.fsync(stream.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read(path: Path, context: InputContext, partition: str | None) -> Any:
    if not path.exists():
        where = f"partition {partition!r} of asset" if partition is not None else "asset"
        raise FileNotFoundError(
            f"No stored value for {where} {_describe(context)} at {path}. "
            "Materialize it first (with the same DAGSTER_STORAGE_PATH), or check that the storage volume is mounted."
        )
    with path.open("rb") as stream:
        return pickle.load(stream)  # noqa: S301 - reads only files this IO manager wrote
{% endraw %}