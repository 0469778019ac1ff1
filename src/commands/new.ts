import { join, relative } from 'node:path';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { DATABASE_CHOICES, databaseKind, databaseServiceName, type DatabaseChoice } from '../catalog/databases.js';
import { GOVERNANCE_LEVELS, type GovernanceChoice } from '../catalog/governance.js';
import { REQUIREMENTS, collectPackages, largeRequirementWarning } from '../catalog/requirements.js';
import { EXIT, operationError, usageError, type ExitCode } from '../errors.js';
import type { LaterChoice, NewModuleAnswers } from '../module/answers.js';
import { planModule, projectDir } from '../module/plan-module.js';
import { deriveNames } from '../module/naming.js';
import { MERGE_BASE_DIR, RECORD_FILE } from '../module/record.js';
import { ApplyError, applyChanges } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { lockOptions } from '../ui/transaction-output.js';
import { workspacePaths } from '../workspace/paths.js';
import { nextFreePort, readPorts } from '../workspace/ports/next-free-port.js';
import { generatePassword } from '../secrets/generate-secret.js';
import { ask, askMany, type AskOptions } from '../effects/prompter.js';
import { stringOption, type CommandInput } from './options.js';

const LATER_CHOICES = [
  { value: 'yes', label: 'yes, now' },
  { value: 'no', label: 'no' },
  { value: 'later', label: 'later' },
] as const;

/** `dmb new [module-name]` as typed options: every question's flag, undefined when not given. */
export interface NewOptions {
  name?: string;
  db?: string;
  requires?: string;
  governance?: string;
  integrate?: string;
  deploy?: string;
  description?: string;
  owner?: string;
}

export function parse(input: CommandInput): NewOptions {
  const text = (name: keyof NewOptions) => stringOption(input, name);
  return {
    name: input.args[0],
    db: text('db'),
    requires: text('requires'),
    governance: text('governance'),
    integrate: text('integrate'),
    deploy: text('deploy'),
    description: text('description'),
    owner: text('owner'),
  };
}

async function gatherAnswers(ctx: Context, options: NewOptions): Promise<NewModuleAnswers> {
  const askOptions: AskOptions = { interactive: ctx.interactive, yes: ctx.yes, prompter: ctx.prompter };
  const rawName =
    options.name ??
    (ctx.interactive ? await ctx.prompter.text({ message: 'Module name (e.g. customer-analytics)', flag: '<module-name>' }) : undefined);
  if (rawName === undefined) {
    throw usageError('No module name given.', 'Run "dmb new <module-name>", e.g. "dmb new customer-analytics".');
  }
  const names = deriveNames(rawName);
  await refuseExisting(ctx, names.slug);
  const database = await ask<DatabaseChoice>(
    {
      message: 'Database',
      flag: '--db',
      choices: DATABASE_CHOICES.map((value) => ({ value, hint: value === 'none' ? 'IO manager storage only' : databaseKind(value)?.image })),
      default: 'none',
    },
    options.db,
    askOptions,
  );
  const requirements = await askMany(
    {
      message: 'System requirements (pre-flight checklist)',
      flag: '--requires',
      choices: REQUIREMENTS.map((r) => ({ value: r.id, label: r.label, hint: `${r.group}, ~${r.sizeMb} MB` })),
      default: [],
    },
    options.requires,
    askOptions,
  );
  const governance = await ask<GovernanceChoice>(
    {
      message: 'Governance level',
      flag: '--governance',
      choices: GOVERNANCE_LEVELS.map((level) => ({ value: level.id, hint: level.summary })),
      default: 'standard',
    },
    options.governance,
    askOptions,
  );
  const integrate = await ask<LaterChoice>(
    { message: 'Integrate with the workspace now?', flag: '--integrate', choices: [...LATER_CHOICES], default: 'later' },
    options.integrate,
    askOptions,
  );
  const deploy = await ask<LaterChoice>(
    { message: 'Configure a deployment now?', flag: '--deploy', choices: [...LATER_CHOICES], default: 'later' },
    options.deploy,
    askOptions,
  );
  const description = options.description?.trim() || `${names.title} Dagster module`;
  if (/[\r\n]/.test(description)) throw usageError('--description must be one line.', 'Pass a short one-line description.');
  // Written as `team:<owner>` on assets and `@<owner>` in CODEOWNERS, so an e-mail address or spaces would not fit.
  const owner = (options.owner ?? 'data-team').replace(/^@/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/.test(owner)) {
    throw usageError(`--owner "${owner}" is not a team or user name.`, 'Pass e.g. --owner data-platform or --owner my-org/data-team.');
  }
  if (options.owner !== undefined && governance !== 'enterprise') {
    ctx.warn(`${paint.yellow('!')} --owner is used by the enterprise level only (CODEOWNERS, asset owners); ${governance} ignores it.`);
  }
  return { names, description, database, requirements, governance, integrate, deploy, owner };
}

