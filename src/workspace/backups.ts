import { basename, join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { secretFileMode } from '../secrets/secret-files.js';
import { ChangeSet } from '../transaction/changes.js';
import { BACKED_UP_FILES, type BackedUpFile, type WorkspacePaths } from './paths.js';

/** Backups older than this are pruned at the next add or remove (the spec keeps them 7 days). */
export const BACKUP_RETENTION_DAYS = 7;
export const BACKUP_MANIFEST = 'backup.json';

/** UTC, sortable, and safe as a folder name everywhere (no ":"): 2026-11-22T14-51-55Z. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** The date a backup folder name stands for (a "-2" suffix for same-second backups is ignored). */
export function parseBackupStamp(name: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z(?:-\d+)?$/.exec(name);
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface BackupManifest {
  created_at: string;
  reason: string;
  /** Which files existed when the backup was taken; an absent one is deleted again by restore. */
  files: Record<BackedUpFile, string | null>;
}

export interface BackupPlan {
  name: string;
  dir: string;
  /** Applied on its own, before the merge, so it survives a failed merge. */
  changes: ChangeSet;
}

/** The backup's file name for each backed-up workspace file (same names as in services/dagster/). */
export function backupFileName(paths: WorkspacePaths, file: BackedUpFile): string {
  return basename(paths[file]);
}

/**
 * A copy of the four workspace files and the registry as they are on disk now, under
 * modules/backups/<UTC stamp>/, with a manifest. Nothing is written until its ChangeSet is applied.
 */
export async function planBackup(fs: FileSystem, paths: WorkspacePaths, now: Date, reason: string): Promise<BackupPlan> {
  let name = backupStamp(now);
  for (let n = 2; await fs.exists(join(paths.backupsDir, name)); n++) name = `${backupStamp(now)}-${n}`;
  const dir = join(paths.backupsDir, name);
  const changes = new ChangeSet(fs);
  const files = {} as BackupManifest['files'];
  for (const file of BACKED_UP_FILES) {
    const source = paths[file];
    if (!(await fs.exists(source))) {
      files[file] = null;
      continue;
    }
    const fileName = backupFileName(paths, file);
    files[file] = fileName;
    // The copy of .env holds every database password: owner-only, like the original.
    await changes.write(join(dir, fileName), (await fs.readFile(source)).toString('utf8'), `back up ${fileName}`, secretFileMode(fileName));
  }
  const manifest: BackupManifest = { created_at: now.toISOString(), reason, files };
  await changes.write(join(dir, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, 'back up (manifest)');
  return { name, dir, changes };
}

export interface BackupInfo {
  name: string;
  dir: string;
  date?: Date;
}

export async function listBackups(fs: FileSystem, paths: WorkspacePaths): Promise<BackupInfo[]> {
  if (!(await fs.isDirectory(paths.backupsDir))) return [];
  const names = (await fs.readdir(paths.backupsDir)).sort();
  const found: BackupInfo[] = [];
  for (const name of names) {
    const dir = join(paths.backupsDir, name);
    if (await fs.isDirectory(dir)) found.push({ name, dir, date: parseBackupStamp(name) });
  }
  return found;
}

/**
 * Backups older than the retention period, by the time in their name. Only folders dmb made (a stamp
 * name and a manifest) are candidates: anything else a user keeps in backups/ is never deleted.
 */
export async function findExpiredBackups(fs: FileSystem, paths: WorkspacePaths, now: Date, keep: string[] = []): Promise<BackupInfo[]> {
  const limit = now.getTime() - BACKUP_RETENTION_DAYS * 24 * 60 * 60 * 1000;
  const expired: BackupInfo[] = [];
  for (const backup of await listBackups(fs, paths)) {
    if (keep.includes(backup.name) || !backup.date) continue;
    if (!(await fs.exists(join(backup.dir, BACKUP_MANIFEST)))) continue;
    if (backup.date.getTime() < limit) expired.push(backup);
  }
  return expired;
}

export async function readBackupManifest(fs: FileSystem, dir: string): Promise<BackupManifest | undefined> {
  const path = join(dir, BACKUP_MANIFEST);
  if (!(await fs.exists(path))) return undefined;
  try {
    return JSON.parse((await fs.readFile(path)).toString('utf8')) as BackupManifest;
  } catch {
    return undefined;
  }
}
