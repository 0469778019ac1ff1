import { auditModules, listModuleFolders } from '../audit/run-audit.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { flagOption, type CommandInput } from './options.js';
import { deriveNames } from '../module/naming.js';
import { auditSummaryJson, renderAuditSummary, renderModuleAudit } from '../ui/audit-report.js';
import type { Context } from '../ui/context.js';
import { workspacePaths } from '../workspace/paths.js';

export interface AuditOptions {
  /** The module as typed; undefined with --all. */
  name?: string;
  all: boolean;
}

export function parse(input: CommandInput): AuditOptions {
  const [name] = input.args;
  const all = flagOption(input, 'all');
  if (all && name) throw usageError('Give a module name or --all, not both.', `Run "dmb audit ${name}" or "dmb audit --all".`);
  return { name, all };
}

/** dmb audit <module> | --all: what a module lacks or gets wrong; exit 1 when a check fails. */
export async function run(ctx: Context, options: AuditOptions): Promise<ExitCode> {
  const paths = workspacePaths(ctx.workspace);
  const modules = await listModuleFolders(ctx.effects, paths);
  const available = modules.length > 0 ? `Modules under ${paths.projectsDir}: ${modules.join(', ')}.` : `There are no modules under ${paths.projectsDir} yet.`;
  if (!options.all && !options.name) throw usageError('Which module? Give its name or --all.', available);
  const folders = options.all ? modules : [resolveFolder(options.name!, modules, available)];
  const audits = await auditModules(ctx.effects, paths, folders);
  const exitCode = audits.some((audit) => audit.failed > 0) ? EXIT.failed : EXIT.ok;
  if (ctx.json) {
    ctx.printJson(options.all ? { modules: audits, summary: auditSummaryJson(audits) } : audits[0]);
    return exitCode;
  }
  if (options.all && audits.length === 0) {
    ctx.print(`${available} Create one with "dmb new <module-name>".`);
    return exitCode;
  }
  audits.forEach((audit, index) => {
    if (index > 0) ctx.print('');
    for (const line of renderModuleAudit(audit)) ctx.print(line);
  });
  if (options.all) {
    ctx.print('');
    for (const line of renderAuditSummary(audits)) ctx.print(line);
  }
  return exitCode;
}

/** The folder for any spelling of the name (kebab, snake, Title case), as `new` accepts them. */
export function resolveFolder(name: string, modules: string[], available: string, verb = 'audit'): string {
  const candidates = [name.trim()];
  try {
    const names = deriveNames(name);
    candidates.push(names.slug, names.snake);
  } catch {
    // Not a valid new-module name; an existing folder may still match it exactly.
  }
  const folder = candidates.find((candidate) => modules.includes(candidate));
  if (!folder) throw usageError(`No module "${name}" to ${verb}.`, available);
  return folder;
}
