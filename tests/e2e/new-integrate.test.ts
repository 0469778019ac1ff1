import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBinary } from '../helpers/cli.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

const ANSWERS = ['--yes', '--requires', 'none', '--governance', 'quick', '--deploy', 'later'];

describe('dmb new --integrate yes hands over to workspace add', () => {
  it('creates the module and merges it: registry entry, load_from block, validate passes', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    const result = runBinary(['new', 'shop-logs', '--workspace', workspace, '--db', 'mysql', '--integrate', 'yes', ...ANSWERS]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Module created at/);
    expect(result.stdout).toMatch(/Module integrated with workspace/);
    const registry = JSON.parse(readFileSync(join(workspace, 'services/dagster/.registry'), 'utf8'));
    expect(registry.integrated_modules.map((m: { name: string }) => m.name)).toEqual(['shop-logs']);
    expect(registry.integrated_modules[0].database).toMatchObject({ type: 'mysql', service: 'shop_logs_mysql' });
    expect(readFileSync(join(workspace, 'services/dagster/workspace.yaml'), 'utf8')).toMatch(/# BEGIN: shop_logs\n[\s\S]*shop_logs_dagster[\s\S]*# END: shop_logs/);
    expect(runBinary(['workspace', 'validate', '--workspace', workspace]).code).toBe(0);
  });

  it('refuses up front, writing nothing, when there is no shared service yet', () => {
    const workspace = testdir();
    const result = runBinary(['new', 'shop-logs', '--workspace', workspace, '--db', 'none', '--integrate', 'yes', ...ANSWERS]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dmb init/);
    expect(existsSync(join(workspace, 'projects'))).toBe(false);
  });

  it('prints one JSON document with the integration report inside', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    const result = runBinary(['new', 'ij', '--workspace', workspace, '--db', 'postgresql', '--integrate', 'yes', '--json', ...ANSWERS]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.module).toBe('ij');
    expect(report.database).toMatchObject({ type: 'postgresql', service: 'ij_postgres' });
    expect(report.integration).toMatchObject({ module: 'ij', marker: 'ij' });
  });
});

describe('workspace add of a freshly cloned module (its git-ignored workspace/local/.env absent)', () => {
  it('says the file is missing, why, and what to put in it; nothing changes', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    expect(runBinary(['new', 'cloned', '--workspace', workspace, '--db', 'postgresql', ...ANSWERS]).code).toBe(0);
    rmSync(join(workspace, 'projects/cloned/workspace/local/.env'));
    const before = snapshotTree(workspace);
    const result = runBinary(['workspace', 'add', 'cloned', '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/workspace\/local\/\.env is missing/);
    expect(result.stderr).toMatch(/CLONED_DB_PASSWORD/);
    expect(snapshotTree(workspace)).toEqual(before);
  });
});

describe('dmb new with the team templates in patterns/dagster/', () => {
  it('renders the customised set and warns about built-in files the copy lacks', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    const base = join(workspace, 'patterns/dagster/base');
    writeFileSync(join(base, 'README.md.template'), '# __MODULE_TITLE__ (our team template)\n');
    rmSync(join(base, 'requirements.txt.template'));
    const result = runBinary(['new', 'team-made', '--workspace', workspace, ...ANSWERS, '--db', 'none']);
    expect(result.code).toBe(0);
    expect(readFileSync(join(workspace, 'projects/team-made/README.md'), 'utf8')).toBe('# Team Made (our team template)\n');
    expect(existsSync(join(workspace, 'projects/team-made/requirements.txt'))).toBe(false);
    expect(result.stderr).toMatch(/patterns\/dagster\/base lacks requirements\.txt\.template/);
  });
});
