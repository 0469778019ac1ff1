import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, isCancelled, operationError, type ExitCode } from '../errors.js';
import { formatCommand, type ProcessCommand } from '../effects/process.js';
import { stringOption, type CommandInput } from './options.js';
import { parsePort, planDev, type DevPlan } from '../shared-service/plan-dev.js';
import { serviceDir, servicePath } from '../shared-service/paths.js';
import { hostStorageDir } from '../workspace/host-view.js';
import { workspacePaths } from '../workspace/paths.js';
import { emptyRegistry, parseRegistry } from '../workspace/registry.js';
import { DAGSTER_VERSION } from '../version.js';

/** How long dg dev gets to stop its webserver and daemon before the whole process group is killed. */
const STOP_GRACE_MS = 30_000;

const dgInstallFix = `Install Dagster and its dg CLI on this host (pip install dagster==${DAGSTER_VERSION} dagster-webserver==${DAGSTER_VERSION} dagster-dg-cli==${DAGSTER_VERSION} plus your modules' packages), or set DMB_DG_BIN to its dg executable.`;

export interface DevOptions {
  port: number;
}

export function parse(input: CommandInput): DevOptions {
  return { port: parsePort(stringOption(input, 'port')) };
}

/**
 * `dmb dev`: the whole workspace on this host, no Docker. The planning is pure (shared-service/plan-dev);
 * this command runs it in the foreground through the process seam and owns the throwaway DAGSTER_HOME.
 */
export async function run(ctx: Context, options: DevOptions): Promise<ExitCode> {
  const { port } = options;
  const { fs } = ctx.effects;
  const workspaceYaml = await readRequired(ctx, servicePath(ctx.workspace, 'workspaceYaml'));
  const envText = (await readOptional(ctx, servicePath(ctx.workspace, 'env'))) ?? '';
  const registryPath = servicePath(ctx.workspace, 'registry');
  const registryText = await readOptional(ctx, registryPath);
  const registry = registryText === undefined ? emptyRegistry() : parseRegistry(registryText, registryPath);
  const dgBin = await findDg(ctx);
  if (await ctx.effects.isPortInUse(port)) {
    throw operationError(`Port ${port} is already in use on this host.`, `Stop what listens on ${port}, or pass another port: dmb dev --port ${port === 3000 ? 3001 : port + 1}.`);
  }

  // The one DATA_PATH setting (shell, then .env, as compose reads it): dev and Docker see the same stored values.
  const storagePath = hostStorageDir(workspacePaths(ctx.workspace), envText, ctx.effects.env);
  const tempHome = join(tmpdir(), `dmb-dev-${ctx.effects.randomBytes(6).toString('hex')}`);
  const plan = planDev({
    workspace: ctx.workspace,
    serviceDir: serviceDir(ctx.workspace),
    workspaceYaml,
    envText,
    registry,
    port,
    dgBin,
    tempHome,
    storagePath,
    baseEnv: ctx.effects.env,
  });
  printPlan(ctx, plan, port, registry.integrated_modules);
  await warnAboutStoppedDatabases(ctx, registry.integrated_modules);
  if (ctx.dryRun) {
    if (ctx.json) ctx.printJson({ command: [plan.command, ...plan.args], cwd: plan.cwd, overrides: plan.overrides, locations: plan.locations, port });
    ctx.print(`Would run: ${formatCommand({ program: plan.command, args: plan.args })}`);
    ctx.print(paint.dim('dry run: dg dev was not started, nothing was written'));
    return EXIT.ok;
  }

  await fs.mkdir(storagePath);
  await fs.mkdir(tempHome);
  try {
    for (const file of plan.files) await fs.writeFile(file.path, file.content);
    const ended = await runForeground(ctx, plan);
    if (ctx.json) ctx.printJson({ port, url: `http://localhost:${port}`, locations: plan.locations, overrides: plan.overrides, ended });
    return EXIT.ok;
  } finally {
    await fs.remove(tempHome);
  }
}

