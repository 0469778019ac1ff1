import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { nodeProcessRunner, type ProcessRunner } from './process.js';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * The one seam for side effects. Core code never imports node:fs or child_process directly;
 * tests pass their own Effects to inject a failure at any write, fix the clock or the randomness.
 */
export interface FileSystem {
  readFile(path: string): Promise<Buffer>;
  /** Writes through a temp file and a rename, so a crash never leaves a half-written file. */
  writeFile(path: string, data: string | Buffer, mode?: number): Promise<void>;
  exists(path: string): Promise<boolean>;
  isDirectory(path: string): Promise<boolean>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mode(path: string): Promise<number | undefined>;
  mtime(path: string): Promise<Date | undefined>;
}

export interface Effects {
  fs: FileSystem;
  /** Every child process: plain command values run captured, streamed or in the foreground (process.ts). */
  processes: ProcessRunner;
  now(): Date;
  randomBytes(size: number): Buffer;
  /** True when something on this host already listens on the TCP port. */
  isPortInUse(port: number): Promise<boolean>;
  env: NodeJS.ProcessEnv;
}

let tempCounter = 0;

/*
 * Reads and stats are synchronous system calls behind the async interface: a CLI waits for each anyway,
 * and a command over 500 modules makes thousands of them, where the thread-pool round trip of the
 * promise API costs more CPU than the calls themselves. (Writes keep the async temp-file-and-rename path.)
 */
export const nodeFileSystem: FileSystem = {
  readFile: async (path) => readFileSync(path),
  async writeFile(path, data, mode) {
    const temp = `${path}.dmb-tmp-${process.pid}-${tempCounter++}`;
    const keepMode = mode ?? (await nodeFileSystem.mode(path));
    try {
      await fs.writeFile(temp, data, keepMode === undefined ? undefined : { mode: keepMode });
      if (keepMode !== undefined) await fs.chmod(temp, keepMode);
      await fs.rename(temp, path);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  },
  async exists(path) {
    try {
      return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  },
  async isDirectory(path) {
    try {
      return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  },
  mkdir: async (path) => {
    await fs.mkdir(path, { recursive: true });
  },
  readdir: async (path) => readdirSync(path),
  remove: (path) => fs.rm(path, { recursive: true, force: true }),
  rename: (from, to) => fs.rename(from, to),
  async mode(path) {
    try {
      const stat = statSync(path, { throwIfNoEntry: false });
      return stat === undefined ? undefined : stat.mode & 0o7777;
    } catch {
      return undefined;
    }
  },
  async mtime(path) {
    try {
      return statSync(path, { throwIfNoEntry: false })?.mtime;
    } catch {
      return undefined;
    }
  },
};

export async function isPortInUse(port: number): Promise<boolean> {
  // node:net is loaded on first use: most commands never need it, and start-up counts.
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port, '0.0.0.0');
  });
}

export function realEffects(env: NodeJS.ProcessEnv = process.env): Effects {
  return {
    fs: nodeFileSystem,
    processes: nodeProcessRunner(),
    now: () => new Date(),
    randomBytes,
    isPortInUse,
    env,
  };
}
