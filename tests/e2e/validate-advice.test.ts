import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { testdir } from '../helpers/tree.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dmbIn as dmb, okIn as ok } from '../helpers/cli.js';
import { fixtureWorkspace, serviceDir, treeState } from '../fixtures/workspace/helpers.js';

function edit(path: string, change: (text: string) => string) {
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

const problemLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('✗ '));

/** Issue 14 items 12 and 15: what validate reports, and whether its advice works (--load without Dagster: tests/e2e/cli-contracts.test.ts). */
describe('workspace validate: one finding per cause, advice that works', () => {
  it('an invalid .registry is reported once; validate does not suggest deleting every module block', () => {
    const ws = fixtureWorkspace();
    for (const name of ['sales-data', 'notes']) ok(ws, 'workspace', 'add', name);
    edit(join(serviceDir(ws), '.registry'), (t) => t.replace('"integrated_modules"', '"integrated_modules" oops'));
    const result = dmb(ws, 'workspace', 'validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/services\/dagster\/\.registry:\d+: /);
    expect(result.stdout).not.toMatch(/has no entry in|delete lines/);
  });

  it('a shared-service entry missing from docker-compose.yml: validate names it, and neither it nor add advises "dmb init"', () => {
    const ws = fixtureWorkspace();
    const compose = join(serviceDir(ws), 'docker-compose.yml');
    edit(compose, (t) => t.replace(/ {2}dagster_daemon:\n[\s\S]*?(?=\n\S)/, ''));
    const before = treeState(ws);
    const validate = dmb(ws, 'workspace', 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/✗ services\/dagster\/docker-compose\.yml: the shared service's own "dagster_daemon" service is not defined\. Fix: .*dmb workspace restore/);
    const add = dmb(ws, 'workspace', 'add', 'sales-data');
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/no service "dagster_daemon"/);
    for (const output of [validate.stdout, add.stderr]) expect(output).not.toMatch(/Run "dmb init" to recreate the shared service/);
    expect(treeState(ws)).toEqual(before);
    // The advice works: a fresh init elsewhere has the service to copy back.
    const fresh = join(ws, 'fresh');
    ok(fresh, 'init', '--yes');
    expect(readFileSync(join(serviceDir(fresh), 'docker-compose.yml'), 'utf8')).toMatch(/^ {2}dagster_daemon:$/m);
  });

  it('a hand-edited depends_on list naming the module database: validate reads it, remove takes it out, re-add works', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'sales-data');
    const compose = join(serviceDir(ws), 'docker-compose.yml');
    // The user replaces dmb's depends_on mapping (and its block) with a list of their own, in both Dagster services.
    edit(compose, (t) => t.replace(/depends_on:\n[\s\S]*?(?=\n {4}restart:)/g, 'depends_on:\n      - dagster_postgresql\n      - sales_data_postgres'));
    const validate = dmb(ws, 'workspace', 'validate');
    expect(validate.stdout).not.toMatch(/does not depend on "sales_data_postgres"/);
    // A list means service_started: that is what validate says, with a fix that works.
    expect(validate.stdout).toMatch(/dagster_webserver waits for "sales_data_postgres" with condition service_started, not service_healthy/);
    ok(ws, 'workspace', 'remove', 'sales-data', '--yes');
    expect(readFileSync(compose, 'utf8')).not.toContain('sales_data_postgres');
    ok(ws, 'workspace', 'add', 'sales-data');
    expect(ok(ws, 'workspace', 'validate').stdout).toMatch(/✓ Workspace is consistent/);
  });

  it('a workspace moved elsewhere: validate warns that DATA_PATH still points at the old place, and its fix works', () => {
    const original = join(testdir(), 'ws');
    ok(original, 'init', '--yes');
    const moved = join(testdir(), 'moved');
    cpSync(original, moved, { recursive: true });
    const result = dmb(moved, 'workspace', 'validate', '--json');
    expect(result.code, result.stderr).toBe(0);
    const warning = JSON.parse(result.stdout).warnings.find((w: { message: string }) => w.message.startsWith('DATA_PATH'));
    expect(warning).toMatchObject({ file: 'services/dagster/.env', line: expect.any(Number) });
    expect(warning.message).toContain(`DATA_PATH is ${join(original, 'data')}, outside this workspace`);
    expect(warning.fix).toMatch(/set DATA_PATH=\.\.\/\.\.\/data in services\/dagster\/\.env/);
    expect(JSON.parse(dmb(original, 'workspace', 'validate', '--json').stdout).warnings.filter((w: { message: string }) => w.message.startsWith('DATA_PATH'))).toEqual([]);
    edit(join(serviceDir(moved), '.env'), (t) => t.replace(/^DATA_PATH=.*$/m, 'DATA_PATH=../../data'));
    expect(JSON.parse(dmb(moved, 'workspace', 'validate', '--json').stdout).warnings.filter((w: { message: string }) => w.message.startsWith('DATA_PATH'))).toEqual([]);
  });
});
