import type { Context } from '../ui/context.js';
import { operationError, usageError, type ExitCode } from '../errors.js';
import { ChangeSet } from '../transaction/changes.js';
import { askConfirm } from '../effects/prompter.js';
import { planTransaction } from '../workspace/commit.js';
import { commitAndReport, lockOptions } from '../ui/transaction-output.js';
import { paint } from '../ui/paint.js';
import type { CommitOutcome } from '../workspace/commit.js';
import type { FileSystem } from '../effects/effects.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { shownPath, workspacePaths } from '../workspace/paths.js';
import { planRemove, type RemovePlan } from '../workspace/plan-remove.js';
import { summarizeChanges } from '../ui/workspace-report.js';
import { flagOption, type CommandInput } from './options.js';
import { assertServiceExists, tildePath } from '../workspace/workspace-files.js';

export interface RemoveOptions {
  module: string;
  /** undefined: not given on the command line, so asked (or its default taken). */
  purgeData?: true;
}

export function parse(input: CommandInput): RemoveOptions {
  const module = input.args[0];
  if (!module) throw usageError('Which module? No module name given.', 'Run "dmb workspace remove <module-name>".');
  return { module, purgeData: flagOption(input, 'purgeData') || undefined };
}

/** The module's data folders that exist: what --purge-data deletes (both in the one transaction). */
async function dataFolders(fs: FileSystem, plan: RemovePlan): Promise<Array<{ path: string; what: string }>> {
  const candidates = [
    { path: plan.dataDir, what: "the module's database data" },
    { path: plan.storageDir, what: "the module's stored asset values" },
  ];
  const found: Array<{ path: string; what: string }> = [];
  for (const { path, what } of candidates) if (path && (await fs.isDirectory(path))) found.push({ path, what });
  return found;
}

/** dmb workspace remove <module>: take out exactly what add merged; optionally the data folder too. */
export async function run(ctx: Context, options: RemoveOptions): Promise<ExitCode | void> {
  const input = options.module;
  const paths = workspacePaths(ctx.workspace);
  const fs = ctx.effects.fs;
  await assertServiceExists(fs, paths);
  const home = ctx.effects.env.HOME;
  const asking = { interactive: ctx.interactive, yes: ctx.yes, prompter: ctx.prompter };
  const purgeFlag = options.purgeData;

  // Check first (not integrated, corrupt files: refused before any question), then ask, then lock and plan again.
  const preview = await planRemove(new ChangeSet(fs), ctx.effects, paths, input);
  let purge = Boolean(purgeFlag);
  if (!ctx.dryRun) {
    const confirmed = await askConfirm(`Remove module "${preview.entry.name}" from the workspace?`, '--yes', undefined, true, asking);
    // Thrown, not printed: with --json the answer is still one JSON document.
    if (!confirmed) throw operationError('Not removed: the removal was not confirmed. Nothing was changed.', 'Run it again and answer yes, or pass --yes.');
    const offered = await dataFolders(fs, preview);
    if (offered.length > 0) {
      const what = offered.map((folder) => `${shownPath(paths, folder.path)}/ (${folder.what})`).join(' and ');
      purge = await askConfirm(`Also delete ${what}?`, '--purge-data', purgeFlag, false, asking);
    }
  }

  const work = async () => {
    const changes = new ChangeSet(fs);
    const plan = await planRemove(changes, ctx.effects, paths, input);
    const folders = await dataFolders(fs, plan);
    const purged = purge ? folders : [];
    for (const folder of purged) changes.removeTree(folder.path, `delete ${folder.what}`);
    const transaction = await planTransaction(ctx.effects, paths, changes, `workspace remove ${plan.entry.name}`);
    const deltas = summarizeChanges(changes.list(), home);
    const failed = (outcome: CommitOutcome, path: string | undefined) => outcome.notDeleted.find((folder) => folder.path === path);
    const deleted = (outcome: CommitOutcome, path: string | undefined) => !ctx.dryRun && purged.some((folder) => folder.path === path) && !failed(outcome, path);
    const report = (outcome: CommitOutcome) => ({
      module: plan.entry.name,
      marker: plan.entry.marker,
      dry_run: ctx.dryRun,
      files: deltas.map((d) => ({ path: d.path, added: d.added, removed: d.removed })),
      data_dir: plan.dataDir ?? null,
      data_deleted: deleted(outcome, plan.dataDir),
      storage_dir: plan.storageDir,
      storage_deleted: deleted(outcome, plan.storageDir),
      // Folders that were renamed aside but could not be deleted: their data is still on disk at `left_in`.
      not_deleted: outcome.notDeleted.map((folder) => ({ path: folder.path, left_in: folder.aside, reason: folder.reason })),
      backup: transaction.backup.dir,
      pruned: transaction.prune.map((b) => b.name),
    });
    const notes = (outcome: CommitOutcome) =>
      folders.map((folder) => {
        const shown = shownPath(paths, folder.path);
        const notDeleted = failed(outcome, folder.path);
        // The full story (why, and how to delete it) is the warning commitAndReport prints for every such folder.
        if (notDeleted) return `${paint.yellow('!')} Not deleted: ${shown}/ (${folder.what}) was only renamed; its data is still on disk in ${shownPath(paths, notDeleted.aside)}/ (see the warning).`;
        if (purged.includes(folder)) return `Deleted ${shown}/ (${folder.what}).`;
        return `Kept ${shown}/ (${folder.what}); delete it with "dmb workspace remove --purge-data" next time, or by hand.`;
      });
    await commitAndReport(ctx, paths, transaction, {
      report,
      done: 'Module removed from workspace',
      deltas,
      notes,
      nextSteps: ['Next steps:', '1. Restart workspace without the module:', `   cd ${tildePath(paths.serviceDir, home)}`, '   docker-compose up -d --build --remove-orphans'],
    });
  };

  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, `dmb workspace remove ${input}`), work);
}
