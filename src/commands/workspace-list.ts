import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { ChangeSet } from '../transaction/changes.js';
import { readModuleStatus, type ModuleStatus } from '../workspace/module-status.js';
import { workspacePaths } from '../workspace/paths.js';
import { readWorkspaceFiles } from '../workspace/workspace-files.js';

const STATUS_COLOR: Record<ModuleStatus, (text: string) => string> = { ok: paint.green, drifted: paint.yellow, missing: paint.red };

/** Only the global options. */
export type ListOptions = Record<string, never>;

export function parse(): ListOptions {
  return {};
}

/** dmb workspace list: the integrated modules with database, port and status. */
export async function run(ctx: Context): Promise<void> {
  const paths = workspacePaths(ctx.workspace);
  const { registry } = await readWorkspaceFiles(new ChangeSet(ctx.effects.fs), ctx.effects.fs, paths);
  const rows: Array<{ name: string; database_type: string; service: string | null; host_port: number | null; integrated_at: string; status: ModuleStatus }> = [];
  for (const entry of registry.integrated_modules) {
    rows.push({
      name: entry.name,
      database_type: entry.database?.type ?? 'none',
      service: entry.database?.service ?? null,
      host_port: entry.database?.port ?? null,
      integrated_at: entry.integrated_at,
      status: await readModuleStatus(ctx.effects.fs, paths, entry),
    });
  }
  if (ctx.json) {
    ctx.printJson({ modules: rows });
    return;
  }
  if (rows.length === 0) {
    ctx.print('No modules integrated yet. Add one with "dmb workspace add <module>".');
    return;
  }
  const table = [
    ['NAME', 'DATABASE', 'SERVICE', 'HOST PORT', 'INTEGRATED AT', 'STATUS'],
    ...rows.map((r) => [r.name, r.database_type, r.service ?? '-', r.host_port === null ? '-' : String(r.host_port), r.integrated_at, r.status]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  table.forEach((row, index) => {
    const cells = row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)));
    const status = rows[index - 1]?.status;
    if (index > 0 && status) cells[5] = STATUS_COLOR[status](cells[5]!);
    ctx.print((index === 0 ? paint.bold(cells.join('  ')) : cells.join('  ')).trimEnd());
  });
  const notOk = rows.filter((r) => r.status !== 'ok');
  if (notOk.length > 0) {
    ctx.print('');
    if (notOk.some((r) => r.status === 'drifted')) ctx.print('drifted: the module\'s workspace/local/ files changed since it was merged; run "dmb workspace sync".');
    if (notOk.some((r) => r.status === 'missing')) ctx.print('missing: its folder under projects/ is gone; run "dmb workspace remove <module>".');
  }
}
