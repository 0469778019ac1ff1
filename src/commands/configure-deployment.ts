import { join, relative } from 'node:path';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, errorMessage, operationError, usageError, type ExitCode } from '../errors.js';
import { ask, askConfirm, type AskOptions } from '../effects/prompter.js';
import { ApplyError, applyChanges, type Change } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import { defaultEnvironment, type DeploymentAnswers, type StrategyAnswers } from '../deploy/answers.js';
import { detectModule, type DetectedModule } from '../deploy/detect.js';
import { redactEnvText } from '../deploy/env-deploy.js';
import { RULES, type RuleName } from '../deploy/input-rules.js';
import { planDeployment } from '../deploy/plan-deployment.js';
import { deploymentDir, DEPLOYMENT_FILES } from '../deploy/paths.js';
import { STRATEGIES, STRATEGY_IDS, type StrategyId, type StrategyQuestion } from '../deploy/strategies.js';
import { effectiveConfiguration } from '../deploy/effective-config.js';
import { readEnvState } from '../deploy/read-deployments.js';
import { stringOption, type CommandInput } from './options.js';

/** The command's options as commander gave them, typed once here (the strategy questions read them by name). */
export interface ConfigureOptions {
  module?: string;
  name?: string;
  client?: string;
  environment?: string;
  host?: string;
  user?: string;
  port?: string;
  basePath?: string;
  strategy?: string;
  repository?: string;
  branch?: string;
  monorepo?: string;
  exclude?: string[];
  registry?: string;
  image?: string;
  context?: string;
  platform?: string;
  trigger?: string;
  namespace?: string;
}

const STRING_OPTIONS = ['name', 'client', 'environment', 'host', 'user', 'port', 'basePath', 'strategy', 'repository', 'branch', 'registry', 'image', 'context', 'platform', 'trigger', 'namespace'] as const;

/** The value of the flag a strategy question names (the strategies table names options by their commander key). */
function given(options: ConfigureOptions, option: string): string | string[] | undefined {
  return option in options ? options[option as keyof ConfigureOptions] : undefined;
}

export function parse(input: CommandInput): ConfigureOptions {
  const options: ConfigureOptions = { module: input.args[0] };
  for (const name of STRING_OPTIONS) {
    const value = stringOption(input, name);
    if (value !== undefined) options[name] = value;
  }
  // --monorepo alone means yes; --monorepo no says no.
  const monorepo = input.options.monorepo;
  if (monorepo !== undefined) options.monorepo = monorepo === true ? 'yes' : String(monorepo);
  const exclude = input.options.exclude;
  if (exclude !== undefined) options.exclude = (Array.isArray(exclude) ? exclude : [exclude]).map(String);
  return options;
}

/** A flag's or a prompt's answer, checked by its rule: a refused value is a usage error naming the flag. */
function checked(flag: string, value: string, rule?: RuleName): string {
  if (!rule) return value;
  const reason = RULES[rule].check(value);
  if (reason) throw usageError(`${flag} "${value}" ${reason}.`, RULES[rule].fix);
  return value;
}

async function askText(askOptions: AskOptions, q: { message: string; flag: string; default?: string; rule?: RuleName }, flagValue: unknown): Promise<string> {
  const value = flagValue === undefined ? undefined : String(flagValue).trim();
  if (value !== undefined) return checked(q.flag, value, q.rule);
  const answer = await ask<string>({ message: q.message, flag: q.flag, default: q.default }, undefined, askOptions);
  return checked(q.flag, answer.trim(), q.rule);
}

async function askStrategyQuestion(askOptions: AskOptions, q: StrategyQuestion, known: { slug: string; name: string }, options: ConfigureOptions): Promise<[string, unknown]> {
  const value = given(options, q.option);
  const fallback = q.default?.(known);
  if (q.kind === 'list') {
    const raw = value === undefined ? undefined : Array.isArray(value) ? value : [value];
    const values = raw ?? (await askText(askOptions, { message: q.message, flag: q.flag, default: fallback }, undefined)).split(',');
    return [q.key, values.map((v) => v.trim()).filter((v) => v !== '').map((v) => checked(q.flag, v, q.rule))];
  }
  if (q.kind === 'boolean') {
    const flagValue = value === undefined ? undefined : String(value);
    const answer = await ask<string>({ message: q.message, flag: q.flag, choices: ['yes', 'no'].map((choice) => ({ value: choice })), default: fallback }, flagValue, askOptions);
    return [q.key, answer === 'yes'];
  }
  if (q.kind === 'choice') {
    const flagValue = value === undefined ? undefined : String(value);
    return [q.key, await ask<string>({ message: q.message, flag: q.flag, choices: (q.choices ?? []).map((choice) => ({ value: choice })), default: fallback }, flagValue, askOptions)];
  }
  return [q.key, await askText(askOptions, { message: q.message, flag: q.flag, default: fallback, rule: q.rule }, value)];
}

