import { dirname, join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';

/** One file-level change. `before` holds the exact original bytes so a failed apply can put them back. */
export type Change =
  | { kind: 'create'; path: string; content: string; mode?: number; step: string }
  /** `mode`, when set, is applied with the new content (and `beforeMode` restored on failure): e.g. a secrets file made 0600. */
  | { kind: 'update'; path: string; before: string; content: string; step: string; mode?: number; beforeMode?: number }
  | { kind: 'delete'; path: string; before: string; step: string }
  /**
   * A folder to delete (a data folder): moved aside inside the transaction (a rename, undone on failure),
   * deleted for good only after every other change has succeeded.
   */
  | { kind: 'removeTree'; path: string; step: string };

/**
 * An in-memory tree of pending changes over the real filesystem (the Nx devkit Tree): every read
 * (`read`, `exists`, `isFile`, `isDirectory`, `children`, `mode`) sees pending writes, deletes and
 * renames over the disk, so a planner takes this one parameter and never misses a pending file.
 * Identical writes are no-ops; nothing touches disk until applyChanges.
 */
export class ChangeSet {
  private readonly pending = new Map<string, Change>();

  constructor(private readonly fs: FileSystem) {}

  /** The file's text after pending changes; undefined for a folder or a missing file. */
  async read(path: string): Promise<string | undefined> {
    const change = this.pending.get(path);
    if (change) return change.kind === 'create' || change.kind === 'update' ? change.content : undefined;
    if (this.isRemoved(path) || !(await this.fs.exists(path)) || (await this.fs.isDirectory(path))) return undefined;
    return (await this.fs.readFile(path)).toString('utf8');
  }

  /** A file or a folder, after pending changes. */
  async exists(path: string): Promise<boolean> {
    return (await this.isFile(path)) || (await this.isDirectory(path));
  }

  async isFile(path: string): Promise<boolean> {
    const change = this.pending.get(path);
    if (change) return change.kind === 'create' || change.kind === 'update';
    if (this.isRemoved(path)) return false;
    return (await this.fs.exists(path)) && !(await this.fs.isDirectory(path));
  }

  /** A folder on disk (not removed), or one that a pending file will be created in. */
  async isDirectory(path: string): Promise<boolean> {
    if (this.pendingFilesUnder(path).length > 0) return true;
    if (this.isRemoved(path) || this.pending.has(path)) return false;
    return this.fs.isDirectory(path);
  }

  /** The names of the files and folders directly in `dir` after pending changes, sorted; [] for no folder. */
  async children(folder: string): Promise<string[]> {
    const dir = folder.replace(/(.)\/+$/, '$1');
    const names = new Set<string>();
    if (!this.isRemoved(dir) && (await this.fs.isDirectory(dir))) {
      for (const name of await this.fs.readdir(dir)) {
        if (await this.exists(join(dir, name))) names.add(name);
      }
    }
    for (const path of this.pendingFilesUnder(dir)) names.add(path.slice(dir.length + 1).split('/')[0] as string);
    return [...names].sort();
  }

  /** The permission bits the file will have: those given to a pending create, else the disk's (updates keep them). */
  async mode(path: string): Promise<number | undefined> {
    const change = this.pending.get(path);
    if (change?.kind === 'create') return change.mode;
    if (!(await this.isFile(path))) return undefined;
    return this.fs.mode(path);
  }

  async write(path: string, content: string, step: string, mode?: number): Promise<void> {
    const previous = this.pending.get(path);
    if (previous?.kind === 'create') {
      this.pending.set(path, { ...previous, content, step, mode: mode ?? previous.mode });
      return;
    }
    const original = previous?.kind === 'update' || previous?.kind === 'delete' ? previous.before : await this.readDisk(path);
    if (original === undefined) {
      this.pending.set(path, { kind: 'create', path, content, mode, step });
    } else if (original === content) {
      this.pending.delete(path);
    } else {
      const beforeMode = mode === undefined ? undefined : await this.fs.mode(path);
      this.pending.set(path, { kind: 'update', path, before: original, content, step, mode, beforeMode });
    }
  }

  async delete(path: string, step: string): Promise<void> {
    const previous = this.pending.get(path);
    if (previous?.kind === 'create') {
      this.pending.delete(path);
      return;
    }
    const original = previous?.kind === 'update' ? previous.before : await this.readDisk(path);
    if (original !== undefined) this.pending.set(path, { kind: 'delete', path, before: original, step });
  }

  /** Moves a file (its text and mode) to `to`; an error when `from` is not a file after pending changes. */
  async rename(from: string, to: string, step: string): Promise<void> {
    const content = await this.read(from);
    if (content === undefined) throw new Error(`${step}: cannot rename ${from}, it is not a file.`);
    const mode = await this.mode(from);
    await this.delete(from, step);
    await this.write(to, content, step, mode);
  }

  removeTree(path: string, step: string): void {
    this.pending.set(`${path}/`, { kind: 'removeTree', path, step });
  }

  list(): Change[] {
    return [...this.pending.values()];
  }

  /** Inside (or equal to) a folder that a pending removeTree deletes. */
  private isRemoved(path: string): boolean {
    for (const change of this.pending.values()) {
      if (change.kind === 'removeTree' && (path === change.path || path.startsWith(`${change.path}/`))) return true;
    }
    return false;
  }

  /** Paths of pending creates and updates somewhere below `dir`. */
  private pendingFilesUnder(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return [...this.pending.values()]
      .filter((change) => (change.kind === 'create' || change.kind === 'update') && change.path.startsWith(prefix))
      .map((change) => change.path);
  }

  private async readDisk(path: string): Promise<string | undefined> {
    if (!(await this.fs.exists(path))) return undefined;
    return (await this.fs.readFile(path)).toString('utf8');
  }
}

export class ApplyError extends Error {
  constructor(
    readonly step: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${step} failed writing ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Applies every change or none: on any failure, files are put back byte for byte, created files
 * and the folders made for them are removed, and an ApplyError names the step that failed.
 * Returns the folders that were moved aside for deletion but could not be deleted afterwards
 * (the change itself has happened; what is left of each is at `aside`, for the user to delete by hand).
 */
export async function applyChanges(changes: Change[], fs: FileSystem, signal?: AbortSignal): Promise<NotDeleted[]> {
  const undo: Array<() => Promise<void>> = [];
  const asides: Array<{ path: string; aside: string }> = [];
  const ordered = [...changes.filter((c) => c.kind !== 'removeTree'), ...changes.filter((c) => c.kind === 'removeTree')];
  for (const change of ordered) {
    try {
      // Cancelled (Ctrl-C): the steps done so far are undone like a failed one, and the reason is thrown as is.
      signal?.throwIfAborted();
      if (change.kind === 'create') {
        const madeDirs: string[] = [];
        undo.push(async () => {
          await fs.remove(change.path);
          for (const dir of [...madeDirs].reverse()) await fs.remove(dir);
        });
        await makeParents(fs, dirname(change.path), madeDirs);
        await fs.writeFile(change.path, change.content, change.mode);
      } else if (change.kind === 'update') {
        undo.push(() => fs.writeFile(change.path, change.before, change.beforeMode));
        await fs.writeFile(change.path, change.content, change.mode);
      } else if (change.kind === 'delete') {
        undo.push(() => fs.writeFile(change.path, change.before));
        await fs.remove(change.path);
      } else {
        const aside = `${change.path}.dmb-deleting-${process.pid}-${tempCounter++}`;
        await fs.rename(change.path, aside);
        undo.push(() => fs.rename(aside, change.path));
        asides.push({ path: change.path, aside });
      }
    } catch (error) {
      await rollback(undo);
      if (signal?.aborted && error === signal.reason) throw error;
      throw new ApplyError(change.step, change.path, error);
    }
  }
  // A signal that arrived during the last step still cancels the whole change: nothing is final until here.
  if (signal?.aborted) {
    await rollback(undo);
    throw signal.reason;
  }
  const leftovers: NotDeleted[] = [];
  for (const { path, aside } of asides) {
    try {
      await fs.remove(aside);
    } catch (error) {
      leftovers.push({ path, aside, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return leftovers;
}

/** A folder whose deletion failed after it was moved aside: `path` is gone, what is left of it is at `aside`. */
export interface NotDeleted {
  path: string;
  aside: string;
  reason: string;
}

let tempCounter = 0;

async function rollback(undo: Array<() => Promise<void>>): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch {
      // Keep undoing the rest: one failed restore must not leave the other files changed too.
    }
  }
}

/** Creates missing parent folders one by one, recording each in `made` (outermost first) as soon as it exists. */
async function makeParents(fs: FileSystem, dir: string, made: string[]): Promise<void> {
  const missing: string[] = [];
  let current = dir;
  while (!(await fs.exists(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    await fs.mkdir(path);
    made.push(path);
  }
}
