import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DMB_BIN, runBinary } from '../helpers/cli.js';
import { fixtureWorkspace, serviceDir, treeState } from '../fixtures/workspace/helpers.js';

function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DMB_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const registered = (ws: string) => (JSON.parse(readFileSync(join(serviceDir(ws), '.registry'), 'utf8')).integrated_modules as Array<{ name: string }>).map((e) => e.name).sort();

describe('two dmb processes on one workspace', () => {
  it('adds started at the same moment all end integrated and the workspace validates (the lock serialises them)', async () => {
    for (let round = 0; round < 3; round++) {
      const ws = fixtureWorkspace();
      const results = await Promise.all(['sales-data', 'web-logs', 'notes'].map((name) => start(['workspace', 'add', name, '--workspace', ws])));
      for (const result of results) {
        // Each one either succeeded or was refused clearly; with a 10 s wait they all succeed here.
        if (result.code !== 0) expect(result.stderr).toMatch(/Another dmb process is changing this workspace/);
        expect(result.code, result.stderr).toBe(0);
      }
      expect(registered(ws)).toEqual(['notes', 'sales-data', 'web-logs']);
      expect(existsSync(join(serviceDir(ws), '.dmb.lock'))).toBe(false);
      const validate = runBinary(['workspace', 'validate', '--workspace', ws]);
      expect(validate.code, validate.stdout).toBe(0);
      const env = readFileSync(join(serviceDir(ws), '.env'), 'utf8');
      for (const marker of ['sales_data', 'web_logs', 'notes']) expect(env.match(new RegExp(`# BEGIN: ${marker}\\n`, 'g'))).toHaveLength(1);
    }
  });

  it('a lock held by a live process: the second waits (bounded), then exits 1 naming the holder, changing nothing', async () => {
    const ws = fixtureWorkspace();
    const holder = spawn('sleep', ['86400']);
    try {
      const lock = join(serviceDir(ws), '.dmb.lock');
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: holder.pid, command: 'dmb workspace add other', started_at: '2026-11-22T12:00:00.000Z', token: 'held' }));
      const before = treeState(ws);
      const started = Date.now();
      const result = await start(['workspace', 'add', 'sales-data', '--workspace', ws], { DMB_LOCK_WAIT_MS: '800' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(800);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Another dmb process is changing this workspace (pid ${holder.pid}, "dmb workspace add other", since 2026-11-22T12:00:00.000Z); waited 1 s for it. Nothing was changed.`);
      expect(result.stderr).toContain(`If no dmb is running, delete ${lock}`);
      expect(treeState(ws)).toEqual(before);
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    // Now the holder is dead: its lock is stale and taken over.
    const after = await start(['workspace', 'add', 'sales-data', '--workspace', ws]);
    expect(after.code, after.stderr).toBe(0);
    expect(registered(ws)).toEqual(['sales-data']);
  });
});
