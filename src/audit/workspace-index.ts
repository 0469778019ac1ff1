import { join } from 'node:path';
import { parse } from 'yaml';
import { readEnvEntries } from '../formats/env-file.js';
import { readModuleStatus, type ModuleStatus } from '../workspace/module-status.js';
import { moduleLocalDir, MODULE_LOCAL_FILES, type WorkspacePaths } from '../workspace/paths.js';
import { listPublishedPorts } from '../workspace/ports/published-ports.js';
import { parseRegistry, type Registry } from '../workspace/registry.js';
import type { ReadOnce } from './read-once.js';

/** What one audit run knows about the workspace: read once, shared by every module audited (linear in modules). */
export interface WorkspaceIndex {
  /** Undefined when there is no shared service (no `dmb init` yet). */
  registry?: Registry;
  registryProblem?: string;
  /** Published host port -> the modules (folder names) whose workspace/local/ compose publishes it. */
  portOwners: Map<number, Set<string>>;
  /** Folder -> its published host ports with the service that publishes each. */
  modulePorts: Map<string, Array<{ port: number; service: string }>>;
  status(folder: string): Promise<ModuleStatus | 'not-integrated' | 'no-service'>;
}

export async function readWorkspaceIndex(files: ReadOnce, paths: WorkspacePaths, folders: string[]): Promise<WorkspaceIndex> {
  const fs = files.fs;
  let registry: Registry | undefined;
  let registryProblem: string | undefined;
  const registryText = await files.text(paths.registry);
  if (registryText !== undefined) {
    try {
      registry = parseRegistry(registryText, 'services/dagster/.registry');
    } catch (error) {
      registryProblem = (error as Error).message;
    }
  }
  const portOwners = new Map<number, Set<string>>();
  const modulePorts = new Map<string, Array<{ port: number; service: string }>>();
  for (const folder of folders) {
    const ports = await readModulePorts(files, paths, folder);
    modulePorts.set(folder, ports);
    for (const { port } of ports) {
      const owners = portOwners.get(port) ?? new Set<string>();
      owners.add(folder);
      portOwners.set(port, owners);
    }
  }
  return {
    registry,
    registryProblem,
    portOwners,
    modulePorts,
    async status(folder) {
      if (!registry) return 'no-service';
      const entry = registry.integrated_modules.find((candidate) => candidate.name === folder);
      if (!entry) return 'not-integrated';
      return readModuleStatus(fs, paths, entry);
    },
  };
}

async function readModulePorts(files: ReadOnce, paths: WorkspacePaths, folder: string): Promise<Array<{ port: number; service: string }>> {
  const localDir = moduleLocalDir(paths, folder);
  const composeText = await files.text(join(localDir, MODULE_LOCAL_FILES.compose));
  if (composeText === undefined) return [];
  const envText = await files.text(join(localDir, MODULE_LOCAL_FILES.env));
  const env = new Map<string, string>();
  for (const [key, entry] of readEnvEntries(envText ?? '')) env.set(key, entry.value);
  try {
    const compose = parse(composeText) as { services?: Record<string, unknown> } | null;
    return listPublishedPorts(compose?.services ?? {}, env)
      .filter((entry) => entry.port.hostPort !== undefined)
      .map((entry) => ({ port: entry.port.hostPort as number, service: entry.service }));
  } catch {
    // A compose file that is not YAML: the workspace checks report it; ports are then unknown.
    return [];
  }
}