/** Flags that belong to another strategy: ignored, with a warning, so a typo in a script is noticed. */
function warnForeignFlags(ctx: Context, strategy: StrategyId, options: ConfigureOptions): void {
  const own = new Set(STRATEGIES[strategy].questions.map((q) => q.option));
  for (const other of STRATEGY_IDS) {
    for (const q of STRATEGIES[other].questions) {
      if (!own.has(q.option) && given(options, q.option) !== undefined) {
        ctx.warn(`${paint.yellow('!')} ${q.flag} belongs to the ${other} strategy; the ${strategy} strategy ignores it.`);
        own.add(q.option);
      }
    }
  }
  if (!STRATEGIES[strategy].remote) {
    for (const [option, flag] of [['host', '--host'], ['user', '--user'], ['port', '--port'], ['basePath', '--base-path']] as const) {
      if (options[option] !== undefined) ctx.warn(`${paint.yellow('!')} ${flag} is not used by the ${strategy} strategy (it deploys with kubectl).`);
    }
  }
}

/** Every flag that was given is checked before the first question, so nobody answers five questions to learn the port is wrong. */
function checkGivenFlags(options: ConfigureOptions): void {
  const simple: Array<[keyof ConfigureOptions, string, RuleName]> = [
    ['name', '--name', 'deploymentName'],
    ['client', '--client', 'client'],
    ['environment', '--environment', 'environment'],
    ['host', '--host', 'host'],
    ['user', '--user', 'user'],
    ['port', '--port', 'port'],
    ['basePath', '--base-path', 'basePath'],
  ];
  for (const [option, flag, rule] of simple) if (options[option] !== undefined) checked(flag, String(options[option]).trim(), rule);
  if (options.strategy !== undefined && !STRATEGY_IDS.includes(String(options.strategy).trim().toLowerCase() as StrategyId)) {
    throw usageError(`--strategy "${String(options.strategy)}" is not one of: ${STRATEGY_IDS.join(', ')}.`, `Pass --strategy ${STRATEGY_IDS.join('|')}.`);
  }
  for (const strategy of Object.values(STRATEGIES)) {
    for (const q of strategy.questions) {
      const value = given(options, q.option);
      if (value === undefined) continue;
      if (q.kind === 'choice' && !(q.choices ?? []).includes(String(value).trim().toLowerCase())) {
        throw usageError(`${q.flag} "${String(value)}" is not one of: ${(q.choices ?? []).join(', ')}.`, `Pass ${q.flag} ${(q.choices ?? []).join('|')}.`);
      }
      if (q.kind === 'list') for (const item of Array.isArray(value) ? value : [value]) checked(q.flag, item, q.rule);
      if (q.kind === 'text') checked(q.flag, String(value).trim(), q.rule);
    }
  }
}