function printPlan(ctx: Context, plan: DevPlan, port: number, modules: Array<{ name: string; database: { service: string; port: number } | null }>): void {
  ctx.print(`${paint.bold('dmb dev')}: ${plan.locations.length} code location${plan.locations.length === 1 ? '' : 's'} from services/dagster/workspace.yaml`);
  for (const location of plan.locations) ctx.print(`  - ${location}`);
  if (plan.locations.length === 0) ctx.warn(`${paint.yellow('!')} No module is integrated yet: add one with "dmb workspace add <module>". Starting with an empty workspace.`);
  const databases = modules.filter((m) => m.database);
  if (databases.length > 0) {
    ctx.print('Module databases are reached on this host at:');
    for (const m of databases) ctx.print(`  - ${m.name}: 127.0.0.1:${m.database!.port} (compose service ${m.database!.service})`);
  }
  ctx.print(`IO storage: ${plan.env.DAGSTER_STORAGE_PATH}`);
  ctx.print(`Instance: SQLite in ${plan.env.DAGSTER_HOME} (deleted on exit)`);
  ctx.print(`UI: ${paint.cyan(`http://localhost:${port}`)}  (Ctrl-C stops it)\n`);
}

/** The UI loads without them, but an asset that uses a module database fails until it listens: say so up front. */
async function warnAboutStoppedDatabases(ctx: Context, modules: Array<{ name: string; database: { service: string; port: number } | null }>): Promise<void> {
  const stopped: string[] = [];
  for (const m of modules) {
    if (m.database && !(await ctx.effects.isPortInUse(m.database.port))) stopped.push(m.database.service);
  }
  if (stopped.length === 0) return;
  ctx.warn(
    `${paint.yellow('!')} Nothing listens on the published port of ${stopped.join(', ')}: assets that use ${stopped.length === 1 ? 'that database' : 'those databases'} fail until ${stopped.length === 1 ? 'it runs' : 'they run'}.\n` +
      `  Start ${stopped.length === 1 ? 'it' : 'them'} with: cd ${serviceDir(ctx.workspace)} && docker-compose up -d ${stopped.join(' ')}`,
  );
}

/**
 * Runs dg dev in the foreground through the process seam: in its own process group, so a terminal Ctrl-C
 * reaches dmb once and dmb asks dg dev once (SIGTERM: its clean shutdown). A shutdown that takes longer
 * than the grace period, or a second Ctrl-C, kills the whole group: nothing is left listening on the port.
 * With --json, Dagster's logs go to stderr: stdout carries only dmb's one JSON document.
 */
async function runForeground(ctx: Context, plan: DevPlan): Promise<'stopped' | 'exited'> {
  const command: ProcessCommand = { program: plan.command, args: plan.args, cwd: plan.cwd, env: plan.env, install: dgInstallFix };
  try {
    const outcome = await ctx.effects.processes.foreground(command, {
      signal: ctx.signal,
      stopSignal: 'SIGTERM',
      graceMs: STOP_GRACE_MS,
      stdout: ctx.json ? 'stderr' : 'inherit',
    });
    if (outcome.code === 0) return 'exited';
    throw operationError(
      `dg dev exited ${outcome.signal ? `on ${outcome.signal}` : `with code ${outcome.code}`}.`,
      'Read its output above: a code location that fails to import names the module and the error.',
    );
  } catch (error) {
    if (!isCancelled(error)) throw error;
    ctx.print('dg dev stopped.');
    return 'stopped';
  }
}

/** DMB_DG_BIN when set (it must exist), otherwise `dg` on PATH. */
async function findDg(ctx: Context): Promise<string> {
  const { fs, env } = ctx.effects;
  const fix = dgInstallFix;
  if (env.DMB_DG_BIN) {
    // Absolute, because dg dev runs in the temp DAGSTER_HOME, not where dmb was started.
    const bin = resolve(env.DMB_DG_BIN);
    if (await isExecutable(ctx, bin)) return bin;
    throw operationError(`DMB_DG_BIN is set to ${env.DMB_DG_BIN}, but no executable file is there.`, fix);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = resolve(dir, 'dg');
    if ((await fs.exists(candidate)) && (await isExecutable(ctx, candidate))) return candidate;
  }
  throw operationError('The dg command (Dagster\'s CLI, package dagster-dg-cli) was not found on PATH.', fix);
}

async function isExecutable(ctx: Context, path: string): Promise<boolean> {
  if (await ctx.effects.fs.isDirectory(path)) return false;
  const mode = await ctx.effects.fs.mode(path);
  return mode !== undefined && (mode & 0o111) !== 0;
}

async function readOptional(ctx: Context, path: string): Promise<string | undefined> {
  if (!(await ctx.effects.fs.exists(path))) return undefined;
  return (await ctx.effects.fs.readFile(path)).toString('utf8');
}

async function readRequired(ctx: Context, path: string): Promise<string> {
  const text = await readOptional(ctx, path);
  if (text === undefined) {
    throw operationError(`${path} not found: the shared service is not set up in ${ctx.workspace}.`, `Run "dmb init --workspace ${ctx.workspace}" first (or pass the right --workspace).`);
  }
  return text;
}
