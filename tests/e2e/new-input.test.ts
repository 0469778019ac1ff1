import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runBinary, runInProcess } from '../helpers/cli.js';
import { nodeFileSystem } from '../../src/effects/effects.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

const FLAGS = ['--db', 'none', '--requires', 'none', '--governance', 'quick', '--integrate', 'no', '--deploy', 'no'];

describe('dmb new: bad input changes nothing', () => {
  it.each([
    ['', /empty/],
    ['../escape', /path separator/],
    ['nested/name', /path separator/],
    ['2fast', /not a Python identifier/],
    ['lambda', /Python keyword/],
    ['dagster', /clashes with the shared Dagster service/],
    ['dagster_daemon', /clashes/],
    ['a'.repeat(65), /at most 64/],
  ])('refuses the name %j: exit 2, a reason and a fix, no file written', (name, reason) => {
    const workspace = testdir({ 'projects/.keep': '' });
    const before = snapshotTree(workspace);
    const result = runBinary(['new', name, '--workspace', workspace, ...FLAGS]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/fix:/);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('refuses a module that already exists, leaving it as it was', () => {
    const workspace = testdir({ 'projects/sales-data/README.md': 'mine\n' });
    const before = snapshotTree(workspace);
    const result = runBinary(['new', 'Sales Data', '--workspace', workspace, ...FLAGS]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already exists/);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('never waits for input without a TTY: a missing answer names its flag', () => {
    const workspace = testdir();
    const result = runBinary(['new', 'sales-data', '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--db/);
    expect(existsSync(join(workspace, 'projects'))).toBe(false);
  });

  it('names the next missing flag once the first is given', () => {
    const workspace = testdir();
    const result = runBinary(['new', 'sales-data', '--workspace', workspace, '--db', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--requires/);
  });

  it('rejects unknown values with the list of known ones', () => {
    const workspace = testdir();
    const db = runBinary(['new', 'sales-data', '--workspace', workspace, '--db', 'oracle', '--yes']);
    expect(db.code).toBe(2);
    expect(db.stderr).toMatch(/postgresql, mysql, none/);
    const requires = runBinary(['new', 'sales-data', '--workspace', workspace, '--yes', '--requires', 'ssh,teleport']);
    expect(requires.code).toBe(2);
    expect(requires.stderr).toMatch(/teleport/);
    expect(existsSync(join(workspace, 'projects'))).toBe(false);
  });

  it('--dry-run lists every file it would create and writes nothing', () => {
    const workspace = testdir();
    const result = runBinary(['new', 'sales-data', '--workspace', workspace, '--yes', '--db', 'postgresql', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/create {2}projects\/sales-data\/src\/sales_data_dagster\/__init__\.py \(\d+ lines\)/);
    expect(result.stdout).toMatch(/create {2}projects\/sales-data\/workspace\/local\/docker-compose\.yml/);
    expect(result.stdout).toMatch(/nothing was written/);
    expect(snapshotTree(workspace)).toEqual({});
  });

  it('--description reaches pyproject.toml as valid TOML, quotes and backslashes included', () => {
    const workspace = testdir();
    const description = 'Orders from "Shop" \\ ERP, café';
    expect(runBinary(['new', 'orders', '--workspace', workspace, '--yes', '--description', description]).code).toBe(0);
    // Python's own TOML reader is the consumer that pip and Dagster use.
    const read = spawnSync('python3', ['-c', 'import sys,tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["description"])', join(workspace, 'projects/orders/pyproject.toml')], { encoding: 'utf8' });
    expect(read.stderr).toBe('');
    expect(read.stdout.trimEnd()).toBe(description);
  });

  it('without a name and without a TTY, says how to pass one', () => {
    const result = runBinary(['new', '--workspace', testdir(), '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dmb new <module-name>/);
  });

  it('asks on a TTY, using the injected prompter', async () => {
    const workspace = testdir();
    const asked: string[] = [];
    const result = await runInProcess(['new', 'sales-data', '--workspace', workspace, '--dry-run'], {
      isTTY: true,
      prompter: {
        select: async (q) => {
          asked.push(q.flag);
          return q.flag === '--db' ? ('postgresql' as never) : (q.default ?? q.choices[0]!.value);
        },
        multiselect: async (q) => {
          asked.push(q.flag);
          return [];
        },
        text: async () => '',
        confirm: async () => false,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(asked).toEqual(['--db', '--requires', '--governance', '--integrate', '--deploy']);
    expect(result.stdout).toMatch(/sales_data_dagster\/database\.py/);
    expect(existsSync(join(workspace, 'projects'))).toBe(false);
  });

  it('takes choices in any case, refuses "none" mixed with requirements', () => {
    const workspace = testdir();
    const mixed = runBinary(['new', 'sales-data', '--workspace', workspace, '--yes', '--requires', 'none,ssh']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/mixes "none"/);
    const cased = runBinary(['new', 'sales-data', '--workspace', workspace, '--yes', '--db', 'PostgreSQL', '--governance', 'ENTERPRISE', '--requires', 'SSH', '--json']);
    expect(cased.stderr).not.toMatch(/error/);
    expect(cased.code).toBe(0);
    expect(JSON.parse(cased.stdout)).toMatchObject({ database: { type: 'postgresql' }, governance: 'enterprise' });
  });

  it('refuses a workspace that is a file, and an empty --workspace, with exit 2', () => {
    const parent = testdir({ 'not-a-folder': 'x\n' });
    const file = runBinary(['new', 'sales-data', '--workspace', join(parent, 'not-a-folder'), '--yes']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/is a file, not a folder/);
    const empty = runBinary(['new', 'sales-data', '--workspace', '', '--yes']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--workspace is empty/);
  });

  it('reports a permission problem as a clean error naming the path, not a stack trace', async () => {
    const workspace = testdir();
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'open', path: join(workspace, 'x') });
    const result = await runInProcess(['new', 'sales-data', '--workspace', workspace, '--yes'], {
      effects: { fs: { ...nodeFileSystem, writeFile: () => Promise.reject(denied), mkdir: () => Promise.reject(denied) } },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/permission denied/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(snapshotTree(workspace)).toEqual({});
  });

  it('with --json, a failure is a JSON document on stdout too', () => {
    const result = runBinary(['new', 'dagster', '--workspace', testdir(), '--yes', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: expect.stringMatching(/clashes/), fix: expect.any(String), exit_code: 2 });
  });
});
