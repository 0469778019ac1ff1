import type { Context } from './context.js';
import { paint } from './paint.js';
import type { FileDelta } from './workspace-report.js';
import { formatDelta } from './workspace-report.js';
import { commitTransaction, type CommitOutcome, type Transaction } from '../workspace/commit.js';
import { renderTransaction } from '../workspace/dry-run.js';
import { shownPath, type WorkspacePaths } from '../workspace/paths.js';
import type { LockOptions } from '../transaction/lock.js';

export interface TransactionOutput {
  /** The --json report, printed after a dry run or a successful commit; a function when it depends on what the commit did. */
  report: Record<string, unknown> | ((outcome: CommitOutcome) => Record<string, unknown>);
  /** "Module integrated with workspace", … */
  done: string;
  deltas: FileDelta[];
  /** Lines printed between "Modified files" and the backup line (port moves, data folder). */
  notes?: string[] | ((outcome: CommitOutcome) => string[]);
  nextSteps: string[];
}

/**
 * The shared ending of every workspace-changing command: a dry run prints the plan; otherwise the
 * transaction is committed (backup first, then all-or-nothing) and the spec's report is printed.
 */
export async function commitAndReport(ctx: Context, paths: WorkspacePaths, transaction: Transaction, output: TransactionOutput): Promise<void> {
  const report = (outcome: CommitOutcome) => (typeof output.report === 'function' ? output.report(outcome) : output.report);
  if (ctx.dryRun) {
    ctx.print(await renderTransaction(transaction, ctx.workspace));
    ctx.print('Dry run: nothing was written.');
    if (ctx.json) ctx.printJson(report(NOTHING_DONE));
    return;
  }
  const outcome = await commitTransaction(ctx.effects, paths, transaction, ctx.signal);
  const { pruneFailed, notDeleted } = outcome;
  if (ctx.json) ctx.printJson(report(outcome));
  ctx.print(`${paint.green('✓')} ${output.done}`);
  ctx.print('');
  ctx.print('Modified files:');
  for (const delta of output.deltas) ctx.print(formatDelta(delta));
  const notes = typeof output.notes === 'function' ? output.notes(outcome) : (output.notes ?? []);
  for (const note of notes) ctx.print(`\n${note}`);
  ctx.print('');
  ctx.print(`Backup: ${shownPath(paths, transaction.backup.dir)}/ (put it back with "dmb workspace restore ${transaction.backup.name}")`);
  if (transaction.prune.length > pruneFailed.length) ctx.print(`Pruned ${transaction.prune.length - pruneFailed.length} backup(s) older than 7 days.`);
  for (const folder of notDeleted) {
    ctx.warn(`${paint.yellow('!')} ${notDeletedText(paths, folder)}`);
  }
  if (pruneFailed.length > 0) ctx.warn(`Could not delete old backup(s): ${pruneFailed.join(', ')}; delete them by hand.`);
  ctx.print('');
  for (const line of output.nextSteps) ctx.print(line);
}

const NOTHING_DONE: CommitOutcome = { pruned: [], pruneFailed: [], notDeleted: [] };

/**
 * A folder that was moved aside but could not be deleted: what happened and where the data is now. A database
 * container leaves its data folder owned by its own user (root or 999, mode 0700), so only root can delete it.
 */
export function notDeletedText(paths: WorkspacePaths, folder: CommitOutcome['notDeleted'][number]): string {
  return (
    `Could not delete ${shownPath(paths, folder.path)}/ (${folder.reason}): the workspace change is done, but the folder was only renamed and ` +
    `its data is still on disk in ${shownPath(paths, folder.aside)}/. Delete that folder by hand (a database container leaves its folder owned by root: sudo rm -rf '${folder.aside}').`
  );
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
