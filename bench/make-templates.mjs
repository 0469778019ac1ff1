#!/usr/bin/env node
// Regenerates the copier and cookiecutter templates under bench/templates/ from what `dmb new` writes,
// so the benchmark compares tools rendering the same files. Run after a change to dmb's templates:
//   npm run build && node bench/make-templates.mjs
// Each occurrence of an answer in dmb's output becomes a template variable; literal text that looks like
// Jinja is wrapped in {% raw %}. The benchmark diffs each tool's output against dmb's before timing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
export const ANSWERS = { slug: 'bench-module', description: 'Benchmark module for timing' };
/** dmb new's flags for the compared output (21 files). */
export const NEW_FLAGS = ['--yes', '--db', 'postgresql', '--governance', 'standard', '--requires', 'none', '--integrate', 'no', '--deploy', 'no', '--description', ANSWERS.description];

/** The values dmb derived or generated, found in its output: each becomes a variable. */
export function variablesOf(moduleDir) {
  const env = readFileSync(join(moduleDir, 'workspace', 'local', '.env'), 'utf8');
  const value = (key) => new RegExp(`^BENCH_MODULE_${key}=(.*)$`, 'm').exec(env)?.[1];
  // dmb's record of the module (.dmb-answers.yml) holds the hash of each file written: the .env's depends on its password.
  const record = join(moduleDir, '.dmb-answers.yml');
  const envHash = existsSync(record) ? /^  workspace\/local\/\.env: ([0-9a-f]{64})$/m.exec(readFileSync(record, 'utf8'))?.[1] : undefined;
  return {
    env_sha256: envHash,
    db_password: value('DB_PASSWORD'),
    db_host_port: value('DB_HOST_PORT'),
    description: ANSWERS.description,
    title: 'Bench Module',
    upper: 'BENCH_MODULE',
    snake: 'bench_module',
    slug: 'bench-module',
  };
}

export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}

function templated(text, variables, reference) {
  const names = Object.keys(variables).filter((k) => variables[k]);
  const pattern = new RegExp(names.map((k) => variables[k].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const byValue = new Map(names.map((k) => [variables[k], k]));
  // Literal text with a brace is kept out of Jinja's way (`${{{ upper }}_PORT}` would not parse).
  const literal = (s) => (/[{}]/.test(s) ? `{% raw %}${s}{% endraw %}` : s);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out += literal(text.slice(last, match.index)) + reference(byValue.get(match[0]));
    last = match.index + match[0].length;
  }
  return out + literal(text.slice(last));
}

function render() {
  const workspace = mkdtempSync(join(tmpdir(), 'dmb-bench-templates-'));
  const made = spawnSync(process.execPath, [join(root, 'bin', 'dmb'), 'new', ANSWERS.slug, '--workspace', workspace, ...NEW_FLAGS], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`dmb new failed: ${made.stderr}`);
  const moduleDir = join(workspace, 'projects', ANSWERS.slug);
  const variables = variablesOf(moduleDir);
  const targets = [
    { dir: join(root, 'bench', 'templates', 'copier', 'template'), ref: (k) => `{{ ${k} }}`, top: '' },
    { dir: join(root, 'bench', 'templates', 'cookiecutter', '{{cookiecutter.slug}}'), ref: (k) => `{{ cookiecutter.${k} }}`, top: '' },
  ];
  for (const target of targets) {
    rmSync(dirname(target.dir), { recursive: true, force: true });
    for (const file of listFiles(moduleDir)) {
      const path = join(target.dir, templated(file, variables, target.ref));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, templated(readFileSync(join(moduleDir, file), 'utf8'), variables, target.ref));
    }
  }
  // The benchmark passes every value; the generated password is not kept as a default.
  const defaults = Object.fromEntries(Object.keys(variables).map((k) => [k, k === 'db_password' ? 'changeme' : k === 'env_sha256' ? '' : (variables[k] ?? '')]));
  writeFileSync(
    join(root, 'bench', 'templates', 'copier', 'copier.yml'),
    `_subdirectory: template\n_templates_suffix: ""\n${Object.entries(defaults).map(([k, v]) => `${k}:\n  type: str\n  default: ${JSON.stringify(v)}\n`).join('')}`,
  );
  writeFileSync(join(root, 'bench', 'templates', 'cookiecutter', 'cookiecutter.json'), `${JSON.stringify(defaults, null, 2)}\n`);
  console.log(`bench/templates: ${listFiles(moduleDir).length} files as copier and cookiecutter templates`);
  rmSync(workspace, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) render();
