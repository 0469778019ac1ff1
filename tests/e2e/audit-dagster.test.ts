import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DAGSTER_BIN, dmbIn, okIn, REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { PATIENCE_MS } from '../helpers/patience.js';

/**
 * Real Dagster agrees with the audit: each legacy fixture loads (`dagster definitions validate`), and the
 * "registered as an instance" check says what Dagster's own Definitions object holds under "io_manager".
 */
const LEGACY = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');
const PYTHON = join(dirname(DAGSTER_BIN), 'python');

// Imports the package the way Dagster's loader does and names the kind of object registered as io_manager.
const CLASSIFY = `
import importlib, json, sys
from dagster import Definitions, IOManagerDefinition
from dagster._config.pythonic_config import ConfigurableResourceFactory
sys.path.insert(0, sys.argv[1])
defs = importlib.import_module(sys.argv[2]).defs
assert isinstance(defs, Definitions), type(defs)
resource = (defs.resources or {}).get("io_manager")
if resource is None:
    kind = "missing"
elif isinstance(resource, ConfigurableResourceFactory):
    kind = "instance"
elif isinstance(resource, IOManagerDefinition):
    kind = "factory"
else:
    kind = "other:" + type(resource).__name__
print(json.dumps({"kind": kind, "type": type(resource).__name__}))
`;

function dagsterValidate(src: string, pkg: string): { code: number; output: string } {
  const result = spawnSync(DAGSTER_BIN, ['definitions', 'validate', '-m', pkg], { cwd: src, encoding: 'utf8', timeout: PATIENCE_MS, env: { ...process.env, DAGSTER_HOME: '' } });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function registeredKind(src: string, pkg: string): string {
  const script = join(tempDir('dmb-classify-'), 'classify.py');
  writeFileSync(script, CLASSIFY);
  const result = spawnSync(PYTHON, [script, src, pkg], { encoding: 'utf8', timeout: PATIENCE_MS });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { kind: string }).kind;
}

const CASES = [
  { module: 'seo-stats', pkg: 'seo_stats_dagster', dagster: 'factory', audit: 'fail' },
  { module: 'shop-orders', pkg: 'shop_orders_dagster', dagster: 'missing', audit: 'fail' },
  { module: 'web-traffic', pkg: 'web_traffic_dagster', dagster: 'instance', audit: 'pass' },
  { module: 'crm-sync', pkg: 'crm_sync_dagster', dagster: 'missing', audit: 'fail' },
];

