import type { Context } from '../cli/context.js';
import { paint } from '../cli/paint.js';
import { usageError, type ExitCode } from '../core/errors.js';
import { ChangeSet } from '../core/plan/changes.js';
import { commitTransaction, planTransaction } from '../core/workspace/commit.js';
import { renderTransaction } from '../core/workspace/dry-run.js';
import { withWorkspaceLock } from '../core/workspace/lock.js';
import { shownPath, workspacePaths } from '../core/workspace/paths.js';
import { planAdd } from '../core/workspace/plan-add.js';
import { formatDelta, nextStepsAfterAdd, summarizeChanges } from '../core/workspace/report.js';
import { assertServiceExists, tildePath } from '../core/workspace/workspace-files.js';

/** dmb workspace add <module>: merge projects/<module>/workspace/local/ into services/dagster/. */
export async function run(ctx: Context, args: string[]): Promise<ExitCode | void> {
  const input = args[0];
  if (!input) throw usageError('Which module? No module name given.', 'Run "dmb workspace add <module-name>".');
  const paths = workspacePaths(ctx.workspace);
  await assertServiceExists(ctx.effects.fs, paths);
  const home = ctx.effects.env.HOME;

  const work = async () => {
    const changes = new ChangeSet(ctx.effects.fs);
    const plan = await planAdd(changes, ctx.effects, paths, input);
    const transaction = await planTransaction(ctx.effects, paths, changes, `workspace add ${plan.config.folder}`);
    const deltas = summarizeChanges(changes.list(), home);
    const report = {
      module: plan.config.folder,
      marker: plan.config.marker,
      dry_run: ctx.dryRun,
      integrated_at: plan.entry.integrated_at,
      database: plan.entry.database,
      port_reassigned: plan.portMove ?? null,
      files: deltas.map((d) => ({ path: d.path, added: d.added, removed: d.removed })),
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
    ctx.print(`${paint.green('✓')} Module integrated with workspace`);
    ctx.print('');
    ctx.print('Modified files:');
    for (const delta of deltas) ctx.print(formatDelta(delta));
    if (plan.portMove) {
      const move = plan.portMove;
      ctx.print('');
      ctx.print(
        `${paint.yellow('!')} Port: ${move.service} now publishes ${move.to} on the host (${move.reason}); changed in ${move.files.join(' and ')}.`,
      );
    }
    ctx.print('');
    ctx.print(`Backup: ${shownPath(paths, transaction.backup.dir)}/ (put it back with "dmb workspace restore ${transaction.backup.name}")`);
    if (transaction.prune.length > 0) ctx.print(`Pruned ${transaction.prune.length - pruneFailed.length} backup(s) older than 7 days.`);
    if (pruneFailed.length > 0) ctx.warn(`Could not delete old backup(s): ${pruneFailed.join(', ')}; delete them by hand.`);
    ctx.print('');
    for (const line of nextStepsAfterAdd(tildePath(paths.serviceDir, home), [plan.config.marker])) ctx.print(line);
  };

  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, { command: `dmb workspace add ${input}` }, work);
}
