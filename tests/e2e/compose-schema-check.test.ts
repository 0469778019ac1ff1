import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkComposeSchema } from '../../src/formats/compose-schema.js';
import { composeSchemaErrors, REPO_ROOT } from '../fixtures/service/support.js';

const GOOD = 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n';
const BAD = 'services:\n  web:\n    image: nginx\n    bogus_key: 1\n';

describe('the compose schema checks can fail', () => {
  it("dmb's build-time compiled validator: accepts a good file, names an unknown key", async () => {
    expect(await checkComposeSchema(parse(GOOD))).toEqual([]);
    expect(await checkComposeSchema(parse(BAD))).toEqual([{ path: ['services', 'web', 'bogus_key'], message: 'services.web has an unknown key "bogus_key"' }]);
  });

  it("the tests' independent check (check-jsonschema's own compose-spec schema) does the same", () => {
    expect(composeSchemaErrors(GOOD)).toEqual([]);
    expect(composeSchemaErrors(BAD).join('\n')).toContain("'bogus_key' was unexpected");
  });
});

describe('the npm package', () => {
  it('ships the compiled compose validator with dist/ and bin/ (npm pack --dry-run)', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/dmb', 'dist/main.js', 'dist/formats/compose-schema.js', 'generated/compose-spec-validator.cjs']));
    expect(files.filter((f) => f.startsWith('schemas/'))).toEqual([]);
  });
});
