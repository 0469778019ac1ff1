import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expectOk } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';
import { freePort, graphql, sleep, waitForLocations, type Location } from '../fixtures/service/support.js';
import { baseImages, differingPaths, hostNetworkVariant, run, startEngine, type Engine, type HostPorts } from './engine.js';

/**
 * Issue 7: the generated workspace in a real Docker engine (Debian's dockerd, started by
 * scripts/docker-harness.sh, with stand-in base images built from Debian packages). The one test-only
 * change is a host-network variant of the generated docker-compose.yml: networking and ports only (checked
 * below); the Dockerfile, dagster.yaml, workspace.yaml, .env and every other compose line are used as generated.
 */
const MODULES = [
  { slug: 'sales-data', snake: 'sales_data', db: 'postgresql', service: 'sales_data_postgres' },
  { slug: 'shop-logs', snake: 'shop_logs', db: 'mysql', service: 'shop_logs_mysql' },
  { slug: 'web-stats', snake: 'web_stats', db: 'none', service: undefined },
] as const;
const DOCKER = '/usr/bin/docker';
const PROJECT = 'dmbdocker';
const VARIANT = 'docker-compose.host-network.yml';
const MINUTE = 60_000;
/** What the host-network variant may change: networking and ports, nothing else. */
const ALLOWED_CHANGES = [
  /^networks$/,
  /^services\.[^.]+\.(networks|ports|network_mode|extra_hosts|build\.network)$/,
  /^services\.dagster_webserver\.command$/,
  /^services\.[^.]+\.environment\.(PGPORT|POSTGRES_LISTEN_ADDRESSES|MYSQL_TCP_PORT|MYSQL_BIND_ADDRESS|DAGSTER_POSTGRES_PORT|[A-Z0-9_]+_DB_PORT)$/,
];

const RUN_STATUS = `query Status($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status
  eventConnection { events { __typename ... on MessageEvent { message } } } } } }`;
const LAUNCH = `mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on RunConfigValidationInvalid { errors { message } } ... on Error { message } } }`;
const MATERIALIZATIONS = `query Last($path: [String!]!) { assetOrError(assetKey: { path: $path }) { __typename
  ... on Asset { assetMaterializations(limit: 1) { runId } } } }`;
const RUNS = `{ runsOrError { __typename ... on Runs { results { runId status } } } }`;

