import type { Context } from './context.js';
import { paint } from './paint.js';
import type { FileDelta } from './workspace-report.js';
import { formatDelta } from './workspace-report.js';
import { commitTransaction, type Transaction } from '../workspace/commit.js';
import { renderTransaction } from '../workspace/dry-run.js';
import { shownPath, type WorkspacePaths } from '../workspace/paths.js';
import type { LockOptions } from '../transaction/lock.js';

export interface TransactionOutput {
  /** The --json report, printed after a dry run or a successful commit. */
  report: Record<string, unknown>;
  /** "Module integrated with workspace", … */
  done: string;
  deltas: FileDelta[];
  /** Lines printed between "Modified files" and the backup line (port moves, data folder). */
  notes?: string[];
  nextSteps: string[];
}

/**
 * The shared ending of every workspace-changing command: a dry run prints the plan; otherwise the
 * transaction is committed (backup first, then all-or-nothing) and the spec's report is printed.
 */
export async function commitAndReport(ctx: Context, paths: WorkspacePaths, transaction: Transaction, output: TransactionOutput): Promise<void> {
  if (ctx.dryRun) {
    ctx.print(await renderTransaction(transaction, ctx.workspace));
    ctx.print('Dry run: nothing was written.');
    if (ctx.json) ctx.printJson(output.report);
    return;
  }
  const { pruneFailed, notDeleted } = await commitTransaction(ctx.effects, paths, transaction, ctx.signal);
  if (ctx.json) ctx.printJson(output.report);
  ctx.print(`${paint.green('✓')} ${output.done}`);
  ctx.print('');
  ctx.print('Modified files:');
  for (const delta of output.deltas) ctx.print(formatDelta(delta));
  for (const note of output.notes ?? []) ctx.print(`\n${note}`);
  ctx.print('');
  ctx.print(`Backup: ${shownPath(paths, transaction.backup.dir)}/ (put it back with "dmb workspace restore ${transaction.backup.name}")`);
  if (transaction.prune.length > pruneFailed.length) ctx.print(`Pruned ${transaction.prune.length - pruneFailed.length} backup(s) older than 7 days.`);
  for (const folder of notDeleted) {
    ctx.warn(`${paint.yellow('!')} Could not delete all of ${shownPath(paths, folder)}/ (permissions?): the workspace change is done; delete that folder by hand.`);
  }
  if (pruneFailed.length > 0) ctx.warn(`Could not delete old backup(s): ${pruneFailed.join(', ')}; delete them by hand.`);
  ctx.print('');
  for (const line of output.nextSteps) ctx.print(line);
}

/** How a command takes the workspace lock: it says when it has to wait, and Ctrl-C stops the wait. */
export function lockOptions(ctx: Context, command: string): LockOptions {
  return {
    command,
    signal: ctx.signal,
    onWait: (holder) =>
      ctx.warn(
        `Waiting for the workspace lock${holder ? ` (pid ${holder.pid}, "${holder.command}", since ${holder.started_at})` : ''}… (Ctrl-C to give up; nothing is written)`,
      ),
  };
}
