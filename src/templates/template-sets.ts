import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileSystem } from '../effects/effects.js';
import { operationError } from '../errors.js';
import { secretFileMode } from '../secrets/secret-files.js';
import { renderContent, renderPath, type Variables } from './render.js';

/** The templates shipped with dmb: <repo>/templates (this file lives in dist/core/templates or src/core/templates). */
export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

/** Where a team's customised copy lives (the spec's template location). */
export function workspaceTemplatesDir(workspace: string): string {
  return join(workspace, 'patterns', 'dagster');
}

export interface RenderedFile {
  /** Output path relative to the target folder. */
  path: string;
  content: string;
  /** Which template produced it, for error messages. */
  source: string;
  mode?: number;
}

/**
 * The folder a template set comes from: the workspace's copy of the set when it has one,
 * the built-in set otherwise. Precedence is per set, so a team can customise `base/` alone.
 */
export async function resolveSetDir(fs: FileSystem, workspace: string, set: string): Promise<string> {
  const custom = join(workspaceTemplatesDir(workspace), set);
  if (await fs.isDirectory(custom)) return custom;
  const builtin = join(BUILTIN_TEMPLATES, set);
  if (await fs.isDirectory(builtin)) return builtin;
  throw operationError(`Template set "${set}" not found in ${custom} or ${builtin}.`, 'Run "dmb init" to restore the templates, or reinstall dmb.');
}

async function listFiles(fs: FileSystem, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await fs.readdir(dir)).sort()) {
    const path = join(dir, entry);
    if (await fs.isDirectory(path)) found.push(...(await listFiles(fs, path)));
    else found.push(path);
  }
  return found;
}

/** Renders every file of one template set, in a stable order. */
export async function renderSet(
  fs: FileSystem,
  workspace: string,
  set: string,
  variables: Variables,
  features: ReadonlySet<string>,
): Promise<RenderedFile[]> {
  const dir = await resolveSetDir(fs, workspace, set);
  const files: RenderedFile[] = [];
  for (const path of await listFiles(fs, dir)) {
    const rel = relative(dir, path);
    if (rel.endsWith('.gitkeep') && !rel.includes('/')) continue;
    const source = `${set}/${rel}`;
    const raw = (await fs.readFile(path)).toString('utf8');
    const content = rel.endsWith('.template') ? renderContent(raw, variables, features, source) : raw;
    const mode = await fs.mode(path);
    const output = renderPath(rel, variables);
    // A rendered .env holds generated passwords: owner-only, whatever the template's own mode.
    const executable = mode !== undefined && mode & 0o111 ? 0o755 : undefined;
    files.push({ path: output, content, source, mode: secretFileMode(output) ?? executable });
  }
  return files;
}

/**
 * Files the built-in set has and the workspace's customised copy lacks (empty when the set is not
 * customised). A team may delete a template on purpose, but a copy made by an older dmb silently
 * shadows newer templates: callers warn, they do not refuse.
 */
export async function filesMissingFromCustomSet(fs: FileSystem, workspace: string, set: string): Promise<string[]> {
  const custom = join(workspaceTemplatesDir(workspace), set);
  const builtin = join(BUILTIN_TEMPLATES, set);
  if (!(await fs.isDirectory(custom)) || !(await fs.isDirectory(builtin))) return [];
  const have = new Set((await listFiles(fs, custom)).map((path) => relative(custom, path)));
  return (await listFiles(fs, builtin)).map((path) => relative(builtin, path)).filter((rel) => !have.has(rel));
}

/** Where a set was taken from, as a module's record names it: dmb's own, or the team's copy in the workspace. */
export type SetSource = 'built-in' | 'patterns/dagster';

/**
 * Which copy of a set `renderSet` uses and a sha256 over its files (relative path and bytes, sorted by
 * path), so a record can tell later which templates a module was made from and whether they changed since.
 */
export async function describeSet(fs: FileSystem, workspace: string, set: string): Promise<{ set: string; source: SetSource; sha256: string }> {
  const dir = await resolveSetDir(fs, workspace, set);
  const hash = createHash('sha256');
  for (const path of await listFiles(fs, dir)) {
    hash.update(relative(dir, path)).update('\0').update(await fs.readFile(path)).update('\0');
  }
  const source: SetSource = dir === join(workspaceTemplatesDir(workspace), set) ? 'patterns/dagster' : 'built-in';
  return { set, source, sha256: hash.digest('hex') };
}