async function gatherAnswers(ctx: Context, module: DetectedModule, options: ConfigureOptions): Promise<DeploymentAnswers> {
  const askOptions: AskOptions = { interactive: ctx.interactive, yes: ctx.yes, prompter: ctx.prompter };
  checkGivenFlags(options);
  const name = await askText(askOptions, { message: 'Deployment name (e.g. yoda, production, staging)', flag: '--name', default: 'production', rule: 'deploymentName' }, options.name);
  const client = await askText(askOptions, { message: 'Client name (e.g. Beast Business)', flag: '--client', rule: 'client' }, options.client);
  const environment = await askText(askOptions, { message: 'Environment', flag: '--environment', default: defaultEnvironment(name), rule: 'environment' }, options.environment);
  const strategy = await ask<StrategyId>(
    { message: 'Deployment strategy', flag: '--strategy', choices: STRATEGY_IDS.map((id) => ({ value: id, hint: STRATEGIES[id].summary })), default: 'rsync' },
    options.strategy,
    askOptions,
  );
  warnForeignFlags(ctx, strategy, options);
  let remote: DeploymentAnswers['remote'];
  if (STRATEGIES[strategy].remote) {
    const host = await askText(askOptions, { message: 'Server host name or address', flag: '--host', rule: 'host' }, options.host);
    const user = await askText(askOptions, { message: 'SSH user on the server', flag: '--user', default: 'deploy', rule: 'user' }, options.user);
    const port = Number(await askText(askOptions, { message: 'SSH port', flag: '--port', default: '22', rule: 'port' }, options.port));
    const basePath = (await askText(askOptions, { message: 'Base path on the server (where its Dagster service lives)', flag: '--base-path', default: `/home/${user}/dagster`, rule: 'basePath' }, options.basePath)).replace(/\/+$/, '') || '/';
    remote = { host, user, port, basePath };
  }
  const answers: Record<string, unknown> = {};
  for (const q of STRATEGIES[strategy].questions) {
    const [key, value] = await askStrategyQuestion(askOptions, q, { slug: module.folder, name }, options);
    answers[key] = value;
  }
  return { name, client, environment, strategy, remote, options: answers as StrategyAnswers };
}

/** The plan as the user sees it: .env.deploy's values never appear, in a diff or anywhere else. */
function redacted(changes: Change[]): Change[] {
  return changes.map((change) => {
    if (!change.path.endsWith(`/${DEPLOYMENT_FILES.env}`)) return change;
    if (change.kind === 'create') return { ...change, content: redactEnvText(change.content) };
    if (change.kind === 'update') return { ...change, before: redactEnvText(change.before), content: redactEnvText(change.content) };
    return change;
  });
}

export async function run(ctx: Context, options: ConfigureOptions): Promise<ExitCode> {
  const input = options.module ?? (ctx.interactive ? await ctx.prompter.text({ message: 'Module name', flag: '<module>' }) : undefined);
  if (!input) throw usageError('No module given.', 'Run "dmb configure-deployment <module>", e.g. "dmb configure-deployment customer-analytics --name yoda".');
  const module = await detectModule(ctx.effects.fs, ctx.workspace, input);
  const answers = await gatherAnswers(ctx, module, options);
  const plan = await planDeployment(ctx.effects.fs, ctx.workspace, module, answers, ctx.effects.randomBytes);
  for (const warning of plan.warnings) ctx.warn(`${paint.yellow('!')} ${warning}`);
  const changes = plan.changes.list();
  const dir = deploymentDir(module.dir, answers.name);
  const shown = (path: string) => relative(module.dir, path);
  const created = changes.filter((c) => c.kind === 'create').map((c) => shown(c.path));
  const updated = changes.filter((c) => c.kind === 'update').map((c) => shown(c.path));
  const deleted = changes.filter((c) => c.kind === 'delete').map((c) => shown(c.path));
  const report = {
    module: module.folder,
    deployment: answers.name,
    strategy: answers.strategy,
    path: dir,
    dry_run: ctx.dryRun,
    created,
    updated,
    deleted,
    env_deploy: { path: join(dir, DEPLOYMENT_FILES.env), mode: '600', kept: plan.envKept, added: plan.envAdded },
    gitignore_fixed: plan.gitignoreFixed,
    detected: { database: module.database?.kind.id ?? 'none', database_source: module.databaseSource, network: module.network },
    warnings: plan.warnings,
  };

  if (ctx.dryRun) {
    ctx.print(await renderPlan(redacted(changes), module.dir));
    // New files are shown whole (the diffs above cover changed ones), so the configuration can be reviewed first.
    for (const change of redacted(changes)) {
      if (change.kind === 'create') ctx.print(`${paint.bold(`--- ${shown(change.path)}`)}\n${change.content.trimEnd()}\n`);
    }
    ctx.print(paint.dim('dry run: nothing was written'));
    if (ctx.json) ctx.printJson(report);
    return EXIT.ok;
  }
  if (plan.existing && updated.length + deleted.length > 0) {
    ctx.print(`Deployment "${answers.name}" of ${module.folder} exists; these files would change:\n`);
    ctx.print(await renderPlan(redacted(changes.filter((c) => c.kind === 'update' || c.kind === 'delete')), module.dir));
    // --yes accepts the changes shown; on a terminal the user decides; otherwise nothing is written.
    const yes = await askConfirm(`Apply these changes to deploy/${answers.name}/?`, '--yes', ctx.yes ? true : undefined, false, {
      interactive: ctx.interactive,
      yes: ctx.yes,
      prompter: ctx.prompter,
    });
    if (!yes) throw usageError('Not confirmed: nothing was written.', 'Run again with --yes to apply the changes shown.');
  }
  if (changes.length > 0) {
    try {
      await applyChanges(changes, ctx.effects.fs);
    } catch (error) {
      if (error instanceof ApplyError) {
        throw operationError(`configure-deployment failed at "${error.step}": ${errorMessage(error.cause)}. Every file is as it was.`, `Check that ${module.dir} is writable, then run the command again.`);
      }
      throw error;
    }
  }
  if (ctx.json) {
    const env = await readEnvState(ctx.effects.fs, join(dir, DEPLOYMENT_FILES.env));
    ctx.printJson({ ...report, configuration: effectiveConfiguration(plan.config, env) });
  }
  printReport(ctx, module, answers, { created, updated, deleted }, plan);
  return EXIT.ok;
}

