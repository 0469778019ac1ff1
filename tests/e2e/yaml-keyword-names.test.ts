import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runBinary } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

/**
 * Dagster reads workspace.yaml with a YAML 1.1 loader, where a bare yes/no/on/off is a boolean: a module
 * named "yes" must still give the location name "yes", and must not stop the other locations loading.
 */
describe('modules named like YAML 1.1 booleans', () => {
  it('merge into a workspace.yaml that real Dagster loads, every location included', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    for (const name of ['yes', 'off', 'plain-module']) {
      const created = runBinary(['new', name, '--workspace', workspace, '--yes', '--db', 'none', '--integrate', 'yes']);
      expect(created.code, created.stderr).toBe(0);
    }
    const merged = readFileSync(join(workspace, 'services/dagster/workspace.yaml'), 'utf8');
    const names = parse(merged, { version: '1.1' }).load_from.map((entry: { python_package: { location_name: unknown } }) => entry.python_package.location_name);
    expect(names).toEqual(['yes', 'off', 'plain_module']);
    const validated = runBinary(['workspace', 'validate', '--load', '--workspace', workspace]);
    expect(validated.stdout + validated.stderr).not.toMatch(/bool/);
    expect(validated.stdout).toMatch(/code location yes loads/);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
  });
});
