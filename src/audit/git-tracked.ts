import { dirname, join, relative, sep } from 'node:path';
import type { Effects } from '../effects/effects.js';

/**
 * Which `.env` / `.env.deploy` files git tracks, asked once per repository rather than once per module:
 * a workspace that is one repository costs one `git ls-files` for all its modules, and a module outside
 * any repository costs none (found by looking for `.git` upwards, without starting git).
 */
export interface GitTracked {
  /** Paths relative to `dir`; undefined when `dir` is not inside a git work tree. */
  envFilesUnder(dir: string): Promise<string[] | undefined>;
}

export function gitTracked(effects: Effects): GitTracked {
  const roots = new Map<string, Promise<string | undefined>>();
  const listings = new Map<string, Promise<string[] | undefined>>();

  const findRoot = (dir: string): Promise<string | undefined> => {
    let pending = roots.get(dir);
    if (!pending) {
      pending = (async () => {
        if (await effects.fs.exists(join(dir, '.git'))) return dir;
        const parent = dirname(dir);
        return parent === dir ? undefined : findRoot(parent);
      })();
      roots.set(dir, pending);
    }
    return pending;
  };

  const list = (root: string): Promise<string[] | undefined> => {
    let pending = listings.get(root);
    if (!pending) {
      pending = (async () => {
        try {
          const result = await effects.processes.capture({
            program: 'git',
            args: ['ls-files', '-z', '--', ':(glob)**/.env', ':(glob)**/.env.deploy'],
            cwd: root,
            env: { ...effects.env, GIT_OPTIONAL_LOCKS: '0' },
          });
          return result.code === 0 ? result.stdout.split('\0').filter(Boolean) : undefined;
        } catch {
          // No git on this machine: what it tracks cannot be known, so the check has nothing to say.
          return undefined;
        }
      })();
      listings.set(root, pending);
    }
    return pending;
  };

  return {
    async envFilesUnder(dir) {
      const root = await findRoot(dir);
      if (!root) return undefined;
      const files = await list(root);
      if (!files) return undefined;
      const prefix = relative(root, dir);
      const under = prefix === '' ? files : files.filter((file) => file.startsWith(`${prefix.split(sep).join('/')}/`)).map((file) => file.slice(prefix.length + 1));
      return under.sort();
    },
  };
}
