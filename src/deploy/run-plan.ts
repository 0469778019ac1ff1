import type { Effects } from '../effects/effects.js';
import { formatCommand } from '../effects/process.js';
import { runCommand } from './command-value.js';
import { mainSteps, ON_FAILURE, type Plan, type Step, type StepName } from './deploy-plan.js';
import { LOCK_HELD, RELEASE_EXISTS } from './remote-scripts.js';

export interface StepRecord {
  name: StepName;
  command: string;
  exit_code: number;
  seconds: number;
  /** Output, secrets redacted. */
  output: string;
  cleanup: boolean;
}

export interface PlanOutcome {
  ok: boolean;
  failedStep?: StepName;
  /** What the failure means for the host, from ON_FAILURE (or the lock's own words). */
  outcome?: string;
  records: StepRecord[];
}

export interface RunHooks {
  /** Called before each step runs, with its printable command. */
  before(step: Step, cleanup: boolean): void;
  after(record: StepRecord): void;
}

/** Replaces every secret value in output with [redacted]; longest first, so a value inside another is covered. */
export function redactor(secrets: string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((value) => value.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, value) => out.split(value).join('[redacted]'), text);
}

function lockOutcome(code: number, output: string, shown: string): string | undefined {
  if (code === LOCK_HELD) return `another deploy or rollback holds the lock on ${shown}: ${output.trim() || 'unknown holder'}`;
  if (code === RELEASE_EXISTS) return `${output.trim()} on ${shown}; wait a second and deploy again`;
  if (code === 255) return `ssh could not reach ${shown}: ${output.trim().split('\n').at(-1) ?? ''}`;
  return undefined;
}

/** Runs a plan's steps in order; on a failure, runs that step's cleanup steps and stops. */
export async function runPlan(effects: Effects, plan: Plan, hooks: RunHooks, redact: (text: string) => string, shown: string): Promise<PlanOutcome> {
  const records: StepRecord[] = [];
  const byName = new Map(plan.steps.map((step) => [step.name, step]));
  const runStep = async (step: Step, cleanup: boolean): Promise<StepRecord> => {
    hooks.before(step, cleanup);
    const started = effects.now().getTime();
    const result = await runCommand(effects, step.command);
    const record: StepRecord = {
      name: step.name,
      command: formatCommand(step.command),
      exit_code: result.code,
      seconds: Math.round((effects.now().getTime() - started) / 100) / 10,
      output: redact(`${result.stdout}${result.stderr}`),
      cleanup,
    };
    records.push(record);
    hooks.after(record);
    return record;
  };
  for (const step of mainSteps(plan)) {
    const record = await runStep(step, false);
    if (record.exit_code === 0) continue;
    const failure = ON_FAILURE[step.name];
    const outcome = (step.name === 'lock' ? lockOutcome(record.exit_code, record.output, shown) : undefined) ?? failure.outcome;
    for (const name of failure.cleanup) {
      const cleanupStep = byName.get(name);
      if (cleanupStep) await runStep(cleanupStep, true);
    }
    return { ok: false, failedStep: step.name, outcome, records };
  }
  return { ok: true, records };
}
