import { appendFileSync, mkdirSync, utimesSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dmbIn as dmb, okIn as ok } from '../helpers/cli.js';
import { backupNames, fixtureWorkspace, serviceDir, serviceState, treeState } from '../fixtures/workspace/helpers.js';



function edit(path: string, change: (text: string) => string) {
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

/** The 1-based line of the first line equal to `line` (trimmed). */
function lineOf(path: string, line: string): number {
  return readFileSync(path, 'utf8').split('\n').findIndex((l) => l.trim() === line) + 1;
}

describe('corrupt workspace files: add, remove and validate fail naming file and line, changing nothing', () => {
  it('invalid YAML in workspace.yaml', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'notes');
    edit(join(serviceDir(ws), 'workspace.yaml'), (t) => `${t}  - python_file: {relative_path: x.py\n`);
    const before = treeState(ws);
    for (const args of [['workspace', 'add', 'sales-data'], ['workspace', 'remove', 'notes', '--yes']]) {
      const result = dmb(ws, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^error: services\/dagster\/workspace\.yaml:\d+: invalid YAML: /);
      expect(result.stderr).toMatch(/Nothing was changed/);
    }
    const validate = dmb(ws, 'workspace', 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/✗ services\/dagster\/workspace\.yaml:\d+: invalid YAML: /);
    expect(treeState(ws)).toEqual(before);
  });

  it('invalid YAML in docker-compose.yml (a duplicate service key)', () => {
    const ws = fixtureWorkspace();
    const compose = join(serviceDir(ws), 'docker-compose.yml');
    edit(compose, (t) => t.replace('\nnetworks:\n', '\n  dagster_daemon:\n    image: duplicate\n\nnetworks:\n'));
    const line = readFileSync(compose, 'utf8').split('\n').lastIndexOf('  dagster_daemon:') + 1;
    const before = treeState(ws);
    const add = dmb(ws, 'workspace', 'add', 'sales-data');
    expect(add.code).toBe(2);
    expect(add.stderr).toContain(`services/dagster/docker-compose.yml:${line}: invalid YAML: Map keys must be unique`);
    const validate = dmb(ws, 'workspace', 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`services/dagster/docker-compose.yml:${line}: invalid YAML: Map keys must be unique`);
    expect(treeState(ws)).toEqual(before);
  });

  it('a half marker block in .env and in docker-compose.yml', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'sales-data');
    const env = join(serviceDir(ws), '.env');
    edit(env, (t) => t.replace('# END: sales_data\n', ''));
    const line = lineOf(env, '# BEGIN: sales_data');
    const before = treeState(ws);
    for (const args of [['workspace', 'add', 'notes'], ['workspace', 'remove', 'sales-data', '--yes']]) {
      const result = dmb(ws, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`error: services/dagster/.env:${line}: "# BEGIN: sales_data" has no matching "# END: sales_data"`);
    }
    const validate = dmb(ws, 'workspace', 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`✗ services/dagster/.env:${line}: "# BEGIN: sales_data" has no matching "# END: sales_data"`);
    expect(treeState(ws)).toEqual(before);

    const ws2 = fixtureWorkspace();
    ok(ws2, 'workspace', 'add', 'sales-data');
    const compose = join(serviceDir(ws2), 'docker-compose.yml');
    const endLine = lineOf(compose, '# END: sales_data');
    edit(compose, (t) => t.replace('      # BEGIN: sales_data\n', ''));
    const before2 = treeState(ws2);
    const remove = dmb(ws2, 'workspace', 'remove', 'sales-data', '--yes');
    expect(remove.code).toBe(2);
    expect(remove.stderr).toContain(`services/dagster/docker-compose.yml:${endLine - 1}: "# END: sales_data" has no "# BEGIN: sales_data" before it`);
    expect(treeState(ws2)).toEqual(before2);
  });

  it('a corrupt .registry', () => {
    const ws = fixtureWorkspace();
    writeFileSync(join(serviceDir(ws), '.registry'), '{\n  "version": "1.0.0",\n  "integrated_modules": [\n');
    const before = treeState(ws);
    const add = dmb(ws, 'workspace', 'add', 'notes');
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/services\/dagster\/\.registry:\d+: .*not valid JSON/);
    expect(dmb(ws, 'workspace', 'validate').stdout).toMatch(/services\/dagster\/\.registry:\d+: .*not valid JSON/);
    expect(treeState(ws)).toEqual(before);
  });
});

