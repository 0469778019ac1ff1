import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { ApplyError, ChangeSet, applyChanges } from '../../src/transaction/changes.js';
import { lineDelta, renderPlan } from '../../src/transaction/render-plan.js';
import { nodeFileSystem } from '../../src/effects/effects.js';
import { fingerprintModule } from '../../src/workspace/module-config.js';
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
  it('an update with a mode applies it, and a failed apply restores the old mode with the old bytes', async () => {
    const root = testdir({ 'secret.env': 'A=1\n', 'b.txt': 'b\n' });
    chmodSync(join(root, 'secret.env'), 0o644);
    const changes = new ChangeSet(nodeFileSystem);
    await changes.write(join(root, 'secret.env'), 'A=1\nB=2\n', 'append', 0o600);
    await applyChanges(changes.list(), nodeFileSystem);
    expect(statSync(join(root, 'secret.env')).mode & 0o777).toBe(0o600);
    chmodSync(join(root, 'secret.env'), 0o644);
    const again = new ChangeSet(nodeFileSystem);
    await again.write(join(root, 'secret.env'), 'A=1\nB=3\n', 'append', 0o600);
    await again.write(join(root, 'b.txt'), 'B\n', 'edit');
    const before = snapshotTree(root);
    await expect(applyChanges(again.list(), failingFs(2))).rejects.toBeInstanceOf(ApplyError);
    expect(snapshotTree(root)).toEqual(before);
    expect(statSync(join(root, 'secret.env')).mode & 0o777).toBe(0o644);
  });

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
    expect(leftovers[0]?.aside).toMatch(/data\/pg\.dmb-deleting-/);
    expect(leftovers[0]).toMatchObject({ path: join(root, 'data/pg'), reason: expect.stringContaining('injected failure') });
    expect(existsSync(join(root, 'data/pg'))).toBe(false);
    expect(snapshotTree(root)['edit.txt']).toBe('two\n');
    // And without failures, nothing is left over.
    const clean = testdir(files);
    expect(await applyChanges(await plan(clean), nodeFileSystem)).toEqual([]);
    expect(Object.keys(snapshotTree(clean))).toEqual(['data/', 'edit.txt']);
  });
});

describe('ChangeSet as a tree: every read sees pending changes over the disk', () => {
  const files = { 'a/keep.txt': 'keep\n', 'a/gone.txt': 'bye\n', 'a/sub/deep.txt': 'deep\n', 'data/pg/1': 'rows\n', 'run.sh': '#!/bin/sh\n' };

  async function pendingTree() {
    const root = testdir(files);
    chmodSync(join(root, 'run.sh'), 0o755);
    const tree = new ChangeSet(nodeFileSystem);
    await tree.write(join(root, 'a/new.txt'), 'new\n', 'create');
    await tree.write(join(root, 'b/c/d.txt'), 'nested\n', 'create', 0o600);
    await tree.delete(join(root, 'a/gone.txt'), 'delete');
    tree.removeTree(join(root, 'data/pg'), 'purge');
    return { root, tree };
  }

  it('lists children from disk and pending creates, without deleted files or removed folders', async () => {
    const { root, tree } = await pendingTree();
    expect(await tree.children(join(root, 'a'))).toEqual(['keep.txt', 'new.txt', 'sub']);
    expect(await tree.children(root)).toEqual(['a', 'b', 'data', 'run.sh']);
    expect(await tree.children(join(root, 'b'))).toEqual(['c']);
    expect(await tree.children(join(root, 'data'))).toEqual([]);
    expect(await tree.children(join(root, 'nowhere'))).toEqual([]);
    // The disk is untouched until apply.
    expect(snapshotTree(root)['b/']).toBeUndefined();
  });

  it('answers isFile, isDirectory and exists for pending, deleted, removed and untouched paths', async () => {
    const { root, tree } = await pendingTree();
    const at = (path: string) => join(root, path);
    const facts = async (path: string) => [await tree.isFile(at(path)), await tree.isDirectory(at(path)), await tree.exists(at(path))];
    expect(await facts('a/keep.txt')).toEqual([true, false, true]);
    expect(await facts('a/new.txt')).toEqual([true, false, true]);
    expect(await facts('a/gone.txt')).toEqual([false, false, false]);
    expect(await facts('a/sub')).toEqual([false, true, true]);
    expect(await facts('b')).toEqual([false, true, true]);
    expect(await facts('b/c')).toEqual([false, true, true]);
    expect(await facts('data/pg')).toEqual([false, false, false]);
    expect(await facts('data/pg/1')).toEqual([false, false, false]);
    expect(await tree.read(at('data/pg/1'))).toBeUndefined();
    expect(await tree.read(at('a/sub'))).toBeUndefined();
  });

  it('reports the mode a file will have: a pending create its own, an untouched or updated file the disk one', async () => {
    const { root, tree } = await pendingTree();
    expect(await tree.mode(join(root, 'b/c/d.txt'))).toBe(0o600);
    expect(await tree.mode(join(root, 'run.sh'))).toBe(0o755);
    await tree.write(join(root, 'run.sh'), '#!/bin/sh\necho hi\n', 'edit');
    expect(await tree.mode(join(root, 'run.sh'))).toBe(0o755);
    expect(await tree.mode(join(root, 'a/gone.txt'))).toBeUndefined();
  });

  it('renames a file with its content and mode, and applies the rename as a delete plus a create', async () => {
    const { root, tree } = await pendingTree();
    await tree.rename(join(root, 'run.sh'), join(root, 'bin/run.sh'), 'move');
    await tree.rename(join(root, 'b/c/d.txt'), join(root, 'b/e.txt'), 'move');
    expect(await tree.exists(join(root, 'run.sh'))).toBe(false);
    expect(await tree.read(join(root, 'bin/run.sh'))).toBe('#!/bin/sh\n');
    expect(await tree.children(join(root, 'b'))).toEqual(['e.txt']);
    await expect(tree.rename(join(root, 'a/gone.txt'), join(root, 'x'), 'move')).rejects.toThrow('not a file');
    await applyChanges(tree.list(), nodeFileSystem);
    expect(statSync(join(root, 'bin/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'b/e.txt')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(root, 'run.sh'))).toBe(false);
    expect(existsSync(join(root, 'data/pg'))).toBe(false);
  });
});

describe('fingerprintModule on the tree', () => {
  it('counts a pending new file of workspace/local/ (listing the disk missed it) and drops a pending delete', async () => {
    const root = testdir({ 'local/.env': 'A=1\n', 'local/workspace.yaml': '- python_package: x\n' });
    const tree = new ChangeSet(nodeFileSystem);
    const before = await fingerprintModule(tree, join(root, 'local'));
    await tree.write(join(root, 'local/dockerfile.snippet'), 'RUN true\n', 'create');
    const withNew = await fingerprintModule(tree, join(root, 'local'));
    expect(withNew).not.toBe(before);
    await applyChanges(tree.list(), nodeFileSystem);
    expect(await fingerprintModule(new ChangeSet(nodeFileSystem), join(root, 'local'))).toBe(withNew);
    const deleting = new ChangeSet(nodeFileSystem);
    await deleting.delete(join(root, 'local/dockerfile.snippet'), 'delete');
    expect(await fingerprintModule(deleting, join(root, 'local'))).toBe(before);
  });
});
