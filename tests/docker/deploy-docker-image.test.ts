import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { okIn } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { PATIENCE_MS, sleep } from '../helpers/patience.js';
import { run, startEngine, type Engine } from './engine.js';

/**
 * Issue 12 (§2, second bullet): the docker strategy's image, built in a real Docker engine (scripts/docker-harness.sh)
 * from the generated deploy/<name>/Dockerfile exactly as DEPLOYMENT.md says, run with the generated .env.deploy,
 * and reported `healthy` by Docker: its own HEALTHCHECK (`dagster api grpc-health-check`) passes with the module loaded.
 * No bridge network here: the container runs with `--network host`, so the code server listens on the Dockerfile's
 * own port (4000) of this host; the test checks that port is free first. A database module's service name is
 * mapped to 127.0.0.1 (`--add-host`), where PostgreSQL runs; the code server only needs to load the module.
 */
const DOCKER = '/usr/bin/docker';
const REGISTRY = '127.0.0.1:5000/acme';
const CODE_SERVER_PORT = 4000;
const COMMON = ['--client', 'Beast Business', '--host', 'client.example.com', '--base-path', '/srv/dagster', '--yes'];
const MODULES = [
  { slug: 'web-stats', db: 'none', dbService: undefined },
  { slug: 'sales-data', db: 'postgresql', dbService: 'sales_data_postgres' },
] as const;

/** Asks the code server in the container for its repositories: the response's type and the repository names. */
const LIST_REPOSITORIES = [
  'from dagster._grpc.client import DagsterGrpcClient',
  'from dagster._serdes import deserialize_value',
  `r = deserialize_value(DagsterGrpcClient(port=${CODE_SERVER_PORT}, host="localhost").list_repositories())`,
  'print(type(r).__name__, *[s.repository_name for s in getattr(r, "repository_symbols", [])])',
  'print(r) if not hasattr(r, "repository_symbols") else None',
].join('\n');

/** True when nothing on this host listens on `port` (the code server binds 0.0.0.0 in the host network). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

describe('the docker strategy: the generated image builds in a real Docker engine and is healthy with the module loaded', () => {
  const workspace = tempDir('dmb-deploy-image-');
  let engine: Engine | undefined;
  const containers: string[] = [];
  const docker = (args: string[], options: { cwd?: string; timeoutMs?: number } = {}) => run(DOCKER, args, { dockerHost: engine!.dockerHost, ...options });

  afterAll(async () => {
    if (!engine) return;
    for (const container of containers) docker(['rm', '-f', container]);
    const code = await engine.stop();
    expect(code, engine.output()).toBe(0);
  }, PATIENCE_MS);

  it('dmb init, new (none, PostgreSQL), configure-deployment --strategy docker', () => {
    okIn(workspace, 'init');
    for (const m of MODULES) {
      okIn(workspace, 'new', m.slug, '--db', m.db, '--yes');
      okIn(workspace, 'configure-deployment', m.slug, '--name', 'box', '--strategy', 'docker', '--registry', REGISTRY, ...COMMON);
      const dockerfile = readFileSync(join(workspace, 'projects', m.slug, 'deploy', 'box', 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^FROM python:3\.11-slim$/m);
      expect(dockerfile).toContain(`CMD ["dagster", "api", "grpc-health-check", "-p", "${CODE_SERVER_PORT}"]`);
    }
  });

  it('the harness starts its own dockerd with the stand-in python:3.11-slim', async () => {
    expect(await portIsFree(CODE_SERVER_PORT), `port ${CODE_SERVER_PORT} of this host is in use; the code server needs it`).toBe(true);
    engine = await startEngine(['python:3.11-slim'], PATIENCE_MS);
  });

  it.each(MODULES)('$slug ($db): docker build, docker run --env-file .env.deploy, HEALTHCHECK healthy', async (m) => {
    const module = join(workspace, 'projects', m.slug);
    const image = `${REGISTRY}/${m.slug}:test`;
    const build = docker(['build', '--network', 'host', '-f', 'deploy/box/Dockerfile', '-t', image, '.'], { cwd: module, timeoutMs: PATIENCE_MS });
    expect(build.code, `${build.stdout.slice(-4000)}\n${build.stderr.slice(-4000)}`).toBe(0);
    // The module's own code in the image, and the pinned Dagster from its requirements.txt.
    const listing = docker(['run', '--rm', '--network', 'host', image, 'python', '-c', 'import dagster; print(dagster.__version__)']);
    expect(listing.code, listing.stderr).toBe(0);
    expect(readFileSync(join(module, 'requirements.txt'), 'utf8')).toContain(`dagster==${listing.stdout.trim()}`);

    const container = `dmb-image-${m.slug}`;
    docker(['rm', '-f', container]);
    containers.push(container);
    const hosts = m.dbService ? ['--add-host', `${m.dbService}:127.0.0.1`] : [];
    const started = docker(['run', '-d', '--name', container, '--network', 'host', ...hosts, '--env-file', 'deploy/box/.env.deploy', image], { cwd: module });
    expect(started.code, started.stderr).toBe(0);

    // Docker runs the HEALTHCHECK itself (start period 60 s, every 30 s): poll its verdict with a generous limit.
    const deadline = Date.now() + PATIENCE_MS;
    let status = '';
    while (Date.now() < deadline) {
      status = docker(['inspect', '-f', '{{.State.Status}} {{.State.Health.Status}}', container]).stdout.trim();
      if (status !== 'running starting') break;
      await sleep(2000);
    }
    const logs = docker(['logs', '--tail', '60', container]);
    expect(status, `${logs.stdout}${logs.stderr}`).toBe('running healthy');
    const health = docker(['inspect', '-f', '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}', container]);
    expect(health.stdout).toContain('gRPC connection successful');
    // The code server loaded the module under its location name.
    // Healthy says only that the code server answers: it also does with a module that failed to import. So ask it,
    // over gRPC inside the container, for the module's repositories (an import error comes back instead).
    const loaded = docker(['exec', container, 'python', '-c', LIST_REPOSITORIES]);
    expect(`${loaded.code} ${loaded.stdout.trim()}`, `${loaded.stderr}\n${logs.stdout}${logs.stderr}`).toBe('0 ListRepositoriesResponse __repository__');
    expect(`${logs.stdout}${logs.stderr}`).not.toMatch(/Error while importing code/);

    expect(docker(['rm', '-f', container]).code).toBe(0);
    containers.splice(containers.indexOf(container), 1);
  });
});
