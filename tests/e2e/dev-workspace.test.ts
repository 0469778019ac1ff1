import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DG_BIN, runBinary } from '../helpers/cli.js';
import { pollUntil } from '../helpers/patience.js';
import { testdir } from '../helpers/tree.js';
import { addFixtureModules, freePort, graphql, isListening, sleep, startDev, waitForLocations, waitForServer, type DevProcess } from '../fixtures/service/support.js';

const LAUNCH = `mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }`;

/** The temp DAGSTER_HOME dmb dev announced, so the test can check it is gone afterwards. */
function announcedHome(output: string): string {
  const match = /Instance: SQLite in (\S+)/.exec(output);
  if (!match) throw new Error(`dmb dev did not say where its instance lives:\n${output}`);
  return match[1]!;
}

function processesMentioning(text: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('dmb dev', () => {
  const running: DevProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((dev) => dev.stop('SIGKILL')));
  });

  it('serves every module of the workspace from this host, with host-side DB addresses and storage, and stops cleanly', async () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    addFixtureModules(workspace);
    const port = await freePort();
    const dev = startDev(['--workspace', workspace, '--port', String(port)]);
    running.push(dev);

    const info = await waitForServer(port, dev);
    expect(info.dagster_version).toBe('1.13.27');
    expect(dev.output()).toMatch(/sales-data: 127\.0\.0\.1:5438/);
    expect(dev.output()).toMatch(/Nothing listens on the published port of sales_data_postgres[\s\S]*docker-compose up -d sales_data_postgres/);
    const locations = await waitForLocations(port, 2);
    expect(locations.map((l) => [l.name, l.loadStatus, l.error])).toEqual([
      ['sales_data', 'LOADED', undefined],
      ['web_logs', 'LOADED', undefined],
    ]);
    const keys = (name: string) => locations.find((l) => l.name === name)!.assets.map((a) => a.path.join('/')).sort();
    expect(keys('sales_data')).toEqual(['sales_data/daily_summary', 'sales_data/env_probe']);
    expect(keys('web_logs')).toEqual(['web_logs/daily_summary', 'web_logs/page_views']);

    // What the code location saw: the DB on 127.0.0.1 at its published port, storage on the host, the .env's user.
    const probe = locations[0]!.assets.find((a) => a.path.join('/') === 'sales_data/env_probe')!;
    expect(probe.description).toBe(`db=127.0.0.1:5438 storage=${join(workspace, 'data', 'dagster_storage')} user=sales_data_user`);

    // A real run through dg dev's daemon writes into <workspace>/data/dagster_storage.
    const launched = await graphql(port, LAUNCH, {
      params: {
        selector: { repositoryLocationName: 'web_logs', repositoryName: '__repository__', jobName: '__ASSET_JOB', assetSelection: [{ path: ['web_logs', 'page_views'] }] },
        runConfigData: {},
      },
    });
    expect(launched.launchRun.__typename, JSON.stringify(launched)).toBe('LaunchRunSuccess');
    const stored = join(workspace, 'data', 'dagster_storage', 'web_logs', 'page_views');
    await pollUntil(`${stored} to be written by the run`, () => (existsSync(stored) ? true : undefined), 1000).catch(() => undefined);
    expect(existsSync(stored), dev.output().slice(-3000)).toBe(true);

    const home = announcedHome(dev.output());
    expect(existsSync(home)).toBe(true);
    expect(await dev.stop('SIGTERM')).toBe(0);
    expect(dev.output()).toMatch(/dg dev stopped/);
    // dg dev, not the superseded `dagster dev`: Dagster printed no SupersessionWarning.
    expect(dev.output()).not.toMatch(/SupersessionWarning|superseded/);
    expect(existsSync(home)).toBe(false);
    expect(await isListening(port)).toBe(false);
    expect(processesMentioning(home)).toEqual([]);
  });

  it('stops on Ctrl-C (SIGINT) too, with an empty workspace', async () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    const port = await freePort();
    const dev = startDev(['--workspace', workspace, '--port', String(port)]);
    running.push(dev);
    await waitForServer(port, dev);
    expect(dev.output()).toMatch(/No module is integrated yet/);
    expect(await readLocationsCount(port)).toBe(0);
    const home = announcedHome(dev.output());
    expect(await dev.stop('SIGINT')).toBe(0);
    expect(existsSync(home)).toBe(false);
    expect(await isListening(port)).toBe(false);
    expect(processesMentioning(home)).toEqual([]);
  });

  it('--json: Dagster logs go to stderr, stdout is exactly one JSON document', async () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    const port = await freePort();
    const dev = startDev(['--workspace', workspace, '--port', String(port), '--json']);
    running.push(dev);
    await waitForServer(port, dev);
    expect(dev.stdout()).toBe('');
    expect(await dev.stop('SIGINT')).toBe(0);
    // dg dev's own log lines reached stderr only (stdout held nothing while it ran).
    expect(dev.output()).toMatch(/Serving dagster-webserver on http:\/\/127\.0\.0\.1:\d+/);
    expect(JSON.parse(dev.stdout())).toEqual({ port, url: `http://localhost:${port}`, locations: [], overrides: expect.any(Object), ended: 'stopped' });
  });

  it('--dry-run shows the command and the host overrides, and starts nothing', async () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    addFixtureModules(workspace);
    const port = await freePort();
    const result = runBinary(['dev', '--workspace', workspace, '--port', String(port), '--dry-run', '--json'], { DMB_DG_BIN: DG_BIN });
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.command.slice(1, 3)).toEqual(['dev', '-w']);
    expect(plan.command.at(-1)).toBe(String(port));
    expect(plan.overrides).toMatchObject({ SALES_DATA_DB_HOST: '127.0.0.1', SALES_DATA_DB_PORT: '5438' });
    expect(plan.locations).toEqual(['sales_data', 'web_logs']);
    expect(existsSync(plan.cwd)).toBe(false);
    expect(await isListening(port)).toBe(false);
    // A relative DMB_DG_BIN is taken from where dmb was started (dg dev itself runs elsewhere).
    const relative = runBinary(['dev', '--workspace', workspace, '--port', String(port), '--dry-run', '--json'], { DMB_DG_BIN: '.venv/bin/dg' });
    expect(relative.code, relative.stderr).toBe(0);
    expect(JSON.parse(relative.stdout).command[0]).toBe(join(process.cwd(), '.venv', 'bin', 'dg'));
  });

  it('follows the one DATA_PATH setting for its storage (as Docker mounts it): .env, relative to services/dagster/, or exported', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
    const env = join(workspace, 'services', 'dagster', '.env');
    const elsewhere = join(testdir(), 'client-data');
    const storage = (extra: Record<string, string> = {}) => {
      const result = runBinary(['dev', '--workspace', workspace, '--port', '3999', '--dry-run', '--json'], { DMB_DG_BIN: DG_BIN, ...extra });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).overrides.DAGSTER_STORAGE_PATH as string;
    };
    writeFileSync(env, readFileSync(env, 'utf8').replace(/^DATA_PATH=.*$/m, `DATA_PATH=${elsewhere}`));
    expect(storage()).toBe(join(elsewhere, 'dagster_storage'));
    writeFileSync(env, readFileSync(env, 'utf8').replace(/^DATA_PATH=.*$/m, 'DATA_PATH=../../shared-data'));
    expect(storage()).toBe(join(workspace, 'shared-data', 'dagster_storage'));
    expect(storage({ DATA_PATH: elsewhere })).toBe(join(elsewhere, 'dagster_storage'));
  });

  describe('refuses to start, with a reason and a fix', () => {
    let blocker: Server | undefined;
    afterAll(() => blocker?.close());

    it('exit 2 when --port is not a port number', () => {
      const workspace = testdir();
      expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
      for (const bad of ['abc', '0', '70000', '3000.5']) {
        const result = runBinary(['dev', '--workspace', workspace, '--port', bad], { DMB_DG_BIN: DG_BIN });
        expect(result.code, bad).toBe(2);
        expect(result.stderr).toMatch(/not a port number[\s\S]*fix:/);
      }
    });

    it('exit 1 when the port is in use', async () => {
      const workspace = testdir();
      expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
      const port = await freePort();
      blocker = createServer();
      await new Promise<void>((resolve) => blocker!.listen(port, '0.0.0.0', resolve));
      const result = runBinary(['dev', '--workspace', workspace, '--port', String(port)], { DMB_DG_BIN: DG_BIN });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`Port ${port} is already in use[\\s\\S]*fix: .*--port`));
    });

    it('exit 1 when dg is missing, naming DMB_DG_BIN and the package', () => {
      const workspace = testdir();
      expect(runBinary(['init', '--workspace', workspace]).code).toBe(0);
      const result = runBinary(['dev', '--workspace', workspace], { DMB_DG_BIN: join(workspace, 'no-such-dg') });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/DMB_DG_BIN[\s\S]*pip install dagster==1\.13\.27 .*dagster-dg-cli==1\.13\.27/);
      const noPath = runBinary(['dev', '--workspace', workspace], { DMB_DG_BIN: '', PATH: '/nonexistent' });
      expect(noPath.code).toBe(1);
      expect(noPath.stderr).toMatch(/dg command \(Dagster's CLI, package dagster-dg-cli\) was not found on PATH/);
    });

    it('exit 1 when the workspace has no shared service yet, pointing at dmb init', () => {
      const workspace = testdir();
      const result = runBinary(['dev', '--workspace', workspace], { DMB_DG_BIN: DG_BIN });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/dmb init/);
    });
  });
});


async function readLocationsCount(port: number): Promise<number> {
  const data = await graphql(port, '{ workspaceOrError { ... on Workspace { locationEntries { name } } } }');
  return data.workspaceOrError.locationEntries.length;
}
