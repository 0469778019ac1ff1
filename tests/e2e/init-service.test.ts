import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runBinary } from '../helpers/cli.js';
import { snapshotTree, testdir } from '../helpers/tree.js';
import { assertDagsterPostgresInstalled, composeSchemaErrors, dockerComposeConfig, VENV_BIN } from '../fixtures/service/support.js';

const SERVICE_FILES = ['docker-compose.yml', 'Dockerfile', 'dagster.yaml', 'workspace.yaml', '.env', '.gitignore', '.registry', 'modules/backups/.gitkeep'];
const TEMPLATE_SETS = ['base', 'workspace-integration', 'addons', 'service'];

function init(workspace: string, ...args: string[]) {
  return runBinary(['init', '--workspace', workspace, ...args]);
}

function readEnv(service: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(service, '.env'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('dmb init', () => {
  const workspace = join(testdir(), 'my workspace');
  const service = join(workspace, 'services', 'dagster');
  let first: ReturnType<typeof runBinary>;

  it('creates every file of the shared service and the team templates, and prints next steps', () => {
    first = init(workspace);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const file of SERVICE_FILES) expect(existsSync(join(service, file)), file).toBe(true);
    for (const set of TEMPLATE_SETS) expect(existsSync(join(workspace, 'patterns', 'dagster', set)), set).toBe(true);
    expect(first.stdout).toMatch(/created\s+services\/dagster\/docker-compose\.yml/);
    expect(first.stdout).toMatch(/Next steps:[\s\S]*dmb new[\s\S]*dmb workspace add[\s\S]*docker-compose up -d --build[\s\S]*dmb dev/);
    expect(JSON.parse(readFileSync(join(service, '.registry'), 'utf8'))).toEqual({ version: '1.0.0', integrated_modules: [] });
    expect(parse(readFileSync(join(service, 'workspace.yaml'), 'utf8'))).toEqual({ load_from: [] });
  });

  it('writes a .env with the data path, network, storage path and a generated password safe for compose', () => {
    const env = readEnv(service);
    expect(env.DATA_PATH).toBe(join(workspace, 'data'));
    expect(env.NETWORK_NAME).toBe('workspace-net');
    expect(env.DAGSTER_STORAGE_PATH).toBe('/tmp/dagster_storage');
    expect(env.DAGSTER_POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9]{32,}$/);
    expect(env.DAGSTER_POSTGRES_USER).toBeTruthy();
    expect(env.DAGSTER_POSTGRES_PORT).toBe('5432');
    expect(env.DAGSTER_POSTGRES_DB).toBeTruthy();
    expect(statSync(join(service, '.env')).mode & 0o077).toBe(0);
    const other = testdir();
    expect(init(other).code).toBe(0);
    expect(readEnv(join(other, 'services', 'dagster')).DAGSTER_POSTGRES_PASSWORD).not.toBe(env.DAGSTER_POSTGRES_PASSWORD);
  });

  it('writes a docker-compose.yml that conforms to the compose specification', () => {
    expect(composeSchemaErrors(readFileSync(join(service, 'docker-compose.yml'), 'utf8'))).toEqual([]);
  });

  it('passes Debian docker-compose 1.29 "config" with the workspace .env, resolving to host paths', () => {
    const quiet = dockerComposeConfig(service, true);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    const rendered = dockerComposeConfig(service);
    expect(rendered.code, rendered.stderr).toBe(0);
    const config = parse(rendered.stdout);
    expect(Object.keys(config.services).sort()).toEqual(['dagster_daemon', 'dagster_postgresql', 'dagster_webserver']);
    expect(config.networks.dagster_network.name).toBe('workspace-net');
    const env = readEnv(service);
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      const s = config.services[name];
      expect(s.depends_on).toEqual({ dagster_postgresql: { condition: 'service_healthy' } });
      expect(s.volumes).toContain(`${join(workspace, 'data')}/dagster_storage:/tmp/dagster_storage:rw`);
      expect(s.volumes).toContain(`${join(workspace, 'projects')}:/workspace/projects:rw`);
      // Mounted, not baked into the image: a new code location needs a restart, not a rebuild.
      expect(s.volumes).toContain(`${join(service, 'workspace.yaml')}:/opt/dagster/dagster_home/workspace.yaml:ro`);
      expect(s.volumes).toContain(`${join(service, 'dagster.yaml')}:/opt/dagster/dagster_home/dagster.yaml:ro`);
      expect(s.environment.DAGSTER_HOME).toBe('/opt/dagster/dagster_home');
      expect(s.environment.DAGSTER_POSTGRES_PASSWORD).toBe(env.DAGSTER_POSTGRES_PASSWORD);
      expect(s.environment.DAGSTER_STORAGE_PATH).toBe('/tmp/dagster_storage');
      expect(s.networks).toHaveProperty('dagster_network');
    }
    expect(config.services.dagster_webserver.command).toEqual(['dagster-webserver', '-h', '0.0.0.0', '-p', '3000', '-w', 'workspace.yaml']);
    expect(config.services.dagster_daemon.command).toEqual(['dagster-daemon', 'run', '-w', 'workspace.yaml']);
    expect(config.services.dagster_webserver.ports).toEqual([{ published: 3000, target: 3000 }]);
    expect(config.services.dagster_postgresql.volumes).toEqual([`${join(workspace, 'data')}/postgres/dagster:/var/lib/postgresql/data:rw`]);
    expect(config.services.dagster_postgresql.healthcheck.test.join(' ')).toMatch(/pg_isready/);
  });

  it('writes a dagster.yaml that Dagster itself accepts: postgres storage from env, queued coordinator, default launcher', () => {
    const script = `
import sys
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes import class_from_code_pointer
from dagster._config import validate_config
cfg, _ = dagster_instance_config(sys.argv[1])
for key in ("run_coordinator", "run_launcher"):
    c = cfg[key]
    cls = class_from_code_pointer(c["module"], c["class"])
    result = validate_config(cls.config_type(), c.get("config") or {})
    assert result.success, (key, result.errors)
    print(key, cls.__name__)
print("storage", sorted(cfg["storage"]["postgres"]["postgres_db"]))
`;
    const result = spawnSync(join(VENV_BIN, 'python'), ['-c', script, service], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('run_coordinator QueuedRunCoordinator');
    expect(result.stdout).toContain('run_launcher DefaultRunLauncher');
  });

  it('changes nothing the second time, byte for byte, and says so', () => {
    const before = snapshotTree(workspace);
    const again = init(workspace);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing changed/);
    expect(again.stdout).toMatch(/kept\s+services\/dagster\/\.env/);
    expect(again.stdout).not.toMatch(/created/);
    expect(snapshotTree(workspace)).toEqual(before);
    const json = runBinary(['init', '--workspace', workspace, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: false, created: [] });
  });

  it('never overwrites a file the user edited, and creates only what is missing', () => {
    const composePath = join(service, 'docker-compose.yml');
    const edited = `${readFileSync(composePath, 'utf8')}# my own note\n`;
    writeFileSync(composePath, edited);
    writeFileSync(join(workspace, 'patterns', 'dagster', 'base', 'team-note.md'), 'ours\n');
    const envBefore = readFileSync(join(service, '.env'), 'utf8');
    rmSync(join(service, 'workspace.yaml'));
    const result = init(workspace);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created\s+services\/dagster\/workspace\.yaml/);
    expect(result.stdout).toMatch(/kept\s+services\/dagster\/docker-compose\.yml/);
    expect(readFileSync(composePath, 'utf8')).toBe(edited);
    expect(readFileSync(join(service, '.env'), 'utf8')).toBe(envBefore);
    expect(readFileSync(join(workspace, 'patterns', 'dagster', 'base', 'team-note.md'), 'utf8')).toBe('ours\n');
    expect(existsSync(join(service, 'workspace.yaml'))).toBe(true);
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const root = testdir();
    const target = join(root, 'ws');
    const result = init(target, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/create\s+services\/dagster\/docker-compose\.yml/);
    expect(result.stdout).toMatch(/create\s+patterns\/dagster\/base\//);
    expect(result.stdout).toMatch(/nothing was written/);
    expect(existsSync(target)).toBe(false);
    expect(snapshotTree(root)).toEqual({});

    mkdirSync(join(root, 'half'));
    expect(init(join(root, 'half')).code).toBe(0);
    rmSync(join(root, 'half', 'services', 'dagster', 'Dockerfile'));
    const before = snapshotTree(join(root, 'half'));
    const partial = init(join(root, 'half'), '--dry-run');
    expect(partial.stdout).toMatch(/create\s+services\/dagster\/Dockerfile/);
    expect(partial.stdout).toMatch(/keep\s+services\/dagster\/\.env/);
    expect(snapshotTree(join(root, 'half'))).toEqual(before);
  });

  it('does not write while another dmb process holds the workspace lock', () => {
    const root = testdir();
    expect(init(root).code).toBe(0);
    rmSync(join(root, 'services', 'dagster', 'Dockerfile'));
    const lock = join(root, 'services', 'dagster', '.dmb.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, command: 'dmb workspace add sales-data', started_at: new Date().toISOString(), token: 'held' }));
    const before = snapshotTree(root);
    const blocked = runBinary(['init', '--workspace', root], { DMB_LOCK_WAIT_MS: '200' });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/Another dmb process is changing this workspace[\s\S]*dmb workspace add sales-data/);
    expect(snapshotTree(root)).toEqual(before);
    rmSync(lock, { recursive: true });
    expect(init(root).code).toBe(0);
    expect(existsSync(join(root, 'services', 'dagster', 'Dockerfile'))).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('renders the team\'s customised service templates from patterns/dagster/service/', () => {
    const root = testdir();
    expect(init(root).code).toBe(0);
    const custom = join(root, 'patterns', 'dagster', 'service', 'Dockerfile.template');
    writeFileSync(custom, `${readFileSync(custom, 'utf8')}# team addition __DAGSTER_VERSION__\n`);
    rmSync(join(root, 'services', 'dagster', 'Dockerfile'));
    expect(init(root).code).toBe(0);
    expect(readFileSync(join(root, 'services', 'dagster', 'Dockerfile'), 'utf8')).toMatch(/# team addition 1\.\d+\.\d+\n$/);
  });
});

describe('dmb init: the generated dagster.yaml on a real PostgreSQL', () => {
  const name = `dmb_init_${process.pid}`;
  const psql = (sql: string) => spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' });
  afterAll(() => {
    psql(`DROP DATABASE IF EXISTS ${name}`);
    psql(`DROP ROLE IF EXISTS ${name}`);
  });

  it('stores a materialization run in Dagster\'s PostgreSQL with the generated credentials', () => {
    assertDagsterPostgresInstalled();
    const workspace = testdir();
    expect(init(workspace).code).toBe(0);
    const service = join(workspace, 'services', 'dagster');
    const env = readEnv(service);
    for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `DROP ROLE IF EXISTS ${name}`, `CREATE ROLE ${name} LOGIN PASSWORD '${env.DAGSTER_POSTGRES_PASSWORD}'`, `CREATE DATABASE ${name} OWNER ${name}`]) {
      const result = psql(sql);
      expect(result.status, `${sql}: ${result.stderr}`).toBe(0);
    }
    const home = testdir();
    cpSync(join(service, 'dagster.yaml'), join(home, 'dagster.yaml'));
    const code = testdir({ 'defs.py': 'from dagster import asset, Definitions\n\n@asset\ndef probe():\n    return 1\n\ndefs = Definitions(assets=[probe])\n' });
    const result = spawnSync(join(VENV_BIN, 'dagster'), ['asset', 'materialize', '-f', 'defs.py', '--select', 'probe'], {
      cwd: code,
      encoding: 'utf8',
      env: {
        ...process.env,
        DAGSTER_HOME: home,
        // Outside compose the database is on this host; the names are this test's own.
        DAGSTER_POSTGRES_HOST: '127.0.0.1',
        DAGSTER_POSTGRES_PORT: env.DAGSTER_POSTGRES_PORT,
        DAGSTER_POSTGRES_USER: name,
        DAGSTER_POSTGRES_PASSWORD: env.DAGSTER_POSTGRES_PASSWORD,
        DAGSTER_POSTGRES_DB: name,
      },
    });
    expect(result.status, result.stderr.slice(-3000)).toBe(0);
    const runs = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', name, '-tAc', 'SELECT status FROM runs'], { encoding: 'utf8' });
    expect(runs.stdout.trim()).toBe('SUCCESS');
  });
});
