import type { Context } from '../cli/context.js';
import { paint } from '../cli/paint.js';
import { EXIT, usageError, type ExitCode } from '../core/errors.js';
import { ChangeSet } from '../core/plan/changes.js';
import { askConfirm } from '../io/prompter.js';
import { commitTransaction, planTransaction } from '../core/workspace/commit.js';
import { renderTransaction } from '../core/workspace/dry-run.js';
import { withWorkspaceLock } from '../core/workspace/lock.js';
import { shownPath, workspacePaths } from '../core/workspace/paths.js';
import { planRemove } from '../core/workspace/plan-remove.js';
import { formatDelta, summarizeChanges } from '../core/workspace/report.js';
import { assertServiceExists, tildePath } from '../core/workspace/workspace-files.js';

/** dmb workspace remove <module>: take out exactly what add merged; optionally the data folder too. */
export async function run(ctx: Context, args: string[], options: Record<string, unknown>): Promise<ExitCode | void> {
  const input = args[0];
  if (!input) throw usageError('Which module? No module name given.', 'Run "dmb workspace remove <module-name>".');
  const paths = workspacePaths(ctx.workspace);
  const fs = ctx.effects.fs;
  await assertServiceExists(fs, paths);
  const home = ctx.effects.env.HOME;
  const asking = { interactive: ctx.interactive, yes: ctx.yes, prompter: ctx.prompter };
  const purgeFlag = options.purgeData === true ? true : undefined;

  // Check first (not integrated, corrupt files: refused before any question), then ask, then lock and plan again.
  const preview = await planRemove(new ChangeSet(fs), ctx.effects, paths, input);
  let purge = Boolean(purgeFlag);
  if (!ctx.dryRun) {
    const confirmed = await askConfirm(`Remove module "${preview.entry.name}" from the workspace?`, '--yes', undefined, true, asking);
    if (!confirmed) {
      ctx.print('Nothing was changed.');
      return EXIT.failed;
    }
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
    if (ctx.dryRun) {
      ctx.print(await renderTransaction(transaction, ctx.workspace));
      ctx.print('Dry run: nothing was written.');
      if (ctx.json) ctx.printJson(report);
      return;
    }
    const { pruneFailed } = await commitTransaction(ctx.effects, paths, transaction);
    if (ctx.json) ctx.printJson(report);
    ctx.print(`${paint.green('✓')} Module removed from workspace`);
    ctx.print('');
    ctx.print('Modified files:');
    for (const delta of deltas) ctx.print(formatDelta(delta));
    if (plan.dataDir) {
      ctx.print('');
      ctx.print(
        purgeDir
          ? `Deleted ${shownPath(paths, purgeDir)}/.`
          : `Kept ${shownPath(paths, plan.dataDir)}/ (the module's database data); delete it with "dmb workspace remove --purge-data" next time, or by hand.`,
      );
    }
    ctx.print('');
    ctx.print(`Backup: ${shownPath(paths, transaction.backup.dir)}/ (put it back with "dmb workspace restore ${transaction.backup.name}")`);
    if (pruneFailed.length > 0) ctx.warn(`Could not delete old backup(s): ${pruneFailed.join(', ')}; delete them by hand.`);
    ctx.print('');
    ctx.print('Next steps:');
    ctx.print('1. Restart workspace without the module:');
    ctx.print(`   cd ${tildePath(paths.serviceDir, home)}`);
    ctx.print('   docker-compose up -d --build --remove-orphans');
  };

  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, { command: `dmb workspace remove ${input}` }, work);
}
