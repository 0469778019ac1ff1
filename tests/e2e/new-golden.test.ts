import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, REPO_ROOT } from '../helpers/cli.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

/**
 * Golden files for generated output: a module rendered with fixed randomness and no busy ports must match
 * tests/golden/<variant>/ byte for byte. Regenerate after an intended template change with UPDATE_GOLDEN=1.
 */
const VARIANTS = [
  { name: 'postgresql-enterprise', args: ['--db', 'postgresql', '--governance', 'enterprise', '--requires', 'ssh,pdf'] },
  { name: 'mysql-standard', args: ['--db', 'mysql', '--governance', 'standard', '--requires', 'none'] },
  { name: 'none-quick', args: ['--db', 'none', '--governance', 'quick', '--requires', 'none'] },
];

/** Regenerating the golden copies makes the comparison below pass by construction: never in CI. */
const updating = Boolean(process.env.UPDATE_GOLDEN);
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

const fixedBytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + 3) % 256));

describe('dmb new: golden files', () => {
  it('is compared, not regenerated, in CI', () => {
    expect(updating && inCI, 'UPDATE_GOLDEN is set while CI is set: regenerating the golden files would make this test pass without checking anything. Regenerate them locally and commit them.').toBe(false);
  });

  it.each(VARIANTS)('renders $name exactly as the golden copy', async ({ name, args }) => {
    const workspace = testdir();
    const result = await runInProcess(
      ['new', 'golden-module', '--workspace', workspace, '--integrate', 'no', '--deploy', 'no', '--description', 'Golden module', ...args],
      { effects: { randomBytes: fixedBytes, isPortInUse: async () => false } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const generated = join(workspace, 'projects', 'golden-module');
    const golden = join(REPO_ROOT, 'tests', 'golden', name);
    if (updating && !inCI) {
      rmSync(golden, { recursive: true, force: true });
      mkdirSync(golden, { recursive: true });
      cpSync(generated, golden, { recursive: true });
    }
    expect(existsSync(golden), `${golden} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/e2e/new-golden.test.ts`).toBe(true);
    expect(snapshotTree(generated)).toEqual(snapshotTree(golden));
  });
});
