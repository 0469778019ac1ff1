import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, expectOk, okIn, runBinary, runInProcess } from '../helpers/cli.js';
import { fixtureWorkspace } from '../fixtures/workspace/helpers.js';
import { testdir } from '../helpers/tree.js';

/** Exactly one JSON document on stdout, nothing else. */
function onlyJson(stdout: string): unknown {
  expect(stdout.trimEnd().startsWith('{') && stdout.endsWith('}\n'), stdout).toBe(true);
  return JSON.parse(stdout);
}

const SNAKE_CASE = /^[a-z0-9]+(_[a-z0-9]+)*$/;
function keysOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      found.push(key);
      keysOf(inner, found);
    }
  }
  return found;
}

describe('--json: stdout is always exactly one JSON document', () => {
  it('an unknown command prints a JSON error document (and the usual message on stderr), exit 2', () => {
    for (const args of [['frobnicate', '--json'], ['--json', 'workspace', 'frobnicate']]) {
      const result = runBinary(args);
      expect(result.code).toBe(2);
      expect(onlyJson(result.stdout)).toEqual({ error: "unknown command 'frobnicate'", fix: 'Run "dmb --help" for the commands and their options.', exit_code: 2 });
      expect(result.stderr).toContain("error: unknown command 'frobnicate'");
    }
  });

  it('every other parse error too: unknown option, missing argument, no command', () => {
    for (const [args, error] of [
      [['new', '--bogus', '--json'], "unknown option '--bogus'"],
      [['workspace', 'add', '--json'], "missing required argument 'module-name'"],
      [['workspace', '--json'], 'No command given.'],
    ] as const) {
      const result = runBinary([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(onlyJson(result.stdout)).toMatchObject({ error, exit_code: 2 });
    }
  });

  it('--version --json prints the versions as JSON; --version alone prints the bare version', () => {
    for (const args of [['--version', '--json'], ['--json', '-V']]) {
      expect(onlyJson(expectOk(args).stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), dagster_version: '1.13.27' });
    }
    expect(expectOk(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('a value that looks like --json is a value, not the flag: the parser decides, not a scan of argv', () => {
    const workspace = testdir();
    const result = runBinary(['new', 'seo-stats', '--description', '--json', '--db', 'none', '--requires', 'none', '--governance', 'quick', '--integrate', 'no', '--deploy', 'no', '--workspace', workspace]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✓ Module created at/);
  });

  it('new and init use snake_case keys, like every other JSON document', () => {
    const workspace = testdir();
    const init = onlyJson(expectOk(['init', '--workspace', workspace, '--dry-run', '--json']).stdout);
    expect(init).toMatchObject({ dry_run: true });
    const created = onlyJson(
      expectOk(['new', 'seo-stats', '--db', 'postgresql', '--requires', 'none', '--governance', 'quick', '--integrate', 'no', '--deploy', 'no', '--workspace', workspace, '--dry-run', '--json']).stdout,
    );
    expect(created).toMatchObject({ module: 'seo-stats', dry_run: true });
    for (const key of [...keysOf(init), ...keysOf(created)]) expect(key).toMatch(SNAKE_CASE);
  });
});

describe('environment', () => {
  it('an empty NO_COLOR does not turn colour off (no-color.org: only a non-empty value does)', async () => {
    const colouredWith = async (env: Record<string, string>) => {
      const workspace = testdir();
      const result = await runInProcess(['init', '--workspace', workspace], { isTTY: true, effects: { env: { ...process.env, NO_COLOR: undefined, ...env } } });
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.includes('\u001b[');
    };
    expect(await colouredWith({ NO_COLOR: '' })).toBe(true);
    expect(await colouredWith({ NO_COLOR: '1' })).toBe(false);
    expect(await colouredWith({})).toBe(true);
  });

  it("DMB_WORKSPACE='~/ws' (and --workspace=~/ws, unexpanded by the shell) mean the home folder, not a folder named ~", () => {
    const home = testdir();
    const cwd = testdir();
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'dmb'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: home, ...env } });
    const viaEnv = run(['init', '--json'], { DMB_WORKSPACE: '~/ws' });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect(onlyJson(viaEnv.stdout)).toMatchObject({ workspace: join(home, 'ws') });
    expect(existsSync(join(home, 'ws', 'services', 'dagster', 'docker-compose.yml'))).toBe(true);
    const viaFlag = run(['init', '--workspace=~/other', '--dry-run', '--json'], {});
    expect(onlyJson(viaFlag.stdout)).toMatchObject({ workspace: join(home, 'other') });
    expect(existsSync(join(cwd, '~'))).toBe(false);
  });
});

describe('a program that cannot be started', () => {
  it('validate --load without Dagster: one problem naming the program and how to get it, not one per module', () => {
    const ws = fixtureWorkspace();
    okIn(ws, 'workspace', 'add', 'notes');
    okIn(ws, 'workspace', 'add', 'sales-data');
    const missing = join(ws, 'no-such-dagster');
    const result = runBinary(['workspace', 'validate', '--load', '--json', '--workspace', ws], { DMB_DAGSTER_BIN: missing });
    expect(result.code).toBe(1);
    const report = onlyJson(result.stdout) as { problems: Array<{ message: string; fix: string }> };
    expect(report.problems).toEqual([{ message: `Could not start ${missing}: no such file.`, fix: 'Install dagster (pip install dagster) or point DMB_DAGSTER_BIN at its "dagster" executable.' }]);
  });
});

describe('bin/dmb', () => {
  it('without a built dist/ says what to run, exit 1, no stack trace', () => {
    const copy = testdir();
    mkdirSync(join(copy, 'bin'));
    cpSync(join(REPO_ROOT, 'bin', 'dmb'), join(copy, 'bin', 'dmb'));
    const result = spawnSync(process.execPath, [join(copy, 'bin', 'dmb'), '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: dmb is not built yet (no dist/main.js next to bin/).\n' +
        '  fix: in the dmb folder, run "npm ci && npm run build" (or "bash scripts/setup.sh node").\n',
    );
  });
});
