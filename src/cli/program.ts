import { resolve } from 'node:path';
import { homedir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { EXIT, isDmbError, usageError, type ExitCode } from '../errors.js';
import { realEffects, type Effects } from '../effects/effects.js';
import { createClackPrompter, type Prompter } from '../effects/prompter.js';
import type { CommandInput, CommandModule } from '../commands/options.js';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { DAGSTER_VERSION, VERSION } from '../version.js';

export interface GlobalOptions {
  workspace?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  color?: boolean;
}

/** Lets tests run the whole CLI in-process with their own effects, streams and prompter. */
export interface Runtime {
  effects: Effects;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  prompter: Prompter;
  /** Aborted on Ctrl-C/SIGTERM (main.ts); commands stop at their next safe point. */
  signal?: AbortSignal;
}

/** A command module as the table sees it: `parse` makes its typed options, `run` takes exactly those. */
type AnyCommandModule = Pick<CommandModule<unknown>, 'parse'> & { run(ctx: Context, options: never): Promise<ExitCode | void> };

/** Each command lives in its own module, imported only when it runs so --help stays fast. */
interface CommandSpec {
  path: string[];
  args: string;
  summary: string;
  /** Commander option triples: flags, description, default. Values are checked by the command, not here. */
  options?: Array<[flags: string, description: string, defaultValue?: string]>;
  load: () => Promise<AnyCommandModule>;
}

export const COMMANDS: CommandSpec[] = [
  {
    path: ['new'],
    args: '[module-name]',
    summary: 'create a self-contained Dagster module under <workspace>/projects/',
    options: [
      ['--db <type>', 'database addon: postgresql | mysql | none'],
      ['--requires <list>', 'system requirements, comma-separated: ssh,sftp,ftp,http,s3,gcs,git,curl,imagemagick,ffmpeg,pandoc,pdf,images,video,office (or "none")'],
      ['--governance <level>', 'quick | standard (job + daily schedule) | enterprise (checks, owners, freshness)'],
      ['--integrate <answer>', 'integrate with the workspace now: yes | no | later'],
      ['--deploy <answer>', 'configure a deployment now: yes | no | later'],
      ['--description <text>', 'one-line description of the module'],
      ['--owner <team>', 'owning team for enterprise governance (CODEOWNERS, asset owners)'],
    ],
    load: () => import('../commands/new.js'),
  },
  {
    path: ['init'],
    args: '',
    summary: 'create the shared Dagster service at <workspace>/services/dagster/ and the templates at <workspace>/patterns/dagster/',
    load: () => import('../commands/init.js'),
  },
  {
    path: ['workspace', 'add'],
    args: '<module-name>',
    summary: "merge a module's workspace/local/ configs into the shared service",
    load: () => import('../commands/workspace-add.js'),
  },
  {
    path: ['workspace', 'remove'],
    args: '<module-name>',
    summary: 'remove exactly what "workspace add" merged',
    options: [['--purge-data', "also delete the module's database data folder"]],
    load: () => import('../commands/workspace-remove.js'),
  },
  {
    path: ['workspace', 'list'],
    args: '',
    summary: 'list integrated modules with their status (ok, drifted, missing)',
    load: () => import('../commands/workspace-list.js'),
  },
  {
    path: ['workspace', 'validate'],
    args: '',
    summary: 'check the registry and the workspace files against each other',
    options: [['--load', 'also load every code location in real Dagster']],
    load: () => import('../commands/workspace-validate.js'),
  },
  {
    path: ['workspace', 'sync'],
    args: '',
    summary: 'integrate every module not yet integrated and re-merge drifted ones',
    load: () => import('../commands/workspace-sync.js'),
  },
  {
    path: ['workspace', 'restore'],
    args: '<timestamp>',
    summary: 'put a backup from services/dagster/modules/backups/ back (the current state is backed up first)',
    load: () => import('../commands/workspace-restore.js'),
  },
  {
    path: ['audit'],
    args: '[module-name]',
    summary: 'check a module (or --all) for what it lacks or gets wrong: IO manager, storage, configs, deployments, secrets',
    options: [['--all', 'audit every module under projects/ and print a summary table']],
    load: () => import('../commands/audit.js'),
  },
  {
    path: ['configure-deployment'],
    args: '[module]',
    summary: "add a client deployment to a module: deploy/<name>/ (deployment.yaml, .env.deploy, DEPLOYMENT.md, the strategy's files)",
    options: [
      ['--name <name>', 'deployment name, a folder under deploy/ (e.g. yoda, production)'],
      ['--client <text>', 'client name (e.g. "Beast Business")'],
      ['--environment <env>', 'production | staging | ... (default from the name)'],
      ['--host <host>', 'server host name or address (git, rsync, docker, ci-cd)'],
      ['--user <user>', 'ssh user on the server'],
      ['--port <port>', 'ssh port (default 22)'],
      ['--base-path <path>', "absolute path of the server's Dagster service"],
      ['--strategy <strategy>', 'git | rsync | docker | ci-cd | kubernetes'],
      ['--repository <url>', 'git: repository URL'],
      ['--branch <branch>', 'git, ci-cd: branch (default main)'],
      ['--monorepo [answer]', 'git: the module is one folder of a larger repository (yes | no)'],
      ['--exclude <pattern...>', 'rsync: an extra pattern never uploaded (repeatable)'],
      ['--registry <registry>', 'docker, kubernetes: container registry (e.g. ghcr.io/acme)'],
      ['--image <name>', 'docker, kubernetes: image name (default: the module name)'],
      ['--context <path>', 'docker: build context, relative to the module (default .)'],
      ['--platform <platform>', 'ci-cd: github | gitlab | jenkins'],
      ['--trigger <trigger>', 'ci-cd: push | tag | manual'],
      ['--namespace <namespace>', 'kubernetes: namespace (default dagster)'],
    ],
    load: () => import('../commands/configure-deployment.js'),
  },
  {
    path: ['deployment', 'list'],
    args: '<module>',
    summary: "list a module's deployments (client, strategy, target)",
    load: () => import('../commands/deployment-list.js'),
  },
  {
    path: ['deployment', 'show'],
    args: '<module> <name>',
    summary: "show a deployment's effective configuration, validated, secrets redacted",
    load: () => import('../commands/deployment-show.js'),
  },
  {
    path: ['deploy'],
    args: '<module> <deployment>',
    summary: 'deploy a new release over ssh (rsync): upload, health check, atomic switch of current, keep N releases',
    options: [
      ['--upload-env', 'upload .env.deploy to shared/.env even when the host has one (it is uploaded on the first deploy)'],
      ['--identity <file>', 'ssh private key file (else your ssh config; DMB_SSH_CONFIG is passed as ssh -F)'],
      ['--force-unlock', 'remove a stale deploy lock on the host first (its holder is reported)'],
    ],
    load: () => import('../commands/deploy.js'),
  },
  {
    path: ['rollback'],
    args: '<module> <deployment>',
    summary: 'switch current back to the previous release (or --to RELEASE) and run the post-deploy step',
    options: [
      ['--to <release>', 'the release to switch to (see dmb releases)'],
      ['--identity <file>', 'ssh private key file'],
      ['--force-unlock', 'remove a stale deploy lock on the host first'],
    ],
    load: () => import('../commands/rollback.js'),
  },
  {
    path: ['releases'],
    args: '<module> <deployment>',
    summary: 'list the releases on the host, current marked',
    options: [['--identity <file>', 'ssh private key file']],
    load: () => import('../commands/releases.js'),
  },
  {
    path: ['upgrade'],
    args: '[module-name]',
    summary: "fix in place what audit marks fixable: the IO manager (dmb's, keeping your class name and extra members), its registration, a missing resources.py",
    options: [['--all', 'upgrade every module under projects/ (one transaction each) and print a summary']],
    load: () => import('../commands/upgrade.js'),
  },
  {
    path: ['dev'],
    args: '',
    summary: 'run every integrated module on this host with `dg dev` (no Docker)',
    options: [['--port <port>', 'webserver port', '3000']],
    load: () => import('../commands/dev.js'),
  },
];

/** What the parser has seen so far, wherever on the command line: known even when parsing then fails. */
interface Seen {
  json: boolean;
}

function addGlobalOptions(command: Command, seen: Seen): Command {
  return command
    .option('-w, --workspace <dir>', 'workspace root (env DMB_WORKSPACE, default ~/workspace)')
    .option('--dry-run', 'write nothing; show each file that would be created or changed, with diffs')
    .option('-y, --yes', 'take the default for every question not answered by a flag')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-color', 'plain output (also when NO_COLOR is set)')
    .on('option:json', () => (seen.json = true));
}

/** The global options as commander parsed them, typed once here. */
function readGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { workspace: text(raw.workspace), dryRun: raw.dryRun === true, yes: raw.yes === true, json: raw.json === true, color: raw.color !== false };
}

