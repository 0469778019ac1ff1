import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DMB_BIN, REPO_ROOT, okIn } from '../helpers/cli.js';
import { snapshotTree, testdir as testdirOf } from '../helpers/tree.js';
import { fixtureWorkspace, serviceDir } from '../fixtures/workspace/helpers.js';

const PAUSING_DMB = join(REPO_ROOT, 'tests', 'fixtures', 'interrupt', 'pausing-dmb.mjs');

interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** Resolves when stdout or stderr has shown the text (the child tells us where it is; no sleeping). */
  said(text: string): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  const check = () => {
    for (const w of waiting.filter((w) => stdout.includes(w.text) || stderr.includes(w.text))) w.resolve();
  };
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    check();
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    check();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    said: (text) =>
      stdout.includes(text) || stderr.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiting.push({ text, resolve })),
            exit.then(({ code }) => Promise.reject(new Error(`dmb exited ${code} before saying "${text}":\n${stdout}\n${stderr}`))),
          ]),
    exit,
  };
}

describe('Ctrl-C and SIGTERM during workspace add', () => {
  for (const [signal, code, message] of [
    ['SIGINT', 130, 'Cancelled — nothing was written.'],
    ['SIGTERM', 143, 'Stopped (SIGTERM) — nothing was written.'],
  ] as const) {
    it(`${signal} while a workspace file is being written: every file put back, the backup removed, the lock released, exit ${code}`, async () => {
      const ws = fixtureWorkspace();
      const service = serviceDir(ws);
      const before = snapshotTree(service);
      const dmb = start([PAUSING_DMB, service, 'workspace', 'add', 'sales-data', '--workspace', ws]);
      await dmb.said('PAUSED');
      // Where the old dmb died on a signal: the backup is written and the lock is held.
      const backups = join(service, 'modules', 'backups');
      expect(snapshotTree(backups)).not.toEqual({});
      expect(existsSync(join(service, '.dmb.lock'))).toBe(true);

      dmb.child.kill(signal);
      const exit = await dmb.exit;
      expect(exit, dmb.stderr()).toEqual({ code, signal: null });
      expect(dmb.stderr()).toContain(`error: ${message}`);
      expect(dmb.stdout()).not.toContain('Module integrated');
      // Byte for byte as before: the merged files, no backup folder, no lock, no temp files.
      expect(snapshotTree(service)).toEqual(before);
    });
  }

  it('with --json, a cancelled add prints one JSON error document', async () => {
    const ws = fixtureWorkspace();
    const dmb = start([PAUSING_DMB, serviceDir(ws), 'workspace', 'add', 'sales-data', '--workspace', ws, '--json']);
    await dmb.said('PAUSED');
    dmb.child.kill('SIGINT');
    expect((await dmb.exit).code).toBe(130);
    expect(JSON.parse(dmb.stdout())).toEqual({ error: 'Cancelled — nothing was written.', fix: null, exit_code: 130 });
  });

  it('Ctrl-C while waiting for another process to release the lock: stops waiting at once, touches nothing', async () => {
    const ws = fixtureWorkspace();
    const service = serviceDir(ws);
    // The lock held by a live process (this test), as another dmb would hold it.
    const lock = join(service, '.dmb.lock');
    mkdirSync(lock);
    const owner = `${JSON.stringify({ pid: process.pid, command: 'dmb workspace sync', started_at: new Date().toISOString(), token: 'test' })}\n`;
    writeFileSync(join(lock, 'owner.json'), owner);
    const before = snapshotTree(service);
    const dmb = start([DMB_BIN, 'workspace', 'add', 'sales-data', '--workspace', ws], { DMB_LOCK_WAIT_MS: String(600_000) });
    await dmb.said('Waiting for the workspace lock');
    expect(dmb.stderr()).toContain(`(pid ${process.pid}, "dmb workspace sync"`);
    dmb.child.kill('SIGINT');
    expect(await dmb.exit).toEqual({ code: 130, signal: null });
    expect(dmb.stderr()).toContain('error: Cancelled — nothing was written.');
    expect(snapshotTree(service)).toEqual(before);
    expect(readFileSync(join(lock, 'owner.json'), 'utf8')).toBe(owner);
  });
});

describe('Ctrl-C while a child process runs (validate --load runs Dagster through the process seam)', () => {
  /** A stand-in for dagster that writes its pid and then waits forever; with `ignoreTerm` it also ignores SIGTERM. */
  function fakeDagster(dir: string, ignoreTerm: boolean): string {
    const bin = join(dir, 'dagster');
    writeFileSync(bin, `#!/bin/sh\n${ignoreTerm ? "trap '' TERM\n" : ''}echo $$ > ${join(dir, 'pid.tmp')} && mv ${join(dir, 'pid.tmp')} ${join(dir, 'pid')}\nexec sleep 1000\n`, { mode: 0o755 });
    return bin;
  }

  async function pidOf(dir: string, dmb: Running): Promise<number> {
    const file = join(dir, 'pid');
    for (let i = 0; !existsSync(file); i++) {
      if (i > 1200) throw new Error(`the fake dagster never started:\n${dmb.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Number(readFileSync(file, 'utf8'));
  }

  const isRunning = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  };

  it('one Ctrl-C stops the child, cleans up its scratch folder, exit 130', async () => {
    const ws = fixtureWorkspace();
    okIn(ws, 'workspace', 'add', 'notes');
    const tools = testdirOf();
    const scratch = testdirOf();
    const dmb = start([DMB_BIN, 'workspace', 'validate', '--load', '--workspace', ws], { DMB_DAGSTER_BIN: fakeDagster(tools, false), TMPDIR: scratch });
    await dmb.said('Loading');
    const pid = await pidOf(tools, dmb);
    dmb.child.kill('SIGINT');
    expect(await dmb.exit).toEqual({ code: 130, signal: null });
    expect(dmb.stderr()).toContain('error: Cancelled — nothing was written.');
    expect(isRunning(pid)).toBe(false);
    expect(snapshotTree(scratch)).toEqual({});
  });

  it('a child that ignores SIGTERM: a second Ctrl-C kills it and exits at once', async () => {
    const ws = fixtureWorkspace();
    okIn(ws, 'workspace', 'add', 'notes');
    const tools = testdirOf();
    const dmb = start([DMB_BIN, 'workspace', 'validate', '--load', '--workspace', ws], { DMB_DAGSTER_BIN: fakeDagster(tools, true), TMPDIR: testdirOf() });
    await dmb.said('Loading');
    const pid = await pidOf(tools, dmb);
    dmb.child.kill('SIGINT');
    // Two signals sent together may arrive as one: the second goes once dmb has acted on the first.
    await dmb.said('SIGINT received: stopping');
    dmb.child.kill('SIGINT');
    expect(await dmb.exit).toEqual({ code: 130, signal: null });
    expect(dmb.stderr()).toContain('SIGINT received again: stopped at once; child processes were killed.');
    for (let i = 0; isRunning(pid); i++) {
      if (i > 1200) throw new Error('the child survived the second Ctrl-C');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
