import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { usageError } from '../errors.js';
import { secretFileMode } from '../secrets/secret-files.js';
import type { ChangeSet } from '../transaction/changes.js';
import { backupFileName, listBackups, readBackupManifest, type BackupInfo } from './backups.js';
import { BACKED_UP_FILES, shownPath, type WorkspacePaths } from './paths.js';

/**
 * Puts the files of one backup back (the four workspace files and the registry). A file the manifest
 * records as absent at backup time is deleted, so the workspace is exactly as it was then.
 */
export async function planRestore(changes: ChangeSet, fs: FileSystem, paths: WorkspacePaths, stamp: string): Promise<BackupInfo> {
  const backups = await listBackups(fs, paths);
  const exact = backups.find((b) => b.name === stamp);
  const prefixed = backups.filter((b) => b.name.startsWith(stamp));
  const backup = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
  if (!backup) {
    const available = backups.map((b) => b.name);
    throw usageError(
      `No backup "${stamp}" in ${shownPath(paths, paths.backupsDir)}/.${available.length ? ` Available: ${available.join(', ')}.` : ' There are no backups yet.'}`,
      available.length ? `Run "dmb workspace restore ${available.at(-1)}" for the newest one.` : 'Backups are taken by "dmb workspace add", "remove", "sync" and "restore".',
    );
  }
  const manifest = await readBackupManifest(fs, backup.dir);
  for (const file of BACKED_UP_FILES) {
    const copy = join(backup.dir, backupFileName(paths, file));
    const recorded = manifest?.files[file];
    if (manifest && recorded === null) {
      await changes.delete(paths[file], `restore ${shownPath(paths, paths[file])} (absent in the backup)`);
    } else if (await fs.exists(copy)) {
      await changes.write(paths[file], (await fs.readFile(copy)).toString('utf8'), `restore ${shownPath(paths, paths[file])}`, secretFileMode(paths[file]));
    }
  }
  return backup;
}