/** `~` and `~/…` mean the home folder, also where no shell expanded them (DMB_WORKSPACE='~/ws', --workspace=~/ws). */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return resolve(home, path.slice(2));
  return path;
}

function buildContext(runtime: Runtime, options: GlobalOptions): Context {
  const env = runtime.effects.env;
  if (options.workspace === '') throw usageError('--workspace is empty.', 'Pass the workspace folder, e.g. --workspace ~/workspace.');
  const home = env.HOME || homedir();
  const workspace = resolve(expandHome(options.workspace ?? (env.DMB_WORKSPACE || '~/workspace'), home));
  // no-color.org: NO_COLOR disables colour when it is present and not empty.
  const color = options.color !== false && !env.NO_COLOR && runtime.isTTY && !options.json;
  const human = options.json ? runtime.stderr : runtime.stdout;
  return {
    effects: runtime.effects,
    workspace,
    dryRun: Boolean(options.dryRun),
    yes: Boolean(options.yes),
    json: Boolean(options.json),
    color,
    interactive: runtime.isTTY && !options.yes,
    prompter: runtime.prompter,
    signal: runtime.signal ?? new AbortController().signal,
    print: (text) => human(`${color ? text : paint.strip(text)}\n`),
    printJson: (data) => runtime.stdout(`${JSON.stringify(data, null, 2)}\n`),
    warn: (text) => runtime.stderr(`${color ? text : paint.strip(text)}\n`),
  };
}

