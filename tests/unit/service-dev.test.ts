import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEV_DAGSTER_YAML, parsePort, planDev, type DevInput } from '../../src/shared-service/plan-dev.js';
import { readEnvValues } from '../../src/formats/dotenv.js';
import { emptyRegistry, type Registry } from '../../src/workspace/registry.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

const REGISTRY: Registry = {
  version: '1.0.0',
  integrated_modules: [
    {
      name: 'sales-data',
      path: '~/workspace/projects/sales-data',
      integrated_at: '2026-01-01T00:00:00Z',
      database: { type: 'postgresql', service: 'sales_data_postgres', port: 5438 },
      marker: 'sales_data',
    },
    { name: 'web-logs', path: '~/workspace/projects/web-logs', integrated_at: '2026-01-01T00:00:00Z', database: null, marker: 'web_logs' },
  ],
};

const WORKSPACE_YAML = `# the team's comment
load_from:
  # BEGIN: sales_data
  - python_package:
      package_name: sales_data_dagster
      working_directory: /workspace/projects/sales-data/src
      location_name: sales_data
  # END: sales_data
  - python_file:
      relative_path: extra/defs.py
      working_directory: ../../projects/extra
      location_name: extra
  - python_file: single.py
`;

const ENV = `# workspace
DATA_PATH=/ws/data
DAGSTER_STORAGE_PATH=/tmp/dagster_storage
SALES_DATA_DB_HOST=sales_data_postgres
SALES_DATA_DB_PORT=5432
SALES_DATA_DB_HOST_PORT=5438
SALES_DATA_DB_PASSWORD=secret
`;

function input(overrides: Partial<DevInput> = {}): DevInput {
  return {
    workspace: '/ws',
    serviceDir: '/ws/services/dagster',
    workspaceYaml: WORKSPACE_YAML,
    envText: ENV,
    registry: REGISTRY,
    port: 3123,
    dgBin: '/venv/bin/dg',
    tempHome: '/tmp/dmb-dev-x',
    storagePath: '/ws/data/dagster_storage',
    baseEnv: { PATH: '/usr/bin', SALES_DATA_DB_HOST: 'from-shell', DAGSTER_HOME: '/elsewhere', UNSET: undefined },
    ...overrides,
  };
}

describe('parsePort', () => {
  it.each([['3000', 3000], ['1', 1], ['65535', 65535], [undefined, 3000], [4000, 4000]])('accepts %j', (value, port) => {
    expect(parsePort(value)).toBe(port);
  });
  it.each(['abc', '0', '65536', '-1', '30.5', '', '3000x', '1e3'])('refuses %j with a usage error (exit 2)', (value) => {
    expect(() => parsePort(value)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/not a port number/) }));
  });
});

describe('readEnvValues', () => {
  const sample = [
    '# comment',
    '',
    'PLAIN=value',
    'export EXPORTED=yes',
    "SINGLE='literal $HOME # not a comment'",
    'DOUBLE="line\\nnext \\"quoted\\""',
    'INLINE=value # trailing comment',
    'HASH=pa#ss',
    'DOLLAR=pa$1word',
    'EMPTY=',
    'SPACED = spaced value ',
    'not a line',
  ].join('\n');

  it('reads exactly what python-dotenv (used by docker-compose 1.29 and Dagster) reads', () => {
    const ours = readEnvValues(sample);
    expect(ours).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SINGLE: 'literal $HOME # not a comment',
      DOUBLE: 'line\nnext "quoted"',
      INLINE: 'value',
      HASH: 'pa#ss',
      DOLLAR: 'pa$1word',
      EMPTY: '',
      SPACED: 'spaced value',
    });
    const file = join(testdir(), '.env');
    writeFileSync(file, sample);
    const python = spawnSync(
      join(REPO_ROOT, '.venv', 'bin', 'python'),
      ['-c', 'import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1], interpolate=False)))', file],
      { encoding: 'utf8' },
    );
    expect(python.status, python.stderr).toBe(0);
    expect(ours).toEqual(JSON.parse(python.stdout));
  });
});

