import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { printDryRun, printFailure, printingHooks, stepsJson } from '../ui/deploy-output.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { deployPlan } from '../deploy/deploy-plan.js';
import { loadDeployment } from '../deploy/load-target.js';
import { releaseName } from '../deploy/release-names.js';
import { formatCommand } from '../effects/process.js';
import { gitChecks, headCommit, requirePushed } from '../deploy/git-commit.js';
import { redactor, runPlan } from '../deploy/run-plan.js';
import { flagOption, stringOption, type CommandInput } from './options.js';

export interface DeployOptions {
  module: string;
  deployment: string;
  uploadEnv: boolean;
  forceUnlock: boolean;
  identity?: string;
}

/** --identity <file>: a value that is not empty. */
function identityOption(input: CommandInput): string | undefined {
  const value = stringOption(input, 'identity');
  if (value === '') throw usageError('--identity needs a value.', 'Pass --identity <value>.');
  return value;
}

/** The module and deployment arguments and the ssh/lock flags every deploy-family command takes. */
export function parseTarget(input: CommandInput, command: string): DeployOptions {
  const [module, deployment] = input.args;
  if (!module || !deployment) throw usageError('Give the module and the deployment.', `Run "dmb ${command} <module> <deployment>", e.g. "dmb ${command} sales-data yoda".`);
  return {
    module,
    deployment,
    uploadEnv: flagOption(input, 'uploadEnv'),
    forceUnlock: flagOption(input, 'forceUnlock'),
    identity: identityOption(input),
  };
}

export function parse(input: CommandInput): DeployOptions {
  return parseTarget(input, 'deploy');
}

/** Who holds a lock, written into it on the host so a refused deploy can name them. */
export function lockHolder(ctx: Context, what: string): string {
  return `${ctx.effects.env.USER ?? userInfo().username}@${hostname()} (pid ${process.pid}) since ${ctx.effects.now().toISOString()}: ${what}`;
}

/** dmb deploy <module> <deployment>: a new release on the host, switched to only when healthy. */
export async function run(ctx: Context, options: DeployOptions): Promise<ExitCode> {
  const { module: input, deployment: name } = options;
  const fs = ctx.effects.fs;
  const loaded = await loadDeployment(fs, ctx.workspace, input, name, { identity: options.identity, sshConfig: ctx.effects.env.DMB_SSH_CONFIG }, 'deploy');
  const { config, module, target } = loaded;
  const release = releaseName(ctx.effects.now());
  let commit: string | undefined;
  if (config.strategy === 'git') {
    const head = await headCommit(ctx.effects, module.dir, name);
    commit = head.commit;
    if (head.dirty) ctx.warn(`${paint.yellow('!')} the module has uncommitted changes: the git strategy deploys commit ${commit.slice(0, 12)}, not the working tree.`);
    if (ctx.dryRun) {
      ctx.print(paint.dim('Local check that the commit is pushed (not run in a dry run):'));
      for (const check of gitChecks(module.dir, config, commit)) ctx.print(`    $ ${formatCommand(check)}`);
    } else await requirePushed(ctx.effects, module.dir, config, commit);
  }
  const plan = deployPlan({
    config,
    target,
    moduleDir: module.dir,
    release,
    holder: lockHolder(ctx, `deploy ${release}`),
    uploadEnv: options.uploadEnv,
    forceUnlock: options.forceUnlock,
    envFilePresent: loaded.envFilePresent,
    excludeFilePresent: config.rsync ? await fs.exists(join(module.dir, config.rsync.exclude_file)) : false,
    commit,
  });
  const base = { module: module.folder, deployment: name, strategy: config.strategy, host: target.shown, release, commit: commit ?? null };
  if (!loaded.envFilePresent) ctx.warn(`${paint.yellow('!')} ${config.env_file} is missing: shared/.env on the host is not uploaded.`);
  if (ctx.dryRun) {
    printDryRun(ctx, plan);
    if (ctx.json) ctx.printJson({ ...base, dry_run: true, steps: plan.steps.map((s) => ({ name: s.name, command: s.command })) });
    return EXIT.ok;
  }
  ctx.print(paint.bold(`Deploying ${module.folder} to ${name} (${target.shown}), release ${release}`));
  const outcome = await runPlan(ctx.effects, plan, printingHooks(ctx), redactor(loaded.secrets), target.shown);
  const envRecord = outcome.records.find((r) => r.name === 'env' && r.exit_code === 0);
  const envUploaded = envRecord ? /uploaded/.test(envRecord.output) : false;
  if (ctx.json) {
    ctx.printJson({
      ...base,
      status: outcome.ok ? 'deployed' : 'failed',
      current: outcome.ok || outcome.failedStep === 'post_deploy' || outcome.failedStep === 'prune' ? release : null,
      failed_step: outcome.failedStep ?? null,
      error: outcome.ok ? null : outcome.outcome,
      env_uploaded: envUploaded,
      steps: stepsJson(outcome),
    });
  }
  if (!outcome.ok) {
    printFailure(ctx, outcome);
    return EXIT.failed;
  }
  ctx.print(`${paint.green('✓')} ${module.folder} release ${release} is current on ${target.shown} (${target.modulePath}/current)`);
  ctx.print(`  shared/.env: ${envUploaded ? 'uploaded (mode 0600)' : loaded.envFilePresent ? 'kept as it is on the host (--upload-env replaces it)' : 'not uploaded'}`);
  ctx.print(`  go back with: dmb rollback ${module.folder} ${name}`);
  return EXIT.ok;
}