export function defaultRuntime(signal?: AbortSignal): Runtime {
  return {
    effects: realEffects(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    prompter: createClackPrompter({ signal }),
    signal,
  };
}

/** Parses argv, runs one command, and turns every outcome into an exit code. Never calls process.exit. */
export async function runCli(argv: string[], runtime: Runtime): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const seen: Seen = { json: false };
  // Commander's own output (help, usage errors) is held until the outcome is known: `--version` replaces it.
  const commanderOutput: Array<() => void> = [];
  const program = new Command('dmb')
    .description('dagster-module-builder: scaffold, integrate and deploy self-contained Dagster modules')
    .option('-V, --version', 'output the version number (with --json: as JSON)')
    .exitOverride()
    // Global options given before the command belong to dmb; after it, to the command, which reads its values
    // first: `dmb new x --description --json` describes the module as "--json", it does not ask for JSON.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => commanderOutput.push(() => runtime.stdout(text)),
      writeErr: (text) => commanderOutput.push(() => runtime.stderr(text)),
    })
    .showHelpAfterError('(run with --help for usage)');
  addGlobalOptions(program, seen);
  // `dmb --version <command>` answers the version, as commander's own --version would.
  program.hook('preSubcommand', () => {
    if (program.opts().version === true) throw new CommanderError(EXIT.ok, 'dmb.version', VERSION);
  });
  const groups = new Map<string, Command>();
  for (const spec of COMMANDS) {
    let parent = program;
    for (const group of spec.path.slice(0, -1)) {
      let groupCommand = groups.get(group);
      if (!groupCommand) {
        groupCommand = addGlobalOptions(parent.command(group).description(`${group} commands`).exitOverride().enablePositionalOptions(), seen);
        groups.set(group, groupCommand);
      }
      parent = groupCommand;
    }
    const command = parent.command(`${spec.path.at(-1)} ${spec.args}`.trim()).description(spec.summary).exitOverride();
    for (const [flags, description, defaultValue] of spec.options ?? []) command.option(flags, description, defaultValue);
    addGlobalOptions(command, seen);
    command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      const ctx = buildContext(runtime, readGlobalOptions(self.optsWithGlobals()));
      const module = await spec.load();
      const input: CommandInput = { args: self.args, options: self.opts() };
      exitCode = (await module.run(ctx, module.parse(input) as never)) ?? EXIT.ok;
    });
  }
  const versionRequested = () => program.opts().version === true;
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (versionRequested()) {
      commanderOutput.length = 0;
      runtime.stdout(seen.json ? `${JSON.stringify({ version: VERSION, dagster_version: DAGSTER_VERSION }, null, 2)}\n` : `${VERSION}\n`);
      return EXIT.ok;
    }
    const code = reportError(error, runtime);
    // A script that asked for --json gets one JSON document on stdout, also when the command failed.
    if (code !== EXIT.ok && seen.json) {
      const { message, fix } = describeError(error);
      runtime.stdout(`${JSON.stringify({ error: message, fix: fix ?? null, exit_code: code }, null, 2)}\n`);
    }
    return code;
  } finally {
    for (const write of commanderOutput) write();
  }
}

