import { dirname, join } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { operationError } from '../errors.js';

/**
 * One writer per workspace: services/dagster/.dmb.lock. The lock is a folder holding owner.json
 * (pid, command, time). It appears atomically: the folder is prepared under a temporary name and
 * renamed into place, and rename(2) refuses to replace a non-empty folder, so exactly one process wins
 * (Kamal's mkdir lock, without a window where the lock exists but says nobody holds it).
 * A lock whose pid is dead is stale and taken over; a live one is waited for, then reported.
 */
export interface LockOwner {
  pid: number;
  command: string;
  started_at: string;
  token: string;
}

export interface WorkspaceLock {
  path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** What the holder is doing, shown to whoever waits: "dmb workspace add sales-data". */
  command: string;
  /** How long to wait for a live holder (default 10 s, env DMB_LOCK_WAIT_MS). */
  waitMs?: number;
  pollMs?: number;
  pid?: number;
  isProcessAlive?: (pid: number) => boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Ctrl-C while waiting: stop waiting and throw its reason (nothing was locked or written). */
  signal?: AbortSignal;
  /** Told once when the lock is held by a live process and waiting starts. */
  onWait?: (holder: LockOwner | undefined) => void;
}

export const OWNER_FILE = 'owner.json';
const DEFAULT_WAIT_MS = 10_000;

/** Signal 0 checks that a process exists without touching it; EPERM still means it exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pause that ends early, by throwing the abort reason, when the signal fires. */
function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readOwner(effects: Effects, lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse((await effects.fs.readFile(join(lockPath, OWNER_FILE))).toString('utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function isTakenError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM';
}

export async function acquireWorkspaceLock(effects: Effects, lockPath: string, options: LockOptions): Promise<WorkspaceLock> {
  const parent = dirname(lockPath);
  if (!(await effects.fs.isDirectory(parent))) {
    throw operationError(`${parent} does not exist, so the workspace cannot be locked.`, 'Run "dmb init" first.');
  }
  const envWait = Number(effects.env.DMB_LOCK_WAIT_MS);
  const waitMs = options.waitMs ?? (Number.isFinite(envWait) && envWait >= 0 && effects.env.DMB_LOCK_WAIT_MS ? envWait : DEFAULT_WAIT_MS);
  const pollMs = options.pollMs ?? 100;
  const alive = options.isProcessAlive ?? isProcessAlive;
  const sleep = options.sleep ?? sleepFor;
  const token = effects.randomBytes(8).toString('hex');
  const me: LockOwner = { pid: options.pid ?? process.pid, command: options.command, started_at: effects.now().toISOString(), token };
  let waited = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(effects, lockPath, me)) {
      return { path: lockPath, release: () => release(effects, lockPath, token) };
    }
    const holder = await readOwner(effects, lockPath);
    if (holder && !alive(holder.pid)) {
      await takeOverStale(effects, lockPath, holder, token);
      continue;
    }
    if (!holder && !(await effects.fs.exists(lockPath))) continue;
    if (waited >= waitMs) {
      const who = holder ? `pid ${holder.pid}, "${holder.command}", since ${holder.started_at}` : 'holder unknown: the lock has no readable owner.json';
      throw operationError(
        `Another dmb process is changing this workspace (${who}); waited ${Math.round(waitMs / 1000)} s for it. Nothing was changed.`,
        `Run the command again when it has finished. If no dmb is running, delete ${lockPath}.`,
      );
    }
    if (waited === 0) options.onWait?.(holder);
    await sleep(pollMs, options.signal);
    waited += pollMs;
  }
}

async function tryCreate(effects: Effects, lockPath: string, me: LockOwner): Promise<boolean> {
  const temp = `${lockPath}.${me.token}.tmp`;
  await effects.fs.mkdir(temp);
  try {
    await effects.fs.writeFile(join(temp, OWNER_FILE), `${JSON.stringify(me)}\n`);
    await effects.fs.rename(temp, lockPath);
    return true;
  } catch (error) {
    if (!isTakenError(error)) {
      await effects.fs.remove(temp);
      throw error;
    }
    await effects.fs.remove(temp);
    return false;
  }
}

/**
 * Moves the stale lock aside under a name of our own (only one process can win that rename), checks
 * that what it moved is still the dead holder's lock, and deletes it. If a live process had taken the
 * lock over in between, its lock is put back.
 */
async function takeOverStale(effects: Effects, lockPath: string, stale: LockOwner, token: string): Promise<void> {
  const aside = `${lockPath}.stale-${token}`;
  try {
    await effects.fs.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await readOwner(effects, aside);
  if (moved && moved.token !== stale.token) {
    try {
      await effects.fs.rename(aside, lockPath);
      return;
    } catch {
      // Someone else holds it now; the moved lock's owner is alive and will find its lock gone.
    }
  }
  await effects.fs.remove(aside);
}

async function release(effects: Effects, lockPath: string, token: string): Promise<void> {
  const owner = await readOwner(effects, lockPath);
  if (owner?.token === token) await effects.fs.remove(lockPath);
}

/** Runs `work` holding the workspace lock; the lock is released however `work` ends. */
export async function withWorkspaceLock<T>(effects: Effects, lockPath: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireWorkspaceLock(effects, lockPath, options);
  try {
    return await work();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
