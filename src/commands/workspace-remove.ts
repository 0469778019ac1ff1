import type { Context } from '../ui/context.js';
import { operationError, usageError, type ExitCode } from '../errors.js';
import { ChangeSet } from '../transaction/changes.js';
import { askConfirm } from '../effects/prompter.js';
import { planTransaction } from '../workspace/commit.js';
import { commitAndReport, lockOptions } from '../ui/transaction-output.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { shownPath, workspacePaths } from '../workspace/paths.js';
import { planRemove } from '../workspace/plan-remove.js';
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
    if (preview.dataDir && (await fs.isDirectory(preview.dataDir))) {
      purge = await askConfirm(`Also delete ${shownPath(paths, preview.dataDir)}/ (the module's database data)?`, '--purge-data', purgeFlag, false, asking);
    }
  }

  const work = async () => {
    const changes = new ChangeSet(fs);
    const plan = await planRemove(changes, ctx.effects, paths, input);
    const purgeDir = purge && plan.dataDir && (await fs.isDirectory(plan.dataDir)) ? plan.dataDir : undefined;
    if (purgeDir) changes.removeTree(purgeDir, "delete the module's data folder");
    const transaction = await planTransaction(ctx.effects, paths, changes, `workspace remove ${plan.entry.name}`);
    const deltas = summarizeChanges(changes.list(), home);
    const report = {
      module: plan.entry.name,
      marker: plan.entry.marker,
      dry_run: ctx.dryRun,
      files: deltas.map((d) => ({ path: d.path, added: d.added, removed: d.removed })),
      data_dir: plan.dataDir ?? null,
      data_deleted: Boolean(purgeDir) && !ctx.dryRun,
      backup: transaction.backup.dir,
      pruned: transaction.prune.map((b) => b.name),
    };
    await commitAndReport(ctx, paths, transaction, {
      report,
      done: 'Module removed from workspace',
      deltas,
      notes: purgeDir || (plan.dataDir && (await fs.isDirectory(plan.dataDir)))
        ? [
            purgeDir
              ? `Deleted ${shownPath(paths, purgeDir)}/.`
              : `Kept ${shownPath(paths, plan.dataDir as string)}/ (the module's database data); delete it with "dmb workspace remove --purge-data" next time, or by hand.`,
          ]
        : [],
      nextSteps: ['Next steps:', '1. Restart workspace without the module:', `   cd ${tildePath(paths.serviceDir, home)}`, '   docker-compose up -d --build --remove-orphans'],
    });
  };

  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, `dmb workspace remove ${input}`), work);
}
