import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cancelledError, isDmbError, type DmbError } from '../../src/errors.js';
import { formatCommand, nodeProcessRunner, type ProcessCommand } from '../../src/effects/process.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';
import { PATIENCE_MS } from '../helpers/patience.js';

/** Real processes only: sh, sleep and node, as the seam will run ssh, rsync, git and docker. */
const runner = nodeProcessRunner();
const sh = (script: string, extra: Partial<ProcessCommand> = {}): ProcessCommand => ({ program: 'sh', args: ['-c', script], ...extra });

/** A process that is gone or a zombie nobody reaped yet (containers often lack an init that reaps). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  for (const start = Date.now(); !condition(); ) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function rejection(promise: Promise<unknown>): Promise<DmbError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDmbError(error)) throw new Error(`expected a DmbError, got ${String(error)}`);
  return error;
}

/** Starts `sh` that leaves a grandchild `sleep` (its pid in a file), so stopping must reach the whole group. */
function sleeperScript(dir: string, prelude = ''): string {
  return `${prelude} sleep 1000 & echo $! > ${join(dir, 'pid')}; wait`;
}

describe('process seam: capture', () => {
  it('returns exit code and both outputs; arguments, cwd and env reach the program exactly', async () => {
    const dir = testdir();
    const odd = `it's "quoted" $HOME; rm -rf /`;
    const result = await runner.capture({
      program: 'sh',
      args: ['-c', 'printf "%s|%s|%s" "$1" "$PWD" "$DMB_PROBE"; echo oops >&2; exit 3', 'sh', odd],
      cwd: dir,
      env: { PATH: process.env.PATH, DMB_PROBE: 'from env' },
    });
    expect(result).toEqual({ code: 3, signal: null, stdout: `${odd}|${dir}|from env`, stderr: 'oops\n' });
  });

  it('a program that cannot be started is a DmbError naming it and how to get it (not exit 127)', async () => {
    const missing = await rejection(runner.capture({ program: 'dmb-no-such-program', args: [], install: 'apt-get install dmb-no-such-program' }));
    expect(missing.message).toBe('Could not start dmb-no-such-program: not found on PATH.');
    expect(missing.fix).toBe('apt-get install dmb-no-such-program');
    expect(missing.exitCode).toBe(1);

    const dir = testdir({ 'tool.sh': 'echo hi\n' });
    chmodSync(join(dir, 'tool.sh'), 0o644);
    const notExecutable = await rejection(runner.capture({ program: join(dir, 'tool.sh'), args: [] }));
    expect(notExecutable.message).toMatch(/tool\.sh: it is not an executable file/);
    expect(notExecutable.fix).toMatch(/Install .*tool\.sh/);

    const noFolder = await rejection(runner.capture({ program: 'sh', args: ['-c', 'true'], cwd: join(dir, 'gone') }));
    expect(noFolder.message).toBe(`Could not start sh: its working folder ${join(dir, 'gone')} does not exist.`);
  });

  it('a timeout stops the program and everything it started, and fails naming the command', async () => {
    const dir = testdir();
    const timed = runner.capture(sh(sleeperScript(dir), { timeout: 4000 }));
    await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'), 'the sleeper to start');
    const sleeper = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    const error = await rejection(timed);
    expect(error.message).toMatch(/^"sh -c .*sleep 1000.*" did not finish within 4 s and was stopped\.$/);
    expect(error.exitCode).toBe(1);
    await waitFor(() => !isRunning(sleeper), 'the grandchild to be killed');
  });

  it('a program that ignores SIGTERM is killed, with its group, after the grace period', async () => {
    const dir = testdir();
    const timed = runner.capture(sh(sleeperScript(dir, 'trap "" TERM;'), { timeout: 4000 }), { graceMs: 500 });
    await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'), 'the sleeper to start');
    const sleeper = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect((await rejection(timed)).message).toMatch(/did not finish within 4 s/);
    await waitFor(() => !isRunning(sleeper), 'the grandchild to be killed');
  });

  it('aborting stops the program and its group and throws the abort reason (Ctrl-C: 130, SIGTERM: 143)', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const dir = testdir();
      const controller = new AbortController();
      const running = runner.capture(sh(sleeperScript(dir)), { signal: controller.signal });
      await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'), 'the sleeper to start');
      const sleeper = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      controller.abort(cancelledError(signal));
      const error = await rejection(running);
      expect(error.exitCode).toBe(code);
      await waitFor(() => !isRunning(sleeper), 'the grandchild to be killed');
    }
  });

  it('an already aborted signal starts nothing', async () => {
    const dir = testdir();
    const controller = new AbortController();
    controller.abort(cancelledError());
    const error = await rejection(runner.capture(sh(`touch ${join(dir, 'ran')}`), { signal: controller.signal }));
    expect(error.message).toBe('Cancelled — nothing was written.');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('killAll (a second Ctrl-C) kills what still runs', async () => {
    const dir = testdir();
    const running = runner.capture(sh(sleeperScript(dir)));
    await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'), 'the sleeper to start');
    runner.killAll();
    expect(await running).toMatchObject({ code: 137, signal: 'SIGKILL' });
    await waitFor(() => !isRunning(Number(readFileSync(join(dir, 'pid'), 'utf8'))), 'the grandchild to be killed');
  });
});

