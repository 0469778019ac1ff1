import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeFileSystem, type FileSystem } from '../../src/effects/effects.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { backupNames, failingFs, fixtureWorkspace, serviceDir, serviceState, treeState, SERVICE_STATE_FILES } from '../fixtures/workspace/helpers.js';

/**
 * Fault injection, in-process (runCli with a Runtime whose fs fails): for every write step of a command,
 * a failure there leaves the four workspace files, the registry and the module's own files byte-identical,
 * and the backup (taken first) exists. Steps are counted by a first run without a failure.
 */
interface Scenario {
  name: string;
  setup: () => Promise<string>;
  argv: string[];
}

async function integrated(...modules: string[]): Promise<string> {
  const ws = fixtureWorkspace();
  for (const name of modules) {
    const result = await runInProcess(['workspace', 'add', name, '--workspace', ws]);
    expect(result.code, result.stderr).toBe(0);
  }
  return ws;
}

const SCENARIOS: Scenario[] = [
  { name: 'add', setup: () => integrated('notes'), argv: ['workspace', 'add', 'sales-data'] },
  {
    name: 'add with a port move (module files written too)',
    setup: async () => {
      const ws = await integrated();
      writeFileSync(join(serviceDir(ws), '.env'), `${readFileSync(join(serviceDir(ws), '.env'), 'utf8')}LEGACY_DB_HOST_PORT=5438\n`);
      return ws;
    },
    argv: ['workspace', 'add', 'sales-data'],
  },
  { name: 'remove', setup: () => integrated('sales-data', 'notes'), argv: ['workspace', 'remove', 'sales-data', '--yes'] },
  {
    name: 'remove --purge-data',
    setup: async () => {
      const ws = await integrated('sales-data');
      mkdirSync(join(ws, 'data', 'postgres', 'sales-data'), { recursive: true });
      writeFileSync(join(ws, 'data', 'postgres', 'sales-data', 'PG_VERSION'), '15\n');
      return ws;
    },
    argv: ['workspace', 'remove', 'sales-data', '--yes', '--purge-data'],
  },
  { name: 'sync', setup: () => integrated('notes'), argv: ['workspace', 'sync'] },
];

function moduleState(ws: string) {
  return treeState(join(ws, 'projects'));
}