describe('generated workspace in a real Docker engine (test-only override: host networking and moved ports, every other line as generated)', () => {
  const workspace = testdir();
  const service = join(workspace, 'services', 'dagster');
  let engine: Engine | undefined;
  let ports: HostPorts;
  const runIds = new Map<string, string>();

  const compose = (args: string[], timeoutMs = 10 * MINUTE) =>
    run('docker-compose', ['-p', PROJECT, '-f', VARIANT, '--env-file', '.env', ...args], { cwd: service, dockerHost: engine!.dockerHost, timeoutMs });
  const docker = (args: string[]) => run(DOCKER, args, { dockerHost: engine!.dockerHost });
  const composeOk = (args: string[], timeoutMs?: number) => {
    const result = compose(args, timeoutMs);
    expect(result.code, `docker-compose ${args.join(' ')}\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-6000)}`).toBe(0);
    return result;
  };
  const logs = (container: string) => {
    const result = docker(['logs', '--tail', '80', container]);
    return `--- ${container}\n${result.stdout}${result.stderr}`;
  };

  /** Writes the host-network variant of the current generated compose file, with fresh ports. */
  async function writeVariant(): Promise<{ generated: any; variant: any }> {
    const generated = parse(readFileSync(join(service, 'docker-compose.yml'), 'utf8'));
    const databases: Record<string, number> = {};
    const portVariable: Record<string, string> = { dagster_postgresql: 'DAGSTER_POSTGRES_PORT' };
    databases.dagster_postgresql = await freePort();
    for (const m of MODULES) {
      if (!m.service || !generated.services[m.service]) continue;
      databases[m.service] = await freePort();
      portVariable[m.service] = `${m.snake.toUpperCase()}_DB_PORT`;
    }
    ports = { webserver: await freePort(), databases };
    const variant = hostNetworkVariant(generated, ports, portVariable);
    // As JSON (which is YAML): every string stays quoted, so PyYAML (YAML 1.1) cannot read "yes" as true.
    writeFileSync(join(service, VARIANT), `# Test only: docker-compose.yml with host networking and moved ports.\n${JSON.stringify(variant, null, 2)}\n`);
    return { generated, variant };
  }

  async function waitForHealthy(containers: string[], timeoutMs = 10 * MINUTE): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let states = '';
    while (Date.now() < deadline) {
      const result = docker(['inspect', '-f', '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', ...containers]);
      states = result.stdout;
      if (result.code === 0 && states.trim().split('\n').every((line) => / running( healthy)?$/.test(line.trim()))) return;
      await sleep(2000);
    }
    throw new Error(`not healthy within ${timeoutMs} ms:\n${states}\n${containers.map(logs).join('\n')}`);
  }

  async function waitForServerInfo(timeoutMs = 10 * MINUTE): Promise<Record<string, string>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${ports.webserver}/server_info`);
        if (response.ok) return (await response.json()) as Record<string, string>;
      } catch {
        // Not listening yet.
      }
      await sleep(1000);
    }
    throw new Error(`no /server_info on 127.0.0.1:${ports.webserver} within ${timeoutMs} ms\n${logs('dagster_webserver')}`);
  }

  async function startStack(locations: number): Promise<Location[]> {
    composeOk(['up', '-d']);
    const databases = ['dagster_postgresql', ...MODULES.flatMap((m) => (m.service && existsSync(join(workspace, 'projects', m.slug)) ? [m.service] : []))];
    await waitForHealthy([...databases, 'dagster_webserver', 'dagster_daemon']);
    const info = await waitForServerInfo();
    expect(info.dagster_version).toBeTruthy();
    const loaded = await waitForLocations(ports.webserver, locations, 10 * MINUTE);
    expect(
      loaded.map((l) => [l.name, l.loadStatus, l.error]),
      logs('dagster_webserver'),
    ).toEqual(loaded.map((l) => [l.name, 'LOADED', undefined]));
    return loaded;
  }

  async function launch(location: string, selector: Record<string, unknown>): Promise<string> {
    const data = await graphql(ports.webserver, LAUNCH, {
      params: { selector: { repositoryLocationName: location, repositoryName: '__repository__', ...selector }, runConfigData: {} },
    });
    const result = data.launchRun;
    expect(result.__typename, JSON.stringify(result)).toBe('LaunchRunSuccess');
    return result.run.runId as string;
  }

  async function waitForRun(runId: string, timeoutMs = 10 * MINUTE): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let status = '';
    let messages: string[] = [];
    while (Date.now() < deadline) {
      const data = await graphql(ports.webserver, RUN_STATUS, { id: runId });
      status = data.runOrError.status;
      messages = data.runOrError.eventConnection.events.map((e: { message?: string }) => e.message ?? '').filter(Boolean);
      if (['SUCCESS', 'FAILURE', 'CANCELED'].includes(status)) break;
      await sleep(2000);
    }
    if (status !== 'SUCCESS') throw new Error(`run ${runId}: ${status}\n${messages.slice(-30).join('\n')}\n${logs('dagster_daemon')}`);
    return status;
  }

  const rowCount = (m: (typeof MODULES)[number]): number => {
    // Inside the database container, with the container's own credentials (no secret on a command line).
    const sql = 'SELECT count(*) FROM raw_records';
    const script =
      m.db === 'postgresql'
        ? `psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tA -c "${sql}"`
        : `MYSQL_PWD="$MYSQL_PASSWORD" mariadb -h 127.0.0.1 -u "$MYSQL_USER" -N -e "${sql}" "$MYSQL_DATABASE"`;
    const result = docker(['exec', m.service!, 'sh', '-c', script]);
    expect(result.code, `${m.service}: ${result.stderr}`).toBe(0);
    return Number(result.stdout.trim());
  };

  afterAll(async () => {
    if (engine) {
      compose(['down']);
      const code = await engine.stop();
      expect(code, engine.output()).toBe(0);
      expect(engine.output()).toMatch(/dockerd \d+ stopped/);
    }
  }, 5 * MINUTE);

  it('dmb init, new ×3 (PostgreSQL, MySQL, none), workspace add ×3', () => {
    expectOk(['init', '--workspace', workspace]);
    for (const m of MODULES) {
      expectOk(['new', m.slug, '--workspace', workspace, '--db', m.db, '--requires', 'none', '--governance', 'standard', '--integrate', 'no', '--deploy', 'no']);
    }
    for (const m of MODULES) expectOk(['workspace', 'add', m.slug, '--workspace', workspace, '--yes']);
  });

  it('the host-network variant changes networking and ports only', async () => {
    const { generated, variant } = await writeVariant();
    const changed = differingPaths(generated, variant);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((path) => !ALLOWED_CHANGES.some((allowed) => allowed.test(path)))).toEqual([]);
    for (const s of Object.values(variant.services) as any[]) {
      expect(s.network_mode).toBe('host');
      expect(s.networks).toBeUndefined();
    }
    expect(variant.networks).toBeUndefined();
    // The webserver's command differs in its -h and -p values only.
    const masked = (command: string[]) => command.map((arg, i) => (['-h', '-p'].includes(command[i - 1] ?? '') ? '*' : arg));
    expect(masked(variant.services.dagster_webserver.command)).toEqual(masked(generated.services.dagster_webserver.command));
    for (const port of [ports.webserver, ...Object.values(ports.databases)]) expect([3000, 3306, 5432]).not.toContain(port);
  });

  it(
    'the harness starts its own dockerd with the stand-in base images the generated files name',
    async () => {
      const images = baseImages(readFileSync(join(service, 'Dockerfile'), 'utf8'), parse(readFileSync(join(service, 'docker-compose.yml'), 'utf8')));
      expect(images.sort()).toEqual(['mysql:8', 'postgres:15', 'python:3.11-slim']);
      // The first run on a machine builds the base images (~6 min); later runs find them cached.
      engine = await startEngine(images, 45 * MINUTE);
      const listed = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
      for (const image of images) expect(listed.stdout.split('\n')).toContain(image);
    },
    50 * MINUTE,
  );

  it(
    'docker-compose build: the shared image from the generated Dockerfile with every module snippet',
    () => {
      composeOk(['build'], 40 * MINUTE);
      const check = docker(['run', '--rm', '--network', 'host', 'dagster_workspace:latest', 'python', '-c', 'import dagster, dagster_postgres, psycopg, pymysql; print(dagster.__version__)']);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout.trim()).toMatch(/^1\.\d+\.\d+$/);
    },
    45 * MINUTE,
  );

  it(
    'up -d: every service healthy, /server_info answers, every code location LOADED, every asset under its module prefix',
    async () => {
      const locations = await startStack(MODULES.length);
      expect(locations.map((l) => l.name).sort()).toEqual(MODULES.map((m) => m.snake).sort());
      for (const location of locations) {
        expect(location.assets.length, location.name).toBeGreaterThan(0);
        for (const asset of location.assets) expect(asset.path[0], asset.path.join('/')).toBe(location.name);
      }
      // Two modules define raw_records: side by side under their own prefixes.
      const leaves = (name: string) => locations.find((l) => l.name === name)!.assets.map((a) => a.path.slice(1).join('/'));
      expect(leaves('sales_data')).toContain('raw_records');
      expect(leaves('web_stats')).toContain('raw_records');
    },
    25 * MINUTE,
  );

  it(
    "each module's assets, launched over GraphQL, run in the daemon to SUCCESS; IO files on the host; rows in each module's database",
    async () => {
      for (const m of MODULES) runIds.set(m.snake, await launch(m.snake, { jobName: `${m.snake}_all_assets` }));
      for (const runId of runIds.values()) await waitForRun(runId);
      const storage = join(workspace, 'data', 'dagster_storage');
      for (const m of MODULES) {
        for (const asset of ['raw_records', 'records_summary']) expect(existsSync(join(storage, m.snake, `${asset}.pickle`)), `${m.snake}/${asset}`).toBe(true);
        if (m.service) expect(rowCount(m), m.service).toBe(5);
      }
    },
    20 * MINUTE,
  );

  it(
    'down, then up -d: materializations, run history and rows survive; a downstream asset alone loads the stored values',
    async () => {
      composeOk(['down']);
      expect(docker(['ps', '-q']).stdout.trim()).toBe('');
      await startStack(MODULES.length);
      const runs = (await graphql(ports.webserver, RUNS)).runsOrError.results as Array<{ runId: string; status: string }>;
      for (const runId of runIds.values()) expect(runs).toContainEqual({ runId, status: 'SUCCESS' });
      for (const m of MODULES) {
        const data = await graphql(ports.webserver, MATERIALIZATIONS, { path: [m.snake, 'raw_records'] });
        expect(data.assetOrError.assetMaterializations, m.snake).toEqual([{ runId: runIds.get(m.snake) }]);
        if (m.service) expect(rowCount(m), m.service).toBe(5);
      }
      const downstream = await launch('sales_data', { jobName: '__ASSET_JOB', assetSelection: [{ path: ['sales_data', 'records_summary'] }] });
      await waitForRun(downstream);
    },
    25 * MINUTE,
  );

  it(
    'dmb workspace remove web-stats, rebuild and restart: its location is gone, the others still load',
    async () => {
      expectOk(['workspace', 'remove', 'web-stats', '--workspace', workspace, '--yes']);
      composeOk(['down']);
      await writeVariant();
      composeOk(['build'], 20 * MINUTE);
      const locations = await startStack(MODULES.length - 1);
      expect(locations.map((l) => l.name).sort()).toEqual(['sales_data', 'shop_logs']);
    },
    35 * MINUTE,
  );
});
