import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBinary } from '../helpers/cli.js';
import { snapshotTree, testdir } from '../helpers/tree.js';
import { dockerComposeConfig } from '../fixtures/service/support.js';

/** A compose file that shares settings through YAML anchors and merge keys, as many teams write them. */
function inheritDependsOn(composePath: string): void {
  let text = readFileSync(composePath, 'utf8');
  text = text.replace('services:\n', 'x-common: &dagster-common\n  depends_on:\n    dagster_postgresql:\n      condition: service_healthy\n\nservices:\n');
  const daemon = text.indexOf('  dagster_daemon:');
  const start = text.indexOf('    depends_on:', daemon);
  const end = text.indexOf('\n    ', text.indexOf('condition: service_healthy', start) + 1);
  writeFileSync(composePath, `${text.slice(0, start)}    <<: *dagster-common${text.slice(end)}`);
}

describe('docker-compose.yml with YAML merge keys', () => {
  it('validates as docker-compose reads it, and add refuses (changing nothing) rather than drop an inherited depends_on', () => {
    const workspace = testdir();
    expect(runBinary(['init', '--workspace', workspace, '--yes']).code).toBe(0);
    expect(runBinary(['new', 'anchored', '--workspace', workspace, '--yes', '--db', 'postgresql']).code).toBe(0);
    const service = join(workspace, 'services/dagster');
    inheritDependsOn(join(service, 'docker-compose.yml'));
    expect(dockerComposeConfig(service, true).code).toBe(0);

    const validated = runBinary(['workspace', 'validate', '--workspace', workspace]);
    expect(validated.stdout + validated.stderr).not.toMatch(/unknown key "<<"/);
    expect(validated.code).toBe(0);

    const before = snapshotTree(workspace);
    const added = runBinary(['workspace', 'add', 'anchored', '--workspace', workspace]);
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/dagster_daemon.*merge key/);
    expect(added.stderr).toMatch(/its own depends_on/);
    expect(snapshotTree(workspace)).toEqual(before);
  });
});
