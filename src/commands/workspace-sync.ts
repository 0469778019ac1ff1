import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { ChangeSet } from '../transaction/changes.js';
import { commitTransaction, planTransaction } from '../workspace/commit.js';
import { renderTransaction } from '../workspace/dry-run.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { lockOptions } from '../ui/transaction-output.js';
import { shownPath, workspacePaths } from '../workspace/paths.js';
import { planSync } from '../workspace/plan-sync.js';
import { dependencyNote, formatDelta, nextStepsAfterAdd, summarizeChanges } from '../ui/workspace-report.js';
import { assertServiceExists, tildePath } from '../workspace/workspace-files.js';

/** Only the global options. */
export type SyncOptions = Record<string, never>;

export function parse(): SyncOptions {
  return {};
}

/** dmb workspace sync: integrate every module not yet integrated, re-merge drifted ones, in one transaction. */
export async function run(ctx: Context): Promise<void> {
  const paths = workspacePaths(ctx.workspace);
  await assertServiceExists(ctx.effects.fs, paths);
  const home = ctx.effects.env.HOME;
  const work = async () => {
    const changes = new ChangeSet(ctx.effects.fs);
    const plan = await planSync(changes, ctx.effects, paths);
    const moves = [...plan.integrated, ...plan.remerged].filter((p) => p.portMove).map((p) => ({ module: p.config.folder, ...p.portMove }));
    const report = {
      dry_run: ctx.dryRun,
      integrated: plan.integrated.map((p) => p.config.folder),
      remerged: plan.remerged.map((p) => p.config.folder),
      missing: plan.missing,
      up_to_date: plan.upToDate,
      port_reassigned: moves,
      dependencies_updated: [...plan.integrated, ...plan.remerged].filter((p) => p.dependencies).map((p) => ({ module: p.config.folder, ...p.dependencies })),
      files: summarizeChanges(changes.list(), home).map((d) => ({ path: d.path, added: d.added, removed: d.removed })),
      backup: null as string | null,
    };
    const summary = () => {
      if (plan.integrated.length) ctx.print(`Integrated: ${report.integrated.join(', ')}`);
      if (plan.remerged.length) ctx.print(`Re-merged (drifted): ${report.remerged.join(', ')}`);
      if (plan.upToDate.length) ctx.print(`Up to date: ${plan.upToDate.join(', ')}`);
      for (const name of plan.missing) ctx.print(`${paint.yellow('!')} ${name}: registered but its projects/${name}/workspace/local/ is gone; run "dmb workspace remove ${name}".`);
      for (const p of [...plan.integrated, ...plan.remerged]) if (p.dependencies) ctx.print(dependencyNote(p.dependencies));
      for (const move of moves) ctx.print(`${paint.yellow('!')} Port: ${move.service} now publishes ${move.to} on the host (${move.reason}); changed in ${move.files?.join(' and ')}.`);
    };
    if (changes.list().length === 0) {
      if (ctx.json) ctx.printJson(report);
      summary();
      ctx.print(
        plan.missing.length > 0
          ? 'Nothing to merge; the modules above need "dmb workspace remove".'
          : `${paint.green('✓')} Everything is in sync; nothing to change.`,
      );
      return;
    }
    const transaction = await planTransaction(ctx.effects, paths, changes, 'workspace sync');
    report.backup = transaction.backup.dir;
    if (ctx.dryRun) {
      ctx.print(await renderTransaction(transaction, ctx.workspace));
      summary();
      ctx.print('Dry run: nothing was written.');
      if (ctx.json) ctx.printJson(report);
      return;
    }
    await commitTransaction(ctx.effects, paths, transaction, ctx.signal);
    if (ctx.json) ctx.printJson(report);
    ctx.print(`${paint.green('✓')} Workspace synced`);
    summary();
    ctx.print('');
    ctx.print('Modified files:');
    for (const delta of summarizeChanges(changes.list(), home)) ctx.print(formatDelta(delta));
    ctx.print('');
    ctx.print(`Backup: ${shownPath(paths, transaction.backup.dir)}/ (put it back with "dmb workspace restore ${transaction.backup.name}")`);
    ctx.print('');
    for (const line of nextStepsAfterAdd(tildePath(paths.serviceDir, home), [...plan.integrated, ...plan.remerged].map((p) => p.config.marker))) ctx.print(line);
  };
  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, 'dmb workspace sync'), work);
}
