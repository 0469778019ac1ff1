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
