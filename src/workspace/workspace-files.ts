import type { FileSystem } from '../effects/effects.js';
import { operationError } from '../errors.js';
import type { ChangeSet } from '../transaction/changes.js';
import { MERGED_FILES, shownPath, type MergedFile, type WorkspacePaths } from './paths.js';
import { readRegistryText } from './registry-text.js';
import type { Registry } from './registry.js';

/** The shared service's merged files and registry, as text (through the ChangeSet, so pending edits show). */
export interface WorkspaceFiles {
  text: Record<MergedFile, string>;
  registryText?: string;
  registry: Registry;
  shown: Record<MergedFile | 'registry', string>;
}

export async function assertServiceExists(fs: FileSystem, paths: WorkspacePaths): Promise<void> {
  if (!(await fs.isDirectory(paths.serviceDir))) {
    throw operationError(`There is no shared Dagster service at ${paths.serviceDir}.`, `Run "dmb init --workspace ${paths.root}" to create it, or pass the right --workspace.`);
  }
}

export async function readWorkspaceFiles(changes: ChangeSet, fs: FileSystem, paths: WorkspacePaths): Promise<WorkspaceFiles> {
  await assertServiceExists(fs, paths);
  const text = {} as Record<MergedFile, string>;
  const shown = { registry: shownPath(paths, paths.registry) } as WorkspaceFiles['shown'];
  const missing: string[] = [];
  for (const file of MERGED_FILES) {
    shown[file] = shownPath(paths, paths[file]);
    const content = await changes.read(paths[file]);
    if (content === undefined) missing.push(shown[file]);
    else text[file] = content;
  }
  if (missing.length > 0) {
    throw operationError(
      `The shared service is incomplete: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Nothing was changed.`,
      'Run "dmb init" to recreate missing files (it keeps the others), or restore a backup with "dmb workspace restore <timestamp>".',
    );
  }
  const registryText = await changes.read(paths.registry);
  return { text, registryText, registry: readRegistryText(registryText, shown.registry), shown };
}

/** `~/workspace/projects/x` when under the home folder, as the spec's registry shows it. */
export function tildePath(path: string, home: string | undefined): string {
  if (home && home !== '/' && (path === home || path.startsWith(`${home}/`))) return `~${path.slice(home.length)}`;
  return path;
}
