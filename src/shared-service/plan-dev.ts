import { isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { parseYaml } from '../formats/yaml-text.js';
import { operationError, usageError } from '../errors.js';
import { readEnvValues } from '../formats/dotenv.js';
import { hostEnvironment, hostEnvOverrides, toHostWorkspaceYaml } from '../workspace/host-view.js';
import type { Registry } from '../workspace/registry.js';

export const DEFAULT_DEV_PORT = 3000;

/** `--port` as given on the command line: a whole number 1-65535, or a usage error (exit 2). */
export function parsePort(value: unknown): number {
  const text = String(value ?? DEFAULT_DEV_PORT).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw usageError(`--port "${text}" is not a port number.`, 'Pass a whole number from 1 to 65535, e.g. --port 3001.');
  }
  return port;
}

export interface DevInput {
  workspace: string;
  /** services/dagster/ (relative paths in workspace.yaml are resolved against it, as Dagster does). */
  serviceDir: string;
  workspaceYaml: string;
  envText: string;
  registry: Registry;
  port: number;
  /** Dagster's `dg` executable (dagster-dg-cli). */
  dgBin: string;
  /** The throwaway DAGSTER_HOME; it also holds the host copy of workspace.yaml. */
  tempHome: string;
  /** Host side of the IO storage volume: ${DATA_PATH}/dagster_storage (hostStorageDir). */
  storagePath: string;
  /** The environment dmb itself runs in. */
  baseEnv: Record<string, string | undefined>;
}

export interface DevPlan {
  command: string;
  args: string[];
  /** No .env in it: Dagster reads a .env from its working directory and must not see the container values. */
  cwd: string;
  env: Record<string, string>;
  /** The variables whose value differs from the workspace .env (shown to the user). */
  overrides: Record<string, string>;
  files: Array<{ path: string; content: string }>;
  locations: string[];
}

/** The throwaway instance: no storage section means SQLite files inside DAGSTER_HOME. */
export const DEV_DAGSTER_YAML = `# Throwaway Dagster instance of "dmb dev": runs and event logs in SQLite in this folder,
# which dmb deletes when dg dev stops. The shared service's dagster.yaml (PostgreSQL) is for Docker.
`;

/**
 * Everything `dmb dev` runs, as data: `dg dev -w` over a host-path copy of the shared workspace.yaml,
 * with the workspace .env, the exported variables (which win, as in compose) and host-side overrides (each module DB at 127.0.0.1 on its published port,
 * the IO storage in ${DATA_PATH}/dagster_storage, as Docker mounts it) and a throwaway DAGSTER_HOME.
 */
export function planDev(input: DevInput): DevPlan {
  const hostYaml = toHostWorkspaceYaml(input.workspaceYaml, input.workspace);
  const { text, locations } = absolutizeWorkspace(hostYaml, input.serviceDir, join(input.serviceDir, 'workspace.yaml'));
  const fileValues = readEnvValues(input.envText);
  const overrides = hostEnvOverrides(input.registry, input.storagePath);
  const env = { ...hostEnvironment(input.envText, input.baseEnv, overrides), DAGSTER_HOME: input.tempHome };
  const workspaceFile = join(input.tempHome, 'workspace.yaml');
  return {
    // `dg dev -w` starts the same webserver and daemon as `dagster dev -w`, which Dagster 1.13 marks as
    // superseded (it prints a SupersessionWarning pointing to `dg dev`).
    command: input.dgBin,
    args: ['dev', '-w', workspaceFile, '-p', String(input.port)],
    cwd: input.tempHome,
    env,
    overrides: Object.fromEntries(Object.entries(overrides).filter(([key, value]) => fileValues[key] !== value)),
    files: [
      { path: join(input.tempHome, 'dagster.yaml'), content: DEV_DAGSTER_YAML },
      { path: workspaceFile, content: text },
    ],
    locations,
  };
}

/** Path-valued keys of workspace.yaml entries that Dagster resolves against the file's folder. */
const PATH_KEYS = ['working_directory', 'relative_path', 'python_file'];

/**
 * The copy is written elsewhere (the temp DAGSTER_HOME), so a relative path in the shared workspace.yaml
 * is made absolute against services/dagster/, where Dagster would have resolved it.
 */
function absolutizeWorkspace(text: string, baseDir: string, source: string): { text: string; locations: string[] } {
  const { doc, errors } = parseYaml(text);
  const error = errors[0];
  if (error) throw operationError(`${source}:${error.line} is not valid YAML: ${error.message}`, 'Fix the file, or restore it with "dmb workspace restore <timestamp>".');
  const loadFrom = doc.get('load_from', true);
  const locations: string[] = [];
  if (loadFrom !== undefined && loadFrom !== null && !isSeq(loadFrom)) {
    throw operationError(`${source}: "load_from" must be a list.`, 'Write it as "load_from: []" or a list of entries.');
  }
  if (isSeq(loadFrom)) {
    for (const item of loadFrom.items) {
      if (!isMap(item)) continue;
      for (const pair of item.items) {
        const kind = isScalar(pair.key) ? String(pair.key.value) : '';
        const target = pair.value;
        if (isScalar(target) && kind === 'python_file') {
          target.value = absolute(String(target.value), baseDir);
          locations.push(String(target.value));
        }
        if (!isMap(target)) continue;
        for (const key of PATH_KEYS) {
          const value = target.get(key);
          if (typeof value === 'string') target.set(key, absolute(value, baseDir));
        }
        locations.push(locationName(kind, target.toJSON() as Record<string, unknown>));
      }
    }
  }
  return { text: stringify(doc), locations };
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function locationName(kind: string, entry: Record<string, unknown>): string {
  const name = entry.location_name ?? entry.package_name ?? entry.module_name ?? entry.relative_path ?? kind;
  return String(name);
}

function stringify(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}