const DESCRIPTIONS: Record<string, string> = {
  'deployment.yaml': 'deployment metadata',
  '.env.deploy': 'production env vars: generated secrets, mode 0600, git-ignored',
  '.env.deploy.example': 'every variable the module reads, placeholders: safe to commit',
  'DEPLOYMENT.md': 'complete deployment guide',
};

function printReport(
  ctx: Context,
  module: DetectedModule,
  answers: DeploymentAnswers,
  { created, updated, deleted }: { created: string[]; updated: string[]; deleted: string[] },
  plan: Awaited<ReturnType<typeof planDeployment>>,
): void {
  const flag = ` --workspace ${ctx.workspace}`;
  if (created.length + updated.length + deleted.length === 0) {
    ctx.print(`${paint.green('✓')} Deployment config deploy/${answers.name}/ is up to date: nothing changed.`);
  } else {
    ctx.print(`${paint.green('✓')} Deployment config ${plan.existing ? 'updated' : 'created'}: deploy/${answers.name}/ (strategy ${answers.strategy})\n`);
    ctx.print('Generated files:');
    for (const file of created) ctx.print(`- ${file}${DESCRIPTIONS[file.split('/').at(-1) ?? ''] ? ` (${DESCRIPTIONS[file.split('/').at(-1) ?? '']})` : ''}`);
    for (const file of updated) ctx.print(`- ${file} (updated)`);
    for (const file of deleted) ctx.print(`- ${file} (removed: the previous strategy's)`);
  }
  ctx.print(`\nDetected: database ${module.database ? `${module.database.kind.id} (${module.database.host}:${module.database.port})` : 'none'} from ${module.databaseSource}; network ${module.network}.`);
  if (plan.envKept.length > 0) ctx.print(`Kept the ${plan.envKept.length} values already in deploy/${answers.name}/.env.deploy (secrets are never replaced).`);
  if (plan.gitignoreFixed) ctx.print(`${paint.yellow('!')} The module's .gitignore did not cover deploy/*/.env.deploy: the pattern was added.`);
  const steps = [
    `Review deploy/${answers.name}/deployment.yaml:\n   dmb deployment show ${module.folder} ${answers.name}${flag}`,
    `Check deploy/${answers.name}/.env.deploy (generated secrets; fill in any CHANGE_THIS_IN_PRODUCTION)`,
    `Follow the deployment guide:\n   cat ${join(deploymentDir(module.dir, answers.name), DEPLOYMENT_FILES.guide)}`,
    answers.strategy === 'ci-cd'
      ? `Store the pipeline's secrets in ${answers.options.platform} (DEPLOYMENT.md, "Initial server setup"), commit and push`
      : answers.strategy === 'kubernetes'
        ? 'Create the namespace and the Secret, then apply the manifests (DEPLOYMENT.md)'
        : `Initial server setup (DEPLOYMENT.md), then deploy:\n   dmb deploy ${module.folder} ${answers.name}${flag}`,
  ];
  ctx.print('\nNext steps:');
  steps.forEach((step, index) => ctx.print(`${index + 1}. ${step}`));
}
