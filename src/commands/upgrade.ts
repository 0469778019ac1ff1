import { listModuleFolders } from '../audit/run-audit.js';
import { errorMessage, EXIT, operationError, usageError, type ExitCode } from '../errors.js';
import { ApplyError, applyChanges } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import type { Context } from '../ui/context.js';
import { planUpgrade } from '../upgrade/plan-upgrade.js';
import { workspacePaths } from '../workspace/paths.js';
import { resolveFolder } from './audit.js';
import type { CommandInput } from './options.js';

export interface UpgradeOptions {
  name?: string;
}

export function parse(input: CommandInput): UpgradeOptions {
  return { name: input.args[0] };
}

/** dmb upgrade <module>: fixes in place what audit marks fixable in the module's Python, as one transaction. */
export async function run(ctx: Context, options: UpgradeOptions): Promise<ExitCode> {
  const paths = workspacePaths(ctx.workspace);
  const modules = await listModuleFolders(ctx.effects, paths);
  const available = modules.length > 0 ? `Modules under ${paths.projectsDir}: ${modules.join(', ')}.` : `There are no modules under ${paths.projectsDir} yet.`;
  if (!options.name) throw usageError('Which module? Give its name: dmb upgrade <module-name>.', available);
  const folder = resolveFolder(options.name, modules, available, 'upgrade');
  const plan = await planUpgrade(ctx.effects, paths, folder, modules);
  const changes = plan.changes.list();
  if (!ctx.dryRun && changes.length > 0) {
    try {
      await applyChanges(changes, ctx.effects.fs, ctx.signal);
    } catch (error) {
      if (!(error instanceof ApplyError)) throw error;
      throw operationError(
        `Upgrade of ${folder} failed writing ${error.path} (${errorMessage(error.cause)}). Every file was put back byte for byte.`,
        'Fix the cause (permissions, disk space), then run dmb upgrade again.',
      );
    }
  }
  if (ctx.json) {
    ctx.printJson({ module: plan.module, dry_run: ctx.dryRun, files: plan.files, notes: plan.notes });
    return EXIT.ok;
  }
  if (ctx.dryRun) {
    ctx.print(`Dry run: nothing was written. dmb upgrade ${folder} would:`);
    ctx.print((await renderPlan(changes, ctx.workspace)).trimEnd());
  } else {
    for (const file of plan.files) ctx.print(`${file.status.padEnd(9)} ${file.path}${file.edits.length > 0 ? `: ${file.edits.join('; ')}` : ''}`);
    ctx.print(changes.length > 0 ? `Upgraded ${folder}. Run "dmb audit ${folder}" to see what is left.` : `${folder} is up to date: nothing to change.`);
  }
  for (const note of plan.notes) ctx.print(`note: ${note}`);
  return EXIT.ok;
}