/** Checked before any question, so nobody answers five questions to learn the name is taken. */
async function refuseExisting(ctx: Context, slug: string): Promise<void> {
  const { fs } = ctx.effects;
  for (const folder of [ctx.workspace, join(ctx.workspace, 'projects')]) {
    if ((await fs.exists(folder)) && !(await fs.isDirectory(folder))) {
      throw usageError(`${folder} is a file, not a folder.`, 'Pass a workspace folder with --workspace (or DMB_WORKSPACE).');
    }
  }
  const target = projectDir(ctx.workspace, slug);
  if (await ctx.effects.fs.exists(target)) {
    throw usageError(`Module ${slug} already exists at ${target}.`, 'Choose another name; dmb never overwrites an existing module.');
  }
}

/**
 * Runs the port choice and the writes holding the workspace lock (when the workspace has its shared
 * service, where the lock lives), so two `dmb new` at once never hand out the same port. Released before
 * `--integrate yes` hands over to `workspace add`, which takes the lock itself.
 */
async function withModuleLock<T>(ctx: Context, slug: string, work: () => Promise<T>): Promise<T> {
  const paths = workspacePaths(ctx.workspace);
  if (ctx.dryRun || !(await ctx.effects.fs.isDirectory(paths.serviceDir))) return work();
  return withWorkspaceLock(ctx.effects, paths.lock, lockOptions(ctx, `dmb new ${slug}`), work);
}

/** Host ports already handed out: the workspace .env plus every module's own workspace/local/.env. */
async function assignedPorts(ctx: Context): Promise<number[]> {
  const { fs } = ctx.effects;
  const envFiles = [join(ctx.workspace, 'services', 'dagster', '.env')];
  const projects = join(ctx.workspace, 'projects');
  if (await fs.isDirectory(projects)) {
    for (const entry of await fs.readdir(projects)) envFiles.push(join(projects, entry, 'workspace', 'local', '.env'));
  }
  const ports: number[] = [];
  for (const file of envFiles) {
    if (await fs.exists(file)) ports.push(...readPorts((await fs.readFile(file)).toString('utf8')));
  }
  return ports;
}

