import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ApplyError, applyChanges } from '../../src/transaction/changes.js';
import { planInit } from '../../src/shared-service/plan-init.js';
import { SERVICE_COMPOSE_NAMES } from '../../src/formats/service-compose.js';
import { listTemplateTree } from '../../src/shared-service/list-template-tree.js';
import { BUILTIN_TEMPLATES } from '../../src/templates/template-sets.js';
import { nodeFileSystem } from '../../src/effects/effects.js';
import { DAGSTER_LIBRARIES_VERSION, DAGSTER_VERSION } from '../../src/version.js';
import { failingFs } from '../helpers/faulty-fs.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

const PASSWORD = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const SERVICE_FILES = [
  'services/dagster/.env',
  'services/dagster/.gitignore',
  'services/dagster/.registry',
  'services/dagster/Dockerfile',
  'services/dagster/dagster.yaml',
  'services/dagster/docker-compose.yml',
  'services/dagster/modules/backups/.gitkeep',
  'services/dagster/workspace.yaml',
];

async function apply(workspace: string) {
  const plan = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: PASSWORD });
  await applyChanges(plan.changes.list(), nodeFileSystem);
  return plan;
}

const read = (workspace: string, path: string) => readFileSync(join(workspace, path), 'utf8');

describe('planInit', () => {
  it('plans every service file and a copy of every built-in template, nothing else', async () => {
    const workspace = testdir();
    const plan = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: PASSWORD });
    const templates = await listTemplateTree(nodeFileSystem, BUILTIN_TEMPLATES);
    expect(templates.length).toBeGreaterThan(5);
    expect([...plan.created].sort()).toEqual([...SERVICE_FILES, ...templates.map((t) => `patterns/dagster/${t.path}`)].sort());
    expect(plan.kept).toEqual([]);
    expect(plan.changes.list().every((c) => c.kind === 'create')).toBe(true);
  });

  it('renders the shared service: workspace paths, the password, the pinned Dagster pair, an empty registry', async () => {
    const workspace = testdir();
    await apply(workspace);
    const env = read(workspace, 'services/dagster/.env');
    expect(env).toContain(`DATA_PATH=${join(workspace, 'data')}\n`);
    expect(env).toContain('NETWORK_NAME=workspace-net\n');
    expect(env).toContain('DAGSTER_STORAGE_PATH=/tmp/dagster_storage\n');
    expect(env).toContain(`DAGSTER_POSTGRES_PASSWORD=${PASSWORD}\n`);
    expect(read(workspace, 'services/dagster/.registry')).toBe('{\n  "version": "1.0.0",\n  "integrated_modules": []\n}\n');
    expect(parse(read(workspace, 'services/dagster/workspace.yaml'))).toEqual({ load_from: [] });
    const dockerfile = read(workspace, 'services/dagster/Dockerfile');
    expect(dockerfile).toContain(`dagster==${DAGSTER_VERSION}`);
    expect(dockerfile).toContain(`dagster-webserver==${DAGSTER_VERSION}`);
    expect(dockerfile).toContain(`dagster-postgres==${DAGSTER_LIBRARIES_VERSION}`);
    expect(dockerfile).toMatch(/^ENV DAGSTER_HOME=\/opt\/dagster\/dagster_home$/m);
    expect(dockerfile).toMatch(/^ENV PYTHONPATH=/m);
    const compose = parse(read(workspace, 'services/dagster/docker-compose.yml'));
    expect(Object.keys(compose.services)).toEqual([...SERVICE_COMPOSE_NAMES]);
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      const service = compose.services[name];
      expect(service.env_file).toBe('.env');
      expect(service.depends_on).toEqual({ dagster_postgresql: { condition: 'service_healthy' } });
      expect(service.volumes).toContain('${DATA_PATH}/dagster_storage:${DAGSTER_STORAGE_PATH:-/tmp/dagster_storage}');
      expect(service.volumes).toContain('../../projects:/workspace/projects');
      expect(service.command).toContain('workspace.yaml');
    }
    expect(compose.services.dagster_webserver.ports).toEqual(['3000:3000']);
    expect(compose.networks).toEqual({ dagster_network: { name: '${NETWORK_NAME:-workspace-net}' } });
    const dagsterYaml = parse(read(workspace, 'services/dagster/dagster.yaml'));
    expect(dagsterYaml.run_coordinator.class).toBe('QueuedRunCoordinator');
    expect(dagsterYaml.run_launcher.class).toBe('DefaultRunLauncher');
    expect(dagsterYaml.storage.postgres.postgres_db.password).toEqual({ env: 'DAGSTER_POSTGRES_PASSWORD' });
    expect(dagsterYaml.storage.postgres.postgres_db.port).toEqual({ env: 'DAGSTER_POSTGRES_PORT' });
  });

  it('keeps every file that exists, edited or not, and creates only the missing ones', async () => {
    const workspace = testdir();
    await apply(workspace);
    writeFileSync(join(workspace, 'services/dagster/dagster.yaml'), '# mine\n');
    const again = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: 'other' });
    expect(again.created).toEqual([]);
    expect(again.changes.list()).toEqual([]);
    expect(again.kept).toContain('services/dagster/dagster.yaml');

    const { rmSync } = await import('node:fs');
    rmSync(join(workspace, 'services/dagster/workspace.yaml'));
    const repair = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: 'other' });
    expect(repair.created).toEqual(['services/dagster/workspace.yaml']);
  });

  it('refuses a folder where a file belongs, and a workspace that is a file', async () => {
    const workspace = testdir();
    mkdirSync(join(workspace, 'services/dagster/.env'), { recursive: true });
    await expect(planInit(nodeFileSystem, workspace, { dagsterDbPassword: PASSWORD })).rejects.toThrow(/is a folder/);
    const file = join(testdir(), 'file');
    writeFileSync(file, 'x');
    await expect(planInit(nodeFileSystem, file, { dagsterDbPassword: PASSWORD })).rejects.toThrow(/is a file/);
  });

  it('warns when a new .env meets an existing Dagster database folder', async () => {
    const workspace = testdir({ 'data/postgres/dagster/PG_VERSION': '15\n' });
    const plan = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: PASSWORD });
    expect(plan.warnings.join('\n')).toMatch(/already holds a Dagster database/);
  });

  it('writes .env readable by its owner only (it holds the database password)', async () => {
    const workspace = testdir();
    await apply(workspace);
    const { statSync } = await import('node:fs');
    expect(statSync(join(workspace, 'services/dagster/.env')).mode & 0o777).toBe(0o600);
  });

  it('leaves the workspace exactly as it was when any single write fails', async () => {
    const probe = failingFs(undefined);
    const dry = testdir();
    await applyChanges((await planInit(probe, dry, { dagsterDbPassword: PASSWORD })).changes.list(), probe);
    const writes = probe.log.length;
    expect(writes).toBeGreaterThan(SERVICE_FILES.length);
    for (let failAt = 1; failAt <= writes; failAt++) {
      const workspace = testdir({ 'projects/keep.txt': 'mine\n' });
      const before = snapshotTree(workspace);
      const plan = await planInit(nodeFileSystem, workspace, { dagsterDbPassword: PASSWORD });
      const error = await applyChanges(plan.changes.list(), failingFs(failAt)).catch((e: unknown) => e);
      expect(error, `write #${failAt}`).toBeInstanceOf(ApplyError);
      expect(snapshotTree(workspace), `write #${failAt}`).toEqual(before);
    }
  });
});
