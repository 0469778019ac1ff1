import { tempDir } from '../helpers/tree.js';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realEffects } from '../../src/effects/effects.js';
import { acquireWorkspaceLock, isProcessAlive, withWorkspaceLock } from '../../src/transaction/lock.js';

function lockDir(): string {
  const root = tempDir('dmb-lock-');
  return join(root, '.dmb.lock');
}

describe('workspace lock', () => {
  const effects = realEffects();

  it('is a folder with owner.json (pid, command, time), released afterwards', async () => {
    const path = lockDir();
    const lock = await acquireWorkspaceLock(effects, path, { command: 'dmb workspace add a' });
    const owner = JSON.parse(readFileSync(join(path, 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, command: 'dmb workspace add a' });
    expect(Date.parse(owner.started_at)).not.toBeNaN();
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('a live holder: waits, then fails clearly naming the holder', async () => {
    const path = lockDir();
    const lock = await acquireWorkspaceLock(effects, path, { command: 'dmb workspace add a' });
    const started = Date.now();
    await expect(acquireWorkspaceLock(effects, path, { command: 'dmb workspace add b', waitMs: 300, pollMs: 50 })).rejects.toThrow(
      new RegExp(`Another dmb process is changing this workspace \\(pid ${process.pid}, "dmb workspace add a"`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await lock.release();
  });

  it('waits for a holder that finishes within the bound', async () => {
    const path = lockDir();
    const lock = await acquireWorkspaceLock(effects, path, { command: 'first' });
    setTimeout(() => void lock.release(), 200);
    const second = await acquireWorkspaceLock(effects, path, { command: 'second', waitMs: 600_000, pollMs: 25 });
    expect(JSON.parse(readFileSync(join(path, 'owner.json'), 'utf8')).command).toBe('second');
    await second.release();
  });

  it('takes over a stale lock whose process is dead', async () => {
    const path = lockDir();
    mkdirSync(path);
    writeFileSync(join(path, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345, command: 'crashed', started_at: '2026-01-01T00:00:00Z', token: 'old' }));
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
    const lock = await acquireWorkspaceLock(effects, path, { command: 'new', waitMs: 0 });
    expect(JSON.parse(readFileSync(join(path, 'owner.json'), 'utf8')).command).toBe('new');
    await lock.release();
  });

  it('is released when the work throws', async () => {
    const path = lockDir();
    await expect(withWorkspaceLock(effects, path, { command: 'x' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to lock a workspace without services/dagster/', async () => {
    await expect(acquireWorkspaceLock(effects, '/nonexistent-dmb/services/dagster/.dmb.lock', { command: 'x' })).rejects.toThrow(/services\/dagster does not exist/);
  });
});
