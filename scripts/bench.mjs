#!/usr/bin/env node
// The benchmark: dmb's start-up, `dmb new` against copier, cookiecutter and create-dagster, and how the
// workspace commands scale with the number of modules. Every figure is a median with min and max, CPU time
// (user + system, of the measured process tree) and wall time; targets are on CPU time, because wall time
// is noisy on a shared machine. Writes bench/results/<date>.json and .md, and prints the table.
//
//   npm run bench                      full run (10 runs; 10, 100 and 500 modules; installs bench/.venv)
//   node scripts/bench.mjs --tiny      one run, one module, no tool comparison (the test suite runs this)
//   options: --runs N  --sizes 10,100,500  --no-compare  --out DIR
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWERS, NEW_FLAGS, listFiles, variablesOf } from '../bench/make-templates.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : argv[at + 1];
};
const tiny = argv.includes('--tiny');
const runs = Number(option('--runs', tiny ? 1 : 10));
const sizes = option('--sizes', tiny ? '1' : '10,100,500').split(',').map(Number);
const compare = !tiny && !argv.includes('--no-compare');
const outDir = option('--out', join(root, 'bench', 'results'));
const bin = join(root, 'bin', 'dmb');
const benchVenv = join(root, 'bench', '.venv');
const scratch = mkdtempSync(join(tmpdir(), 'dmb-bench-'));
const log = (text) => process.stderr.write(`[bench] ${text}\n`);

