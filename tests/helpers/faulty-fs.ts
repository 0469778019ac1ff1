import { nodeFileSystem, type FileSystem } from '../../src/effects/effects.js';

/**
 * The real filesystem, except that the Nth writeFile, remove, mkdir or rename outside the workspace lock (counted from
 * 1) throws once. `log` lists every counted call, so a test can count a command's write steps first and
 * then fail each one in turn. The lock is left alone: it is not a step of the merge.
 */
export function failingFs(failAt: number | undefined): FileSystem & { log: Array<{ op: string; path: string }> } {
  const log: Array<{ op: string; path: string }> = [];
  const counted = <A extends [string, ...unknown[]], R>(op: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!args[0].includes('.dmb.lock')) {
        log.push({ op, path: args[0] });
        if (log.length === failAt) throw Object.assign(new Error(`injected failure at ${op} #${log.length}`), { code: 'EIO' });
      }
      return fn(...args);
    };
  return {
    ...nodeFileSystem,
    writeFile: counted('writeFile', nodeFileSystem.writeFile),
    remove: counted('remove', nodeFileSystem.remove),
    mkdir: counted('mkdir', nodeFileSystem.mkdir),
    rename: counted('rename', nodeFileSystem.rename),
    log,
  };
}
