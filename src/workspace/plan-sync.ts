import type { Effects } from '../effects/effects.js';
import { errorMessage, isDmbError, operationError } from '../errors.js';
import type { ChangeSet } from '../transaction/changes.js';
import { readModuleStatus } from './module-status.js';
import { moduleLocalDir, type WorkspacePaths } from './paths.js';
import { planAdd, type AddPlan } from './plan-add.js';
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
  const run = async (folder: string, remerge: boolean) => {
    try {
      return await planAdd(changes, effects, paths, folder, { remerge });
    } catch (error) {
      const fix = isDmbError(error) && error.fix ? ` (${error.fix})` : '';
      throw operationError(`Sync stopped at module "${folder}": ${errorMessage(error)}${fix}`, 'Fix that module (or leave it out by removing its workspace/local/ folder), then run "dmb workspace sync" again. Nothing was changed.');
    }
  };
  for (const entry of registry.integrated_modules) {
    const status = await readModuleStatus(fs, paths, entry);
    if (status === 'missing') plan.missing.push(entry.name);
    else if (status === 'drifted' && (await changes.isDirectory(moduleLocalDir(paths, entry.name)))) plan.remerged.push(await run(entry.name, true));
    else if (status === 'drifted') plan.missing.push(entry.name);
    else plan.upToDate.push(entry.name);
  }
  for (const folder of folders) {
    if (registered.has(folder) || !(await changes.isDirectory(moduleLocalDir(paths, folder)))) continue;
    plan.integrated.push(await run(folder, false));
  }
  return plan;
}
