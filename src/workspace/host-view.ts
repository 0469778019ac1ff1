import { join } from 'node:path';
import { databaseEnvNames, CONTAINER_PROJECTS_PATH, CONTAINER_STORAGE_PATH } from '../catalog/databases.js';
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

export { CONTAINER_STORAGE_PATH };
