#!/usr/bin/env node
// The whole build, as `npm run build`, prepack, scripts/setup.sh and the tests' global setup run it:
// the compose schema's validator is generated, then TypeScript is compiled into dist/.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const steps = [
  ['compose schema validator', ['scripts/build-compose-validator.mjs']],
  ['tsc', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']],
];
for (const [name, args] of steps) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build step "${name}" failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
