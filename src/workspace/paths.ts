import { join, relative } from 'node:path';

/** Where everything of the shared service lives, from the workspace root. */
export interface WorkspacePaths {
  root: string;
  projectsDir: string;
  dataDir: string;
  serviceDir: string;
  workspaceYaml: string;
  env: string;
  compose: string;
  dockerfile: string;
  registry: string;
  backupsDir: string;
  lock: string;
}

export function workspacePaths(root: string): WorkspacePaths {
  const serviceDir = join(root, 'services', 'dagster');
  return {
    root,
    projectsDir: join(root, 'projects'),
    dataDir: join(root, 'data'),
    serviceDir,
    workspaceYaml: join(serviceDir, 'workspace.yaml'),
    env: join(serviceDir, '.env'),
    compose: join(serviceDir, 'docker-compose.yml'),
    dockerfile: join(serviceDir, 'Dockerfile'),
    registry: join(serviceDir, '.registry'),
    backupsDir: join(serviceDir, 'modules', 'backups'),
    lock: join(serviceDir, '.dmb.lock'),
  };
}

/** The four files a module is merged into, in the order they are written, plus the registry. */
export const MERGED_FILES = ['workspaceYaml', 'env', 'compose', 'dockerfile'] as const;
export type MergedFile = (typeof MERGED_FILES)[number];
export const BACKED_UP_FILES = [...MERGED_FILES, 'registry'] as const;
export type BackedUpFile = (typeof BACKED_UP_FILES)[number];

/** A path as messages show it: relative to the workspace root when inside it. */
export function shownPath(paths: WorkspacePaths, path: string): string {
  const rel = relative(paths.root, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

/** The module's files that describe its integration. */
export function moduleLocalDir(paths: WorkspacePaths, folder: string): string {
  return join(paths.projectsDir, folder, 'workspace', 'local');
}

export const MODULE_LOCAL_FILES = {
  workspaceYaml: 'workspace.yaml',
  env: '.env',
  compose: 'docker-compose.yml',
  snippet: 'dockerfile.snippet',
} as const;
