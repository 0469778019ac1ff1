import { join, posix } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { readEnvEntries } from '../formats/env-file.js';
import { deriveNames } from '../module/naming.js';
import { parsePython, releasePython } from '../python/parser.js';
import { toPyFile, type PyPackage } from '../python/package.js';
import { ANSWERS_FILE, readRecordedAnswers, type RecordedAnswers } from './answers.js';
import type { GitTracked } from './git-tracked.js';
import type { ReadOnce } from './read-once.js';
import type { WorkspaceIndex } from './workspace-index.js';

export type GovernanceId = 'quick' | 'standard' | 'enterprise';

export interface EnvFileFacts {
  /** Relative to the module folder. */
  path: string;
  mode?: number;
  /** Keys that look like credentials and have a value. */
  secretKeys: string[];
}

/** Everything the rules read about one module, gathered once; rules are plain functions over it. */
export interface AuditModule {
  folder: string;
  dir: string;
  /** The asset key prefix the module's assets should carry: its package name without `_dagster` (else the folder's snake form). */
  snake: string;
  answers?: RecordedAnswers;
  answersProblem?: string;
  governance: { level: GovernanceId; source: 'answers' | 'code' | 'default' };
  database: { type: string; source: 'answers' | 'code' | 'unknown' };
  /** Where the Python package is, relative to the module folder; undefined when none was found. */
  packageDir?: string;
  layout?: 'package' | 'dg';
  pkg?: PyPackage;
  parseErrors: Array<{ file: string; line: number; column: number }>;
  /** Relative paths of the files the rules ask about, present or not. */
  exists: (relative: string) => boolean;
  readme?: string;
  envExample?: string;
  deployments: string[];
  envFiles: EnvFileFacts[];
  /** `.env`/`.env.deploy` files git tracks; undefined when the module is not in a git work tree. */
  trackedEnvFiles?: string[];
  workspace: WorkspaceIndex;
  integration: Awaited<ReturnType<WorkspaceIndex['status']>>;
  /** Frees the parse trees. */
  release(): void;
}

const SECRET_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/i;
const PRESENCE = ['workspace/local', 'workspace/local/workspace.yaml', 'workspace/local/docker-compose.yml', 'workspace/local/.env', 'workspace/local/dockerfile.snippet'];

export async function readAuditModule(effects: Effects, files: ReadOnce, git: GitTracked, projectsDir: string, folder: string, workspace: WorkspaceIndex): Promise<AuditModule> {
  const fs = effects.fs;
  const dir = join(projectsDir, folder);
  const snake = snakeOf(folder);
  const present = new Set<string>();
  for (const relative of PRESENCE) if (await fs.exists(join(dir, relative))) present.add(relative);

  const answersText = await files.text(join(dir, ANSWERS_FILE));
  const recorded = answersText === undefined ? undefined : readRecordedAnswers(answersText);
  const answers = recorded && !('error' in recorded) ? recorded : undefined;
  const answersProblem = recorded && 'error' in recorded ? `${ANSWERS_FILE}: ${recorded.error}` : undefined;

  const located = await locatePackage(fs, dir, snake, answers?.package);
  const parseErrors: AuditModule['parseErrors'] = [];
  let pkg: PyPackage | undefined;
  if (located) {
    pkg = { name: located.name, files: new Map() };
    for (const relative of await listPythonFiles(fs, join(dir, located.dir))) {
      const shown = posix.join(located.dir, relative);
      const source = (await files.text(join(dir, located.dir, relative))) ?? '';
      const parsed = await parsePython(source, shown);
      if (parsed.syntaxError) parseErrors.push({ file: shown, ...parsed.syntaxError });
      pkg.files.set(relative, toPyFile(relative, parsed));
    }
  }

  const deployments: string[] = [];
  const envFiles: EnvFileFacts[] = [];
  const envCandidates = ['.env', 'workspace/local/.env'];
  if (await fs.isDirectory(join(dir, 'deploy'))) {
    for (const name of (await fs.readdir(join(dir, 'deploy'))).sort()) {
      if (!(await fs.isDirectory(join(dir, 'deploy', name)))) continue;
      if (await fs.exists(join(dir, 'deploy', name, 'deployment.yaml'))) deployments.push(name);
      envCandidates.push(`deploy/${name}/.env.deploy`);
    }
  }
  for (const relative of envCandidates) {
    const text = await files.text(join(dir, relative));
    if (text === undefined) continue;
    const secretKeys = [...readEnvEntries(text)].filter(([key, entry]) => SECRET_KEY.test(key) && entry.value.trim() !== '').map(([key]) => key);
    envFiles.push({ path: relative, mode: await fs.mode(join(dir, relative)), secretKeys });
  }

  const module: AuditModule = {
    folder,
    dir,
    snake: located ? located.name.replace(/_dagster$/, '') : snake,
    answers,
    answersProblem,
    governance: { level: answers?.governance ?? 'standard', source: answers?.governance ? 'answers' : 'default' },
    database: answers?.database ? { type: answers.database, source: 'answers' } : databaseFromCompose(await files.text(join(dir, 'workspace/local/docker-compose.yml'))),
    packageDir: located?.dir,
    layout: located?.layout,
    pkg,
    parseErrors,
    exists: (relative) => present.has(relative),
    readme: await files.text(join(dir, 'README.md')),
    envExample: await files.text(join(dir, '.env.example')),
    deployments,
    envFiles,
    trackedEnvFiles: await git.envFilesUnder(dir),
    workspace,
    integration: await workspace.status(folder),
    release() {
      for (const file of pkg?.files.values() ?? []) releasePython(file.parsed);
    },
  };
  return module;
}

