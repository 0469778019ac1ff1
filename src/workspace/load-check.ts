import { join } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { formatCommand } from '../effects/process.js';
import { isCancelled, isDmbError } from '../errors.js';
import { hostEnvironment, hostEnvOverrides, toHostWorkspaceYaml } from './host-view.js';
import type { WorkspacePaths } from './paths.js';
import type { Registry } from './registry.js';

/** What real Dagster said about one code location. */
export interface LocationLoad {
  location: string;
  ok: boolean;
  /** The error's first line and the user-code frame that raised it, when it failed. */
  detail?: string;
}

export interface LoadResult {
  command: string;
  locations: LocationLoad[];
  /** Dagster's exit code. */
  code: number;
  output: string;
  /** Set when Dagster could not be started at all (then no location was tried). */
  notStarted?: { message: string; fix?: string };
}

/** DMB_DAGSTER_BIN, else `dagster` on PATH. */
export function dagsterBinary(env: NodeJS.ProcessEnv): string {
  return env.DMB_DAGSTER_BIN || 'dagster';
}

/**
 * Loads every code location in real Dagster: `dagster definitions validate -w <host view>`, where the
 * host view maps /workspace/projects to <workspace>/projects, and the environment is the one `dmb dev`
 * gives Dagster (host-view.ts hostEnvironment): the workspace .env, the exported variables, and each module database at 127.0.0.1 on its published port (host-view.ts). Runs in a
 * throwaway folder so Dagster's temporary DAGSTER_HOME lands there.
 */
export async function loadCodeLocations(
  effects: Effects,
  paths: WorkspacePaths,
  input: { registry: Registry; workspaceYaml: string; env: string; locations: string[] },
  signal?: AbortSignal,
): Promise<LoadResult> {
  const fs = effects.fs;
  const scratch = join(effects.env.TMPDIR || '/tmp', `dmb-validate-${process.pid}-${effects.randomBytes(4).toString('hex')}`);
  await fs.mkdir(join(scratch, 'storage'));
  try {
    const hostYaml = join(scratch, 'workspace.yaml');
    await fs.writeFile(hostYaml, toHostWorkspaceYaml(input.workspaceYaml, paths.root));
    const env = { ...hostEnvironment(input.env, effects.env, hostEnvOverrides(input.registry, join(scratch, 'storage'))), NO_COLOR: '1' };
    const bin = dagsterBinary(effects.env);
    const args = ['definitions', 'validate', '-w', hostYaml];
    const install = `Install dagster (pip install dagster) or point DMB_DAGSTER_BIN at its "dagster" executable.`;
    let result;
    try {
      result = await effects.processes.capture({ program: bin, args, cwd: scratch, env, install }, { signal });
    } catch (error) {
      if (!isDmbError(error) || isCancelled(error)) throw error;
      return { command: formatCommand({ program: bin, args }), code: -1, output: '', locations: [], notStarted: { message: error.message, fix: error.fix } };
    }
    const output = stripAnsi(`${result.stdout}\n${result.stderr}`);
    return { command: formatCommand({ program: bin, args }), code: result.code, output, locations: parseValidateOutput(output, input.locations) };
  } finally {
    await fs.remove(scratch);
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

const LOG_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} - /;

/** Reads "Validation successful/failed for code location X" lines; a location not mentioned failed to report. */
export function parseValidateOutput(output: string, expected: string[]): LocationLoad[] {
  const lines = output.split('\n');
  const found = new Map<string, LocationLoad>();
  lines.forEach((line, index) => {
    const ok = /Validation successful for code location (.+?)\.?\s*$/.exec(line);
    if (ok?.[1]) found.set(ok[1], { location: ok[1], ok: true });
    const failed = /Validation failed for code location (.+?):\s*$/.exec(line);
    if (failed?.[1]) {
      const body: string[] = [];
      for (const next of lines.slice(index + 1)) {
        if (LOG_LINE.test(next)) break;
        body.push(next);
      }
      const error = body.find((l) => l.trim() !== '' && !l.startsWith(' ') && !/^Stack Trace/.test(l))?.trim();
      const frame = body.filter((l) => /^\s*File "/.test(l)).at(-1)?.trim();
      found.set(failed[1], { location: failed[1], ok: false, detail: [error, frame].filter(Boolean).join(' at ') || 'see the dagster output' });
    }
  });
  for (const name of expected) if (!found.has(name)) found.set(name, { location: name, ok: false, detail: 'Dagster did not report this location (see its output)' });
  return [...found.values()];
}
