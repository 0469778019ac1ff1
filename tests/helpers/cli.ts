import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli, type Runtime } from '../../src/cli/program.js';
import { realEffects, type Effects } from '../../src/effects/effects.js';
import type { Prompter } from '../../src/effects/prompter.js';
import { PATIENCE_MS } from './patience.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DMB_BIN = `${REPO_ROOT}bin/dmb`;
/** The pinned Dagster of the test venv (scripts/test.sh exports DMB_DAGSTER_BIN too). */
export const DAGSTER_BIN = process.env.DMB_DAGSTER_BIN ?? join(REPO_ROOT, '.venv', 'bin', 'dagster');
/** Dagster's `dg` CLI of the test venv, which `dmb dev` runs (scripts/test.sh exports DMB_DG_BIN too). */
export const DG_BIN = process.env.DMB_DG_BIN ?? join(REPO_ROOT, '.venv', 'bin', 'dg');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real, built binary with stdin not a TTY (as in CI and scripts), using the pinned Dagster. */
export function runBinary(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [DMB_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DMB_DAGSTER_BIN: DAGSTER_BIN, DMB_DG_BIN: DG_BIN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: PATIENCE_MS,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the binary and fails the test with its output unless it exits 0. */
export function expectOk(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = runBinary(args, env);
  expect(result.code, `dmb ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/** runBinary / expectOk against one workspace. */
export const dmbIn = (workspace: string, ...args: string[]): CliResult => runBinary([...args, '--workspace', workspace]);
export const okIn = (workspace: string, ...args: string[]): CliResult => expectOk([...args, '--workspace', workspace]);

const noPrompts: Prompter = {
  select: () => Promise.reject(new Error('unexpected prompt')),
  text: () => Promise.reject(new Error('unexpected prompt')),
  multiselect: () => Promise.reject(new Error('unexpected prompt')),
  confirm: () => Promise.reject(new Error('unexpected prompt')),
};

/** Runs the CLI in-process with injected effects (a faulty fs, a fixed clock or randomness) and prompter. */
export async function runInProcess(
  args: string[],
  options: { effects?: Partial<Effects>; prompter?: Prompter; isTTY?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const runtime: Runtime = {
    effects: { ...realEffects({ ...process.env, NO_COLOR: '1' }), ...options.effects },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: options.isTTY ?? false,
    prompter: options.prompter ?? noPrompts,
  };
  const code = await runCli(args, runtime);
  return { code, stdout, stderr };
}
