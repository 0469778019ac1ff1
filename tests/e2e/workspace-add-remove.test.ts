import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DMB_BIN, dmbIn as dmb, okIn as ok } from '../helpers/cli.js';
import { composeSchemaErrors, dockerComposeConfig } from '../fixtures/service/support.js';
import { backupNames, fixture, fixtureWorkspace, outsideBlocks, serviceDir, serviceState, treeState } from '../fixtures/workspace/helpers.js';

const MODULES = ['sales-data', 'web-logs', 'notes'];



function registry(workspace: string) {
  return JSON.parse(readFileSync(join(serviceDir(workspace), '.registry'), 'utf8')) as {
    integrated_modules: Array<{ name: string; marker: string; database: { type: string; service: string; port: number } | null; fingerprint: string }>;
  };
}

describe('workspace add / remove with the real binary', () => {
  it('add prints the spec report, merges all four files and the registry, and takes a backup first', () => {
    const ws = fixtureWorkspace();
    const before = serviceState(ws);
    const result = ok(ws, 'workspace', 'add', 'sales-data');
    expect(result.stdout).toMatch(/^✓ Module integrated with workspace\n\nModified files:\n/);
    for (const file of ['workspace.yaml', '.env', 'docker-compose.yml', 'Dockerfile']) {
      expect(result.stdout).toMatch(new RegExp(`- \\S*services/dagster/${file.replace('.', '\\.')} \\(\\+\\d+`));
    }
    expect(result.stdout).toMatch(/Next steps:\n1\. Restart workspace:\n {3}cd \S+services\/dagster\n {3}docker-compose up -d --build/);
    expect(result.stdout).toContain('Should see sales_data/* assets');
    const [backup] = backupNames(ws);
    const backupDir = join(serviceDir(ws), 'modules', 'backups', backup as string);
    for (const [name, content] of Object.entries(before)) expect(readFileSync(join(backupDir, name), 'utf8'), name).toBe(content);
    const entry = registry(ws).integrated_modules[0];
    expect(entry).toMatchObject({ name: 'sales-data', marker: 'sales_data', database: { type: 'postgresql', service: 'sales_data_postgres' } });
    expect(entry?.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const env = readFileSync(join(serviceDir(ws), '.env'), 'utf8');
    expect(env).toContain(`SALES_DATA_DB_HOST_PORT=${entry?.database?.port}`);
    expect(outsideBlocks(readFileSync(join(serviceDir(ws), 'Dockerfile'), 'utf8'))).toBe(before.Dockerfile);
  });

  it('add of all three, then remove of all three (any order) leaves the four files and .registry byte-identical', () => {
    const ws = fixtureWorkspace();
    const before = serviceState(ws);
    for (const name of MODULES) ok(ws, 'workspace', 'add', name);
    expect(registry(ws).integrated_modules.map((e) => e.name)).toEqual(MODULES);
    ok(ws, 'workspace', 'remove', 'web-logs', '--yes');
    ok(ws, 'workspace', 'remove', 'Sales Data', '--yes'); // any spelling of the name
    ok(ws, 'workspace', 'remove', 'notes', '--yes');
    expect(serviceState(ws)).toEqual(before);
    expect(backupNames(ws)).toHaveLength(6);
  });

  it('the merged docker-compose.yml passes the compose schema and docker-compose config with the workspace .env', () => {
    const ws = fixtureWorkspace();
    for (const name of MODULES) ok(ws, 'workspace', 'add', name);
    const compose = readFileSync(join(serviceDir(ws), 'docker-compose.yml'), 'utf8');
    expect(composeSchemaErrors(compose)).toEqual([]);
    const quiet = dockerComposeConfig(serviceDir(ws), true);
    expect(quiet.code, quiet.stderr).toBe(0);
    const config = parse(dockerComposeConfig(serviceDir(ws)).stdout);
    for (const dependent of ['dagster_webserver', 'dagster_daemon']) {
      expect(config.services[dependent].depends_on).toMatchObject({
        sales_data_postgres: { condition: 'service_healthy' },
        web_logs_mysql: { condition: 'service_healthy' },
      });
    }
    expect(config.services.sales_data_postgres.ports[0]).toMatchObject({ published: registry(ws).integrated_modules[0]?.database?.port, target: 5432 });
    ok(ws, 'workspace', 'validate');
  });

  it('add of an integrated module is refused (exit 1) and changes nothing', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'sales-data');
    const before = treeState(ws);
    const again = dmb(ws, 'workspace', 'add', 'sales_data');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Module "sales-data" is already integrated .*nothing was changed/);
    expect(again.stderr).toMatch(/dmb workspace remove sales-data/);
    expect(treeState(ws)).toEqual(before);
  });

  it('remove of a module that is not integrated is refused (exit 1) and changes nothing', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'notes');
    const before = treeState(ws);
    const result = dmb(ws, 'workspace', 'remove', 'web-logs', '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Module "web-logs" is not integrated/);
    expect(treeState(ws)).toEqual(before);
  });

  it('remove without a terminal and without --yes asks nothing, exits 2 naming --yes, changes nothing', () => {
    const ws = fixtureWorkspace();
    ok(ws, 'workspace', 'add', 'notes');
    const before = treeState(ws);
    const result = dmb(ws, 'workspace', 'remove', 'notes');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(treeState(ws)).toEqual(before);
  });

  it('add of an unknown module or one without workspace/local/ is refused, exit 2, nothing written', () => {
    const ws = fixtureWorkspace();
    mkdirSync(join(ws, 'projects', 'bare', 'src'), { recursive: true });
    const before = treeState(ws);
    const unknown = dmb(ws, 'workspace', 'add', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No module "nope"/);
    const bare = dmb(ws, 'workspace', 'add', 'bare');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/has no projects\/bare\/workspace\/local\/ folder/);
    expect(treeState(ws)).toEqual(before);
  });

  it('--dry-run prints the backup and a unified diff of every file and writes nothing; --json reports', () => {
    const ws = fixtureWorkspace();
    const before = treeState(ws);
    const dry = ok(ws, 'workspace', 'add', 'sales-data', '--dry-run');
    expect(dry.stdout).toMatch(/create {2}services\/dagster\/modules\/backups\/\S+\/\.env/);
    expect(dry.stdout).toContain('+++ b/services/dagster/docker-compose.yml');
    expect(dry.stdout).toContain('+      sales_data_postgres:\n+        condition: service_healthy');
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(treeState(ws)).toEqual(before);
    const json = ok(ws, 'workspace', 'add', 'sales-data', '--json');
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ module: 'sales-data', marker: 'sales_data', dry_run: false, database: { type: 'postgresql' } });
    expect(report.files.map((f: { path: string }) => f.path.split('/').at(-1))).toEqual(['workspace.yaml', '.env', 'docker-compose.yml', 'Dockerfile', '.registry']);
    const removeDry = ok(ws, 'workspace', 'remove', 'sales-data', '--dry-run');
    expect(removeDry.stdout).toContain('-  # BEGIN: sales_data');
    expect(registry(ws).integrated_modules).toHaveLength(1);
  });

  it("keeps every byte of a user-edited .env and docker-compose.yml outside the module's blocks, through add and remove", () => {
    const ws = fixtureWorkspace();
    const userEnv = fixture('engine', 'user-edited.env');
    const userCompose = fixture('engine', 'compose-user-edited.yml');
    writeFileSync(join(serviceDir(ws), '.env'), userEnv);
    writeFileSync(join(serviceDir(ws), 'docker-compose.yml'), userCompose);
    const before = serviceState(ws);
    ok(ws, 'workspace', 'add', 'sales-data');
    ok(ws, 'workspace', 'add', 'notes');
    const env = readFileSync(join(serviceDir(ws), '.env'), 'utf8');
    const compose = readFileSync(join(serviceDir(ws), 'docker-compose.yml'), 'utf8');
    // The .env had no final newline: it gets one before the first block, and the blocks are all that is added.
    expect(outsideBlocks(env)).toBe(`${userEnv}\n`);
    expect(outsideBlocks(compose)).toBe(userCompose);
    expect(env).toContain(`API_TOKEN='pa$$word#1 "quoted"'\nDAGSTER_POSTGRES_PASSWORD="abc$def#ghi"\n`);
    ok(ws, 'workspace', 'remove', 'sales-data', '--yes');
    ok(ws, 'workspace', 'remove', 'notes', '--yes');
    expect(serviceState(ws)).toEqual(before);
  });

  it('remove keeps data/<db>/<module>/ by default and deletes it with --purge-data', () => {
    const ws = fixtureWorkspace();
    const data = join(ws, 'data', 'postgres', 'sales-data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'PG_VERSION'), '15\n');
    ok(ws, 'workspace', 'add', 'sales-data');
    const kept = ok(ws, 'workspace', 'remove', 'sales-data', '--yes');
    expect(kept.stdout).toMatch(/Kept data\/postgres\/sales-data\//);
    expect(existsSync(data)).toBe(true);
    ok(ws, 'workspace', 'add', 'sales-data');
    // The IO manager's stored values live under the module's snake name (the first part of its asset keys).
    const storage = join(ws, 'data', 'dagster_storage', 'sales_data');
    const otherStorage = join(ws, 'data', 'dagster_storage', 'notes');
    for (const dir of [storage, otherStorage]) {
      mkdirSync(join(dir, 'daily'), { recursive: true });
      writeFileSync(join(dir, 'daily', '2024-01-01.pickle'), 'x');
    }
    const dry = ok(ws, 'workspace', 'remove', 'sales-data', '--purge-data', '--dry-run');
    expect(dry.stdout).toContain('dagster_storage/sales_data');
    expect(existsSync(storage)).toBe(true);
    const purged = ok(ws, 'workspace', 'remove', 'sales-data', '--yes', '--purge-data', '--json');
    expect(JSON.parse(purged.stdout)).toMatchObject({ data_deleted: true, storage_dir: storage, storage_deleted: true, not_deleted: [] });
    expect(existsSync(data)).toBe(false);
    expect(existsSync(storage)).toBe(false);
    expect(existsSync(otherStorage)).toBe(true);
    expect(existsSync(join(ws, 'data', 'postgres'))).toBe(true);
    ok(ws, 'workspace', 'add', 'sales-data');
    mkdirSync(data, { recursive: true });
    mkdirSync(storage, { recursive: true });
    const text = ok(ws, 'workspace', 'remove', 'sales-data', '--yes', '--purge-data');
    expect(text.stdout).toMatch(/Deleted data\/postgres\/sales-data\/ \(the module's database data\)\./);
    expect(text.stdout).toMatch(/Deleted data\/dagster_storage\/sales_data\/ \(the module's stored asset values\)\./);
  });

  it('a published port taken by another module is moved to the next free one, in the module files too, and reported', () => {
    const ws = fixtureWorkspace();
    // A second PostgreSQL module with the same port as sales-data (5438).
    const copy = (text: string) => text.replaceAll('sales_data', 'orders').replaceAll('sales-data', 'orders').replaceAll('SALES_DATA', 'ORDERS').replaceAll('Sales Data', 'Orders');
    for (const file of ['workspace/local/workspace.yaml', 'workspace/local/.env', 'workspace/local/docker-compose.yml', 'workspace/local/dockerfile.snippet', 'src/sales_data_dagster/__init__.py', 'src/sales_data_dagster/assets.py']) {
      const target = join(ws, 'projects', 'orders', copy(file));
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(target, copy(readFileSync(join(ws, 'projects', 'sales-data', file), 'utf8')));
    }
    ok(ws, 'workspace', 'add', 'sales-data');
    const first = registry(ws).integrated_modules[0]?.database?.port as number;
    writeFileSync(join(ws, 'projects', 'orders', 'workspace', 'local', '.env'), readFileSync(join(ws, 'projects', 'orders', 'workspace', 'local', '.env'), 'utf8').replace(/ORDERS_DB_HOST_PORT=\d+/, `ORDERS_DB_HOST_PORT=${first}`));
    const result = ok(ws, 'workspace', 'add', 'orders');
    const moved = registry(ws).integrated_modules[1]?.database?.port as number;
    expect(moved).toBeGreaterThan(first);
    expect(result.stdout).toMatch(new RegExp(`Port: orders_postgres now publishes ${moved} on the host \\(${first} is already used by module "sales-data"\\); changed in projects/orders/workspace/local/\\.env`));
    expect(readFileSync(join(ws, 'projects', 'orders', 'workspace', 'local', '.env'), 'utf8')).toContain(`ORDERS_DB_HOST_PORT=${moved}\n`);
    expect(readFileSync(join(serviceDir(ws), '.env'), 'utf8')).toContain(`ORDERS_DB_HOST_PORT=${moved}\n`);
    // The fingerprint is taken after the move: the module is not "drifted".
    expect(JSON.parse(ok(ws, 'workspace', 'list', '--json').stdout).modules.map((m: { status: string }) => m.status)).toEqual(['ok', 'ok']);
    ok(ws, 'workspace', 'validate');
  });

  it('a published port something on this host listens on is moved too', async () => {
    const ws = fixtureWorkspace();
    const envPath = join(ws, 'projects', 'sales-data', 'workspace', 'local', '.env');
    writeFileSync(envPath, readFileSync(envPath, 'utf8').replace('SALES_DATA_DB_HOST_PORT=5438', 'SALES_DATA_DB_HOST_PORT=5901'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(5901, '0.0.0.0', resolve));
    try {
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [DMB_BIN, 'workspace', 'add', 'sales-data', '--workspace', ws], { env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.on('close', (code) => resolve({ code, stdout }));
      });
      expect(result.code).toBe(0);
      const moved = registry(ws).integrated_modules[0]?.database?.port as number;
      expect(moved).toBeGreaterThan(5901);
      expect(result.stdout).toContain(`Port: sales_data_postgres now publishes ${moved} on the host (5901 is in use on this host)`);
      expect(readFileSync(envPath, 'utf8')).toContain(`SALES_DATA_DB_HOST_PORT=${moved}\n`);
    } finally {
      server.close();
    }
  });
});
