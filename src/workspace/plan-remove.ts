import { join } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { DATABASES } from '../catalog/databases.js';
import { operationError } from '../errors.js';
import { deriveNames } from '../module/naming.js';
import { secretFileMode } from '../secrets/secret-files.js';
import type { ChangeSet } from '../transaction/changes.js';
import { removeComposeBlocks } from '../formats/compose-file.js';
import { removeDockerfileBlock } from '../formats/dockerfile.js';
import { removeFlatBlock } from '../formats/flat-block.js';
import type { WorkspacePaths } from './paths.js';
import { removeRegistryEntry } from './registry-text.js';
import type { Registry, RegistryEntry } from './registry.js';
import { readWorkspaceFiles } from './workspace-files.js';
import { hostDataDir } from './host-view.js';
import { removeLoadFromBlock } from '../formats/workspace-yaml.js';

/** The registry entry for any accepted spelling of a module name. */
export function findRegistryEntry(registry: Registry, input: string): RegistryEntry | undefined {
  const spellings = new Set([input.trim()]);
  try {
    const names = deriveNames(input);
    spellings.add(names.slug).add(names.snake);
  } catch {
    // An invalid name can still match a hand-written registry entry literally.
  }
  return registry.integrated_modules.find((e) => spellings.has(e.name) || spellings.has(e.marker));
}

export interface RemovePlan {
  entry: RegistryEntry;
  /** ${DATA_PATH}/<postgres|mysql>/<module>/ when the module has a database. */
  dataDir?: string;
  /** ${DATA_PATH}/dagster_storage/<module_snake>/: the IO manager's stored values (asset keys start with the module's name). */
  storageDir: string;
}

/** Plans removing exactly what add merged: the blocks in the four files and the registry entry. */
export async function planRemove(changes: ChangeSet, effects: Effects, paths: WorkspacePaths, input: string): Promise<RemovePlan> {
  const files = await readWorkspaceFiles(changes, effects.fs, paths);
  const entry = findRegistryEntry(files.registry, input);
  if (!entry) {
    throw operationError(
      `Module "${input}" is not integrated (it is not in ${files.shown.registry}); nothing was changed.`,
      'See the integrated modules with "dmb workspace list".',
    );
  }
  const { text, shown } = files;
  const { marker } = entry;
  // Every file is computed before anything is queued, so a corrupt file stops the command untouched.
  const next = {
    workspaceYaml: removeLoadFromBlock(text.workspaceYaml, marker, shown.workspaceYaml),
    env: removeFlatBlock(text.env, marker, shown.env),
    compose: removeComposeBlocks(text.compose, marker, shown.compose),
    dockerfile: removeDockerfileBlock(text.dockerfile, marker, shown.dockerfile),
    registry: removeRegistryEntry(files.registryText ?? '', entry.name, shown.registry),
  };
  await changes.write(paths.workspaceYaml, next.workspaceYaml, `remove the block from ${shown.workspaceYaml}`);
  await changes.write(paths.env, next.env, `remove the block from ${shown.env}`, secretFileMode(paths.env));
  await changes.write(paths.compose, next.compose, `remove the blocks from ${shown.compose}`);
  await changes.write(paths.dockerfile, next.dockerfile, `remove the block from ${shown.dockerfile}`);
  await changes.write(paths.registry, next.registry, `update ${shown.registry}`);
  const kind = entry.database ? DATABASES[entry.database.type] : undefined;
  const dataRoot = hostDataDir(paths, text.env, effects.env);
  return { entry, dataDir: kind ? join(dataRoot, kind.dataDir, entry.name) : undefined, storageDir: join(dataRoot, 'dagster_storage', entry.marker) };
}