describe('planDev', () => {
  it('runs dg dev on the host copy of workspace.yaml, on the chosen port, outside any folder with a .env', () => {
    const plan = planDev(input());
    expect(plan.command).toBe('/venv/bin/dg');
    expect(plan.args).toEqual(['dev', '-w', '/tmp/dmb-dev-x/workspace.yaml', '-p', '3123']);
    expect(plan.cwd).toBe('/tmp/dmb-dev-x');
    expect(plan.files.map((f) => f.path)).toEqual(['/tmp/dmb-dev-x/dagster.yaml', '/tmp/dmb-dev-x/workspace.yaml']);
    expect(plan.files[0]!.content).toBe(DEV_DAGSTER_YAML);
    expect(parse(DEV_DAGSTER_YAML)).toBeNull();
  });

  it('maps container paths to host paths and resolves relative paths against services/dagster/', () => {
    const plan = planDev(input());
    const hostYaml = parse(plan.files[1]!.content);
    expect(hostYaml.load_from).toEqual([
      { python_package: { package_name: 'sales_data_dagster', working_directory: '/ws/projects/sales-data/src', location_name: 'sales_data' } },
      { python_file: { relative_path: '/ws/services/dagster/extra/defs.py', working_directory: '/ws/projects/extra', location_name: 'extra' } },
      { python_file: '/ws/services/dagster/single.py' },
    ]);
    expect(plan.locations).toEqual(['sales_data', 'extra', '/ws/services/dagster/single.py']);
    expect(plan.files[1]!.content).not.toContain('/workspace/projects');
  });

  it('loads the workspace .env, then the host overrides: each module DB at 127.0.0.1 on its published port', () => {
    const plan = planDev(input());
    expect(plan.env.SALES_DATA_DB_HOST).toBe('127.0.0.1');
    expect(plan.env.SALES_DATA_DB_PORT).toBe('5438');
    expect(plan.env.SALES_DATA_DB_PASSWORD).toBe('secret');
    expect(plan.env.DAGSTER_STORAGE_PATH).toBe('/ws/data/dagster_storage');
    expect(plan.env.DAGSTER_HOME).toBe('/tmp/dmb-dev-x');
    expect(plan.env.PATH).toBe('/usr/bin');
    expect('UNSET' in plan.env).toBe(false);
    expect(plan.overrides).toEqual({ DAGSTER_STORAGE_PATH: '/ws/data/dagster_storage', SALES_DATA_DB_HOST: '127.0.0.1', SALES_DATA_DB_PORT: '5438' });
  });

  it('lets variables exported in the shell win over .env, as docker-compose does; the host overrides still win', () => {
    const plan = planDev(input({ baseEnv: { PATH: '/usr/bin', SALES_DATA_DB_PASSWORD: 'exported', SALES_DATA_DB_HOST: 'from-shell' } }));
    expect(plan.env.SALES_DATA_DB_PASSWORD).toBe('exported');
    expect(plan.env.DATA_PATH).toBe('/ws/data');
    expect(plan.env.SALES_DATA_DB_HOST).toBe('127.0.0.1');
  });

  it('expands ${VAR} in .env values as docker-compose and Dagster do', () => {
    const plan = planDev(input({ envText: `${ENV}BACKUP_PATH=\${DATA_PATH}/backups\nGREETING=\${WHO:-nobody}\n`, baseEnv: { WHO: 'shell' } }));
    expect(plan.env.BACKUP_PATH).toBe('/ws/data/backups');
    expect(plan.env.GREETING).toBe('shell');
  });

  it('starts an empty workspace, and refuses a workspace.yaml that is not YAML, naming file and line', () => {
    expect(planDev(input({ workspaceYaml: 'load_from: []\n', registry: emptyRegistry() })).locations).toEqual([]);
    expect(() => planDev(input({ workspaceYaml: 'load_from:\n  - a: [\n' }))).toThrow(/workspace\.yaml:\d+ is not valid YAML/);
    expect(() => planDev(input({ workspaceYaml: 'load_from: nope\n' }))).toThrow(/"load_from" must be a list/);
  });
});
