import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DAGSTER_BIN, okIn } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

/**
 * The code server the docker and kubernetes strategies run, started here with the pinned Dagster exactly as the
 * Dockerfile's CMD says (host and port moved to loopback, the image's source folder mapped to the module's),
 * and checked with the Dockerfile's own HEALTHCHECK command. The image build itself runs in the Docker harness.
 */
const COMMON = ['--client', 'Beast Business', '--host', 'client.example.com', '--base-path', '/srv/dagster', '--yes'];
let workspace: string;
const started: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function envOf(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** A Dockerfile instruction's JSON (exec form) arguments. */
function execForm(dockerfile: string, instruction: RegExp): string[] {
  const match = instruction.exec(dockerfile.replace(/\\\n\s*/g, ''));
  if (!match) throw new Error(`no ${instruction} in the Dockerfile`);
  return JSON.parse(match[1]!) as string[];
}

beforeAll(() => {
  workspace = tempDir('dmb-code-server-');
  okIn(workspace, 'init');
  for (const db of ['postgresql', 'none']) {
    okIn(workspace, 'new', `${db}-shop`, '--db', db, '--yes');
    okIn(workspace, 'configure-deployment', `${db}-shop`, '--name', 'box', '--strategy', 'docker', '--registry', 'ghcr.io/acme', ...COMMON);
    okIn(workspace, 'configure-deployment', `${db}-shop`, '--name', 'plain', '--strategy', 'rsync', ...COMMON);
  }
});

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
});

describe('the generated code server and health checks run in the pinned Dagster', () => {
  it.each(['postgresql', 'none'])('%s: the Dockerfile CMD serves the module and its HEALTHCHECK passes', async (db) => {
    const module = join(workspace, 'projects', `${db}-shop`);
    const dockerfile = readFileSync(join(module, 'deploy', 'box', 'Dockerfile'), 'utf8');
    const cmd = execForm(dockerfile, /^CMD (\[.*\])$/m);
    const health = execForm(dockerfile, /^HEALTHCHECK .*?CMD (\[.*\])$/m);
    expect(cmd.slice(0, 3)).toEqual(['dagster', 'code-server', 'start']);
    expect(health.slice(0, 3)).toEqual(['dagster', 'api', 'grpc-health-check']);
    const port = String(await freePort());
    const local = (args: string[]) =>
      args.slice(1).map((arg) => (arg === '0.0.0.0' ? '127.0.0.1' : arg === '4000' ? port : arg === '/opt/dagster/app/src' ? join(module, 'src') : arg));
    const env = { ...process.env, ...envOf(join(module, 'deploy', 'box', '.env.deploy')), DAGSTER_STORAGE_PATH: tempDir('dmb-storage-') };
    const server = spawn(DAGSTER_BIN, local(cmd), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(server);
    let log = '';
    server.stdout?.on('data', (chunk) => (log += chunk));
    server.stderr?.on('data', (chunk) => (log += chunk));
    // Poll with a generous limit: loading Dagster on a busy machine takes a while.
    let healthy = false;
    for (let attempt = 0; attempt < 120 && !healthy && server.exitCode === null; attempt++) {
      healthy = spawnSync(DAGSTER_BIN, local(health), { env, encoding: 'utf8' }).status === 0;
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(healthy, log).toBe(true);
    server.kill('SIGTERM');
  });

  it.each(['postgresql', 'none'])('%s: the rsync health check\'s Dagster command validates the release', (db) => {
    const module = join(workspace, 'projects', `${db}-shop`);
    const { deployment } = parse(readFileSync(join(module, 'deploy', 'plain', 'deployment.yaml'), 'utf8'));
    const command: string = deployment.health_check.command;
    const dagster = command.slice(command.indexOf(' dagster definitions validate ') + 1).replace('/workspace/release', module).split(' ');
    expect(dagster.slice(0, 3)).toEqual(['dagster', 'definitions', 'validate']);
    const result = spawnSync(DAGSTER_BIN, dagster.slice(1), { encoding: 'utf8', env: { ...process.env, ...envOf(join(module, 'deploy', 'plain', '.env.deploy')) } });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Validation successful/);
  });
});
