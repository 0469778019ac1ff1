import type { Effects } from '../../effects/effects.js';
import type { CodeLocation } from '../../formats/workspace-yaml.js';
import { shownPath, type BackedUpFile, type WorkspacePaths } from '../paths.js';
import { emptyRegistry, type Registry } from '../registry.js';
import { COMPOSE_CHECKS } from './compose.js';
import { DATA_PATH_CHECKS } from './data-path.js';
import { DUPLICATE_CHECKS } from './duplicates.js';
import { FILE_CHECKS } from './files.js';
import { runChecks, toProblem, type Check, type Finding, type Problem } from './finding.js';
import { MODULE_CHECKS_TABLE } from './modules.js';
import { PACKAGE_CHECKS } from './packages.js';
import { PYTHON_PIN_CHECKS } from './python-pins.js';
import { readWorkspaceView, type WorkspaceView } from './workspace-view.js';

export { formatProblem, type Finding, type Problem } from './finding.js';

/**
 * Every check `workspace validate` runs, in the order it prints them: the files can be read, the registry
 * against the files, the files against each other, docker-compose.yml on its own, each module's package.
 */
export const WORKSPACE_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [...FILE_CHECKS, ...MODULE_CHECKS_TABLE, ...DUPLICATE_CHECKS, ...COMPOSE_CHECKS, ...PACKAGE_CHECKS, ...PYTHON_PIN_CHECKS, ...DATA_PATH_CHECKS];

export interface ValidationReport {
  findings: Finding[];
  /** The errors as printed (validate exits 1 when there is one). */
  problems: Problem[];
  /** What may break at build or run time but need not (validate still exits 0). */
  warnings: Problem[];
  registry: Registry;
  locations: CodeLocation[];
  /** The workspace files as read (absent when missing), for --load. */
  text: Partial<Record<BackedUpFile, string>>;
}

/** Reads the shared service once and runs every check over it, collecting every finding (never stopping at the first). */
export async function validateWorkspace(effects: Effects, paths: WorkspacePaths): Promise<ValidationReport> {
  if (!(await effects.fs.isDirectory(paths.serviceDir))) {
    const finding: Finding = { check: 'service-exists', level: 'error', file: shownPath(paths, paths.serviceDir), message: 'the shared Dagster service does not exist.', fix: 'Run "dmb init".' };
    return { findings: [finding], problems: [toProblem(finding)], warnings: [], registry: emptyRegistry(), locations: [], text: {} };
  }
  const view = await readWorkspaceView(effects, paths);
  const findings = await runChecks(WORKSPACE_CHECKS, view);
  const of = (level: Finding['level']) => findings.filter((f) => f.level === level).map(toProblem);
  return { findings, problems: of('error'), warnings: of('warning'), registry: view.registry, locations: view.locations, text: view.text };
}