describe('fault injection at every write step', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: a failure at any write leaves everything byte-identical, and the backup exists`, async () => {
      const counting = failingFs(undefined);
      const dry = await scenario.setup();
      const ok = await runInProcess([...scenario.argv, '--workspace', dry], { effects: { fs: counting } });
      expect(ok.code, ok.stderr).toBe(0);
      const steps = counting.log;
      expect(steps.length).toBeGreaterThanOrEqual(8);
      if (scenario.name.startsWith('add with')) expect(steps.some((s) => s.path.endsWith('projects/sales-data/workspace/local/.env'))).toBe(true);
      if (scenario.name.endsWith('--purge-data')) expect(steps.at(-1)).toMatchObject({ op: 'remove' });

      for (let failAt = 1; failAt <= steps.length; failAt++) {
        const step = steps[failAt - 1] as { op: string; path: string };
        // Pruning expired backups is best-effort and after the merge: there is none to prune here.
        const ws = await scenario.setup();
        const before = serviceState(ws);
        const modules = moduleState(ws);
        const backupsBefore = backupNames(ws);
        const result = await runInProcess([...scenario.argv, '--workspace', ws], { effects: { fs: failingFs(failAt) } });
        const label = `${scenario.name}: failure at step ${failAt}/${steps.length} (${step.op} ${step.path.slice(ws.length + 1)})`;
        if (step.path.includes('.dmb-deleting-')) {
          // The data folder was moved aside inside the transaction; deleting it for good comes after the
          // commit. If that fails the removal is done and the command says which folder is left to delete.
          expect(result.code, `${label}\n${result.stderr}`).toBe(0);
          expect(result.stderr, label).toMatch(/Could not delete data\/postgres\/sales-data\/ \(.*injected failure.*\).*only renamed.*still on disk in data\/postgres\/sales-data\.dmb-deleting-.*Delete that folder by hand/);
          expect(serviceState(ws), label).not.toEqual(before);
          expect(existsSync(join(ws, 'data', 'postgres', 'sales-data')), label).toBe(false);
          continue;
        }
        expect(result.code, `${label}\n${result.stdout}\n${result.stderr}`).toBe(1);
        expect(serviceState(ws), label).toEqual(before);
        expect(moduleState(ws), label).toEqual(modules);
        expect(existsSync(join(serviceDir(ws), '.dmb.lock')), label).toBe(false);
        const newBackups = backupNames(ws).filter((name) => !backupsBefore.includes(name));
        if (step.path.includes('/modules/backups/')) {
          expect(result.stderr, label).toMatch(/Could not write the backup .* The workspace is unchanged\./);
          expect(newBackups, label).toEqual([]);
        } else {
          expect(result.stderr, label).toMatch(/Step ".+" failed \(.*injected failure.*\)\. Every file was put back byte for byte: the workspace is unchanged\./);
          expect(newBackups, label).toHaveLength(1);
          const backupDir = join(serviceDir(ws), 'modules', 'backups', newBackups[0] as string);
          for (const name of SERVICE_STATE_FILES) expect(readFileSync(join(backupDir, name), 'utf8'), `${label}: backup of ${name}`).toBe(before[name]);
        }
        if (scenario.name.endsWith('--purge-data')) expect(existsSync(join(ws, 'data', 'postgres', 'sales-data', 'PG_VERSION')), label).toBe(true);
      }
    });
  }
});

describe('remove --purge-data when a data folder cannot be deleted', () => {
  // A database container leaves its folder owned by root, mode 0700: the rename aside works (the parent is the
  // user's), deleting the contents does not. Tests run as root, where chmod stops nothing, so the refusal is injected.
  const undeletable: FileSystem = {
    ...nodeFileSystem,
    remove: async (path) => {
      if (path.includes('.dmb-deleting-')) throw Object.assign(new Error(`EACCES: permission denied, rmdir '${path}/base'`), { code: 'EACCES' });
      return nodeFileSystem.remove(path);
    },
  };

  it('never says "Deleted": it says what happened and where the data is, in text and JSON', async () => {
    const ws = await integrated('sales-data');
    const data = join(ws, 'data', 'postgres', 'sales-data');
    const storage = join(ws, 'data', 'dagster_storage', 'sales_data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'PG_VERSION'), '15\n');
    mkdirSync(storage, { recursive: true });
    writeFileSync(join(storage, 'raw_records.pickle'), 'x');
    const result = await runInProcess(['workspace', 'remove', 'sales-data', '--yes', '--purge-data', '--workspace', ws], { effects: { fs: undeletable } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/Deleted data\/postgres\/sales-data/);
    const left = readdirSync(join(ws, 'data', 'postgres')).filter((name) => name.startsWith('sales-data.dmb-deleting-'));
    expect(left).toHaveLength(1);
    expect(readFileSync(join(ws, 'data', 'postgres', left[0] as string, 'PG_VERSION'), 'utf8')).toBe('15\n');
    expect(result.stdout).toContain(`Not deleted: data/postgres/sales-data/ (the module's database data) was only renamed; its data is still on disk in data/postgres/${left[0]}/`);
    expect(result.stderr).toMatch(/Could not delete data\/postgres\/sales-data\/ \(EACCES: permission denied.*sudo rm -rf '.*sales-data\.dmb-deleting-/);
    expect(result.stdout).toMatch(/Not deleted: data\/dagster_storage\/sales_data\/ \(the module's stored asset values\)/);

    const json = await runInProcess(['workspace', 'add', 'sales-data', '--workspace', ws]);
    expect(json.code, json.stderr).toBe(0);
    mkdirSync(data, { recursive: true });
    const again = await runInProcess(['workspace', 'remove', 'sales-data', '--yes', '--purge-data', '--json', '--workspace', ws], { effects: { fs: undeletable } });
    const report = JSON.parse(again.stdout) as { data_deleted: boolean; not_deleted: Array<{ path: string; left_in: string }> };
    expect(report.data_deleted).toBe(false);
    expect(report.not_deleted.map((folder) => folder.path)).toEqual([data]);
    expect(existsSync(report.not_deleted[0]?.left_in as string)).toBe(true);
  });
});
