import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { PATIENCE_MS } from './patience.js';

/** The pinned validators of tools/requirements-dev.txt (in the test venv) and package.json. */
export const VENV_BIN = join(REPO_ROOT, '.venv', 'bin');
export const YAMLLINT_CONFIG = join(REPO_ROOT, 'tools', 'yamllint.yml');

export interface ToolResult {
  code: number;
  output: string;
}

/** Runs a validator; the output carries both streams so a failing assertion shows what the tool said. */
export function runTool(command: string, args: string[], options: { cwd?: string; timeout?: number } = {}): ToolResult {
  const result = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', timeout: options.timeout ?? PATIENCE_MS, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status ?? -1, output: `${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export const venvTool = (name: string, args: string[], options?: { cwd?: string; timeout?: number }) => runTool(join(VENV_BIN, name), args, options);
export const npmTool = (name: string, args: string[], options?: { cwd?: string; timeout?: number }) =>
  runTool(join(REPO_ROOT, 'node_modules', '.bin', name), args, options);

/** Fenced code blocks of a Markdown text in the given languages. */
export function codeBlocks(markdown: string, languages: string[]): string[] {
  const blocks: string[] = [];
  const fence = /^```([a-z]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) if (languages.includes(match[1] ?? '')) blocks.push(match[2] ?? '');
  return blocks;
}

/** Bodies of `<<'REMOTE'` here-documents: the scripts a block sends to the server's `sh -s`. */
export function remoteScripts(script: string): string[] {
  return [...script.matchAll(/<<'REMOTE'\n([\s\S]*?)^REMOTE$/gm)].map((match) => match[1] ?? '');
}
