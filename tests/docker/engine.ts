/**
 * The Docker side of the workspace test: a handle on scripts/docker-harness.sh (our own dockerd and the
 * stand-in base images), docker-compose 1.29 against it, and the test-only host-network variant of the
 * generated compose file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const HARNESS = join(REPO_ROOT, 'scripts', 'docker-harness.sh');

export interface Engine {
  dockerHost: string;
  output(): string;
  /** Ends the harness (SIGTERM): its EXIT trap stops dockerd by PID. Resolves with the harness's exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the harness in --hold mode and waits (as long as the first run's image builds take) for its
 * "DOCKER_HOST=..." line. Rejects with the harness's output (the daemon's log tail) if it gives up.
 */
export function startEngine(images: string[], timeoutMs: number): Promise<Engine> {
  const child: ChildProcess = spawn('bash', [HARNESS, ...images.flatMap((tag) => ['--image', tag]), '--hold'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let exited: number | null | undefined;
  const exitedPromise = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = (): Promise<number | null> => {
    if (exited !== undefined) return Promise.resolve(exited);
    child.kill('SIGTERM');
    return exitedPromise;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`docker harness not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /^DOCKER_HOST=(\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ dockerHost: match[1]!, output: () => output, stop });
      }
    });
    void exitedPromise.then((code) => {
      clearTimeout(timer);
      reject(new Error(`docker harness exited (${code}) before the engine was ready:\n${output}`));
    });
  });
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command against the harness's engine (DOCKER_HOST), never a shell line. */
export function run(command: string, args: string[], options: { cwd?: string; dockerHost: string; timeoutMs?: number }): Run {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: options.dockerHost },
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** The base images a generated Dockerfile and compose file name (FROM lines, `image:` of non-built services). */
export function baseImages(dockerfile: string, compose: { services: Record<string, { image?: string; build?: unknown }> }): string[] {
  const fromLines = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
  const serviceImages = Object.values(compose.services)
    .filter((s) => s.image && !s.build)
    .map((s) => s.image!);
  return [...new Set([...fromLines, ...serviceImages])];
}

/** Where each service listens in the host-network variant (fresh free ports, away from 5432/3306/3000). */
export interface HostPorts {
  webserver: number;
  /** compose service name -> port, for dagster_postgresql and every module database. */
  databases: Record<string, number>;
}

/** How a stand-in database is told its port and its listen address. */
const DB_PORT_ENV: Record<string, { port: string; address: Record<string, string> }> = {
  postgres: { port: 'PGPORT', address: { POSTGRES_LISTEN_ADDRESSES: '127.0.0.1' } },
  mysql: { port: 'MYSQL_TCP_PORT', address: { MYSQL_BIND_ADDRESS: '127.0.0.1' } },
};

type Service = Record<string, any>;
type Compose = { services: Record<string, Service>; networks?: unknown; [key: string]: unknown };

/**
 * The generated compose file with networking and ports changed, nothing else: every service on
 * `network_mode: host` (no bridge network, no published ports), service names resolving to 127.0.0.1,
 * each database on its own free port (the stand-in's port variable), the Dagster containers told those
 * ports (`<MODULE>_DB_PORT`, `DAGSTER_POSTGRES_PORT`), and the webserver on a free port of 127.0.0.1.
 * `dbPortVariable` maps a database service to the .env key its clients read its port from.
 */
export function hostNetworkVariant(generated: Compose, ports: HostPorts, dbPortVariable: Record<string, string>): Compose {
  const variant: Compose = structuredClone(generated);
  delete variant.networks;
  const names = Object.keys(variant.services);
  const clientPorts: Record<string, string> = {};
  for (const [service, port] of Object.entries(ports.databases)) clientPorts[dbPortVariable[service]!] = String(port);
  for (const [name, service] of Object.entries(variant.services)) {
    delete service.networks;
    delete service.ports;
    service.network_mode = 'host';
    service.extra_hosts = names.map((other) => `${other}:127.0.0.1`);
    if (service.build) service.build = { ...service.build, network: 'host' };
    const image = String(service.image ?? '');
    const kind = image.startsWith('postgres:') ? 'postgres' : /^(mysql|mariadb):/.test(image) ? 'mysql' : undefined;
    if (kind && ports.databases[name] !== undefined) {
      service.environment = { ...service.environment, [DB_PORT_ENV[kind]!.port]: String(ports.databases[name]), ...DB_PORT_ENV[kind]!.address };
    } else if (service.build) {
      service.environment = { ...service.environment, ...clientPorts };
    }
    if (Array.isArray(service.command) && service.command[0] === 'dagster-webserver') {
      service.command = service.command.map((arg: string, i: number, all: string[]) =>
        all[i - 1] === '-p' ? String(ports.webserver) : all[i - 1] === '-h' ? '127.0.0.1' : arg,
      );
    }
  }
  return variant;
}

/** Every path at which two JSON-like values differ ("services.x.environment.PGPORT"). */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => differingPaths(a[key], b[key], path ? `${path}.${key}` : key));
  }
  return [path];
}
