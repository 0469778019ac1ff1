import { listModuleFolders } from '../audit/run-audit.js';
import { DmbError, errorMessage, EXIT, operationError, usageError, type ExitCode } from '../errors.js';
import { ApplyError, applyChanges } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import type { Context } from '../ui/context.js';
import { planUpgrade, type UpgradePlan } from '../upgrade/plan-upgrade.js';
import { workspacePaths } from '../workspace/paths.js';
import { resolveFolder } from './audit.js';
import { flagOption, type CommandInput } from './options.js';

export interface UpgradeOptions {
  /** The module as typed; undefined with --all. */
  name?: string;
  all: boolean;
}

export function parse(input: CommandInput): UpgradeOptions {
  const [name] = input.args;
  const all = flagOption(input, 'all');
  if (all && name) throw usageError('Give a module name or --all, not both.', `Run "dmb upgrade ${name}" or "dmb upgrade --all".`);
  return { name, all };
}

/** What one module's upgrade came to, as --all reports it. */
interface ModuleResult {
  plan?: UpgradePlan;
  error?: { message: string; fix?: string };
}

/**
 * dmb upgrade <module> | --all: fixes in place what audit marks fixable and adds the files a module lacks.
 * One transaction per module: with --all, a module that fails is put back and the others still upgrade.
 */
export async function run(ctx: Context, options: UpgradeOptions): Promise<ExitCode> {
  const paths = workspacePaths(ctx.workspace);
  const modules = await listModuleFolders(ctx.effects, paths);
  const available = modules.length > 0 ? `Modules under ${paths.projectsDir}: ${modules.join(', ')}.` : `There are no modules under ${paths.projectsDir} yet.`;
  if (!options.all && !options.name) throw usageError('Which module? Give its name or --all: dmb upgrade <module-name>.', available);
  if (!options.all) {
    const plan = await upgradeOne(ctx, resolveFolder(options.name!, modules, available, 'upgrade'), modules);
    if (ctx.json) ctx.printJson(planJson(ctx, plan));
    else await printPlan(ctx, plan);
    return EXIT.ok;
  }
  const results: Array<ModuleResult & { module: string }> = [];
  for (const folder of modules) {
    try {
      results.push({ module: folder, plan: await upgradeOne(ctx, folder, modules) });
    } catch (error) {
      if (!(error instanceof DmbError)) throw error;
      results.push({ module: folder, error: { message: error.message, fix: error.fix } });
    }
  }
  const failed = results.filter((r) => r.error).length;
  const changed = results.filter((r) => r.plan?.files.some((f) => f.status !== 'unchanged')).length;
  if (ctx.json) {
    ctx.printJson({
      modules: results.map((r) => (r.plan ? planJson(ctx, r.plan) : { module: r.module, error: r.error!.message, fix: r.error!.fix ?? null })),
      summary: { modules: results.length, changed, unchanged: results.length - changed - failed, failed },
    });
  } else {
    for (const result of results) {
      if (result.plan) await printPlan(ctx, result.plan);
      else ctx.print(`${result.module}: not upgraded: ${result.error!.message}${result.error!.fix ? ` ${result.error!.fix}` : ''}`);
      ctx.print('');
    }
    ctx.print(`${results.length} modules: ${changed} ${ctx.dryRun ? 'would change' : 'upgraded'}, ${results.length - changed - failed} up to date, ${failed} failed.`);
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

async function upgradeOne(ctx: Context, folder: string, modules: string[]): Promise<UpgradePlan> {
  const plan = await planUpgrade(ctx.effects, workspacePaths(ctx.workspace), folder, modules);
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
  return plan;
}

function planJson(ctx: Context, plan: UpgradePlan) {
  return { module: plan.module, dry_run: ctx.dryRun, files: plan.files, notes: plan.notes };
}

async function printPlan(ctx: Context, plan: UpgradePlan): Promise<void> {
  const changes = plan.changes.list();
  if (ctx.dryRun) {
    ctx.print(`Dry run: nothing was written. dmb upgrade ${plan.module} would:`);
    ctx.print((await renderPlan(changes, ctx.workspace)).trimEnd());
  } else {
    for (const file of plan.files) ctx.print(`${file.status.padEnd(9)} ${file.path}${file.edits.length > 0 ? `: ${file.edits.join('; ')}` : ''}`);
    ctx.print(changes.length > 0 ? `Upgraded ${plan.module}. Run "dmb audit ${plan.module}" to see what is left.` : `${plan.module} is up to date: nothing to change.`);
  }
  for (const note of plan.notes) ctx.print(`note: ${note}`);
}