/** One measured run of a command (its output discarded). */
function measure(command, args, options = {}) {
  // `okExit`: exit codes that are a result, not a failure (an audit that finds something exits 1).
  const result = spawnSync('python3', [join(root, 'bench', 'measure.py'), command, ...args], { cwd: options.cwd ?? scratch, env: { ...process.env, NO_COLOR: '1', ...options.env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`measuring ${command} failed: ${result.stderr}`);
  const sample = JSON.parse(result.stdout);
  if (!(options.okExit ?? [0]).includes(sample.status)) throw new Error(`${command} ${args.join(' ')} exited ${sample.status}:\n${sample.stderr}`);
  return { cpu: sample.user + sample.sys, wall: sample.wall, maxrssKib: sample.maxrss_kib };
}

function summary(samples) {
  const stat = (key) => {
    const values = samples.map((s) => s[key]).sort((a, b) => a - b);
    return { median: values[Math.floor((values.length - 1) / 2)], min: values[0], max: values.at(-1) };
  };
  return { runs: samples.length, cpu: stat('cpu'), wall: stat('wall'), peak_mib: Math.max(...samples.map((s) => s.maxrssKib)) / 1024 };
}

/** Runs the labelled commands alternately, `runs` rounds, so a busy moment hits all of them alike. */
function alternate(cases) {
  const samples = Object.fromEntries(cases.map((c) => [c.label, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const prepared = c.prepare?.(i);
      samples[c.label].push(measure(c.command, c.args(i, prepared), { cwd: prepared?.cwd, okExit: c.okExit }));
      c.cleanup?.(prepared);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([label, s]) => [label, summary(s)]));
}

const dmb = (...args) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`dmb ${args.join(' ')} failed:\n${result.stderr}`);
  return result;
};
const version = (command, args) => spawnSync(command, args, { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const freshDir = (name) => mkdtempSync(join(scratch, `${name}-`));

// --- machine and versions -------------------------------------------------------------------------------------
const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model,
  node: process.version,
  python: version('python3', ['--version']),
  dmb: dmb('--version').stdout.trim(),
  date: new Date().toISOString(),
  mode: tiny ? 'tiny' : 'full',
};
log(`${machine.cores} cores, Node ${machine.node}, ${machine.python}, dmb ${machine.dmb}`);

// --- 1. start-up ------------------------------------------------------------------------------------------------
log('start-up');
const startup = alternate([
  { label: 'node -e 0', command: process.execPath, args: () => ['-e', '0'] },
  { label: 'dmb --version', command: process.execPath, args: () => [bin, '--version'] },
  { label: 'dmb --help', command: process.execPath, args: () => [bin, '--help'] },
]);

// --- 2. dmb new against copier, cookiecutter, create-dagster ----------------------------------------------------
let generation;
if (compare) {
  const pip = join(benchVenv, 'bin', 'pip');
  if (!existsSync(pip)) spawnSync('python3', ['-m', 'venv', benchVenv], { stdio: 'inherit' });
  log('pip install -r bench/requirements.txt (into bench/.venv)');
  const installed = spawnSync(pip, ['install', '-q', '--disable-pip-version-check', '-r', join(root, 'bench', 'requirements.txt')], { encoding: 'utf8' });
  if (installed.status !== 0) throw new Error(`installing the compared tools failed:\n${installed.stderr}`);
  const tool = (name) => join(benchVenv, 'bin', name);
  machine.tools = {
    copier: version(tool('copier'), ['--version']),
    cookiecutter: version(tool('cookiecutter'), ['--version']).replace(/ from .*/, ''),
    'create-dagster': version(tool('create-dagster'), ['--version']),
  };
  const cookieConfig = join(scratch, 'cookiecutter.yaml');
  writeFileSync(cookieConfig, `cookiecutters_dir: ${join(scratch, 'cc-cache')}\nreplay_dir: ${join(scratch, 'cc-replay')}\n`);
  const dataArgs = (variables, style) => Object.entries(variables).flatMap(([k, v]) => (style === 'copier' ? ['--data', `${k}=${v}`] : [`${k}=${v}`]));
  const copierArgs = (out, variables) => ['copy', '--quiet', '--defaults', '--overwrite', ...dataArgs(variables, 'copier'), join(root, 'bench', 'templates', 'copier'), out];
  const cookieArgs = (out, variables) => ['--no-input', '--config-file', cookieConfig, '-o', out, join(root, 'bench', 'templates', 'cookiecutter'), ...dataArgs(variables, 'cookiecutter')];

  // Before timing anything: the templates render byte for byte what dmb new writes for the same answers.
  const reference = freshDir('reference');
  dmb('new', ANSWERS.slug, '--workspace', reference, ...NEW_FLAGS);
  const moduleDir = join(reference, 'projects', ANSWERS.slug);
  const variables = variablesOf(moduleDir);
  const copierOut = join(freshDir('copier'), ANSWERS.slug);
  spawnSync(tool('copier'), copierArgs(copierOut, variables), { encoding: 'utf8' });
  const cookieOut = freshDir('cookiecutter');
  spawnSync(tool('cookiecutter'), cookieArgs(cookieOut, variables), { encoding: 'utf8' });
  for (const [name, dir] of [['copier', copierOut], ['cookiecutter', join(cookieOut, ANSWERS.slug)]]) {
    const diff = spawnSync('diff', ['-r', moduleDir, dir], { encoding: 'utf8' });
    if (diff.status !== 0) throw new Error(`the ${name} template does not render what dmb new writes (run: node bench/make-templates.mjs):\n${diff.stdout.slice(0, 3000)}${diff.stderr}`);
  }
  machine.generated_files = listFiles(moduleDir).length;
  log(`copier and cookiecutter render the same ${machine.generated_files} files as dmb new (diff -r)`);

  log(`dmb new against copier, cookiecutter, create-dagster (${runs} rounds)`);
  const outFor = () => ({ cwd: freshDir('gen') });
  const drop = (prepared) => rmSync(prepared.cwd, { recursive: true, force: true });
  generation = alternate([
    { label: 'dmb new', command: process.execPath, prepare: outFor, cleanup: drop, args: (i, p) => [bin, 'new', ANSWERS.slug, '--workspace', p.cwd, ...NEW_FLAGS] },
    { label: 'copier copy', command: tool('copier'), prepare: outFor, cleanup: drop, args: (i, p) => copierArgs(join(p.cwd, ANSWERS.slug), variables) },
    { label: 'cookiecutter --no-input', command: tool('cookiecutter'), prepare: outFor, cleanup: drop, args: (i, p) => cookieArgs(p.cwd, variables) },
    { label: 'create-dagster project --no-uv-sync', command: tool('create-dagster'), prepare: outFor, cleanup: drop, args: (i, p) => ['project', '--no-uv-sync', join(p.cwd, 'bench_module')] },
  ]);
}

// --- 3. scaling with the number of modules ---------------------------------------------------------------------
const { runCli, defaultRuntime } = await import(join(root, 'dist', 'cli', 'program.js'));
const quiet = { ...defaultRuntime(), stdout: () => {}, stderr: (text) => process.stderr.write(text), isTTY: false };
/** A workspace with `count` modules made by dmb new (not integrated), built in-process (not timed). */
async function workspaceWith(count) {
  const dir = freshDir(`ws${count}`);
  if ((await runCli(['init', '--workspace', dir, '--yes'], quiet)) !== 0) throw new Error('dmb init failed');
  for (let i = 0; i < count; i++) {
    const db = ['postgresql', 'mysql', 'none'][i % 3];
    const args = ['new', `mod-${String(i).padStart(4, '0')}`, '--workspace', dir, '--yes', '--db', db, '--governance', 'standard', '--requires', 'none', '--integrate', 'no', '--deploy', 'no'];
    if ((await runCli(args, quiet)) !== 0) throw new Error(`dmb ${args.join(' ')} failed`);
  }
  return dir;
}

const scaling = [];
for (const size of sizes) {
  log(`${size} modules: building the workspace`);
  const unsynced = await workspaceWith(size);
  const sync = [];
  for (let i = 0; i < runs; i++) {
    const copy = freshDir(`sync${size}`);
    cpSync(unsynced, copy, { recursive: true });
    sync.push(measure(process.execPath, [bin, 'workspace', 'sync', '--workspace', copy, '--yes']));
    if (i < runs - 1) rmSync(copy, { recursive: true, force: true });
    else dmb('workspace', 'sync', '--workspace', unsynced, '--yes');
    rmSync(copy, { recursive: true, force: true });
  }
  const registered = JSON.parse(readFileSync(join(unsynced, 'services', 'dagster', '.registry'), 'utf8')).integrated_modules.length;
  if (registered !== size) throw new Error(`sync of ${size} modules registered ${registered}`);
  const rows = { 'workspace sync': summary(sync) };
  Object.assign(
    rows,
    alternate([
      { label: 'workspace validate', command: process.execPath, args: () => [bin, 'workspace', 'validate', '--workspace', unsynced] },
      { label: 'workspace list --json', command: process.execPath, args: () => [bin, 'workspace', 'list', '--json', '--workspace', unsynced] },
      // Every module's governance, database and deployment checks (exit 1 when a check finds something).
      { label: 'audit --all', command: process.execPath, args: () => [bin, 'audit', '--all', '--workspace', unsynced], okExit: [0, 1] },
    ]),
  );
  // One more module added into the synced workspace (on a fresh copy each run).
  const extra = ['new', 'extra-module', '--workspace', unsynced, '--yes', '--db', 'postgresql', '--governance', 'standard', '--requires', 'none', '--integrate', 'no', '--deploy', 'no'];
  if ((await runCli(extra, quiet)) !== 0) throw new Error('dmb new extra-module failed');
  const add = [];
  for (let i = 0; i < runs; i++) {
    const copy = freshDir(`add${size}`);
    cpSync(unsynced, copy, { recursive: true });
    add.push(measure(process.execPath, [bin, 'workspace', 'add', 'extra-module', '--workspace', copy, '--yes']));
    rmSync(copy, { recursive: true, force: true });
  }
  rows['workspace add (one more)'] = summary(add);
  scaling.push({ modules: size, ...rows });
  rmSync(unsynced, { recursive: true, force: true });
}

// --- report -----------------------------------------------------------------------------------------------------
const s = (x) => `${x.toFixed(3)}`;
const cell = (r) => `${s(r.cpu.median)} (${s(r.cpu.min)}–${s(r.cpu.max)})`;
const wallCell = (r) => `${s(r.wall.median)} (${s(r.wall.min)}–${s(r.wall.max)})`;
const lines = [];
lines.push(`# dmb benchmark, ${machine.date}`, '');
lines.push(`${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.python}, dmb ${machine.dmb}${machine.tools ? `; ${Object.entries(machine.tools).map(([k, v]) => `${k} ${v.replace(/^[^\d]*/, '')}`).join(', ')}` : ''}. ${runs} runs per figure (median, min–max), seconds.`, '');
lines.push('## Start-up', '', '| command | CPU s | wall s | CPU vs `node -e 0` |', '| --- | --- | --- | --- |');
for (const [label, r] of Object.entries(startup)) lines.push(`| \`${label}\` | ${cell(r)} | ${wallCell(r)} | ${(r.cpu.median / startup['node -e 0'].cpu.median).toFixed(2)}× |`);
if (generation) {
  lines.push('', `## \`dmb new\` against other generators (copier and cookiecutter render the same ${machine.generated_files} files)`, '', '| command | CPU s | wall s | dmb new / this (CPU) |', '| --- | --- | --- | --- |');
  for (const [label, r] of Object.entries(generation)) lines.push(`| \`${label}\` | ${cell(r)} | ${wallCell(r)} | ${(generation['dmb new'].cpu.median / r.cpu.median).toFixed(2)}× |`);
}
lines.push('', '## Scaling with the number of modules', '', '| modules | command | CPU s | per module (ms CPU) | wall s | peak MiB |', '| --- | --- | --- | --- | --- | --- |');
for (const row of scaling) {
  for (const [label, r] of Object.entries(row)) {
    if (label === 'modules') continue;
    lines.push(`| ${row.modules} | \`${label}\` | ${cell(r)} | ${((r.cpu.median / row.modules) * 1000).toFixed(2)} | ${wallCell(r)} | ${r.peak_mib.toFixed(0)} |`);
  }
}
if (scaling.length >= 2) {
  const [first, last] = [scaling[0], scaling.at(-1)];
  lines.push('', `Growth from ${first.modules} to ${last.modules} modules, cost per added module (CPU ms): ${['workspace sync', 'workspace validate', 'workspace list --json']
    .map((c) => `${c} ${(((last[c].cpu.median - first[c].cpu.median) / (last.modules - first.modules)) * 1000).toFixed(2)}`)
    .join('; ')}.`);
  if (scaling.length >= 3) {
    const mid = scaling.at(-2);
    const slope = (a, b, c) => (b[c].cpu.median - a[c].cpu.median) / (b.modules - a.modules);
    lines.push(`Linear when the per-module cost of the last step is within 1.25× of the step before: sync ${(slope(mid, last, 'workspace sync') / slope(first, mid, 'workspace sync')).toFixed(2)}×.`);
  }
  lines.push(`\`workspace add\` of one more module into ${last.modules} against into ${first.modules}: ${(last['workspace add (one more)'].cpu.median / first['workspace add (one more)'].cpu.median).toFixed(2)}× (CPU).`);
}
const peak = Math.max(...scaling.flatMap((row) => Object.values(row).filter((r) => typeof r === 'object').map((r) => r.peak_mib)));
lines.push('', `Peak memory of any scaling run: ${peak.toFixed(0)} MiB.`);
const markdown = `${lines.join('\n')}\n`;
process.stdout.write(markdown);
mkdirSync(outDir, { recursive: true });
const stamp = machine.date.replace(/[:.]/g, '-');
writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify({ machine, runs, startup, generation, scaling }, null, 2)}\n`);
writeFileSync(join(outDir, `${stamp}.md`), markdown);
log(`wrote ${join(outDir, `${stamp}.json`)} and .md`);
rmSync(scratch, { recursive: true, force: true });
