import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The e2e tests run the real bin/dmb, which loads dist/: build it (the compose schema's validator, then tsc) from the current sources
 * once per vitest run, so a run can never pass (or fail) on stale code.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`The build before the tests failed (npm run build):\n${build.stdout}${build.stderr}`);
}
