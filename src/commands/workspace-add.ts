import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { usageError, type ExitCode } from '../errors.js';
import { ChangeSet } from '../transaction/changes.js';
import { planTransaction } from '../workspace/commit.js';
import { commitAndReport, lockOptions } from '../ui/transaction-output.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { workspacePaths } from '../workspace/paths.js';
import { planAdd } from '../workspace/plan-add.js';
import { dependencyNote, nextStepsAfterAdd, summarizeChanges } from '../ui/workspace-report.js';
import type { CommandInput } from './options.js';
import { assertServiceExists, tildePath } from '../workspace/workspace-files.js';

export interface AddOptions {
  module: string;
}

export function parse(input: CommandInput): AddOptions {
  const module = input.args[0];
  if (!module) throw usageError('Which module? No module name given.', 'Run "dmb workspace add <module-name>".');
  return { module };
}

/** dmb workspace add <module>: merge projects/<module>/workspace/local/ into services/dagster/. */
export async function run(ctx: Context, options: AddOptions): Promise<ExitCode | void> {
  const input = options.module;
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
      dependencies_updated: plan.dependencies ?? null,
      files: deltas.map((d) => ({ path: d.path, added: d.added, removed: d.removed })),
      backup: transaction.backup.dir,
      pruned: transaction.prune.map((b) => b.name),
    };
    const move = plan.portMove;
    await commitAndReport(ctx, paths, transaction, {
      report,
      done: 'Module integrated with workspace',
      deltas,
      notes: [
        ...(move ? [`${paint.yellow('!')} Port: ${move.service} now publishes ${move.to} on the host (${move.reason}); changed in ${move.files.join(', ')}.`] : []),
        ...(plan.dependencies ? [dependencyNote(plan.dependencies)] : []),
      ],
      nextSteps: nextStepsAfterAdd(tildePath(paths.serviceDir, home), [plan.config.marker]),
    });
  };

  if (ctx.dryRun) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, `dmb workspace add ${input}`), work);
}