/** Without a record, the module's compose services tell its database by their image. */
function databaseFromCompose(compose: string | undefined): AuditModule['database'] {
  if (compose === undefined) return { type: 'unknown', source: 'unknown' };
  const image = /^\s*image:\s*["']?([a-z0-9./_-]+)/gim;
  for (const match of compose.matchAll(image)) {
    const name = match[1]!.split('/').at(-1)!;
    if (name.startsWith('postgres')) return { type: 'postgresql', source: 'code' };
    if (name.startsWith('mysql') || name.startsWith('mariadb')) return { type: 'mysql', source: 'code' };
  }
  return { type: 'none', source: 'code' };
}

function snakeOf(folder: string): string {
  try {
    return deriveNames(folder).snake;
  } catch {
    return folder.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  }
}

/**
 * The module's Python package: the recorded one, `src/<snake>_dagster/` as dmb makes it, or the one
 * package under src/ (or at the module root) holding Definitions: `__init__.py`, or `definitions.py` in
 * the dg layout (`src/<pkg>/definitions.py` + `defs/`).
 */
async function locatePackage(fs: Effects['fs'], dir: string, snake: string, recorded: string | undefined): Promise<{ dir: string; name: string; layout: 'package' | 'dg' } | undefined> {
  const candidates: string[] = [];
  for (const name of [recorded, `${snake}_dagster`, snake]) if (name) candidates.push(`src/${name}`, name);
  for (const base of ['src', '.']) {
    const parent = join(dir, base);
    if (!(await fs.isDirectory(parent))) continue;
    for (const name of (await fs.readdir(parent)).sort()) {
      if (name.startsWith('.') || name === 'tests' || name.endsWith('.egg-info')) continue;
      candidates.push(base === '.' ? name : `${base}/${name}`);
    }
  }
  for (const candidate of candidates) {
    const hasDefinitions = await fs.exists(join(dir, candidate, 'definitions.py'));
    if (hasDefinitions || (await fs.exists(join(dir, candidate, '__init__.py')) && (candidate.startsWith('src/') || candidate.endsWith('_dagster')))) {
      return { dir: candidate, name: posix.basename(candidate), layout: hasDefinitions ? 'dg' : 'package' };
    }
  }
  return undefined;
}

/** Deep enough for any real package (defs/<area>/<component>/...); a symlink loop stops here. */
const MAX_PACKAGE_DEPTH = 6;

async function listPythonFiles(fs: Effects['fs'], root: string, prefix = '', depth = 0): Promise<string[]> {
  const found: string[] = [];
  if (depth > MAX_PACKAGE_DEPTH) return found;
  for (const name of (await fs.readdir(join(root, prefix))).sort()) {
    if (name.startsWith('.') || name === '__pycache__') continue;
    const relative = prefix ? `${prefix}/${name}` : name;
    if (await fs.isDirectory(join(root, relative))) found.push(...(await listPythonFiles(fs, root, relative, depth + 1)));
    else if (name.endsWith('.py')) found.push(relative);
  }
  return found;
}

