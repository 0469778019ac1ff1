import { nodeFileSystem, type FileSystem } from '../../src/io/effects.js';

/**
 * The real filesystem, except that the Nth mutating call (writeFile, remove, mkdir, rename; counted from 1)
 * throws. `calls` reports how many mutating calls were made, so a test can first count the steps of a
 * command and then fail each one in turn.
 */
export function faultyFs(failAt: number | undefined): FileSystem & { calls: () => number } {
  let count = 0;
  const mutate = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      count += 1;
      if (count === failAt) throw new Error(`injected failure at write #${count}`);
      return fn(...args);
    };
  return {
    ...nodeFileSystem,
    writeFile: mutate(nodeFileSystem.writeFile),
    remove: mutate(nodeFileSystem.remove),
    mkdir: mutate(nodeFileSystem.mkdir),
    rename: mutate(nodeFileSystem.rename),
    calls: () => count,
  };
}
