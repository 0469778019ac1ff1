import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { ChangeSet } from '../transaction/changes.js';
import { fingerprintModule } from './module-config.js';
import { readDependencyDrift, type DependencyDrift } from './module-dependencies.js';
import { MODULE_LOCAL_FILES, moduleLocalDir, type WorkspacePaths } from './paths.js';
import type { RegistryEntry } from './registry.js';

/**
 * ok: as merged; drifted: its workspace/local/ files changed since, or its declared Python dependencies
 * are not what its dockerfile.snippet installs; missing: its folder is gone.
 */
export type ModuleStatus = 'ok' | 'drifted' | 'missing';

export async function readModuleStatus(fs: FileSystem, paths: WorkspacePaths, entry: RegistryEntry): Promise<ModuleStatus> {
  if (!(await fs.isDirectory(join(paths.projectsDir, entry.name)))) return 'missing';
  const localDir = moduleLocalDir(paths, entry.name);
  if (!(await fs.isDirectory(localDir))) return 'drifted';
  if (await readModuleDependencyDrift(fs, paths, entry)) return 'drifted';
  if (!entry.fingerprint) return 'ok';
  return (await fingerprintModule(new ChangeSet(fs), localDir)) === entry.fingerprint ? 'ok' : 'drifted';
}

/** The module's declared dependencies against its dockerfile.snippet (undefined: they agree). */
export async function readModuleDependencyDrift(fs: FileSystem, paths: WorkspacePaths, entry: RegistryEntry): Promise<DependencyDrift | undefined> {
  const changes = new ChangeSet(fs);
  const snippet = await changes.read(join(moduleLocalDir(paths, entry.name), MODULE_LOCAL_FILES.snippet));
  return readDependencyDrift(changes, join(paths.projectsDir, entry.name), snippet);
}
