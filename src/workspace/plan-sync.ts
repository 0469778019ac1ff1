import type { Effects } from '../effects/effects.js';
import { errorMessage, isDmbError, operationError } from '../errors.js';
import type { ChangeSet } from '../transaction/changes.js';
import { readModuleStatus } from './module-status.js';
import { moduleLocalDir, type WorkspacePaths } from './paths.js';
import { planAddMany, type AddPlan } from './plan-add.js';
import { readWorkspaceFiles } from './workspace-files.js';

export interface SyncPlan {
  integrated: AddPlan[];
  remerged: AddPlan[];
  /** Registered modules whose folder is gone: reported, not removed (that is "workspace remove"). */
  missing: string[];
  upToDate: string[];
}

/**
 * Integrates every projects/* with a workspace/local/ that is not registered and re-merges every
 * drifted one, all in one ChangeSet: the whole sync is applied, or none of it.
 */
export async function planSync(changes: ChangeSet, effects: Effects, paths: WorkspacePaths): Promise<SyncPlan> {
  const fs = effects.fs;
  const { registry } = await readWorkspaceFiles(changes, fs, paths);
  const plan: SyncPlan = { integrated: [], remerged: [], missing: [], upToDate: [] };
  const registered = new Set(registry.integrated_modules.map((e) => e.name));
  const folders = await changes.children(paths.projectsDir);
  const stopped = (folder: string, error: unknown) => {
    const fix = isDmbError(error) && error.fix ? ` (${error.fix})` : '';
    return operationError(`Sync stopped at module "${folder}": ${errorMessage(error)}${fix}`, 'Fix that module (or leave it out by removing its workspace/local/ folder), then run "dmb workspace sync" again. Nothing was changed.');
  };
  const drifted: string[] = [];
  for (const entry of registry.integrated_modules) {
    const status = await readModuleStatus(fs, paths, entry);
    if (status === 'missing') plan.missing.push(entry.name);
    else if (status === 'drifted' && (await changes.isDirectory(moduleLocalDir(paths, entry.name)))) drifted.push(entry.name);
    else if (status === 'drifted') plan.missing.push(entry.name);
    else plan.upToDate.push(entry.name);
  }
  const fresh: string[] = [];
  for (const folder of folders) {
    if (!registered.has(folder) && (await changes.isDirectory(moduleLocalDir(paths, folder)))) fresh.push(folder);
  }
  // Two passes, each reading and writing the shared files once, however many modules there are.
  if (drifted.length > 0) plan.remerged = await planAddMany(changes, effects, paths, drifted, { remerge: true, describeError: stopped });
  if (fresh.length > 0) plan.integrated = await planAddMany(changes, effects, paths, fresh, { describeError: stopped });
  return plan;
}
