import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { ChangeSet } from '../transaction/changes.js';
import { fingerprintModule } from './module-config.js';
import { moduleLocalDir, type WorkspacePaths } from './paths.js';
import type { RegistryEntry } from './registry.js';

/** ok: as merged; drifted: its workspace/local/ files changed since; missing: its folder is gone. */
export type ModuleStatus = 'ok' | 'drifted' | 'missing';

export async function readModuleStatus(fs: FileSystem, paths: WorkspacePaths, entry: RegistryEntry): Promise<ModuleStatus> {
  if (!(await fs.isDirectory(join(paths.projectsDir, entry.name)))) return 'missing';
  const localDir = moduleLocalDir(paths, entry.name);
  if (!(await fs.isDirectory(localDir))) return 'drifted';
  if (!entry.fingerprint) return 'ok';
  return (await fingerprintModule(new ChangeSet(fs), localDir)) === entry.fingerprint ? 'ok' : 'drifted';
}
