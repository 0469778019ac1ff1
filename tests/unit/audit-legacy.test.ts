import { describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { auditModules, type ModuleAudit } from '../../src/audit/run-audit.js';
import { AUDIT_RULES } from '../../src/audit/rules.js';
import { realEffects } from '../../src/effects/effects.js';
import { workspacePaths } from '../../src/workspace/paths.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

/**
 * Legacy modules written by hand before dmb (tests/fixtures/legacy/), each a different shape. For each,
 * the exact set of checks that fail or warn is asserted, with the file:line a check points at.
 */
const LEGACY = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');

/** A workspace with the given fixtures under projects/ (copied, so tests may change them). */
export function legacyWorkspace(...modules: string[]): string {
  const workspace = tempDir('dmb-audit-');
  for (const module of modules) cpSync(join(LEGACY, module), join(workspace, 'projects', module), { recursive: true });
  // A checkout's mode, whatever the umask of the machine that checked the fixtures out.
  for (const module of modules) for (const env of ['.env', 'workspace/local/.env']) if (existsSync(join(workspace, 'projects', module, env))) chmodSync(join(workspace, 'projects', module, env), 0o644);
  return workspace;
}

async function audit(workspace: string, module: string): Promise<ModuleAudit> {
  const [result] = await auditModules(realEffects(), workspacePaths(workspace), [module]);
  return result!;
}

/** id -> "file:line" (or "" when the check points at no code) for every check with that status. */
function pointing(result: ModuleAudit, status: 'fail' | 'warn'): Record<string, string> {
  return Object.fromEntries(result.checks.filter((c) => c.status === status).map((c) => [c.id, c.file ? `${c.file}${c.line ? `:${c.line}` : ''}` : '']));
}

describe('audit: legacy modules', () => {
  it("the spec's sample resources.py with its @io_manager factory registered (seo-stats)", async () => {
    const result = await audit(legacyWorkspace('seo-stats'), 'seo-stats');
    expect(pointing(result, 'fail')).toEqual({
      io_manager_registered: 'src/seo_stats_dagster/__init__.py:8',
      io_manager_full_key: 'src/seo_stats_dagster/resources.py:15',
      io_manager_partitions: 'src/seo_stats_dagster/resources.py:20',
      workspace_dockerfile_snippet: '',
      deployment_config: '',
      env_documented: 'src/seo_stats_dagster/assets.py:24',
      env_file_mode: 'workspace/local/.env',
    });
    expect(pointing(result, 'warn')).toEqual({ io_manager_atomic: 'src/seo_stats_dagster/resources.py:33', integrated: '', governance_schedule: '' });
    const registered = result.checks.find((c) => c.id === 'io_manager_registered')!;
    expect(registered.message).toContain('@io_manager factory module_name_io_manager');
    expect(registered.message).toContain('skips EnvVar resolution');
    expect(result.checks.find((c) => c.id === 'storage_path')!.status).toBe('pass');
    expect(result.checks.find((c) => c.id === 'env_documented')!.message).toBe('1 of 3 env vars undocumented: SEO_STATS_SEARCH_CONSOLE_KEY');
    expect(result.status).toBe('CRITICAL');
    expect(result.governance).toEqual({ level: 'standard', source: 'default' });
    // No .dmb-answers.yml: the database comes from the compose service's image.
    expect(result.database).toEqual({ type: 'postgresql', source: 'code' });
  });

  it('governance and database come from .dmb-answers.yml when the module has one', async () => {
    const workspace = legacyWorkspace('seo-stats');
    writeFileSync(join(workspace, 'projects', 'seo-stats', '.dmb-answers.yml'), 'dmb_version: 0.1.0\nmodule: seo-stats\npackage: seo_stats_dagster\nanswers: {database: postgresql, requirements: [], governance: quick}\n');
    const result = await audit(workspace, 'seo-stats');
    expect(result.governance).toEqual({ level: 'quick', source: 'answers' });
    expect(result.database).toEqual({ type: 'postgresql', source: 'answers' });
    expect(result.checks.find((c) => c.id === 'governance_schedule')!.status).toBe('skip');
  });

  it('no resources.py, Definitions from load_assets_from_modules and a resource of its own (shop-orders)', async () => {
    const result = await audit(legacyWorkspace('shop-orders'), 'shop-orders');
    expect(pointing(result, 'fail')).toEqual({
      resources_py: '',
      custom_io_manager: '',
      storage_path: '',
      io_manager_registered: 'src/shop_orders_dagster/__init__.py:11',
      // reports.py is loaded with key_prefix="shop_orders"; orders.py is not.
      asset_key_prefix: 'src/shop_orders_dagster/orders.py:7',
      workspace_integration: '',
      deployment_config: '',
      env_file_mode: '.env',
    });
    expect(pointing(result, 'warn')).toEqual({ integrated: '', governance_schedule: '' });
    expect(result.checks.find((c) => c.id === 'asset_key_prefix')!.message).toBe('2 of 3 assets lack the key prefix shop_orders/: raw_orders, order_totals');
    // Checks about an IO manager's insides do not apply when there is none: not shown, not counted.
    expect(result.checks.filter((c) => c.status === 'skip').map((c) => c.id)).toEqual([
      'io_manager_full_key', 'io_manager_partitions', 'io_manager_atomic',
      'workspace_yaml', 'workspace_compose', 'workspace_env', 'workspace_dockerfile_snippet',
      'deployment_staging', 'port_collision', 'governance_asset_checks', 'governance_owners',
    ]);
  });

  it('daily-partitioned assets with an unpartitioned downstream and its own IO manager (web-traffic)', async () => {
    const result = await audit(legacyWorkspace('web-traffic'), 'web-traffic');
    expect(pointing(result, 'fail')).toEqual({
      storage_path: 'src/web_traffic_dagster/__init__.py:15',
      io_manager_partitions: 'src/web_traffic_dagster/resources.py:14',
    });
    expect(pointing(result, 'warn')).toEqual({ io_manager_atomic: 'src/web_traffic_dagster/resources.py:21', deployment_staging: '', integrated: '' });
    expect(result.checks.find((c) => c.id === 'storage_path')!.message).toBe('DAGSTER_STORAGE_PATH defaults to /opt/dagster/storage, not /tmp/dagster_storage/');
    // The schedule built from the partitioned job satisfies standard governance, inferred from the code.
    expect(result.governance).toEqual({ level: 'standard', source: 'code' });
  });

  it('comments and strings that mention IOManager and /tmp/dagster_storage pass no check (crm-sync)', async () => {
    const result = await audit(legacyWorkspace('crm-sync'), 'crm-sync');
    expect(pointing(result, 'fail')).toEqual({
      custom_io_manager: '',
      // The one string in code equal to the path is a list of legacy paths, and the variable is never read.
      storage_path: 'src/crm_sync_dagster/resources.py:12',
      io_manager_registered: 'src/crm_sync_dagster/__init__.py:7',
      workspace_integration: '',
      deployment_config: '',
    });
    expect(pointing(result, 'warn')).toEqual({ integrated: '', governance_schedule: '' });
  });

  it('a .env tracked by git fails, naming the file', async () => {
    const workspace = legacyWorkspace('shop-orders');
    const dir = join(workspace, 'projects', 'shop-orders');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'orders');
    const result = await audit(workspace, 'shop-orders');
    const tracked = result.checks.find((c) => c.id === 'env_not_tracked')!;
    expect(tracked).toMatchObject({ status: 'fail', message: 'git tracks .env', file: '.env' });
    chmodSync(join(dir, '.env'), 0o600);
    expect((await audit(workspace, 'shop-orders')).checks.find((c) => c.id === 'env_file_mode')!.status).toBe('pass');
  });

  it('a file that does not parse is reported at file:line and every other check still runs', async () => {
    const workspace = legacyWorkspace('seo-stats');
    const before = await audit(workspace, 'seo-stats');
    writeFileSync(join(workspace, 'projects', 'seo-stats', 'src', 'seo_stats_dagster', 'scratch.py'), 'import os\n\n\ndef half_written(:\n    return os.environ["X"]\n');
    const after = await audit(workspace, 'seo-stats');
    expect(after.checks.find((c) => c.id === 'python_parses')).toMatchObject({ status: 'fail', file: 'src/seo_stats_dagster/scratch.py', line: 4 });
    const others = (result: ModuleAudit) => result.checks.filter((c) => !['python_parses', 'env_documented'].includes(c.id)).map((c) => [c.id, c.status]);
    expect(others(after)).toEqual(others(before));
  });

  it('follows an IO manager imported from a sibling file, Definitions.merge, dict spreads and the dg layout', async () => {
    const workspace = tempDir('dmb-audit-');
    const pkg = join(workspace, 'projects', 'events', 'src', 'events');
    const files: Record<string, string> = {
      'definitions.py': [
        'import dagster as dg',
        'from .defs.storage import shared',
        '',
        'defs = dg.Definitions.merge(',
        '    dg.Definitions(resources={**shared}),',
        '    dg.load_from_defs_folder(path_within_project=__file__),',
        ')',
        '',
      ].join('\n'),
      'defs/__init__.py': '',
      'defs/storage.py': [
        'import os',
        'from ..io import EventsIOManager',
        '',
        'STORAGE_ENV = "DAGSTER_STORAGE_PATH"',
        'DEFAULT = "/tmp/dagster_storage"',
        'shared = {"io_manager": EventsIOManager(base=os.environ.get(STORAGE_ENV, DEFAULT))}',
        '',
      ].join('\n'),
      'defs/extra.py': [
        'import dagster as dg',
        'from .resources_factory import build_resources',
        '',
        '@dg.definitions',
        'def extra():',
        '    return dg.Definitions(resources=build_resources())',
        '',
      ].join('\n'),
      'defs/resources_factory.py': ['from ..io import EventsIOManager', '', 'def build_resources():', '    return {"io_manager": EventsIOManager(base="/srv/events")}', ''].join('\n'),
      'defs/assets.py': ['import dagster as dg', '', '@dg.asset(key=dg.AssetKey(["events", "clicks"]))', 'def clicks():', '    return 1', ''].join('\n'),
      'io.py': [
        'import os, tempfile',
        'from dagster import UPathIOManager',
        '',
        'class EventsIOManager(UPathIOManager):',
        '    """Stores under base / the whole asset key."""',
        '',
      ].join('\n'),
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(pkg, path, '..'), { recursive: true });
      writeFileSync(join(pkg, path), content);
    }
    const result = await audit(workspace, 'events');
    const status = Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
    expect(result.layout).toBe('dg');
    // The defs/ folder's Definitions come after the spread dict in the merge: the instance its function returns wins.
    expect(result.checks.find((c) => c.id === 'io_manager_registered')).toMatchObject({ status: 'pass', message: 'IO manager registered as an instance (EventsIOManager)', file: 'src/events/defs/resources_factory.py', line: 4 });
    // Without it, the io_manager of the `**shared` spread (imported from defs/storage.py) is the one registered.
    rmSync(join(pkg, 'defs', 'extra.py'));
    expect((await audit(workspace, 'events')).checks.find((c) => c.id === 'io_manager_registered')).toMatchObject({ status: 'pass', file: 'src/events/defs/storage.py', line: 6 });
    expect(status).toMatchObject({ custom_io_manager: 'pass', storage_path: 'pass', io_manager_full_key: 'pass', io_manager_atomic: 'pass', asset_key_prefix: 'pass', definitions: 'pass' });
  });
});

describe('audit: the rule table', () => {
  it('has unique ids, a level, what it looks for and a recommendation for every rule', () => {
    const ids = AUDIT_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of AUDIT_RULES) {
      expect(['FAIL', 'WARN']).toContain(rule.level);
      expect(rule.looksFor.length).toBeGreaterThan(10);
      expect(rule.recommendation.length).toBeGreaterThan(10);
    }
  });

  it('is documented in the README, one row per rule', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const rule of AUDIT_RULES) expect(readme, `README lacks a row for ${rule.id}`).toMatch(new RegExp(`^\\| \`${rule.id}\` \\| ${rule.level} \\|`, 'm'));
  });
});
