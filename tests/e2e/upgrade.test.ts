import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { diffLines } from 'diff';
import { DAGSTER_BIN, dmbIn, okIn, REPO_ROOT, runInProcess } from '../helpers/cli.js';
import { failingFs } from '../helpers/faulty-fs.js';
import { snapshotTree, tempDir } from '../helpers/tree.js';
import { PATIENCE_MS } from '../helpers/patience.js';

/**
 * dmb upgrade on the legacy fixtures (tests/fixtures/legacy/): audit's fixable Python findings are fixed
 * by splices on the parse tree; real Dagster then loads and materializes each module with the upgraded
 * IO manager; the user's other lines are untouched; a second upgrade changes nothing.
 */
const LEGACY = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');
const PYTHON = join(dirname(DAGSTER_BIN), 'python');

/** The audit checks dmb upgrade claims to fix: the module's Python, and workspace/local/ files it lacks. */
const CLAIMED = [
  'resources_py',
  'custom_io_manager',
  'storage_path',
  'io_manager_registered',
  'io_manager_full_key',
  'io_manager_partitions',
  'io_manager_atomic',
  'workspace_integration',
  'workspace_yaml',
  'workspace_compose',
  'workspace_env',
  'workspace_dockerfile_snippet',
];

function workspaceWith(...modules: string[]): string {
  const workspace = tempDir('dmb-upgrade-');
  for (const module of modules) cpSync(join(LEGACY, module), join(workspace, 'projects', module), { recursive: true });
  return workspace;
}

type Check = { id: string; status: string; message: string };
const auditChecks = (workspace: string, module: string): Map<string, Check> =>
  new Map((JSON.parse(dmbIn(workspace, 'audit', module, '--json').stdout) as { checks: Check[] }).checks.map((c) => [c.id, c]));