describe('workspace validate', () => {
  it('passes on a merged workspace and reports each problem on its own line with its fix', () => {
    const ws = fixtureWorkspace();
    for (const name of ['sales-data', 'web-logs', 'notes']) ok(ws, 'workspace', 'add', name);
    expect(ok(ws, 'workspace', 'validate').stdout).toMatch(/✓ Workspace is consistent: 3 modules, 3 code locations/);
    const service = serviceDir(ws);
    // Break it in six ways.
    edit(join(service, 'Dockerfile'), (t) => t.replace(/# BEGIN: notes\n[\s\S]*?# END: notes\n/, ''));
    edit(join(service, '.env'), (t) => `${t}# BEGIN: ghost\nGHOST=1\n# END: ghost\nWEB_LOGS_DB_HOST_PORT=5438\n`);
    edit(join(service, 'docker-compose.yml'), (t) => t.replace('      POSTGRES_DB: ${SALES_DATA_DB_NAME}', '      POSTGRES_DB: ${SALES_DATA_DB_NAME}\n      TZ: ${TIMEZONE}'));
    edit(join(service, 'docker-compose.yml'), (t) => t.replace('    restart: unless-stopped\n  # END: notes', '    restart: unless-stopped\n    bogus_key: 1\n  # END: notes'));
    rmSync(join(ws, 'projects', 'notes', 'src'), { recursive: true });
    appendFileSync(join(ws, 'projects', 'web-logs', 'workspace', 'local', '.env'), 'WEB_LOGS_EXTRA=1\n');
    const result = dmb(ws, 'workspace', 'validate');
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    const problem = (pattern: RegExp) => expect(lines.some((l) => pattern.test(l)), `${pattern}\n${result.stdout}`).toBe(true);
    problem(/^✗ services\/dagster\/Dockerfile: no block for module "notes" .* Fix: Run "dmb workspace remove notes --yes" then "dmb workspace add notes"/);
    problem(/^✗ services\/dagster\/\.env:\d+: block "ghost" has no entry in services\/dagster\/\.registry\. Fix: /);
    problem(/^✗ services\/dagster\/docker-compose\.yml:\d+: host port 5438 is published by sales_data_postgres and web_logs_mysql\. Fix: /);
    problem(/^✗ services\/dagster\/docker-compose\.yml:\d+: \$\{TIMEZONE\} is not defined in services\/dagster\/\.env and has no default\. Fix: Add TIMEZONE=/);
    problem(/^✗ services\/dagster\/workspace\.yaml:\d+: code location "notes": working_directory .* does not exist\. Fix: /);
    problem(/^✗ services\/dagster\/\.registry: module "web-logs" is drifted: .* Fix: Run "dmb workspace sync"/);
    problem(/^✗ services\/dagster\/\.env:\d+: WEB_LOGS_DB_HOST_PORT is set on lines/);
    expect(lines.at(-1)).toMatch(/^\d+ problems found\.$/);
    const json = JSON.parse(dmb(ws, 'workspace', 'validate', '--json').stdout);
    expect(json.ok).toBe(false);
    expect(json.problems.length).toBe(Number(/^(\d+)/.exec(lines.at(-1) ?? '')?.[1]));
  });

  it('reports a service that breaks the compose specification, at its line', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'sales-data');
    const compose = join(serviceDir(ws), 'docker-compose.yml');
    edit(compose, (t) => t.replace('    container_name: sales_data_postgres\n', '    container_name: sales_data_postgres\n    restartt: always\n'));
    const result = dmb(ws, 'workspace', 'validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`docker-compose\\.yml:${lineOf(compose, 'restartt: always')}: does not conform to the compose specification: services\\.sales_data_postgres has an unknown key "restartt"`));
  });

  it('--load loads every code location in real Dagster and names the one that fails', () => {
    const ws = fixtureWorkspace();
    for (const name of ['sales-data', 'web-logs', 'notes']) ok(ws, 'workspace', 'add', name);
    const loaded = ok(ws, 'workspace', 'validate', '--load');
    for (const location of ['sales_data', 'web_logs', 'notes']) expect(loaded.stdout).toContain(`✓ code location ${location} loads in Dagster`);
    appendFileSync(join(ws, 'projects', 'web-logs', 'src', 'web_logs_dagster', 'assets.py'), '\nraise RuntimeError("broken on purpose")\n');
    const failed = dmb(ws, 'workspace', 'validate', '--load');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('✓ code location sales_data loads in Dagster');
    expect(failed.stdout).toMatch(/✗ services\/dagster\/workspace\.yaml:\d+: code location "web_logs" does not load in Dagster: RuntimeError: broken on purpose/);
    expect(failed.stdout).toMatch(/definitions validate -m web_logs_dagster -d \S+projects\/web-logs\/src/);
  });
});

describe('workspace list, sync, restore and backups', () => {
  it('list shows each module with database, service, port, time and status ok / drifted / missing', () => {
    const ws = fixtureWorkspace();
    expect(ok(ws, 'workspace', 'list').stdout).toMatch(/No modules integrated yet/);
    for (const name of ['sales-data', 'web-logs', 'notes']) ok(ws, 'workspace', 'add', name);
    appendFileSync(join(ws, 'projects', 'web-logs', 'workspace', 'local', '.env'), 'WEB_LOGS_EXTRA=1\n');
    rmSync(join(ws, 'projects', 'notes'), { recursive: true });
    const table = ok(ws, 'workspace', 'list').stdout.split('\n');
    expect(table[0]).toMatch(/^NAME\s+DATABASE\s+SERVICE\s+HOST PORT\s+INTEGRATED AT\s+STATUS$/);
    expect(table[1]).toMatch(/^sales-data\s+postgresql\s+sales_data_postgres\s+\d+\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+ok$/);
    expect(table[2]).toMatch(/^web-logs\s+mysql\s+web_logs_mysql\s+\d+\s+\S+\s+drifted$/);
    expect(table[3]).toMatch(/^notes\s+none\s+-\s+-\s+\S+\s+missing$/);
    const json = JSON.parse(ok(ws, 'workspace', 'list', '--json').stdout);
    expect(json.modules.map((m: { name: string; status: string }) => [m.name, m.status])).toEqual([
      ['sales-data', 'ok'],
      ['web-logs', 'drifted'],
      ['notes', 'missing'],
    ]);
    expect(json.modules[0]).toMatchObject({ database_type: 'postgresql', service: 'sales_data_postgres', host_port: expect.any(Number) });
  });

  it('sync integrates what is not integrated, re-merges drifted modules in place, and --dry-run shows the diffs only', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'web-logs');
    const before = treeState(ws);
    const dry = ok(ws, 'workspace', 'sync', '--dry-run');
    expect(dry.stdout).toContain('+  # BEGIN: sales_data');
    expect(dry.stdout).toMatch(/Integrated: notes, sales-data/);
    expect(treeState(ws)).toEqual(before);
    const synced = ok(ws, 'workspace', 'sync');
    expect(synced.stdout).toMatch(/Integrated: notes, sales-data\nUp to date: web-logs/);
    expect(backupNames(ws)).toHaveLength(2);
    ok(ws, 'workspace', 'validate');
    edit(join(ws, 'projects', 'web-logs', 'workspace', 'local', '.env'), (t) => `${t}WEB_LOGS_API_URL=https://logs.example.invalid\n`);
    const env = join(serviceDir(ws), '.env');
    const beginLine = lineOf(env, '# BEGIN: web_logs');
    const resynced = ok(ws, 'workspace', 'sync');
    expect(resynced.stdout).toMatch(/Re-merged \(drifted\): web-logs/);
    expect(lineOf(env, '# BEGIN: web_logs')).toBe(beginLine);
    expect(readFileSync(env, 'utf8')).toContain('WEB_LOGS_API_URL=https://logs.example.invalid\n# END: web_logs');
    expect(readFileSync(env, 'utf8').match(/# BEGIN: web_logs/g)).toHaveLength(1);
    ok(ws, 'workspace', 'validate');
    expect(ok(ws, 'workspace', 'sync').stdout).toMatch(/Everything is in sync; nothing to change\./);
  });

  it('restore puts a backup back byte for byte after backing up the current state; an unknown stamp lists the backups', () => {
    const ws = fixtureWorkspace();
    const original = serviceState(ws);
    ok(ws, 'workspace', 'add', 'sales-data');
    const [first] = backupNames(ws);
    ok(ws, 'workspace', 'add', 'notes');
    const merged = serviceState(ws);
    const restored = ok(ws, 'workspace', 'restore', first as string);
    expect(restored.stdout).toMatch(new RegExp(`✓ Restored backup ${first}`));
    expect(serviceState(ws)).toEqual(original);
    const undo = backupNames(ws).at(-1) as string;
    ok(ws, 'workspace', 'restore', undo);
    expect(serviceState(ws)).toEqual(merged);
    const unknown = dmb(ws, 'workspace', 'restore', '1999-01-01T00-00-00Z');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`Available: ${backupNames(ws).join(', ')}.`);
  });

  it('backups older than 7 days are pruned at the next add or remove; newer ones are kept', () => {
    const ws = fixtureWorkspace();
    const backups = join(serviceDir(ws), 'modules', 'backups');
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    const recent = new Date(Date.now() - 6 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    for (const name of [old, recent]) {
      mkdirSync(join(backups, name), { recursive: true });
      writeFileSync(join(backups, name, '.env'), 'OLD=1\n');
      writeFileSync(join(backups, name, 'backup.json'), '{}\n');
    }
    // Folders dmb did not make are never pruned, however old: a stamp-named one without a manifest, and any other name.
    const oldNoManifest = old.replace(/Z$/, 'Z-7');
    for (const name of [oldNoManifest, 'keep-me-old']) {
      mkdirSync(join(backups, name), { recursive: true });
      writeFileSync(join(backups, name, 'notes.txt'), 'mine\n');
      utimesSync(join(backups, name), new Date('2020-01-01'), new Date('2020-01-01'));
    }
    const result = ok(ws, 'workspace', 'add', 'notes');
    expect(result.stdout).toContain('Pruned 1 backup(s) older than 7 days.');
    expect(backupNames(ws)).not.toContain(old);
    expect(backupNames(ws)).toContain(recent);
    expect(backupNames(ws)).toContain(oldNoManifest);
    expect(backupNames(ws)).toContain('keep-me-old');
    expect(backupNames(ws)).toHaveLength(4);
  });
});