describe('process seam: stream', () => {
  it('delivers each line while the program still runs (it waits for the test to see the first one)', async () => {
    const dir = testdir();
    const go = join(dir, 'go');
    const lines: Array<[string, string]> = [];
    const result = await runner.stream(
      sh(`echo one; while [ ! -e ${go} ]; do sleep 0.05; done; echo warn >&2; printf 'two\\r\\nthree'`, { timeout: PATIENCE_MS }),
      (line, source) => {
        lines.push([source, line]);
        if (line === 'one') writeFileSync(go, '');
      },
    );
    expect(lines).toEqual([
      ['stdout', 'one'],
      ['stderr', 'warn'],
      ['stdout', 'two'],
      ['stdout', 'three'],
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('one\ntwo\r\nthree');
  });
});

describe('process seam: foreground', () => {
  /** Runs the built seam in a child node, so the foreground program really shares that process's stdout and stderr. */
  function foregroundInChild(stdout: 'inherit' | 'stderr'): { stdout: string; stderr: string; status: number | null } {
    const script = `
      const { nodeProcessRunner } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'effects', 'process.js'))});
      const result = await nodeProcessRunner().foreground({ program: 'sh', args: ['-c', 'echo to-stdout; echo to-stderr >&2; exit 4'] }, { stdout: ${JSON.stringify(stdout)} });
      process.stderr.write('result ' + JSON.stringify(result) + '\\n');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: PATIENCE_MS });
    return { stdout: child.stdout, stderr: child.stderr, status: child.status };
  }

  it('shares the terminal; with stdout reserved for JSON, the program writes to stderr', () => {
    const plain = foregroundInChild('inherit');
    expect(plain.stdout).toBe('to-stdout\n');
    expect(plain.stderr).toBe('to-stderr\nresult {"code":4,"signal":null,"stdout":"","stderr":""}\n');
    const json = foregroundInChild('stderr');
    expect(json.stdout).toBe('');
    expect(json.stderr).toMatch(/^(to-stdout\nto-stderr\n|to-stderr\nto-stdout\n)result \{"code":4/);
  });
});

describe('formatCommand', () => {
  it('quotes for display so a POSIX shell would get the same arguments back', () => {
    const command = { program: 'ssh', args: ['-p', '22', 'deploy@host', `cd '/srv/my app' && echo "$HOME"`, '', 'a=b,c:d/e.f'] };
    const shown = formatCommand(command);
    expect(shown).toBe(`ssh -p 22 deploy@host 'cd '\\''/srv/my app'\\'' && echo "$HOME"' '' a=b,c:d/e.f`);
    const echoed = spawnSync('sh', ['-c', `printf '%s\\0' ${shown.slice('ssh '.length)}`], { encoding: 'utf8' });
    expect(echoed.stdout.split('\0').slice(0, -1)).toEqual(command.args);
  });
});
