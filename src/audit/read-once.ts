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
        pending = fs.readFile(path).then(
          (bytes) => bytes.toString('utf8'),
          (error: NodeJS.ErrnoException) => {
            // Absent (or a folder where a file was expected) reads as "no such file"; anything else is a real error.
            if (error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR') return undefined;
            throw error;
          },
        );
        cache.set(path, pending);
      }
      return pending;
    },
  };
}
