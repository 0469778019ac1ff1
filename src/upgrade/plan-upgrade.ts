import { join, posix } from 'node:path';
import { readCodeFacts } from '../audit/code-facts.js';
import { gitTracked } from '../audit/git-tracked.js';
import { readAuditModule } from '../audit/module-model.js';
import { readOnce } from '../audit/read-once.js';
import { readWorkspaceIndex } from '../audit/workspace-index.js';
import type { Effects } from '../effects/effects.js';
import { operationError } from '../errors.js';
import { parsePython, releasePython } from '../python/parser.js';
import { ChangeSet } from '../transaction/changes.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { loadIoManagerTemplate } from './io-manager-template.js';
import { planChecklist } from './plan-checklist.js';
import { planCode } from './plan-code.js';
import { planWorkspaceLocal } from './plan-workspace-local.js';
import { applySplices } from './splice.js';

export type FileStatus = 'created' | 'updated' | 'unchanged';

/** One file upgrade looked at, as --json prints it. */
export interface FileOutcome {
  path: string;
  status: FileStatus;
  edits: string[];
}

export interface UpgradePlan {
  module: string;
  changes: ChangeSet;
  files: FileOutcome[];
  notes: string[];
}

const STEP = 'upgrade the module';
const STORAGE_ENV = 'DAGSTER_STORAGE_PATH';
const DEFAULT_STORAGE = '/tmp/dagster_storage';
const ENV_EXAMPLE_ENTRY = `# Where the IO manager stores asset values: a volume shared by every container that runs this module.\n${STORAGE_ENV}=${DEFAULT_STORAGE}\n`;

/**
 * Plans the upgrade of one module: every edit goes into one ChangeSet (nothing is written here).
 * Refuses a package that does not parse: editing a tree the parser gave up on could break the user's code.
 */
export async function planUpgrade(effects: Effects, paths: WorkspacePaths, folder: string, modules: string[]): Promise<UpgradePlan> {
  const files = readOnce(effects.fs);
  const index = await readWorkspaceIndex(files, paths, modules);
  const module = await readAuditModule(effects, files, gitTracked(effects), paths.projectsDir, folder, index);
  try {
    const [error, ...more] = module.parseErrors;
    if (error) {
      const others = more.length > 0 ? ` (and ${more.map((e) => `${e.file}:${e.line}`).join(', ')})` : '';
      throw operationError(
        `projects/${folder}/${error.file}:${error.line}:${error.column}: syntax error${others}. Nothing was changed.`,
        'Fix the syntax error (python -m py_compile <file> shows it), then run dmb upgrade again.',
      );
    }
    if (!module.pkg || !module.packageDir) {
      throw operationError(`No Python package in projects/${folder} (looked for src/${module.snake}_dagster/).`, 'Upgrade works on modules with a Python package under src/.');
    }
    const code = readCodeFacts(module.pkg);
    const title = module.snake
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ');
    const template = await loadIoManagerTemplate(effects.fs, { title, snake: module.snake });
    const plan = planCode(module.pkg, code, template);
    const changes = new ChangeSet(effects.fs);
    const outcomes: FileOutcome[] = [];
    const packageDir = join(module.dir, module.packageDir);
    for (const [path, splices] of plan.edits) {
      const file = module.pkg.files.get(path)!;
      const text = applySplices(file.parsed.source, splices);
      await refuseUnparsable(text, posix.join(module.packageDir, path));
      await changes.write(join(packageDir, path), text, STEP);
      outcomes.push({ path: posix.join(module.packageDir, path), status: text === file.parsed.source ? 'unchanged' : 'updated', edits: [...new Set(splices.map((s) => s.why))] });
    }
    for (const [path, text] of plan.creates) {
      await refuseUnparsable(text, posix.join(module.packageDir, path));
      await changes.write(join(packageDir, path), text, STEP);
      outcomes.push({ path: posix.join(module.packageDir, path), status: 'created', edits: ['add resources.py with dmb\'s IO manager'] });
    }
    // The new IO manager reads DAGSTER_STORAGE_PATH: documented in .env.example so audit's env check still passes.
    const readsStorageEnv = [...plan.creates.values(), ...[...plan.edits.values()].flat().map((s) => s.text)].some((text) => text.includes(STORAGE_ENV));
    const documented = [module.readme, module.envExample].some((text) => text !== undefined && new RegExp(`(^|[^A-Za-z0-9_])${STORAGE_ENV}([^A-Za-z0-9_]|$)`, 'm').test(text));
    if (readsStorageEnv && !documented) {
      const before = module.envExample ?? '';
      const separator = before === '' || before.endsWith('\n') ? '' : '\n';
      await changes.write(join(module.dir, '.env.example'), `${before}${separator}${ENV_EXAMPLE_ENTRY}`, STEP);
      outcomes.push({ path: '.env.example', status: module.envExample === undefined ? 'created' : 'updated', edits: [`document ${STORAGE_ENV}`] });
    }
    const otherDefault = code.envReads.find((read) => read.name === STORAGE_ENV && read.defaultValue !== undefined && read.defaultValue.replace(/\/+$/, '') !== DEFAULT_STORAGE);
    if (otherDefault) {
      plan.notes.push(
        `${module.packageDir}/${otherDefault.file.path}:${otherDefault.line}: ${STORAGE_ENV} defaults to ${otherDefault.defaultValue}, not ${DEFAULT_STORAGE}; left as is, because changing it moves where this module's data lives. Change it by hand when the deployments set ${STORAGE_ENV}.`,
      );
    }
    const local = await planWorkspaceLocal(effects.fs, paths.root, module, changes, STEP);
    for (const path of local.created) outcomes.push({ path, status: 'created', edits: ['render as dmb new does'] });
    plan.notes.push(...local.notes);
    for (const path of await planChecklist(effects.fs, paths.root, module, code, changes, STEP)) outcomes.push({ path, status: 'created', edits: ['a deployment checklist'] });
    // The files upgrade checks but leaves as they are: said so, so a second run reads "unchanged".
    for (const path of ['resources.py', '__init__.py']) {
      const shown = posix.join(module.packageDir, path);
      if (module.pkg.files.has(path) && !outcomes.some((o) => o.path === shown)) outcomes.push({ path: shown, status: 'unchanged', edits: [] });
    }
    outcomes.sort((a, b) => a.path.localeCompare(b.path));
    return { module: folder, changes, files: outcomes, notes: plan.notes };
  } finally {
    module.release();
  }
}

/** The edited text must parse before it is written: a splice that breaks the file is a bug, never the user's problem. */
async function refuseUnparsable(text: string, shown: string): Promise<void> {
  const parsed = await parsePython(text, shown);
  try {
    if (parsed.syntaxError) {
      throw operationError(
        `Upgrading ${shown} would leave a syntax error at line ${parsed.syntaxError.line}; nothing was changed.`,
        'This is a dmb bug: please report it with the file. Fix the module by hand meanwhile (dmb audit lists what to fix).',
      );
    }
  } finally {
    releasePython(parsed);
  }
}
