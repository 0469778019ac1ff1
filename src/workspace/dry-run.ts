import type { Change } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import type { Transaction } from './commit.js';

/** Everything a transaction would do, in order: backup files, the edits, then pruned backups. */
export function transactionChanges(transaction: Transaction): Change[] {
  return [
    ...transaction.backup.changes.list(),
    ...transaction.changes.list(),
    ...transaction.prune.map((old): Change => ({ kind: 'removeTree', path: old.dir, step: 'prune an expired backup' })),
  ];
}

export function renderTransaction(transaction: Transaction, root: string): Promise<string> {
  return renderPlan(transactionChanges(transaction), root);
}