function dagster(src: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(DAGSTER_BIN, args, { cwd: src, encoding: 'utf8', timeout: PATIENCE_MS, env: { ...process.env, DAGSTER_HOME: '', ...env } });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** Line numbers (1-based) of the original that the new text no longer has. */
function removedLines(before: string, after: string): number[] {
  const removed: number[] = [];
  let line = 1;
  for (const part of diffLines(before, after)) {
    const count = part.count ?? 0;
    if (part.removed) for (let i = 0; i < count; i++) removed.push(line + i);
    if (!part.added) line += count;
  }
  return removed;
}

const within = (ranges: Array<[number, number]>) => (line: number) => ranges.some(([from, to]) => line >= from && line <= to);

/**
 * Per fixture: the original lines upgrade may change (the IO manager class, the factory, the import lines and
 * registration it edits), and how to prove storage with real Dagster afterwards.
 */
const CASES = [
  {
    module: 'seo-stats',
    pkg: 'seo_stats_dagster',
    editable: { 'resources.py': [[4, 4], [6, 52]], '__init__.py': [[8, 8]] } as Record<string, Array<[number, number]>>,
    kept: { 'resources.py': ['Custom IO Manager for persistent storage', 'class ModuleNameIOManager(ConfigurableIOManager):', 'def module_name_io_manager() -> ModuleNameIOManager:'] },
    stillFailing: [] as string[],
    materialize: ['seo_stats/ga4_sessions', 'seo_stats/landing_page_report'],
    stored: ['seo_stats/ga4_sessions.pickle', 'seo_stats/landing_page_report.pickle'],
  },
  {
    module: 'web-traffic',
    pkg: 'web_traffic_dagster',
    editable: { 'resources.py': [[4, 4], [7, 26]], '__init__.py': [] },
    kept: { 'resources.py': ['"""One pickle per asset, and one per partition for the daily assets."""', 'base_dir: str = DEFAULT_STORAGE_PATH'] },
    // Its own default (/opt/dagster/storage) is the user's choice: reported, not changed.
    stillFailing: ['storage_path'],
    materialize: [],
    stored: [],
  },
  {
    module: 'crm-sync',
    pkg: 'crm_sync_dagster',
    editable: { 'resources.py': [[6, 6]], '__init__.py': [[4, 4], [9, 9]] },
    kept: { 'resources.py': ['class CrmClient(ConfigurableResource):', 'LEGACY_STORAGE_PATHS'] },
    stillFailing: [],
    materialize: ['crm_sync/contacts', 'crm_sync/contact_domains'],
    stored: ['crm_sync/contacts.pickle', 'crm_sync/contact_domains.pickle'],
  },
  {
    module: 'shop-orders',
    pkg: 'shop_orders_dagster',
    editable: { '__init__.py': [] },
    kept: {},
    stillFailing: [],
    materialize: ['raw_orders', 'order_totals', 'shop_orders/daily_revenue_report'],
    stored: ['raw_orders.pickle', 'order_totals.pickle', 'shop_orders/daily_revenue_report.pickle'],
  },
];

describe('dmb upgrade: legacy modules', () => {
  it.each(CASES)('$module: fixes what audit marks fixable, keeps the user\'s lines, Dagster loads and stores; a second run changes nothing', ({ module, pkg, editable, kept, stillFailing, materialize, stored }) => {
    const workspace = workspaceWith(module);
    const pkgDir = join(workspace, 'projects', module, 'src', pkg);
    const before = auditChecks(workspace, module);
    const originals = Object.fromEntries(['resources.py', '__init__.py'].map((file) => [file, existsSync(join(pkgDir, file)) ? readFileSync(join(pkgDir, file), 'utf8') : undefined]));
    const failingBefore = CLAIMED.filter((id) => ['fail', 'warn'].includes(before.get(id)!.status));
    expect(failingBefore.length, `${module} has nothing for upgrade to fix`).toBeGreaterThan(0);

    const first = JSON.parse(okIn(workspace, 'upgrade', module, '--json').stdout) as { files: Array<{ path: string; status: string }>; notes: string[] };
    expect(first.files.some((f) => f.status !== 'unchanged')).toBe(true);

    const after = auditChecks(workspace, module);
    for (const id of failingBefore) {
      if (stillFailing.includes(id)) continue;
      expect(after.get(id)!.status, `${id}: ${after.get(id)!.message}`).toBe('pass');
    }
    for (const id of stillFailing) expect(first.notes.join('\n')).toContain('DAGSTER_STORAGE_PATH defaults to /opt/dagster/storage');
    // Nothing that passed before fails now (the new DAGSTER_STORAGE_PATH read is documented in .env.example).
    for (const [id, check] of before) if (check.status === 'pass') expect(after.get(id)!.status, `${id} regressed: ${after.get(id)!.message}`).toBe('pass');

    // Only the intended lines changed: every removed line of the original is inside an edited node.
    for (const [file, ranges] of Object.entries(editable)) {
      const original = originals[file]!;
      const upgraded = readFileSync(join(pkgDir, file), 'utf8');
      const outside = removedLines(original, upgraded).filter((line) => !within(ranges)(line));
      expect(outside.map((line) => `${file}:${line}: ${original.split('\n')[line - 1]}`)).toEqual([]);
    }
    for (const [file, texts] of Object.entries(kept)) for (const text of texts) expect(readFileSync(join(pkgDir, file), 'utf8')).toContain(text);

    // A created workspace/local/.env is the owner's only, as dmb new makes it.
    const localEnv = join(workspace, 'projects', module, 'workspace', 'local', '.env');
    if (first.files.some((f) => f.path === 'workspace/local/.env')) expect(statSync(localEnv).mode & 0o777).toBe(0o600);

    // A deployment checklist naming every variable the code reads.
    const checklist = readFileSync(join(workspace, 'projects', module, 'deploy', 'CHECKLIST.md'), 'utf8');
    expect(checklist).toContain('- [ ] `DAGSTER_STORAGE_PATH` is set on the server');
    expect(checklist).toContain(`dmb audit ${module}`);

    // Idempotent: the second run reports every file unchanged and writes nothing.
    const snapshot = snapshotTree(workspace);
    const second = JSON.parse(okIn(workspace, 'upgrade', module, '--json').stdout) as { files: Array<{ status: string }> };
    expect(second.files.every((f) => f.status === 'unchanged')).toBe(true);
    expect(snapshotTree(workspace)).toEqual(snapshot);

    // Real Dagster: the module loads, holds an instance, and stores under the whole asset key.
    const src = join(workspace, 'projects', module, 'src');
    const validated = dagster(src, ['definitions', 'validate', '-m', pkg]);
    expect(validated.code, validated.output).toBe(0);
    if (materialize.length > 0) {
      const storage = tempDir('dmb-upgrade-storage-');
      const run = dagster(src, ['asset', 'materialize', '--select', materialize.join(','), '-m', pkg], { DAGSTER_STORAGE_PATH: storage, SHOP_API_URL: 'http://127.0.0.1:9', SHOP_API_TOKEN: 'x', CRM_SYNC_BASE_URL: 'http://127.0.0.1:9' });
      expect(run.code, run.output).toBe(0);
      for (const file of stored) expect(existsSync(join(storage, file)), file).toBe(true);
    }
  });

  it('web-traffic: two daily partitions are stored one file each, and its downstream input loads both', () => {
    const workspace = workspaceWith('web-traffic');
    okIn(workspace, 'upgrade', 'web-traffic');
    const src = join(workspace, 'projects', 'web-traffic', 'src');
    const storage = tempDir('dmb-upgrade-storage-');
    for (const day of ['2024-01-01', '2024-01-02']) {
      const run = dagster(src, ['asset', 'materialize', '--select', 'web_traffic/daily_pageviews', '--partition', day, '-m', 'web_traffic_dagster'], { DAGSTER_STORAGE_PATH: storage });
      expect(run.code, run.output).toBe(0);
      expect(existsSync(join(storage, 'web_traffic', 'daily_pageviews', `${day}.pickle`))).toBe(true);
    }
    // weekly_summary's input, as Dagster builds it for those two partitions, through the registered IO manager.
    const script = join(tempDir('dmb-upgrade-load-'), 'load.py');
    writeFileSync(
      script,
      `
import json, sys
sys.path.insert(0, sys.argv[1])
from dagster import AssetKey, PartitionKeyRange, build_input_context
import web_traffic_dagster as m
from web_traffic_dagster.assets import daily
io = m.defs.resources["io_manager"]
context = build_input_context(asset_key=AssetKey(["web_traffic", "daily_pageviews"]), asset_partitions_def=daily, asset_partition_key_range=PartitionKeyRange("2024-01-01", "2024-01-02"))
print(json.dumps(io.load_input(context), sort_keys=True))
`,
    );
    const loaded = spawnSync(PYTHON, [script, src], { encoding: 'utf8', timeout: PATIENCE_MS, env: { ...process.env, DAGSTER_HOME: '', DAGSTER_STORAGE_PATH: storage } });
    expect(loaded.status, loaded.stderr).toBe(0);
    expect(JSON.parse(loaded.stdout.trim().split('\n').at(-1)!)).toEqual({
      '2024-01-01': { day: '2024-01-01', pageviews: 1010 },
      '2024-01-02': { day: '2024-01-02', pageviews: 1010 },
    });
  });

  it("keeps the user's extra fields and methods of the IO manager class, and Dagster loads the result", () => {
    const workspace = workspaceWith('seo-stats');
    const resources = join(workspace, 'projects', 'seo-stats', 'src', 'seo_stats_dagster', 'resources.py');
    const original = readFileSync(resources, 'utf8');
    writeFileSync(
      resources,
      original.replace(
        '    base_path: str = "/tmp/dagster_storage"\n',
        '    base_path: str = "/tmp/dagster_storage"\n    compress: bool = False  # the team\'s own setting\n\n    # Used by the ops dashboard.\n    def describe(self) -> str:\n        return f"pickles under {self.base_path}"\n',
      ),
    );
    okIn(workspace, 'upgrade', 'seo-stats');
    const upgraded = readFileSync(resources, 'utf8');
    const cls = upgraded.slice(upgraded.indexOf('class ModuleNameIOManager'), upgraded.indexOf('def module_name_io_manager'));
    expect(cls).toContain("    compress: bool = False  # the team's own setting");
    expect(cls).toContain('    # Used by the ops dashboard.\n    def describe(self) -> str:\n        return f"pickles under {self.base_path}"');
    expect(cls).not.toContain('_get_path');
    const validated = dagster(join(workspace, 'projects', 'seo-stats', 'src'), ['definitions', 'validate', '-m', 'seo_stats_dagster']);
    expect(validated.code, validated.output).toBe(0);
  });
});

describe('dmb upgrade: refusals, dry run, faults', () => {
  it('a package whose __init__.py does not parse: exit 1 naming file:line, nothing written', () => {
    const workspace = workspaceWith('seo-stats');
    const init = join(workspace, 'projects', 'seo-stats', 'src', 'seo_stats_dagster', '__init__.py');
    writeFileSync(init, readFileSync(init, 'utf8').replace('    assets=[ga4_sessions, landing_page_report],', '    assets=[ga4_sessions, landing_page_report,'));
    const snapshot = snapshotTree(workspace);
    const result = dmbIn(workspace, 'upgrade', 'seo-stats');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/src\/seo_stats_dagster\/__init__\.py:\d+:\d+: syntax error/);
    expect(snapshotTree(workspace)).toEqual(snapshot);
  });

  it('--dry-run shows unified diffs and writes nothing', () => {
    const workspace = workspaceWith('seo-stats');
    const snapshot = snapshotTree(workspace);
    const result = okIn(workspace, 'upgrade', 'seo-stats', '--dry-run');
    expect(result.stdout).toContain('--- a/projects/seo-stats/src/seo_stats_dagster/__init__.py');
    expect(result.stdout).toContain('-        "io_manager": module_name_io_manager\n+        "io_manager": module_name_io_manager()');
    expect(snapshotTree(workspace)).toEqual(snapshot);
  });

  it('--all: one transaction per module; a module that does not parse is reported and left as it was, the others upgrade', () => {
    const workspace = workspaceWith('seo-stats', 'crm-sync', 'shop-orders', 'web-traffic');
    cpSync(join(LEGACY, 'seo-stats'), join(workspace, 'projects', 'broken'), { recursive: true });
    const init = join(workspace, 'projects', 'broken', 'src', 'seo_stats_dagster', '__init__.py');
    writeFileSync(init, readFileSync(init, 'utf8').replace('defs = Definitions(', 'defs = Definitions(('));
    const broken = snapshotTree(join(workspace, 'projects', 'broken'));
    const result = dmbIn(workspace, 'upgrade', '--all', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { modules: Array<{ module: string; error?: string; files?: Array<{ status: string }> }>; summary: Record<string, number> };
    expect(report.summary).toEqual({ modules: 5, changed: 4, unchanged: 0, failed: 1 });
    expect(report.modules.find((m) => m.module === 'broken')!.error).toMatch(/__init__\.py:\d+:\d+: syntax error/);
    expect(snapshotTree(join(workspace, 'projects', 'broken'))).toEqual(broken);
    const again = JSON.parse(dmbIn(workspace, 'upgrade', '--all', '--json').stdout) as { summary: Record<string, number> };
    expect(again.summary).toEqual({ modules: 5, changed: 0, unchanged: 4, failed: 1 });
  });

  it('an unknown module: exit 2 listing the modules', () => {
    const result = dmbIn(workspaceWith('seo-stats'), 'upgrade', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No module "nope" to upgrade.');
    expect(result.stderr).toContain('seo-stats');
  });

  it('a fault injected at each write leaves every file byte-identical', async () => {
    for (const module of ['shop-orders', 'crm-sync']) {
      const counting = failingFs(undefined);
      const probe = workspaceWith(module);
      expect((await runInProcess(['upgrade', module, '--workspace', probe], { effects: { fs: counting } })).code).toBe(0);
      const steps = counting.log.length;
      expect(steps, `${module}: upgrade wrote nothing`).toBeGreaterThanOrEqual(3);
      for (let failAt = 1; failAt <= steps; failAt++) {
        const workspace = workspaceWith(module);
        const snapshot = snapshotTree(workspace);
        const result = await runInProcess(['upgrade', module, '--workspace', workspace], { effects: { fs: failingFs(failAt) } });
        expect(result.code, `${module}: fault at step ${failAt}`).toBe(1);
        expect(result.stderr).toContain('Every file was put back byte for byte');
        expect(snapshotTree(workspace), `${module}: fault at step ${failAt}`).toEqual(snapshot);
      }
    }
  });
});
