import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystem } from '../../src/effects/effects.js';
import { dmbIn as dmb, okIn as ok, runInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { fixtureWorkspace, serviceDir, treeState } from '../fixtures/workspace/helpers.js';

/** Issue 14, items 1-3: ports and names. */

const moduleDir = (ws: string, slug: string) => join(ws, 'projects', slug);
const read = (...parts: string[]) => readFileSync(join(...parts), 'utf8');
const hostPort = (ws: string, slug: string, upper: string) => Number(new RegExp(`${upper}_DB_HOST_PORT=(\\d+)`).exec(read(moduleDir(ws, slug), 'workspace/local/.env'))?.[1]);
const newArgs = ['--integrate', 'no', '--deploy', 'no', '--yes'];

function initWorkspace(): string {
  const ws = tempDir('dmb-ws-');
  ok(ws, 'init');
  return ws;
}

describe('workspace add moves a published port in every file of the module that names it', () => {
  it('README.md, .env.example and workspace/local/.env get the new port, and the report lists them', async () => {
    const ws = initWorkspace();
    ok(ws, 'new', 'beta', '--db', 'postgresql', ...newArgs);
    const old = hostPort(ws, 'beta', 'BETA');
    const readmeBefore = read(moduleDir(ws, 'beta'), 'README.md');
    expect(readmeBefore).toContain(`BETA_DB_PORT=${old}`);
    expect(read(moduleDir(ws, 'beta'), '.env.example')).toContain(`BETA_DB_PORT=${old}`);
    // Something on this host (loopback) now listens on the module's port.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(old, '127.0.0.1', resolve));
    let result;
    try {
      result = ok(ws, 'workspace', 'add', 'beta', '--json');
    } finally {
      server.close();
    }
    const report = JSON.parse(result.stdout) as { port_reassigned: { from: number; to: number; files: string[] } };
    const moved = report.port_reassigned.to;
    expect(report.port_reassigned.from).toBe(old);
    expect(moved).not.toBe(old);
    expect(report.port_reassigned.files.sort()).toEqual(['projects/beta/.env.example', 'projects/beta/README.md', 'projects/beta/workspace/local/.env']);
    for (const file of ['README.md', '.env.example', 'workspace/local/.env']) {
      const text = read(moduleDir(ws, 'beta'), file);
      expect(text, file).not.toMatch(new RegExp(`(?<!\\d)${old}(?!\\d)`));
      expect(text, file).toMatch(new RegExp(`(?<!\\d)${moved}(?!\\d)`));
    }
    // Only the port changed in the README; the merge base keeps what dmb new wrote.
    expect(read(moduleDir(ws, 'beta'), 'README.md')).toBe(readmeBefore.replaceAll(String(old), String(moved)));
    expect(read(moduleDir(ws, 'beta'), '.dmb/base/README.md')).toBe(readmeBefore);
    expect(hostPort(ws, 'beta', 'BETA')).toBe(moved);
    ok(ws, 'workspace', 'validate');
  });
});

describe('dmb new takes the workspace lock', () => {
  it('two dmb new at once never get the same port: the second waits for the first', async () => {
    const ws = initWorkspace();
    // A chooses its port and is held there until B has either finished (no lock: both choose the same
    // port) or reached the workspace lock (with it, B waits until A has written its module).
    let bReachedLock!: () => void;
    const bAtLock = new Promise<void>((resolve) => (bReachedLock = resolve));
    let aChoosing!: () => void;
    const aAtPortChoice = new Promise<void>((resolve) => (aChoosing = resolve));
    const watchLock: FileSystem = {
      ...nodeFileSystem,
      mkdir: async (path) => {
        if (path.includes('.dmb.lock')) bReachedLock();
        return nodeFileSystem.mkdir(path);
      },
    };
    let bFinished!: () => void;
    const bDone = new Promise<void>((resolve) => (bFinished = resolve));
    const a = runInProcess(['new', 'alpha', '--workspace', ws, '--db', 'postgresql', ...newArgs], {
      effects: {
        isPortInUse: async () => {
          aChoosing();
          await Promise.race([bAtLock, bDone]);
          return false;
        },
      },
    });
    await aAtPortChoice;
    const b = runInProcess(['new', 'beta', '--workspace', ws, '--db', 'postgresql', ...newArgs], { effects: { fs: watchLock, isPortInUse: async () => false } });
    void b.finally(bFinished);
    const [first, second] = await Promise.all([a, b]);
    expect(first?.code, first?.stderr).toBe(0);
    expect(second?.code, second?.stderr).toBe(0);
    expect(hostPort(ws, 'alpha', 'ALPHA')).not.toBe(hostPort(ws, 'beta', 'BETA'));
  });
});

describe('long module names', () => {
  it('two names sharing their first 55 characters get different database services and both integrate', () => {
    const ws = initWorkspace();
    const stem = 'customer-analytics-for-the-north-european-retail-region';
    const names = [`${stem}-orders`, `${stem}-events`];
    for (const name of names) ok(ws, 'new', name, '--db', 'postgresql', '--integrate', 'yes', '--deploy', 'no', '--yes');
    const registry = JSON.parse(read(serviceDir(ws), '.registry')) as { integrated_modules: Array<{ database: { service: string } }> };
    const services = registry.integrated_modules.map((m) => m.database.service);
    expect(services).toHaveLength(2);
    expect(new Set(services).size).toBe(2);
    for (const service of services) expect(service.length).toBeLessThanOrEqual(63);
    ok(ws, 'workspace', 'validate');
  });
});

describe('workspace add and working_directory', () => {
  it('refuses a code location whose working_directory does not exist, naming the path, and changes nothing', () => {
    const ws = fixtureWorkspace();
    const yamlPath = join(moduleDir(ws, 'notes'), 'workspace/local/workspace.yaml');
    writeFileSync(yamlPath, read(yamlPath).replace('/workspace/projects/notes/src', '/workspace/projects/notes-old/src'));
    const before = treeState(ws);
    const result = dmb(ws, 'workspace', 'add', 'notes');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/projects\/notes\/workspace\/local\/workspace\.yaml:\d+: code location "notes": working_directory \/workspace\/projects\/notes-old\/src \(projects\/notes-old\/src on this host\) does not exist/);
    expect(treeState(ws)).toEqual(before);
  });
});
