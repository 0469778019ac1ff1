import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { ApplyError, ChangeSet, applyChanges } from '../../src/transaction/changes.js';
import { lineDelta, renderPlan } from '../../src/transaction/render-plan.js';
import { nodeFileSystem } from '../../src/effects/effects.js';
import { failingFs } from '../helpers/faulty-fs.js';
import { snapshotTree, testdir } from '../helpers/tree.js';

async function plan(root: string) {
  const changes = new ChangeSet(nodeFileSystem);
  await changes.write(join(root, 'keep.txt'), 'same\n', 'same');
  await changes.write(join(root, 'edit.txt'), 'one\nTWO\nthree\n', 'edit');
  await changes.write(join(root, 'new/deep/file.txt'), 'fresh\n', 'create');
  await changes.delete(join(root, 'gone.txt'), 'delete');
  return changes;
}

describe('ChangeSet', () => {
  it('turns identical writes into no-ops and reads its own pending writes', async () => {
    const root = testdir({ 'keep.txt': 'same\n', 'edit.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n' });
    const changes = await plan(root);
    expect(changes.list().map((c) => c.kind).sort()).toEqual(['create', 'delete', 'update']);
    expect(await changes.read(join(root, 'edit.txt'))).toBe('one\nTWO\nthree\n');
    expect(await changes.read(join(root, 'gone.txt'))).toBeUndefined();
  });

  it('applies every change', async () => {
    const root = testdir({ 'keep.txt': 'same\n', 'edit.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n' });
    await applyChanges((await plan(root)).list(), nodeFileSystem);
    expect(snapshotTree(root)).toEqual({
      'keep.txt': 'same\n',
      'edit.txt': 'one\nTWO\nthree\n',
      'new/': '',
      'new/deep/': '',
      'new/deep/file.txt': 'fresh\n',
    });
  });

  it('leaves every file byte-identical when any single write fails', async () => {
    const files = { 'keep.txt': 'same\n', 'edit.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n' };
    const probe = failingFs(undefined);
    const dry = testdir(files);
    await applyChanges((await plan(dry)).list(), probe);
    expect(probe.log.length).toBeGreaterThan(2);
    for (let failAt = 1; failAt <= probe.log.length; failAt++) {
      const root = testdir(files);
      const before = snapshotTree(root);
      const changes = (await plan(root)).list();
      const error = await applyChanges(changes, failingFs(failAt)).catch((e: unknown) => e);
      expect(error, `write #${failAt}`).toBeInstanceOf(ApplyError);
      expect(snapshotTree(root), `write #${failAt}`).toEqual(before);
      expect(existsSync(join(root, 'new'))).toBe(false);
    }
  });

  it('renders a dry-run plan with a unified diff and counts changed lines', async () => {
    const root = testdir({ 'keep.txt': 'same\n', 'edit.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n' });
    const changes = (await plan(root)).list();
    const text = await renderPlan(changes, root);
    expect(text).toContain('update  edit.txt');
    expect(text).toContain('-two');
    expect(text).toContain('+TWO');
    expect(text).toContain('create  new/deep/file.txt (1 lines)');
    expect(text).toContain('delete  gone.txt');
    const edit = changes.find((c) => c.kind === 'update');
    expect(edit && lineDelta(edit)).toEqual({ added: 1, removed: 1 });
  });

  it('moves a folder to delete aside inside the transaction and deletes it only after everything else succeeded', async () => {
    const files = { 'edit.txt': 'one\n', 'data/pg/base/1': 'rows\n' };
    const plan = async (root: string) => {
      const changes = new ChangeSet(nodeFileSystem);
      changes.removeTree(join(root, 'data/pg'), 'purge data');
      await changes.write(join(root, 'edit.txt'), 'two\n', 'edit');
      return changes.list();
    };
    // A failure at any step (the rename aside, the edit) puts the data folder back where it was.
    for (let failAt = 1; failAt <= 2; failAt++) {
      const root = testdir(files);
      const before = snapshotTree(root);
      await expect(applyChanges(await plan(root), failingFs(failAt))).rejects.toBeInstanceOf(ApplyError);
      expect(snapshotTree(root), `failure #${failAt}`).toEqual(before);
    }
    // The final delete failing leaves the change done and reports the folder left behind; it never claims "unchanged".
    const root = testdir(files);
    const leftovers = await applyChanges(await plan(root), failingFs(3));
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/data\/pg\.dmb-deleting-/);
    expect(existsSync(join(root, 'data/pg'))).toBe(false);
    expect(snapshotTree(root)['edit.txt']).toBe('two\n');
    // And without failures, nothing is left over.
    const clean = testdir(files);
    expect(await applyChanges(await plan(clean), nodeFileSystem)).toEqual([]);
    expect(Object.keys(snapshotTree(clean))).toEqual(['data/', 'edit.txt']);
  });
});
