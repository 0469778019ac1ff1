import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, type Runtime } from '../../src/cli/main.js';
import { realEffects, type Effects } from '../../src/io/effects.js';
import type { Prompter } from '../../src/io/prompter.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DMB_BIN = `${REPO_ROOT}bin/dmb`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real, built binary with stdin not a TTY (as in CI and scripts). */
export function runBinary(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [DMB_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

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
