import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DAGSTER_BIN, dmbIn, okIn, REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

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
  const result = spawnSync(DAGSTER_BIN, ['definitions', 'validate', '-m', pkg], { cwd: src, encoding: 'utf8', timeout: 180_000, env: { ...process.env, DAGSTER_HOME: '' } });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function registeredKind(src: string, pkg: string): string {
  const script = join(tempDir('dmb-classify-'), 'classify.py');
  writeFileSync(script, CLASSIFY);
  const result = spawnSync(PYTHON, [script, src, pkg], { encoding: 'utf8', timeout: 180_000 });
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
});
