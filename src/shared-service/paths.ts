import { join } from 'node:path';

/**
 * Where the shared service lives and what it is made of. `init` creates these files; `workspace add`
 * and `remove` edit them; `dev` reads them.
 */
export const SERVICE_FILES = {
  compose: 'docker-compose.yml',
  dockerfile: 'Dockerfile',
  dagsterYaml: 'dagster.yaml',
  workspaceYaml: 'workspace.yaml',
  env: '.env',
  registry: '.registry',
} as const;

/** The template set init renders into services/dagster/ (built-in or the team's copy in patterns/dagster/). */
export const SERVICE_TEMPLATE_SET = 'service';

export function serviceDir(workspace: string): string {
  return join(workspace, 'services', 'dagster');
}

export function servicePath(workspace: string, file: keyof typeof SERVICE_FILES): string {
  return join(serviceDir(workspace), SERVICE_FILES[file]);
}

/** Host folder of all data: database folders, the IO manager storage (the .env's DATA_PATH). */
export function dataDir(workspace: string): string {
  return join(workspace, 'data');
}
