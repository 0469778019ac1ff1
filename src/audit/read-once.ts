import type { FileSystem } from '../effects/effects.js';

/** Reads each file at most once per audit run, however many checks (or modules' port scans) need it. */
export interface ReadOnce {
  fs: FileSystem;
  text(path: string): Promise<string | undefined>;
}

export function readOnce(fs: FileSystem): ReadOnce {
  const cache = new Map<string, Promise<string | undefined>>();
  return {
    fs,
    text(path) {
      let pending = cache.get(path);
      if (!pending) {
        pending = (async () => ((await fs.exists(path)) && !(await fs.isDirectory(path)) ? (await fs.readFile(path)).toString('utf8') : undefined))();
        cache.set(path, pending);
      }
      return pending;
    },
  };
}
