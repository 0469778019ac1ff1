import type { Effects } from '../effects/effects.js';
import { errorMessage, operationError } from '../errors.js';
import { ApplyError, applyChanges, type ChangeSet, type NotDeleted } from '../transaction/changes.js';
import { findExpiredBackups, planBackup, type BackupInfo, type BackupPlan } from './backups.js';
import { shownPath, type WorkspacePaths } from './paths.js';

/** A planned workspace edit: the backup to take first, the changes, and the old backups to prune after. */
export interface Transaction {
  backup: BackupPlan;
  changes: ChangeSet;
  prune: BackupInfo[];
}

export async function planTransaction(effects: Effects, paths: WorkspacePaths, changes: ChangeSet, reason: string, options: { prune?: boolean } = {}): Promise<Transaction> {
  const now = effects.now();
  const backup = await planBackup(effects.fs, paths, now, reason);
  const prune = options.prune === false ? [] : await findExpiredBackups(effects.fs, paths, now);
  return { backup, changes, prune };
}

export interface CommitOutcome {
  pruned: string[];
  pruneFailed: string[];
  /** Folders moved aside but not deleted (e.g. a database folder owned by root): the change is done, the data is at `aside`. */
  notDeleted: NotDeleted[];
}

/**
 * Writes the backup, then every change or none. The backup is applied on its own so that it survives
 * a failed merge (the spec's rollback restores from it; here applyChanges has already put every file
 * back byte for byte, and the backup is the user's second copy). Expired backups are pruned last and
 * best-effort: a failed prune is reported, never a reason to undo a successful merge.
 * Cancelled (Ctrl-C, SIGTERM) before the last change is final: every file is put back, the backup folder is
 * removed, and the signal's reason is thrown ("Cancelled — nothing was written").
 */
export async function commitTransaction(
  effects: Effects,
  paths: WorkspacePaths,
  transaction: Transaction,
  signal?: AbortSignal,
): Promise<CommitOutcome> {
  const backupShown = shownPath(paths, transaction.backup.dir);
  signal?.throwIfAborted();
  try {
    // Cancelled here, the backup's own files are rolled back with the folders made for them.
    await applyChanges(transaction.backup.changes.list(), effects.fs, signal);
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    const detail = error instanceof ApplyError ? `${error.step}: ${errorMessage(error.cause)}` : errorMessage(error);
    throw operationError(
      `Could not write the backup ${backupShown}/ (${detail}). The workspace is unchanged.`,
      `Check that ${shownPath(paths, paths.backupsDir)}/ is writable and the disk has space, then run the command again.`,
    );
  }
  let notDeleted: NotDeleted[];
  try {
    notDeleted = await applyChanges(transaction.changes.list(), effects.fs, signal);
  } catch (error) {
    if (signal?.aborted && error === signal.reason) {
      // Every file is back as it was: the backup of an operation that never happened would only mislead.
      await effects.fs.remove(transaction.backup.dir).catch(() => undefined);
      throw error;
    }
    if (!(error instanceof ApplyError)) throw error;
    throw operationError(
      `Step "${error.step}" failed (${shownPath(paths, error.path)}: ${errorMessage(error.cause)}). Every file was put back byte for byte: the workspace is unchanged. A copy from before the command is in ${backupShown}/.`,
      'Fix the cause (permissions, disk space, a file held open), then run the command again.',
    );
  }
  const pruned: string[] = [];
  const pruneFailed: string[] = [];
  for (const old of transaction.prune) {
    try {
      await effects.fs.remove(old.dir);
      pruned.push(old.name);
    } catch {
      pruneFailed.push(old.name);
    }
  }
  return { pruned, pruneFailed, notDeleted };
}
