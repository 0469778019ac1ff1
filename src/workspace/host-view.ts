import { isAbsolute, join, resolve } from 'node:path';
import { databaseEnvNames, CONTAINER_PROJECTS_PATH, CONTAINER_STORAGE_PATH } from '../catalog/databases.js';
import type { WorkspacePaths } from './paths.js';
import { resolveEnvValues } from '../formats/dotenv.js';
import type { Registry } from './registry.js';

/**
 * The shared service is written for containers (/workspace/projects/..., DB service names, container
 * ports). Running it on this host (`dmb dev`, `validate --load`, tests) needs the same files seen from
 * the host: these pure functions produce that view.
 */
export function toHostWorkspaceYaml(workspaceYaml: string, workspaceRoot: string): string {
  return workspaceYaml.split(CONTAINER_PROJECTS_PATH).join(join(workspaceRoot, 'projects'));
}

/** Env overrides: each module's DB at 127.0.0.1 on its published port, and a host storage folder. */
export function hostEnvOverrides(registry: Registry, hostStoragePath: string): Record<string, string> {
  const overrides: Record<string, string> = { DAGSTER_STORAGE_PATH: hostStoragePath };
  for (const entry of registry.integrated_modules) {
    if (!entry.database) continue;
    const names = databaseEnvNames(entry.marker.toUpperCase());
    overrides[names.host] = '127.0.0.1';
    overrides[names.port] = String(entry.database.port);
  }
  return overrides;
}

/**
 * The environment Dagster gets on this host (`dmb dev`, `validate --load`): the workspace .env as
 * docker-compose reads it (python-dotenv, `${VAR}` expanded), then the variables exported in the shell,
 * which win over .env as they do in compose, then the host overrides, which make the container values work here.
 */
export function hostEnvironment(envText: string, shell: Record<string, string | undefined>, overrides: Record<string, string>): Record<string, string> {
  const exported = Object.fromEntries(Object.entries(shell).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...resolveEnvValues(envText, exported), ...exported, ...overrides };
}

export { CONTAINER_STORAGE_PATH };

/**
 * The host folder of all data as docker-compose sees it: DATA_PATH exported in the shell (which wins, as in
 * compose) or written in the workspace .env, a relative one resolved against services/dagster/ (compose's
 * project folder); <workspace>/data when it is not set. `dmb dev` and `remove --purge-data` follow it.
 */
export function hostDataDir(paths: WorkspacePaths, envText: string, shell: Record<string, string | undefined>): string {
  const value = hostEnvironment(envText, shell, {}).DATA_PATH?.trim();
  if (!value) return paths.dataDir;
  return isAbsolute(value) ? value : resolve(paths.serviceDir, value);
}

/** Host side of the IO storage volume (${DATA_PATH}/dagster_storage, mounted at DAGSTER_STORAGE_PATH in the containers). */
export function hostStorageDir(paths: WorkspacePaths, envText: string, shell: Record<string, string | undefined>): string {
  return join(hostDataDir(paths, envText, shell), 'dagster_storage');
}

/**
 * The host folder for a container working_directory: /workspace/projects/... -> <root>/projects/...,
 * a relative one from services/dagster/; undefined for a path only the container has.
 */
export function hostWorkingDirectory(paths: WorkspacePaths, workingDirectory: string | undefined): string | undefined {
  if (!workingDirectory) return paths.serviceDir;
  if (workingDirectory === CONTAINER_PROJECTS_PATH || workingDirectory.startsWith(`${CONTAINER_PROJECTS_PATH}/`)) {
    return join(paths.projectsDir, workingDirectory.slice(CONTAINER_PROJECTS_PATH.length));
  }
  if (!workingDirectory.startsWith('/')) return join(paths.serviceDir, workingDirectory);
  return undefined;
}
