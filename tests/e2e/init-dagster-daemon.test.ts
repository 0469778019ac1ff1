import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBinary } from '../helpers/cli.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { testdir } from '../helpers/tree.js';
import { toHostWorkspaceYaml } from '../../src/workspace/host-view.js';
import { readEnvValues } from '../../src/formats/dotenv.js';
import { addFixtureModules, assertDagsterPostgresInstalled, freePort, graphql, sleep, VENV_BIN, waitForLocations } from '../fixtures/service/support.js';

/**
 * The shared service's instance config, run as the Docker containers run it but on this host: webserver and
 * daemon over the generated dagster.yaml, storage in a real PostgreSQL. A run launched from the UI's API is
 * queued (QueuedRunCoordinator), picked up by the daemon, executed by DefaultRunLauncher next to the daemon,
 * and writes its value into the IO storage path that the daemon container mounts.
 */
const LAUNCH = `mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message } ... on InvalidSubsetError { message } } }`;
const RUN_STATUS = `query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }`;

describe('dmb init: queued runs through the daemon with the generated dagster.yaml', () => {
  const name = `dmb_daemon_${process.pid}`;
  const children: ChildProcess[] = [];
  const psql = (sql: string, db = 'postgres') =>
    spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' });

  afterAll(async () => {
    await Promise.all(children.map((child) => stop(child)));
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    psql(`DROP ROLE IF EXISTS ${name}`);
  });

  it('queues the run, the daemon launches it, and its output lands in the IO storage path', async () => {
    assertDagsterPostgresInstalled();
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    addFixtureModules(workspace);
    const service = join(workspace, 'services', 'dagster');
    const env = readEnvValues(readFileSync(join(service, '.env'), 'utf8'));
    for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `DROP ROLE IF EXISTS ${name}`, `CREATE ROLE ${name} LOGIN PASSWORD '${env.DAGSTER_POSTGRES_PASSWORD}'`, `CREATE DATABASE ${name} OWNER ${name}`]) {
      expect(psql(sql).status, sql).toBe(0);
    }
    const home = testdir();
    cpSync(join(service, 'dagster.yaml'), join(home, 'dagster.yaml'));
    const hostWorkspace = join(home, 'workspace.yaml');
    writeFileSync(hostWorkspace, toHostWorkspaceYaml(readFileSync(join(service, 'workspace.yaml'), 'utf8'), workspace));
    const storage = join(workspace, 'data', 'dagster_storage');
    const processEnv = {
      ...process.env,
      ...env,
      DAGSTER_HOME: home,
      DAGSTER_POSTGRES_HOST: '127.0.0.1',
      DAGSTER_POSTGRES_USER: name,
      DAGSTER_POSTGRES_DB: name,
      DAGSTER_STORAGE_PATH: storage,
      SALES_DATA_DB_HOST: '127.0.0.1',
      SALES_DATA_DB_PORT: '5438',
    };
    const port = await freePort();
    let output = '';
    const launch = (command: string, args: string[]) => {
      const child = spawn(join(VENV_BIN, command), args, { cwd: home, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      children.push(child);
    };
    launch('dagster-webserver', ['-h', '127.0.0.1', '-p', String(port), '-w', hostWorkspace]);
    launch('dagster-daemon', ['run', '-w', hostWorkspace]);

    const locations = await waitForLocations(port, 2);
    expect(locations.map((l) => `${l.name}:${l.loadStatus}`).sort(), output.slice(-3000)).toEqual(['sales_data:LOADED', 'web_logs:LOADED']);

    const launched = await graphql(port, LAUNCH, {
      params: {
        selector: { repositoryLocationName: 'web_logs', repositoryName: '__repository__', jobName: '__ASSET_JOB', assetSelection: [{ path: ['web_logs', 'page_views'] }] },
        runConfigData: {},
      },
    });
    expect(launched.launchRun.__typename, JSON.stringify(launched)).toBe('LaunchRunSuccess');
    expect(launched.launchRun.run.status).toBe('QUEUED');
    const runId = launched.launchRun.run.runId as string;

    let status = 'QUEUED';
    const deadline = Date.now() + PATIENCE_MS;
    while (Date.now() < deadline && !['SUCCESS', 'FAILURE', 'CANCELED'].includes(status)) {
      await sleep(1000);
      status = (await graphql(port, RUN_STATUS, { id: runId })).runOrError.status;
    }
    expect(status, output.slice(-4000)).toBe('SUCCESS');
    expect(existsSync(join(storage, 'web_logs', 'page_views'))).toBe(true);
    expect(psql(`SELECT status FROM runs WHERE run_id = '${runId}'`, name).stdout.trim()).toBe('SUCCESS');
    // It was enqueued (QueuedRunCoordinator), then started: only the daemon takes runs off the queue.
    const events = psql(`SELECT dagster_event_type FROM event_logs WHERE run_id = '${runId}' AND dagster_event_type IS NOT NULL ORDER BY id`, name).stdout.trim().split('\n');
    expect(events).toContain('PIPELINE_ENQUEUED');
    expect(events.indexOf('PIPELINE_ENQUEUED')).toBeLessThan(events.indexOf('PIPELINE_STARTING'));
    expect(events).toContain('PIPELINE_SUCCESS');
  });
});

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is empty
      }
      resolve();
    });
    child.kill('SIGTERM');
  });
}
