import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The e2e tests run the real bin/dmb, which loads dist/: build it from the current sources once per
 * vitest run, so a run can never pass (or fail) on stale code.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`The build before the tests failed (npx tsc -p tsconfig.json):\n${tsc.stdout}${tsc.stderr}`);
}
