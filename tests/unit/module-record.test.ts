import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { nodeFileSystem } from '../../src/effects/effects.js';
import { isDmbError } from '../../src/errors.js';
import { MERGE_BASE_DIR, RECORD_FILE, readModuleRecord, renderModuleRecord, type ModuleRecord } from '../../src/module/record.js';
import { BUILTIN_TEMPLATES } from '../../src/templates/template-sets.js';
import { ChangeSet } from '../../src/transaction/changes.js';
import { readModuleConfig } from '../../src/workspace/module-config.js';
import { workspacePaths } from '../../src/workspace/paths.js';
import { runInProcess } from '../helpers/cli.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const read = (dir: string) => readModuleRecord(new ChangeSet(nodeFileSystem), dir);

const SAMPLE: ModuleRecord = {
  dmbVersion: '0.1.0',
  module: 'customer-analytics',
  package: 'customer_analytics_dagster',
  answers: { database: 'postgresql', requirements: ['ssh', 'pdf'], governance: 'standard', description: 'Sales: "daily", 100% yes', owner: 'data-team' },
  templates: [{ set: 'base', source: 'built-in', sha256: 'a'.repeat(64) }],
  files: { 'README.md': 'b'.repeat(64), 'src/customer_analytics_dagster/__init__.py': 'c'.repeat(64) },
};

async function newModule(workspace: string, ...args: string[]): Promise<string> {
  const result = await runInProcess(['new', 'customer-analytics', '--workspace', workspace, '--integrate', 'no', '--deploy', 'no', '--yes', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return join(workspace, 'projects', 'customer-analytics');
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isDmbError(error), String(error)).toBe(true);
  return (error as Error).message;
}

describe('the module record (.dmb-answers.yml)', () => {
  it('reads back exactly what it wrote, quoting only what YAML would misread', async () => {
    const dir = testdir({ [RECORD_FILE]: renderModuleRecord(SAMPLE) });
    const text = readFileSync(join(dir, RECORD_FILE), 'utf8');
    expect(text).toContain('dmb_version: 0.1.0\n');
    expect(text).toContain('  requirements: [ssh, pdf]\n');
    expect(text).toContain('  database: postgresql        # postgresql | mysql | none\n');
    expect(await read(dir)).toEqual(SAMPLE);
    const odd = { ...SAMPLE, answers: { ...SAMPLE.answers, requirements: [], owner: 'yes', description: '1.5' } };
    writeFileSync(join(dir, RECORD_FILE), renderModuleRecord(odd));
    expect(await read(dir)).toEqual(odd);
  });

  it('is undefined for a module made by hand', async () => {
    expect(await read(testdir({ 'README.md': 'hand made\n' }))).toBeUndefined();
  });

  it('names the file and line of a malformed record', async () => {
    const good = renderModuleRecord(SAMPLE);
    const cases: Array<[string, RegExp]> = [
      [good.replace('database: postgresql', 'database: oracle'), /^\.dmb-answers\.yml:6: "database" is "oracle"; expected one of postgresql, mysql, none\./],
      [good.replace('governance: standard', 'governance: [x]'), /^\.dmb-answers\.yml:8: "governance" must be a non-empty string\./],
      [good.replace(/sha256: a+/, 'sha256: nothex'), /^\.dmb-answers\.yml:14: "sha256" must be 64 lower-case hex digits\./],
      [good.replace('  requirements: [ssh, pdf]\n', ''), /^\.dmb-answers\.yml:6: "requirements" is missing\./],
      [good.replace('files:', 'files: [\n'), /^\.dmb-answers\.yml:\d+: invalid YAML/],
      [`${good}  README.md: ${'d'.repeat(64)}\n`, /^\.dmb-answers\.yml:\d+: invalid YAML: Map keys must be unique/],
    ];
    for (const [text, expected] of cases) {
      expect(await errorOf(read(testdir({ [RECORD_FILE]: text })))).toMatch(expected);
    }
  });

  it('dmb new records every answer, template set and generated file (sha256 of the bytes on disk), and keeps the merge base without secrets', async () => {
    const workspace = testdir();
    const module = await newModule(workspace, '--db', 'postgresql', '--governance', 'enterprise', '--requires', 'ssh,pdf', '--owner', 'data-platform', '--description', 'Sales numbers');
    const record = await read(module);
    expect(record?.answers).toEqual({ database: 'postgresql', requirements: ['ssh', 'pdf'], governance: 'enterprise', description: 'Sales numbers', owner: 'data-platform' });
    expect(record?.templates.map((t) => `${t.set}:${t.source}`)).toEqual([
      'base:built-in',
      'workspace-integration:built-in',
      'addons/postgresql:built-in',
      'addons/schedules:built-in',
      'addons/enterprise:built-in',
    ]);
    const onDisk = Object.keys(snapshotTree(module)).filter((p) => !p.endsWith('/') && p !== RECORD_FILE && !p.startsWith('.dmb/'));
    expect(Object.keys(record?.files ?? {}).sort()).toEqual(onDisk.sort());
    for (const path of onDisk) expect(record?.files[path], path).toBe(sha256(readFileSync(join(module, path))));

    const password = /_DB_PASSWORD=(\w+)/.exec(readFileSync(join(module, 'workspace/local/.env'), 'utf8'))?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{32,}$/);
    const base = snapshotTree(join(module, MERGE_BASE_DIR));
    expect(base['workspace/local/.env']).toBeUndefined();
    expect(base['README.md']).toBe(readFileSync(join(module, 'README.md'), 'utf8'));
    for (const [path, content] of Object.entries({ ...base, [RECORD_FILE]: readFileSync(join(module, RECORD_FILE), 'utf8') })) {
      expect(content.includes(password), `${path} holds the password`).toBe(false);
    }
  });

  it("records the team's copy of a set with its own hash", async () => {
    const workspace = testdir();
    const team = join(workspace, 'patterns', 'dagster', 'base');
    mkdirSync(join(workspace, 'patterns', 'dagster'), { recursive: true });
    cpSync(join(BUILTIN_TEMPLATES, 'base'), team, { recursive: true });
    writeFileSync(join(team, 'README.md.template'), '# __MODULE_TITLE__ (our way)\n');
    const record = await read(await newModule(workspace, '--db', 'none', '--governance', 'quick'));
    const builtin = await read(await newModule(testdir(), '--db', 'none', '--governance', 'quick'));
    expect(record?.templates[0]).toMatchObject({ set: 'base', source: 'patterns/dagster' });
    expect(record?.templates[0]?.sha256).not.toBe(builtin?.templates[0]?.sha256);
    expect(record?.templates[1]).toEqual(builtin?.templates[1]);
  });

  it('workspace add reads the database from the record: a postgres image in a "none" module is not its database', async () => {
    const workspace = testdir();
    const module = await newModule(workspace, '--db', 'none', '--governance', 'quick');
    const compose = join(module, 'workspace/local/docker-compose.yml');
    writeFileSync(compose, 'services:\n  fixture_pg:\n    image: postgres:15\n');
    const config = await readModuleConfig(new ChangeSet(nodeFileSystem), workspacePaths(workspace), 'customer-analytics');
    expect(config.record?.answers.database).toBe('none');
    expect(config.database).toBeUndefined();
    // Without the record the image decides: the service is taken for the module's database.
    rmSync(join(module, RECORD_FILE));
    const guessed = readModuleConfig(new ChangeSet(nodeFileSystem), workspacePaths(workspace), 'customer-analytics');
    expect(await errorOf(guessed)).toMatch(/fixture_pg/);
  });
});
