import { describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dmbIn, okIn, REPO_ROOT } from '../helpers/cli.js';
import { snapshotTree, tempDir } from '../helpers/tree.js';

const LEGACY = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');
const GOLDEN = join(REPO_ROOT, 'tests', 'golden', 'audit');

function workspaceWith(...modules: string[]): string {
  const workspace = tempDir('dmb-audit-e2e-');
  for (const module of modules) cpSync(join(LEGACY, module), join(workspace, 'projects', module), { recursive: true });
  // A checkout's mode, whatever the umask of the machine that checked the fixtures out.
  for (const module of modules) for (const env of ['.env', 'workspace/local/.env']) if (existsSync(join(workspace, 'projects', module, env))) chmodSync(join(workspace, 'projects', module, env), 0o644);
  return workspace;
}

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path), `${path} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/e2e/audit.test.ts`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

interface JsonCheck {
  id: string;
  level: string;
  status: string;
  message: string;
  file: string | null;
  line: number | null;
  fixable: boolean;
}

describe('dmb audit: output', () => {
  it('prints the spec format for a legacy module, byte for byte (golden), exits 1 and changes nothing', () => {
    const workspace = workspaceWith('seo-stats');
    const before = snapshotTree(workspace);
    const result = dmbIn(workspace, 'audit', 'seo-stats');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expectGolden('seo-stats.txt', result.stdout);
    expect(result.stdout).toMatch(/^Audit Results for: seo-stats\n=+\n\n✅ PASS: /);
    expect(result.stdout).toContain('\n❌ FAIL: ');
    expect(result.stdout).toContain('\n⚠️  WARN: ');
    expect(result.stdout).toMatch(/\nOverall Status: CRITICAL \(\d+\/\d+ checks passed\)\n\nTo fix issues, run: dmb upgrade seo-stats\n$/);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('--json is one document with every check (snake_case keys) and agrees with the human output', () => {
    const workspace = workspaceWith('seo-stats');
    const human = dmbIn(workspace, 'audit', 'seo-stats').stdout;
    const result = dmbIn(workspace, 'audit', 'seo-stats', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { module: string; status: string; passed: number; total: number; failed: number; checks: JsonCheck[] };
    expect(report.module).toBe('seo-stats');
    for (const key of Object.keys(report)) expect(key).toMatch(/^[a-z_]+$/);
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(['file', 'fixable', 'id', 'level', 'line', 'message', 'recommendation', 'status']);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(check.status);
    }
    expect(report.checks.find((c) => c.id === 'io_manager_full_key')).toMatchObject({
      status: 'fail',
      file: 'src/seo_stats_dagster/resources.py',
      line: 15,
      fixable: true,
    });
    expect(human).toContain(`Overall Status: ${report.status} (${report.passed}/${report.total} checks passed)`);
    const shown = report.checks.filter((c) => c.status !== 'skip');
    expect(human.split('\n').filter((line) => /^(✅ PASS|⚠️ {2}WARN|❌ FAIL): /.test(line))).toHaveLength(shown.length);
  });

  it('an unknown module is exit 2 and names the modules there; no name and no --all is exit 2', () => {
    const workspace = workspaceWith('seo-stats', 'crm-sync');
    const unknown = dmbIn(workspace, 'audit', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No module "nope" to audit.');
    expect(unknown.stderr).toContain('crm-sync, seo-stats');
    const json = dmbIn(workspace, 'audit', 'nope', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ exit_code: 2 });
    expect(dmbIn(workspace, 'audit').code).toBe(2);
    expect(dmbIn(workspace, 'audit', 'seo-stats', '--all').code).toBe(2);
    // Any spelling of the name works, as for `new`.
    expect(dmbIn(workspace, 'audit', 'seo_stats').stdout).toContain('Audit Results for: seo-stats');
  });

  it('--all: details of every module, then a summary table; --json: one document; published port collisions fail both modules', () => {
    const workspace = workspaceWith('seo-stats', 'web-traffic', 'crm-sync');
    // A copy of seo-stats under another name publishes the same database port.
    cpSync(join(LEGACY, 'seo-stats'), join(workspace, 'projects', 'seo-stats-old'), { recursive: true });
    const result = dmbIn(workspace, 'audit', '--all');
    expect(result.code).toBe(1);
    const table = result.stdout.slice(result.stdout.lastIndexOf('MODULE'));
    expect(table.split('\n').slice(0, 5).map((line) => line.split(/\s+/)[0])).toEqual(['MODULE', 'crm-sync', 'seo-stats', 'seo-stats-old', 'web-traffic']);
    expect(table).toMatch(/4 modules: 0 good, 0 need attention, 4 critical\n$/);
    expect(result.stdout.match(/^Audit Results for: /gm)).toHaveLength(4);
    const json = JSON.parse(dmbIn(workspace, 'audit', '--all', '--json').stdout) as { modules: Array<{ module: string; checks: JsonCheck[] }>; summary: Record<string, number> };
    expect(json.summary).toEqual({ modules: 4, good: 0, needs_attention: 0, critical: 4 });
    const collision = (module: string) => json.modules.find((m) => m.module === module)!.checks.find((c) => c.id === 'port_collision')!;
    expect(collision('seo-stats')).toMatchObject({ status: 'fail', message: 'Published port collides: 5438 (also seo-stats-old)' });
    expect(collision('seo-stats-old')).toMatchObject({ status: 'fail', message: 'Published port collides: 5438 (also seo-stats)' });
    expect(collision('web-traffic').status).toBe('skip');
  });

  it('--all in a workspace without modules says so and exits 0', () => {
    const workspace = tempDir('dmb-audit-e2e-');
    const result = dmbIn(workspace, 'audit', '--all');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('There are no modules under');
  });
});

describe('dmb audit: modules made by dmb new', () => {
  const LEVELS = [
    { governance: 'quick', db: 'none' },
    { governance: 'standard', db: 'mysql' },
    { governance: 'enterprise', db: 'postgresql' },
  ];

  it.each(LEVELS)('$governance ($db): every check passes but the deployment ones, which pass once deployments exist', ({ governance, db }) => {
    const workspace = tempDir('dmb-audit-new-');
    okIn(workspace, 'init', '--yes');
    okIn(workspace, 'new', 'fresh-module', '--db', db, '--governance', governance, '--requires', 'none', '--integrate', 'yes', '--deploy', 'later', '--yes');
    // `dmb new` records its answers in .dmb-answers.yml: audit takes the governance level from there.
    expect(existsSync(join(workspace, 'projects', 'fresh-module', '.dmb-answers.yml'))).toBe(true);
    const first = dmbIn(workspace, 'audit', 'fresh-module', '--json');
    const report = JSON.parse(first.stdout) as { status: string; governance: { level: string; source: string }; checks: JsonCheck[] };
    expect(report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.id)).toEqual(['deployment_config']);
    expect(first.code).toBe(1);
    expect(report.governance).toEqual({ level: governance, source: 'answers' });

    // What `dmb configure-deployment` writes: deploy/<name>/deployment.yaml. One deployment warns (consider staging).
    const deploy = (name: string) => {
      mkdirSync(join(workspace, 'projects', 'fresh-module', 'deploy', name), { recursive: true });
      writeFileSync(join(workspace, 'projects', 'fresh-module', 'deploy', name, 'deployment.yaml'), `deployment:\n  name: ${name}\n`);
    };
    deploy('production');
    const one = dmbIn(workspace, 'audit', 'fresh-module');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('⚠️  WARN: Only 1 deployment configured (consider staging)');
    expect(one.stdout).toContain('Overall Status: GOOD');
    deploy('staging');
    const two = dmbIn(workspace, 'audit', 'fresh-module');
    expect(two.code).toBe(0);
    expect(two.stdout).not.toMatch(/WARN|FAIL|Recommendations|To fix issues/);
    expect(two.stdout).toMatch(/Overall Status: GOOD \((\d+)\/\1 checks passed\)\n$/);

    // A hand edit of workspace/local/ after the merge: the workspace runs stale configs.
    const snippet = join(workspace, 'projects', 'fresh-module', 'workspace', 'local', 'dockerfile.snippet');
    writeFileSync(snippet, `${readFileSync(snippet, 'utf8')}RUN pip install --no-cache-dir requests\n`);
    const drifted = dmbIn(workspace, 'audit', 'fresh-module');
    expect(drifted.code).toBe(0);
    expect(drifted.stdout).toContain('⚠️  WARN: Drifted: workspace/local/ changed since it was merged (dmb workspace sync)');
  });
});
