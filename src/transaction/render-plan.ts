import { relative } from 'node:path';
import type { Change } from './changes.js';

/** The human dry-run view: one line per file, a unified diff for every change to an existing file. */
export async function renderPlan(changes: Change[], root: string): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const lines: string[] = [];
  for (const change of changes) {
    const shown = relative(root, change.path) || change.path;
    if (change.kind === 'create') {
      lines.push(`create  ${shown} (${countLines(change.content)} lines)`);
    } else if (change.kind === 'update') {
      lines.push(`update  ${shown}`);
      lines.push(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, change.before, change.content, '', '', { context: 3 }).trimEnd());
    } else if (change.kind === 'delete') {
      lines.push(`delete  ${shown}`);
    } else {
      lines.push(`remove  ${shown}/ (folder and everything in it)`);
    }
  }
  if (changes.length === 0) lines.push('nothing to change');
  return `${lines.join('\n')}\n`;
}

export function countLines(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Lines added and removed by one change, for the "Modified files" report. */
export function lineDelta(change: Change): { added: number; removed: number } {
  if (change.kind === 'create') return { added: countLines(change.content), removed: 0 };
  if (change.kind === 'delete') return { added: 0, removed: countLines(change.before) };
  if (change.kind === 'removeTree') return { added: 0, removed: 0 };
  const before = change.before.split('\n');
  const after = change.content.split('\n');
  const counts = new Map<string, number>();
  for (const line of before) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else added++;
  }
  const removed = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return { added, removed };
}
