import type { Context } from './context.js';
import { paint } from './paint.js';
import { formatCommand } from '../effects/process.js';
import type { Plan, Step } from '../deploy/deploy-plan.js';
import { mainSteps } from '../deploy/deploy-plan.js';
import type { PlanOutcome, RunHooks, StepRecord } from '../deploy/run-plan.js';

const indent = (text: string, by = '    ') => text.replace(/^/gm, by);

/** Each command is printed before it runs; long scripts stay readable because they are quoted, not joined. */
export function printingHooks(ctx: Context): RunHooks {
  return {
    before(step: Step, cleanup: boolean) {
      ctx.print(`${paint.cyan('→')} ${cleanup ? 'cleanup: ' : ''}${step.title}`);
      ctx.print(paint.dim(indent(`$ ${formatCommand(step.command)}`)));
    },
    after(record: StepRecord) {
      if (record.exit_code !== 0) return;
      if (record.output.trim() !== '' && (record.name === 'env' || record.name === 'prune' || record.name === 'lock')) ctx.print(indent(record.output.trim()));
    },
  };
}

/** --dry-run: the commands a run would execute, in order, and the cleanup a failure would run. */
export function printDryRun(ctx: Context, plan: Plan): void {
  ctx.print(paint.bold(`dry run: nothing runs, locally or on the host. The ${plan.kind} of release ${plan.release} would run:`));
  for (const step of mainSteps(plan)) {
    ctx.print(`${paint.cyan('→')} ${step.title}`);
    ctx.print(indent(`$ ${formatCommand(step.command)}`));
  }
  const discard = plan.steps.find((step) => step.name === 'discard');
  if (discard) ctx.print(paint.dim(`If the upload or the health check fails: ${formatCommand(discard.command)}, then the lock is released.`));
}

/** The failed step's whole output, and what the failure means for the host. */
export function printFailure(ctx: Context, outcome: PlanOutcome): void {
  const failed = outcome.records.find((record) => record.name === outcome.failedStep && !record.cleanup);
  ctx.warn(`${paint.red('✗')} ${outcome.failedStep} failed (exit ${failed?.exit_code ?? '?'}): ${outcome.outcome}`);
  if (failed && failed.output.trim() !== '' && outcome.failedStep !== 'lock') ctx.warn(indent(failed.output.trimEnd()));
}

export function stepsJson(outcome: PlanOutcome) {
  return outcome.records.map(({ name, command, exit_code, seconds, cleanup, output }) => ({ name, command, exit_code, seconds, cleanup, ...(exit_code === 0 ? {} : { output }) }));
}