describe('audit agrees with real Dagster', () => {
  const workspace = tempDir('dmb-audit-dagster-');
  for (const { module } of CASES) cpSync(join(LEGACY, module), join(workspace, 'projects', module), { recursive: true });

  it.each(CASES)('$module: Dagster loads it and holds a $dagster io_manager; audit says $audit', ({ module, pkg, dagster, audit }) => {
    const src = join(workspace, 'projects', module, 'src');
    const validated = dagsterValidate(src, pkg);
    expect(validated.code, validated.output).toBe(0);
    expect(validated.output).toContain(`Validation successful for code location ${pkg}`);
    expect(registeredKind(src, pkg)).toBe(dagster);
    const report = JSON.parse(dmbIn(workspace, 'audit', module, '--json').stdout) as { checks: Array<{ id: string; status: string }> };
    const registered = report.checks.find((check) => check.id === 'io_manager_registered')!;
    expect(registered.status).toBe(audit);
    expect(registered.status === 'pass').toBe(dagster === 'instance');
  });

  it('a module made by dmb new: Dagster holds an instance, audit passes the check', () => {
    const fresh = tempDir('dmb-audit-dagster-new-');
    okIn(fresh, 'new', 'fresh-module', '--db', 'none', '--governance', 'standard', '--requires', 'none', '--integrate', 'no', '--deploy', 'no', '--yes');
    const src = join(fresh, 'projects', 'fresh-module', 'src');
    expect(dagsterValidate(src, 'fresh_module_dagster').code).toBe(0);
    expect(registeredKind(src, 'fresh_module_dagster')).toBe('instance');
    const report = JSON.parse(dmbIn(fresh, 'audit', 'fresh-module', '--json').stdout) as { checks: Array<{ id: string; status: string }> };
    expect(report.checks.find((check) => check.id === 'io_manager_registered')!.status).toBe('pass');
  });

  it('what the checks predict happens in Dagster: an EnvVar behind an @io_manager factory breaks the run; getattr(partition_key) raises; fixed, it stores', () => {
    const ws = tempDir('dmb-audit-envvar-');
    const variants = { factory: 'seo-stats', instance: 'seo-stats-instance' };
    for (const module of Object.values(variants)) cpSync(join(LEGACY, 'seo-stats'), join(ws, 'projects', module), { recursive: true });
    const edit = (module: string, file: string, change: (text: string) => string) => {
      const path = join(ws, 'projects', module, 'src', 'seo_stats_dagster', file);
      const before = readFileSync(path, 'utf8');
      const after = change(before);
      expect(after, `edit of ${file} changed nothing`).not.toBe(before);
      writeFileSync(path, after);
    };
    // The edit a data engineer makes to follow "configure with EnvVar": the factory now returns an EnvVar-configured instance.
    for (const module of Object.values(variants)) {
      edit(module, 'resources.py', (text) =>
        text
          .replace('ConfigurableIOManager, InputContext', 'ConfigurableIOManager, EnvVar, InputContext')
          .replace(/    storage_path = os\.environ\.get\([^\n]*\n    return ModuleNameIOManager\(base_path=storage_path\)/, '    return ModuleNameIOManager(base_path=EnvVar("DAGSTER_STORAGE_PATH"))'),
      );
    }
    // The other registers the same class as an instance.
    edit(variants.instance, '__init__.py', (text) =>
      text
        .replace('from .resources import module_name_io_manager', 'from dagster import EnvVar\nfrom .resources import ModuleNameIOManager')
        .replace('"io_manager": module_name_io_manager', '"io_manager": ModuleNameIOManager(base_path=EnvVar("DAGSTER_STORAGE_PATH"))'),
    );
    const status = (module: string, id: string) =>
      (JSON.parse(dmbIn(ws, 'audit', module, '--json').stdout) as { checks: Array<{ id: string; status: string }> }).checks.find((c) => c.id === id)!.status;
    const materialize = (module: string) => {
      const storage = tempDir('dmb-audit-storage-');
      const result = spawnSync(DAGSTER_BIN, ['asset', 'materialize', '--select', 'seo_stats/ga4_sessions', '-m', 'seo_stats_dagster'], {
        cwd: join(ws, 'projects', module, 'src'),
        encoding: 'utf8',
        timeout: PATIENCE_MS,
        env: { ...process.env, DAGSTER_HOME: '', DAGSTER_STORAGE_PATH: storage },
      });
      return { code: result.status, output: `${result.stdout}${result.stderr}`, stored: existsSync(join(storage, 'ga4_sessions.pickle')) };
    };

    expect(status(variants.factory, 'io_manager_registered')).toBe('fail');
    const factory = materialize(variants.factory);
    expect(factory.code).not.toBe(0);
    expect(factory.output).toContain('Attempted to directly retrieve environment variable EnvVar("DAGSTER_STORAGE_PATH")');

    expect(status(variants.instance, 'io_manager_registered')).toBe('pass');
    expect(status(variants.instance, 'io_manager_partitions')).toBe('fail');
    const partitions = materialize(variants.instance);
    expect(partitions.code).not.toBe(0);
    expect(partitions.output).toContain('Tried to access partition_key on a non-partitioned run');

    edit(variants.instance, 'resources.py', (text) =>
      text.replace("partition_key = getattr(context, 'partition_key', None)", 'partition_key = context.asset_partition_key if context.has_asset_partitions else None'),
    );
    expect(status(variants.instance, 'io_manager_partitions')).toBe('pass');
    const fixed = materialize(variants.instance);
    expect(fixed.code, fixed.output).toBe(0);
    expect(fixed.stored).toBe(true);
  });

  it('web-traffic: the partitions check points at the line that breaks an unpartitioned downstream of a daily asset', () => {
    const ws = tempDir('dmb-audit-partitions-');
    cpSync(join(LEGACY, 'web-traffic'), join(ws, 'projects', 'web-traffic'), { recursive: true });
    const report = JSON.parse(dmbIn(ws, 'audit', 'web-traffic', '--json').stdout) as { checks: Array<{ id: string; status: string; file: string; line: number }> };
    expect(report.checks.find((c) => c.id === 'io_manager_partitions')).toMatchObject({ status: 'fail', file: 'src/web_traffic_dagster/resources.py', line: 14 });
    const storage = tempDir('dmb-audit-storage-');
    const materialize = (selection: string, partition?: string) =>
      spawnSync(DAGSTER_BIN, ['asset', 'materialize', '--select', selection, '-m', 'web_traffic_dagster', ...(partition ? ['--partition', partition] : [])], {
        cwd: join(ws, 'projects', 'web-traffic', 'src'),
        encoding: 'utf8',
        timeout: PATIENCE_MS,
        env: { ...process.env, DAGSTER_HOME: '', DAGSTER_STORAGE_PATH: storage },
      });
    for (const day of ['2024-01-01', '2024-01-02']) expect(materialize('web_traffic/daily_pageviews', day).status).toBe(0);
    expect(existsSync(join(storage, 'web_traffic', 'daily_pageviews', '2024-01-02.pkl'))).toBe(true);
    // The downstream run has no partition key, so `has_partition_key` sends it to a file that was never written.
    const downstream = materialize('web_traffic/weekly_summary');
    expect(downstream.status).not.toBe(0);
    expect(`${downstream.stdout}${downstream.stderr}`).toContain(`No such file or directory: '${join(storage, 'web_traffic', 'daily_pageviews.pkl')}'`);
  });
});
