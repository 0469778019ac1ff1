import { join } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { usageError } from '../errors.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { readCodeFacts, type CodeFacts } from './code-facts.js';
import { readAuditModule, type AuditModule } from './module-model.js';
import { gitTracked } from './git-tracked.js';
import { readOnce } from './read-once.js';
import { AUDIT_RULES, type AuditRule } from './rules.js';
import { readWorkspaceIndex } from './workspace-index.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type OverallStatus = 'GOOD' | 'NEEDS ATTENTION' | 'CRITICAL';

/** One check of one module, as --json prints it (snake_case keys). */
export interface CheckResult {
  id: string;
  level: AuditRule['level'];
  status: CheckStatus;
  message: string;
  file: string | null;
  line: number | null;
  fixable: boolean;
  recommendation: string | null;
}

export interface ModuleAudit {
  module: string;
  path: string;
  package_dir: string | null;
  layout: 'package' | 'dg' | null;
  governance: AuditModule['governance'];
  database: AuditModule['database'];
  notes: string[];
  checks: CheckResult[];
  passed: number;
  warned: number;
  failed: number;
  total: number;
  status: OverallStatus;
}

/** Runs every rule over one module. Pure: the module and its code facts are already read. */
export function evaluateRules(module: AuditModule, code: CodeFacts, rules: AuditRule[] = AUDIT_RULES): ModuleAudit {
  const checks: CheckResult[] = rules.map((rule) => {
    const outcome = rule.check(module, code);
    const status: CheckStatus = outcome.ok === 'skip' ? 'skip' : outcome.ok ? 'pass' : rule.level === 'FAIL' ? 'fail' : 'warn';
    return {
      id: rule.id,
      level: rule.level,
      status,
      message: outcome.message,
      file: outcome.at?.file ?? null,
      line: outcome.at?.line ?? null,
      fixable: rule.fixable,
      recommendation: status === 'fail' || status === 'warn' ? rule.recommendation.replaceAll('<module>', module.folder).replaceAll('<prefix>', module.snake) : null,
    };
  });
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  const failedRules = checks.filter((check) => check.status === 'fail').map((check) => rules.find((rule) => rule.id === check.id)!);
  const status: OverallStatus = failedRules.length === 0 ? 'GOOD' : failedRules.some((rule) => rule.critical) ? 'CRITICAL' : 'NEEDS ATTENTION';
  const notes: string[] = [];
  if (module.answersProblem) notes.push(`${module.answersProblem}; governance taken from the code`);
  if (module.workspace.registryProblem) notes.push(module.workspace.registryProblem);
  return {
    module: module.folder,
    path: module.dir,
    package_dir: module.packageDir ?? null,
    layout: module.layout ?? null,
    governance: module.governance,
    database: module.database,
    notes,
    checks,
    passed: count('pass'),
    warned: count('warn'),
    failed: count('fail'),
    total: checks.length - count('skip'),
    status,
  };
}

/** Without a recorded answer, the code tells the level: checks or owners mean enterprise; otherwise dmb's default, standard. */
function inferGovernance(module: AuditModule, code: CodeFacts): void {
  if (module.governance.source === 'answers') return;
  if (code.signals.assetCheck || code.signals.owners) module.governance = { level: 'enterprise', source: 'code' };
  else if (code.signals.schedule) module.governance = { level: 'standard', source: 'code' };
}

export async function listModuleFolders(effects: Effects, paths: WorkspacePaths): Promise<string[]> {
  if (!(await effects.fs.isDirectory(paths.projectsDir))) return [];
  const folders: string[] = [];
  for (const name of (await effects.fs.readdir(paths.projectsDir)).sort()) {
    if (!name.startsWith('.') && (await effects.fs.isDirectory(join(paths.projectsDir, name)))) folders.push(name);
  }
  return folders;
}

/** Audits the given modules; every module under projects/ is read for port collisions. */
export async function auditModules(effects: Effects, paths: WorkspacePaths, folders: string[]): Promise<ModuleAudit[]> {
  const all = await listModuleFolders(effects, paths);
  const unknown = folders.filter((folder) => !all.includes(folder));
  if (unknown.length > 0) {
    throw usageError(
      `No module "${unknown[0]}" under ${paths.projectsDir}.`,
      all.length > 0 ? `Modules there: ${all.join(', ')}.` : 'There are no modules yet: create one with "dmb new <module-name>".',
    );
  }
  const files = readOnce(effects.fs);
  const git = gitTracked(effects);
  const index = await readWorkspaceIndex(files, paths, all);
  const auditOne = async (folder: string): Promise<ModuleAudit> => {
    const module = await readAuditModule(effects, files, git, paths.projectsDir, folder, index);
    try {
      const code = readCodeFacts(module.pkg);
      inferGovernance(module, code);
      return evaluateRules(module, code);
    } finally {
      module.release();
    }
  };
  return mapConcurrently(folders, MODULES_IN_FLIGHT, auditOne);
}

/** Modules read at once: enough to overlap file reads, few enough that parse trees stay small in memory. */
const MODULES_IN_FLIGHT = 8;

async function mapConcurrently<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
