import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { detectModule } from '../deploy/detect.js';
import { describeTarget, listDeployments } from '../deploy/read-deployments.js';
import type { CommandInput } from './options.js';

export interface ListOptions {
  module: string;
}

export function parse(input: CommandInput): ListOptions {
  const module = input.args[0];
  if (!module) throw usageError('No module given.', 'Run "dmb deployment list <module>".');
  return { module };
}

/** dmb deployment list <module>: every deploy/<name>/ with its client, strategy and target. */
export async function run(ctx: Context, options: ListOptions): Promise<ExitCode> {
  const module = await detectModule(ctx.effects.fs, ctx.workspace, options.module);
  const deployments = await listDeployments(ctx.effects.fs, module.dir);
  const rows = deployments.map((d) => ({
    name: d.name,
    client: d.config?.client ?? null,
    environment: d.config?.environment ?? null,
    strategy: d.config?.strategy ?? null,
    target: d.config ? describeTarget(d.config) : null,
    env_deploy: d.env.present ? `present (mode ${d.env.mode})` : 'missing',
    valid: d.error === undefined,
    error: d.error ?? null,
  }));
  if (ctx.json) {
    ctx.printJson({ module: module.folder, deployments: rows });
    return rows.every((r) => r.valid) ? EXIT.ok : EXIT.failed;
  }
  if (rows.length === 0) {
    ctx.print(`${module.folder} has no deployments yet. Add one with "dmb configure-deployment ${module.folder}".`);
    return EXIT.ok;
  }
  const table = [
    ['NAME', 'CLIENT', 'ENVIRONMENT', 'STRATEGY', 'TARGET', '.ENV.DEPLOY'],
    ...rows.map((r) => [r.name, r.client ?? '-', r.environment ?? '-', r.strategy ?? 'invalid', r.target ?? '-', r.env_deploy]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  table.forEach((row, index) => {
    const line = row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
    ctx.print(index === 0 ? paint.bold(line) : line);
  });
  const invalid = rows.filter((r) => !r.valid);
  for (const row of invalid) ctx.print(`${paint.red('✗')} ${row.name}: ${row.error}`);
  return invalid.length > 0 ? EXIT.failed : EXIT.ok;
}
