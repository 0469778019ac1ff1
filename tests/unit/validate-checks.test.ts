import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realEffects } from '../../src/effects/effects.js';
import { workspacePaths } from '../../src/workspace/paths.js';
import { runChecks, type Check } from '../../src/workspace/validate/finding.js';
import { validateWorkspace, WORKSPACE_CHECKS } from '../../src/workspace/validate/validate-workspace.js';
import { fixtureWorkspace, serviceDir } from '../fixtures/workspace/helpers.js';

describe('validate: a table of checks walked by a runner', () => {
  it('every check has its own id', () => {
    const ids = WORKSPACE_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the runner walks the table in order, stamps each finding with its check id and level, and never stops early', async () => {
    const checks: Array<Check<number>> = [
      { id: 'first', run: (n) => [{ message: `a${n}` }, { message: 'b', level: 'warning' }] },
      { id: 'empty', run: () => [] },
      { id: 'third', run: async (n) => [{ message: `c${n}`, check: 'third-sub', file: 'f', line: 2, fix: 'x' }] },
    ];
    expect(await runChecks(checks, 7)).toEqual([
      { check: 'first', level: 'error', message: 'a7' },
      { check: 'first', level: 'warning', message: 'b' },
      { check: 'third-sub', level: 'error', message: 'c7', file: 'f', line: 2, fix: 'x' },
    ]);
  });

  it('a workspace with an unregistered block and a duplicate key: findings name their checks', async () => {
    const ws = fixtureWorkspace();
    appendFileSync(join(serviceDir(ws), '.env'), '# BEGIN: ghost\nGHOST=1\nGHOST=2\n# END: ghost\n');
    const report = await validateWorkspace(realEffects(), workspacePaths(ws));
    expect(report.findings.map((f) => f.check)).toEqual(['unregistered-block', 'duplicate-env-key']);
    expect(report.findings.every((f) => f.level === 'error')).toBe(true);
    expect(report.problems[0]).toEqual({ file: 'services/dagster/.env', line: expect.any(Number), message: expect.stringMatching(/block "ghost" has no entry/), fix: expect.any(String) });
  });
});
