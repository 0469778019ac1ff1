import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

/** The benchmark in its tiny mode (one module, one run), so it cannot rot. It checks no speed. */
describe('npm run bench, tiny mode', () => {
  it('measures start-up and the workspace commands and writes its JSON and Markdown report', () => {
    const out = testdir();
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bench.mjs'), '--tiny', '--out', out], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('| `dmb --version` |');
    const files = readdirSync(out).sort();
    expect(files.map((f) => f.replace(/^.*\./, ''))).toEqual(['json', 'md']);
    const report = JSON.parse(readFileSync(join(out, files[0]!), 'utf8'));
    expect(Object.keys(report.startup)).toEqual(['node -e 0', 'dmb --version', 'dmb --help']);
    expect(report.scaling[0].modules).toBe(1);
    for (const command of ['workspace sync', 'workspace validate', 'workspace list --json']) {
      expect(report.scaling[0][command].cpu.median, command).toBeGreaterThan(0);
    }
  });
});
