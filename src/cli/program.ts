import { resolve } from 'node:path';
import { homedir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { EXIT, isDmbError, usageError, type ExitCode } from '../errors.js';
import { realEffects, type Effects } from '../effects/effects.js';
import { clackPrompter, type Prompter } from '../effects/prompter.js';
import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { VERSION } from '../version.js';

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
}

type Handler = (ctx: Context, args: string[], options: Record<string, unknown>) => Promise<ExitCode | void>;

/** Each command lives in its own module, imported only when it runs so --help stays fast. */
interface CommandSpec {
  path: string[];
  args: string;
  summary: string;
  /** Commander option triples: flags, description, default. Values are checked by the command, not here. */
  options?: Array<[flags: string, description: string, defaultValue?: string]>;
  load: () => Promise<{ run: Handler }>;
}

const COMMANDS: CommandSpec[] = [
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
    path: ['dev'],
    args: '',
    summary: 'run every integrated module on this host with `dagster dev` (no Docker)',
    options: [['--port <port>', 'webserver port', '3000']],
    load: () => import('../commands/dev.js'),
  },
];

function addGlobalOptions(command: Command): Command {
  return command
    .option('-w, --workspace <dir>', 'workspace root (env DMB_WORKSPACE, default ~/workspace)')
    .option('--dry-run', 'write nothing; show each file that would be created or changed, with diffs')
    .option('-y, --yes', 'take the default for every question not answered by a flag')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-color', 'plain output (also when NO_COLOR is set)');
}

function buildContext(runtime: Runtime, options: GlobalOptions): Context {
  const env = runtime.effects.env;
  if (options.workspace === '') throw usageError('--workspace is empty.', 'Pass the workspace folder, e.g. --workspace ~/workspace.');
  const workspace = resolve(options.workspace ?? env.DMB_WORKSPACE ?? resolve(homedir(), 'workspace'));
  const color = options.color !== false && !('NO_COLOR' in env) && runtime.isTTY && !options.json;
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
    print: (text) => human(`${color ? text : paint.strip(text)}\n`),
    printJson: (data) => runtime.stdout(`${JSON.stringify(data, null, 2)}\n`),
    warn: (text) => runtime.stderr(`${color ? text : paint.strip(text)}\n`),
  };
}

export function defaultRuntime(): Runtime {
  return {
    effects: realEffects(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    prompter: clackPrompter,
  };
}

/** Parses argv, runs one command, and turns every outcome into an exit code. Never calls process.exit. */
export async function runCli(argv: string[], runtime: Runtime): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command('dmb')
    .description('dagster-module-builder: scaffold, integrate and deploy self-contained Dagster modules')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
    .showHelpAfterError('(run with --help for usage)');
  addGlobalOptions(program);
  const groups = new Map<string, Command>();
  for (const spec of COMMANDS) {
    let parent = program;
    for (const group of spec.path.slice(0, -1)) {
      let groupCommand = groups.get(group);
      if (!groupCommand) {
        groupCommand = parent.command(group).description(`${group} commands`).exitOverride();
        groups.set(group, groupCommand);
      }
      parent = groupCommand;
    }
    const command = parent.command(`${spec.path.at(-1)} ${spec.args}`.trim()).description(spec.summary).exitOverride();
    for (const [flags, description, defaultValue] of spec.options ?? []) command.option(flags, description, defaultValue);
    addGlobalOptions(command);
    command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      const options = self.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const ctx = buildContext(runtime, options);
      const { run } = await spec.load();
      exitCode = (await run(ctx, self.args, options)) ?? EXIT.ok;
    });
  }
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const code = reportError(error, runtime);
    // A script that asked for --json gets a JSON answer on stdout even when the command failed.
    if (code !== EXIT.ok && argv.includes('--json') && !(error instanceof CommanderError)) {
      const fix = isDmbError(error) ? error.fix : describeFileSystemError(error)?.fix;
      runtime.stdout(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error), fix: fix ?? null, exit_code: code }, null, 2)}\n`);
    }
    return code;
  }
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
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
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
