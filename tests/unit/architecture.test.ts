import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

/**
 * The direction of imports in src/ (main → cli → commands → ui → domain → formats/transaction → effects/errors/version),
 * and no cycles, checked by dependency-cruiser with the rules in .dependency-cruiser.cjs.
 */
interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string } | string>;
}

function cruise(root: string): { violations: Violation[]; modules: number; comments: Map<string, string> } {
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'src', '--config', join(REPO_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(result.stdout, result.stderr).not.toBe('');
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[]; totalCruised: number; ruleSetUsed: { forbidden: Array<{ name: string; comment: string }> } } };
  const comments = new Map(report.summary.ruleSetUsed.forbidden.map((rule) => [rule.name, rule.comment]));
  return { violations: report.summary.violations, modules: report.summary.totalCruised, comments };
}

const describeViolation = (v: Violation, comments: Map<string, string>) => {
  const cycle = v.cycle?.length ? `  (cycle: ${[v.from, ...v.cycle.map((step) => (typeof step === 'string' ? step : step.name))].join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${cycle}\n    ${comments.get(v.rule.name) ?? ''}`;
};

describe('architecture: the direction of imports', () => {
  it('src/ imports only down its layers, with no cycles', () => {
    const { violations, modules, comments } = cruise(REPO_ROOT);
    expect(modules).toBeGreaterThan(50);
    expect(violations.map((v) => describeViolation(v, comments)).join('\n')).toBe('');
  });

  it('catches an upward import, a cycle, and a folder outside the layers (the rules can fail)', () => {
    const root = testdir({
      'src/main.ts': "import './cli/program.js';\n",
      'src/cli/program.ts': "import '../commands/run.js';\n",
      'src/commands/run.ts': "import '../formats/text.js';\n",
      // formats must not import a command, and this closes a cycle
      'src/formats/text.ts': "import '../commands/run.js';\nexport const x = 1;\n",
      'src/helpers/misc.ts': "import '../errors.js';\n",
      'src/errors.ts': 'export const e = 1;\n',
    });
    cpSync(join(REPO_ROOT, 'tsconfig.json'), join(root, 'tsconfig.json'));
    const { violations } = cruise(root);
    const found = violations.map((v) => `${v.rule.name} ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        'every-file-in-a-layer src/helpers/misc.ts → src/errors.ts',
        'no-cycles src/commands/run.ts → src/formats/text.ts',
        'no-upward-from-formats-and-transaction src/formats/text.ts → src/commands/run.ts',
      ].sort(),
    );
  });
});