function describeError(error: unknown): { message: string; fix?: string } {
  if (error instanceof CommanderError) {
    const message = error.code === 'commander.help' ? 'No command given.' : error.message.replace(/^error: /, '');
    return { message, fix: 'Run "dmb --help" for the commands and their options.' };
  }
  if (isDmbError(error)) return { message: error.message, fix: error.fix };
  return describeFileSystemError(error) ?? { message: error instanceof Error ? error.message : String(error) };
}

/** What the operating system refused, in words a user can act on (no stack trace for a permission problem). */
const FILE_SYSTEM_ERRORS: Record<string, { what: string; fix: string }> = {
  EACCES: { what: 'permission denied', fix: 'Check the owner and mode of that path (ls -l), or run dmb as the user who owns the workspace.' },
  EPERM: { what: 'operation not permitted', fix: 'Check the owner and mode of that path (ls -l).' },
  EROFS: { what: 'read-only file system', fix: 'Use a workspace on a writable file system.' },
  ENOSPC: { what: 'no space left on the device', fix: 'Free some disk space, then run the command again.' },
  ENOTDIR: { what: 'a file stands where a folder is needed', fix: 'Move that file away or choose another --workspace.' },
  EISDIR: { what: 'a folder stands where a file is needed', fix: 'Move that folder away, then run the command again.' },
};

function describeFileSystemError(error: unknown): { message: string; fix: string } | undefined {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  const known = code ? FILE_SYSTEM_ERRORS[code] : undefined;
  if (!known) return undefined;
  return { message: `cannot ${syscall ?? 'access'} ${path ?? 'a file'}: ${known.what}. Nothing was changed by this step.`, fix: known.fix };
}

function reportError(error: unknown, runtime: Runtime): ExitCode {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    // Help shown because no command was given (`dmb workspace`): a usage error.
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // Commander has already printed its message.
    return EXIT.usage;
  }
  if (isDmbError(error)) {
    runtime.stderr(`error: ${error.message}\n`);
    if (error.fix) runtime.stderr(`  fix: ${error.fix}\n`);
    return error.exitCode;
  }
  const fsProblem = describeFileSystemError(error);
  if (fsProblem) {
    runtime.stderr(`error: ${fsProblem.message}\n  fix: ${fsProblem.fix}\n`);
    return EXIT.failed;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  runtime.stderr(
    `unexpected error (dmb ${VERSION}, node ${process.version}, ${process.platform}):\n${detail}\n` +
      'Please report this with the command you ran.\n',
  );
  return EXIT.failed;
}
