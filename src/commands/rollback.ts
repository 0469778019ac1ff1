import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { printDryRun, printFailure, printingHooks, stepsJson } from '../ui/deploy-output.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { rollbackPlan } from '../deploy/deploy-plan.js';
import { loadDeployment } from '../deploy/load-target.js';
import { RELEASE_NAME, rollbackTarget } from '../deploy/release-names.js';
import { readReleaseState } from '../deploy/remote-state.js';
import { redactor, runPlan } from '../deploy/run-plan.js';
import { lockHolder, parseTarget, type DeployOptions } from './deploy.js';
import type { CommandInput } from './options.js';

export interface RollbackOptions extends DeployOptions {
  to?: string;
}

export function parse(input: CommandInput): RollbackOptions {
  const raw = input.options.to;
  if (raw !== undefined && typeof raw !== 'string') throw usageError('--to needs a value.', 'Pass --to RELEASE (see "dmb releases <module> <deployment>").');
  const to = raw;
  if (to !== undefined && !RELEASE_NAME.test(to)) throw usageError(`--to "${to}" is not a release name.`, 'Release names are UTC timestamps such as 20260102093000: see "dmb releases <module> <deployment>".');
  return { ...parseTarget(input, 'rollback'), to };
}

/** dmb rollback <module> <deployment> [--to RELEASE]: current goes back to the previous (or named) release. */
export async function run(ctx: Context, options: RollbackOptions): Promise<ExitCode> {
  const { module: input, deployment: name } = options;
  const loaded = await loadDeployment(ctx.effects.fs, ctx.workspace, input, name, { identity: options.identity, sshConfig: ctx.effects.env.DMB_SSH_CONFIG }, 'rollback');
  const { module, target, config } = loaded;
  // Read only, also in --dry-run: which release is current decides what a rollback switches to.
  const state = await readReleaseState(ctx.effects, target);
  const release = rollbackTarget(state, options.to, `${module.folder}/${name} on ${target.shown}`);
  const plan = rollbackPlan(config, target, release, lockHolder(ctx, `rollback to ${release}`), options.forceUnlock);
  const base = { module: module.folder, deployment: name, host: target.shown, release, previous_current: state.current ?? null };
  if (ctx.dryRun) {
    printDryRun(ctx, plan);
    if (ctx.json) ctx.printJson({ ...base, dry_run: true, steps: plan.steps.map((s) => ({ name: s.name, command: s.command })) });
    return EXIT.ok;
  }
  ctx.print(paint.bold(`Rolling ${module.folder} on ${name} (${target.shown}) back from ${state.current ?? '(none)'} to ${release}`));
  const outcome = await runPlan(ctx.effects, plan, printingHooks(ctx), redactor(loaded.secrets), target.shown);
  if (ctx.json) ctx.printJson({ ...base, status: outcome.ok ? 'rolled_back' : 'failed', failed_step: outcome.failedStep ?? null, error: outcome.ok ? null : outcome.outcome, steps: stepsJson(outcome) });
  if (!outcome.ok) {
    printFailure(ctx, outcome);
    return EXIT.failed;
  }
  ctx.print(`${paint.green('✓')} release ${release} is current on ${target.shown}`);
  return EXIT.ok;
}
