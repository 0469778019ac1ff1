"""Storage of the Golden Module module.

A pickle IO manager whose files survive container restarts.

Dagster's default IO manager writes into the container's own filesystem (or a temp dir), so a
restart loses every stored value while the UI still shows the assets as materialized. This IO
manager writes under DAGSTER_STORAGE_PATH, a volume shared by every container that executes runs.

Layout: the whole asset key, so two modules' same-named assets never share a file.

- an unpartitioned asset, e.g. golden_module/raw_records:
  <base_path>/golden_module/raw_records.pickle
- one file per partition of a partitioned asset:
  <base_path>/golden_module/<asset>/<partition>.pickle
- multi-partitions: one folder level per dimension, ordered by dimension name:
  <base_path>/golden_module/<asset>/<date>/<region>.pickle

A single-run backfill (BackfillPolicy.single_run()) materializes several partitions in one run: the
asset returns {partition_key: value} for exactly those partitions, and each value gets its own file
(all of them or, if anything fails, none).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Mapping, Sequence
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
            files = _files_by_partition(context, self._partition_paths(context), obj)
        else:
            files = {self._unpartitioned_path(context): obj}
        _write_all_atomically(files)
        shown = next(iter(files)) if len(files) == 1 else self._key_path(context)
        context.log.debug(f"Stored {_describe(context)} at {shown}")
        if obj is not None:
            context.add_output_metadata({"path": MetadataValue.path(str(shown))})

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


def _files_by_partition(context: OutputContext, paths: dict[str, Path], obj: Any) -> dict[Path, Any]:
    """File -> value for a partitioned output. One partition: the value is its file's. Several (a
    single-run backfill): a dict keyed by exactly those partition keys is stored one file per partition;
    any other value is refused, saying what to return instead."""
    if len(paths) == 1:
        return {next(iter(paths.values())): obj}
    if isinstance(obj, Mapping) and set(obj) == set(paths):
        return {path: obj[key] for key, path in paths.items()}
    if isinstance(obj, Mapping):
        extra, missing = sorted(set(obj) - set(paths), key=str), sorted(set(paths) - set(obj))
        value = f"a dict whose keys differ (missing: {_some(missing)}; not in the run: {_some(extra)})"
    else:
        value = f"a {type(obj).__name__}"
    raise ValueError(
        f"{_describe(context)}: this run covers {len(paths)} partitions ({_some(sorted(paths))}) and the asset "
        f"returned {value}. Return {{partition_key: value}} for exactly these partitions (context.partition_keys) "
        "to store one file per partition, or launch the backfill as one run per partition."
    )


def _some(keys: Sequence[object]) -> str:
    """A readable list of partition keys, shortened for year-long backfills."""
    shown = [str(key) for key in keys]
    if len(shown) > 6:
        shown = [*shown[:3], "...", *shown[-2:]]
    return ", ".join(shown) or "none"


def _write_all_atomically(files: dict[Path, Any]) -> None:
    """Stores every value or none. Each value is pickled to a temporary file beside its target first (a
    value that does not pickle changes nothing); then the temporary files are renamed over their targets,
    and a failure part-way puts back the files already replaced. Readers see the old file or the new one,
    never half of one, even if the process dies mid-write."""
    temps: dict[Path, Path] = {}
    try:
        for path, obj in files.items():
            temps[path] = _pickle_to_temp(path, obj)
        _replace_all(temps)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def _pickle_to_temp(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(obj, stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _replace_all(temps: dict[Path, Path]) -> None:
    """Renames each temporary file over its target. With several targets, each replaced file is kept under
    a second name until all are in place, so a failure can put every one of them back."""
    keep = len(temps) > 1
    kept: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    try:
        for path, temp in temps.items():
            kept[path] = _keep_previous(path) if keep else None
            temp.replace(path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            previous = kept[path]
            if previous is None:
                path.unlink(missing_ok=True)  # it did not exist before this write
            else:
                previous.replace(path)
        raise
    finally:
        for previous in kept.values():
            if previous is not None:
                previous.unlink(missing_ok=True)


def _keep_previous(path: Path) -> Path | None:
    """A second name for the file now at path (a hard link, or a copy where links are not supported)."""
    if not path.exists():
        return None
    kept = path.with_name(f".{path.name}.{uuid.uuid4().hex}.previous")
    try:
        os.link(path, kept)
    except OSError:
        shutil.copy2(path, kept)
    return kept


def _read(path: Path, context: InputContext, partition: str | None) -> Any:
    if not path.exists():
        where = f"partition {partition!r} of asset" if partition is not None else "asset"
        raise FileNotFoundError(
            f"No stored value for {where} {_describe(context)} at {path}. "
            "Materialize it first (with the same DAGSTER_STORAGE_PATH), or check that the storage volume is mounted."
        )
    with path.open("rb") as stream:
        return pickle.load(stream)  # noqa: S301 - reads only files this IO manager wrote
