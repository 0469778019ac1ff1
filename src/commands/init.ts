import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, errorMessage, operationError, type ExitCode } from '../errors.js';
import { ApplyError, applyChanges } from '../transaction/changes.js';
import { renderPlan } from '../transaction/render-plan.js';
import { generatePassword } from '../secrets/generate-secret.js';
import { planInit } from '../shared-service/plan-init.js';
import { serviceDir } from '../shared-service/paths.js';
import { workspaceTemplatesDir } from '../templates/template-sets.js';
import { withWorkspaceLock } from '../transaction/lock.js';
import { lockOptions } from '../ui/transaction-output.js';
import { workspacePaths } from '../workspace/paths.js';

/** `dmb init` has only the global options. */
export type InitOptions = Record<string, never>;

export function parse(): InitOptions {
  return {};
}

/** `dmb init`: the shared Dagster service and the team's templates, creating only what is missing. */
export async function run(ctx: Context): Promise<ExitCode> {
  // Once the service exists, `workspace add/remove` may be writing it: plan and apply under their lock, so
  // "create only what is missing" is decided on what is really there. A first init has nobody to race with.
  if (!ctx.dryRun && (await ctx.effects.fs.isDirectory(serviceDir(ctx.workspace)))) {
    return withWorkspaceLock(ctx.effects, workspacePaths(ctx.workspace).lock, lockOptions(ctx, 'dmb init'), () => initWorkspace(ctx));
  }
  return initWorkspace(ctx);
}

async function initWorkspace(ctx: Context): Promise<ExitCode> {
  const plan = await planInit(ctx.effects.fs, ctx.workspace, { dagsterDbPassword: generatePassword(ctx.effects.randomBytes, 40) });
  const changes = plan.changes.list();
  const report = {
    workspace: ctx.workspace,
    service: serviceDir(ctx.workspace),
    patterns: workspaceTemplatesDir(ctx.workspace),
    dry_run: ctx.dryRun,
    changed: plan.created.length > 0,
    created: plan.created,
    kept: plan.kept,
    warnings: plan.warnings,
  };

  if (ctx.dryRun) {
    ctx.print(await renderPlan(changes, ctx.workspace));
    for (const path of plan.kept) ctx.print(`keep    ${path} (exists, not touched)`);
    ctx.print(paint.dim('dry run: nothing was written'));
    if (ctx.json) ctx.printJson(report);
    return EXIT.ok;
  }

  if (changes.length > 0) {
    try {
      await applyChanges(changes, ctx.effects.fs, ctx.signal);
    } catch (error) {
      if (error instanceof ApplyError) {
        throw operationError(
          `init failed at "${error.step}": ${errorMessage(error.cause)}. Every file it had written was removed again.`,
          `Check that ${ctx.workspace} is writable (and the disk not full), then run "dmb init" again.`,
        );
      }
      throw error;
    }
  }

  if (ctx.json) ctx.printJson(report);
  for (const warning of plan.warnings) ctx.warn(`${paint.yellow('!')} ${warning}`);
  if (plan.created.length === 0) {
    ctx.print(`${paint.green('✓')} Nothing changed: the shared service and the templates are already in place (${plan.kept.length} files kept).`);
    for (const path of plan.kept) ctx.print(`  kept     ${path}`);
    ctx.print(paint.dim('init never overwrites a file; delete one and run "dmb init" again to get a fresh copy.'));
    return EXIT.ok;
  }
  ctx.print(`${paint.green('✓')} Shared Dagster service ready at: ${report.service}`);
  ctx.print(`  Templates for the team at: ${report.patterns}\n`);
  for (const path of plan.created) ctx.print(`  created  ${path}`);
  for (const path of plan.kept) ctx.print(`  kept     ${path} (exists, not touched)`);
  ctx.print('');
  printNextSteps(ctx);
  return EXIT.ok;
}

function printNextSteps(ctx: Context): void {
  const flag = ` --workspace ${ctx.workspace}`;
  const steps = [
    `Create a module:\n   dmb new my-module${flag}`,
    `Integrate it with the shared service:\n   dmb workspace add my-module${flag}`,
    `Start the workspace:\n   cd ${serviceDir(ctx.workspace)} && docker-compose up -d --build\n   (or on this host, without Docker: dmb dev${flag})`,
    'Open the Dagster UI:\n   http://localhost:3000',
    `Customise the templates new modules are made from:\n   ${workspaceTemplatesDir(ctx.workspace)}`,
  ];
  ctx.print('Next steps:');
  steps.forEach((step, index) => ctx.print(`${index + 1}. ${step}`));
}
