import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const made: string[] = [];
// Each vitest worker removes the temp folders it made when it exits (set DMB_KEEP_TEMP=1 to inspect them).
process.once('exit', () => {
  if (process.env.DMB_KEEP_TEMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test process exits. */
export function tempDir(prefix = 'dmb-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temp folder filled from an object literal: { 'a/b.txt': 'content' }. */
export function testdir(files: Record<string, string> = {}, prefix = 'dmb-test-'): string {
  const root = tempDir(prefix);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Every file under root with its bytes (as text) — compare two snapshots to prove "nothing changed". */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        out[`${relative(root, path)}/`] = '';
        walk(path);
      } else out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}
