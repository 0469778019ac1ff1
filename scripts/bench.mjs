#!/usr/bin/env node
// Start-up and generation speed of the built CLI: median wall time over repeated runs.
// Usage: node scripts/bench.mjs [runs]   (build first: npx tsc -p tsconfig.json)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 15);
const bin = new URL('../bin/dmb', import.meta.url).pathname;

function time(label, argsFor, setup = () => {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const workspace = mkdtempSync(join(tmpdir(), 'dmb-bench-'));
    setup(workspace, i);
    const start = process.hrtime.bigint();
    const args = argsFor(workspace, i);
    const result = spawnSync(process.execPath, args[0] === '-e' ? args : [bin, ...args], { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    rmSync(workspace, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${label} exited ${result.status}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${label.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms   min ${samples[0].toFixed(1).padStart(7)} ms   (${runs} runs)`);
}

const newArgs = (db, extra = []) => (ws, i) => [
  'new', `bench-${i}`, '--workspace', ws, '--yes', '--db', db, '--governance', 'enterprise', '--integrate', 'no', '--deploy', 'no', ...extra,
];

console.log(`node ${process.version}`);
time('node -e 0 (Node start-up alone)', () => ['-e', '0']);
time('dmb --version', () => ['--version']);
time('dmb --help', () => ['--help']);
time('dmb new --dry-run (postgresql, enterprise)', newArgs('postgresql', ['--dry-run']));
time('dmb new (postgresql, enterprise)', newArgs('postgresql'));
time('dmb new (none, enterprise)', newArgs('none'));

const dmb = (...args) => spawnSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
time(
  'dmb workspace add (postgresql module)',
  (ws, i) => ['workspace', 'add', `bench-${i}`, '--workspace', ws, '--yes'],
  (ws, i) => {
    dmb('init', '--workspace', ws, '--yes');
    dmb(...newArgs('postgresql')(ws, i));
  },
);

// dmb audit --all over 500 modules (one made by `new`, copied; each with two deployments so every check passes).
{
  const { cpSync, mkdirSync, writeFileSync } = await import('node:fs');
  const template = mkdtempSync(join(tmpdir(), 'dmb-bench-audit-'));
  dmb(...newArgs('none')(template, 0));
  const module = join(template, 'projects', 'bench-0');
  for (const name of ['production', 'staging']) {
    mkdirSync(join(module, 'deploy', name), { recursive: true });
    writeFileSync(join(module, 'deploy', name, 'deployment.yaml'), `deployment:\n  name: ${name}\n`);
  }
  writeFileSync(join(module, '.dmb-answers.yml'), 'answers: {database: none, governance: enterprise}\n');
  const auditRuns = Math.min(runs, 3);
  const timeAudit = (label, argsFor, setup) => {
    const samples = [];
    for (let i = 0; i < auditRuns; i++) {
      const workspace = mkdtempSync(join(tmpdir(), 'dmb-bench-'));
      setup(workspace);
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, [bin, ...argsFor(workspace)], { stdio: 'ignore' });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      rmSync(workspace, { recursive: true, force: true });
      if (result.status !== 0) throw new Error(`${label} exited ${result.status}`);
    }
    samples.sort((a, b) => a - b);
    console.log(`${label.padEnd(44)} median ${samples[Math.floor(samples.length / 2)].toFixed(1).padStart(7)} ms   min ${samples[0].toFixed(1).padStart(7)} ms   (${auditRuns} runs)`);
  };
  const fill = (count) => (ws) => {
    for (let i = 0; i < count; i++) cpSync(module, join(ws, 'projects', `audit-${i}`), { recursive: true });
  };
  timeAudit('dmb audit (1 module)', (ws) => ['audit', 'audit-0', '--workspace', ws], fill(1));
  timeAudit('dmb audit --all (500 modules)', (ws) => ['audit', '--all', '--workspace', ws], fill(500));
  rmSync(template, { recursive: true, force: true });
}
