import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { usageError } from '../errors.js';
import { ChangeSet } from '../transaction/changes.js';
import { commitTransaction, planTransaction } from '../workspace/commit.js';
import { renderTransaction } from '../workspace/dry-run.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { lockOptions } from '../ui/transaction-output.js';
import { shownPath, workspacePaths } from '../workspace/paths.js';
import { planRestore } from '../workspace/plan-restore.js';
import { formatDelta, summarizeChanges } from '../ui/workspace-report.js';
import type { CommandInput } from './options.js';
import { assertServiceExists } from '../workspace/workspace-files.js';

export interface RestoreOptions {
  timestamp: string;
}

export function parse(input: CommandInput): RestoreOptions {
  const timestamp = input.args[0];
  if (!timestamp) throw usageError('Which backup? No timestamp given.', 'Run "dmb workspace restore <timestamp>" with a folder name from services/dagster/modules/backups/.');
  return { timestamp };
}

/** dmb workspace restore <timestamp>: put a backup back; the current state is backed up first. */
export async function run(ctx: Context, options: RestoreOptions): Promise<void> {
  const stamp = options.timestamp;
  const paths = workspacePaths(ctx.workspace);
  await assertServiceExists(ctx.effects.fs, paths);
  const work = async () => {
    const changes = new ChangeSet(ctx.effects.fs);
    const backup = await planRestore(changes, ctx.effects.fs, paths, stamp);
    const deltas = summarizeChanges(changes.list(), ctx.effects.env.HOME);
    if (changes.list().length === 0) {
      if (ctx.json) ctx.printJson({ restored: backup.name, dry_run: ctx.dryRun, files: [], backup: null });
      ctx.print(`The workspace already matches backup ${backup.name}; nothing to do.`);
      return;
    }
    // Not pruned here: restore must never delete the backup it is putting back, or any other.
    const transaction = await planTransaction(ctx.effects, paths, changes, `workspace restore ${backup.name}`, { prune: false });
    const report = { restored: backup.name, dry_run: ctx.dryRun, files: deltas.map((d) => ({ path: d.path, added: d.added, removed: d.removed })), backup: transaction.backup.dir };
    if (ctx.dryRun) {
      ctx.print(await renderTransaction(transaction, ctx.workspace));
      ctx.print('Dry run: nothing was written.');
      if (ctx.json) ctx.printJson(report);
      return;
    }
    await commitTransaction(ctx.effects, paths, transaction, ctx.signal);
    if (ctx.json) ctx.printJson(report);
    ctx.print(`${paint.green('✓')} Restored backup ${backup.name}`);
    ctx.print('');
    ctx.print('Modified files:');
    for (const delta of deltas) ctx.print(formatDelta(delta));
    ctx.print('');
    ctx.print(`The state before the restore is in ${shownPath(paths, transaction.backup.dir)}/ (undo with "dmb workspace restore ${transaction.backup.name}").`);
    ctx.print('Check it with "dmb workspace validate", then restart: docker-compose up -d --build');
  };
  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, `dmb workspace restore ${stamp}`), work);
}