async function readNetworkName(ctx: Context): Promise<string> {
  const envPath = join(ctx.workspace, 'services', 'dagster', '.env');
  if (!(await ctx.effects.fs.exists(envPath))) return 'workspace-net';
  const match = /^NETWORK_NAME=["']?([A-Za-z0-9_.-]+)["']?\s*$/m.exec((await ctx.effects.fs.readFile(envPath)).toString('utf8'));
  return match?.[1] ?? 'workspace-net';
}

export async function run(ctx: Context, options: NewOptions): Promise<ExitCode> {
  const answers = await gatherAnswers(ctx, options);
  const target = projectDir(ctx.workspace, answers.names.slug);
  if (answers.integrate === 'yes' && !(await ctx.effects.fs.exists(join(ctx.workspace, 'services', 'dagster', '.registry')))) {
    throw usageError(
      `--integrate yes needs the shared Dagster service, and ${join(ctx.workspace, 'services', 'dagster')} has none yet.`,
      `Run "dmb init --workspace ${ctx.workspace}" first, or pass --integrate later.`,
    );
  }
  for (const requirement of collectPackages(answers.requirements).large) ctx.warn(paint.yellow(largeRequirementWarning(requirement)));

  const kind = databaseKind(answers.database);
  const written = await withModuleLock(ctx, answers.names.slug, async () => {
    // Checked again under the lock: another `dmb new` of the same name may have finished meanwhile.
    await refuseExisting(ctx, answers.names.slug);
    const environment = {
      networkName: await readNetworkName(ctx),
      hostPort: kind ? await nextFreePort(kind, await assignedPorts(ctx), ctx.effects.isPortInUse) : undefined,
      password: kind ? generatePassword(ctx.effects.randomBytes) : undefined,
    };
    const plan = await planModule(ctx.effects.fs, ctx.workspace, answers, environment);
    for (const warning of plan.warnings) ctx.warn(`${paint.yellow('!')} ${warning}`);
    const changes = plan.changes.list();
    // The merge base (.dmb/base/) mirrors the generated files: one line for it, not one per file.
    const paths = changes.map((change) => relative(target, change.path)).sort();
    const created = paths.filter((path) => !path.startsWith(`${MERGE_BASE_DIR}/`));
    if (ctx.dryRun) {
      ctx.print(await renderPlan(changes, ctx.workspace));
      ctx.print(paint.dim('dry run: nothing was written'));
      if (ctx.json) ctx.printJson({ module: answers.names.slug, path: target, dry_run: true, files: created });
      return undefined;
    }
    try {
      await applyChanges(changes, ctx.effects.fs);
    } catch (error) {
      if (error instanceof ApplyError) {
        throw operationError(`Creating the module failed at "${error.step}": ${errorText(error.cause)}. Nothing was left behind.`, 'Check that the workspace folder is writable, then run the command again.');
      }
      throw error;
    }
    return { hostPort: environment.hostPort, created, baseCount: paths.length - created.length };
  });
  if (!written) return EXIT.ok;
  const { created, baseCount } = written;

  const report = {
    module: answers.names.slug,
    package: answers.names.packageName,
    path: target,
    database: kind ? { type: kind.id, service: databaseServiceName(answers.names.snake, kind), port: written.hostPort } : null,
    governance: answers.governance,
    files: created,
    record: { path: RECORD_FILE, merge_base: `${MERGE_BASE_DIR}/` },
  };
  // With --integrate yes, workspace add's report joins this one: stdout stays one JSON document.
  if (ctx.json && answers.integrate !== 'yes') ctx.printJson(report);
  ctx.print(`${paint.green('✓')} Module created at: ${target}\n`);
  ctx.print('Created files:');
  for (const file of created) ctx.print(`- ${file}`);
  if (baseCount > 0) ctx.print(`- ${MERGE_BASE_DIR}/ (${baseCount} files: the merge base that "dmb upgrade" needs)`);
  ctx.print('');
  return handOver(ctx, answers, report);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The spec's "Next Steps After Module Creation", or the hand-over to `workspace add` (which prints its own next steps). */
async function handOver(ctx: Context, answers: NewModuleAnswers, report: Record<string, unknown>): Promise<ExitCode> {
  const { slug, packageName } = answers.names;
  const workspaceFlag = ` --workspace ${ctx.workspace}`;
  // --deploy yes hands over to configure-deployment, which asks its own questions (or names its flags).
  const deployFailed = answers.deploy === 'yes' && !(await configureDeployment(ctx, slug));
  const steps = [
    'Review generated files',
    `Customize assets in src/${packageName}/assets.py`,
    `Run the module's tests:\n   cd ${projectDir(ctx.workspace, slug)} && pytest`,
  ];
  if (answers.integrate === 'yes') {
    ctx.print('Next steps:');
    steps.forEach((step, index) => ctx.print(`${index + 1}. ${step}`));
    ctx.print('');
    ctx.print(paint.bold(`Integrating ${slug} with the workspace (dmb workspace add ${slug})…`));
    const add = await import('./workspace-add.js');
    let integration: unknown = null;
    try {
      const code = (await add.run({ ...ctx, printJson: (data) => (integration = data) }, { module: slug })) ?? EXIT.ok;
      return deployFailed ? EXIT.failed : code;
    } catch (error) {
      ctx.warn(`${paint.red('✗')} The module was created, but integrating it failed: ${errorText(error)}`);
      ctx.warn(`  Fix the cause, then run: dmb workspace add ${slug}${workspaceFlag}`);
      return EXIT.failed;
    } finally {
      if (ctx.json) ctx.printJson({ ...report, integration });
    }
  }
  steps.push(
    `Integrate with workspace:\n   dmb workspace add ${slug}${workspaceFlag}`,
    `Start workspace:\n   cd ${join(ctx.workspace, 'services', 'dagster')} && docker-compose up -d --build\n   (or without Docker: dmb dev${workspaceFlag})`,
    'Test in Dagster UI:\n   http://localhost:3000',
  );
  ctx.print('Next steps:');
  steps.forEach((step, index) => ctx.print(`${index + 1}. ${step}`));
  return deployFailed ? EXIT.failed : EXIT.ok;
}

/** Runs `dmb configure-deployment <module>`; its JSON report is left out so stdout stays one document. */
async function configureDeployment(ctx: Context, slug: string): Promise<boolean> {
  ctx.print(paint.bold(`Configuring a deployment for ${slug} (dmb configure-deployment ${slug})…`));
  const configure = await import('./configure-deployment.js');
  try {
    await configure.run({ ...ctx, printJson: () => undefined }, { module: slug });
    ctx.print('');
    return true;
  } catch (error) {
    ctx.warn(`${paint.red('✗')} The module was created, but configuring its deployment failed: ${errorText(error)}`);
    ctx.warn(`  Run: dmb configure-deployment ${slug} --workspace ${ctx.workspace} --name <name> --client <client> --host <host> --strategy <strategy>`);
    return false;
  }
}
