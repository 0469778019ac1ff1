import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, expectOk, runBinary } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

const ANSWERS = ['--yes', '--requires', 'none', '--governance', 'quick', '--deploy', 'no'];

function listStatus(ws: string): string {
  return JSON.parse(expectOk(['workspace', 'list', '--json', '--workspace', ws]).stdout).modules[0].status;
}

function block(dockerfile: string, marker: string): string {
  return dockerfile.slice(dockerfile.indexOf(`# BEGIN: ${marker}`), dockerfile.indexOf(`# END: ${marker}`));
}

/** The requirement strings the shared Dockerfile's block of the module installs. */
function installedInImage(ws: string, marker: string): string[] {
  const text = block(readFileSync(join(ws, 'services/dagster/Dockerfile'), 'utf8'), marker);
  return [...text.matchAll(/^\s+"([^"]+)"/gm)].map((m) => m[1] as string);
}

describe("a module's changed dependencies reach the shared image (issue 14 §4)", () => {
  it('list and validate report the drift; sync rewrites the snippet from requirements.txt and merges it', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'dep-mod', '--workspace', ws, '--db', 'none', '--integrate', 'yes', ...ANSWERS]);
    expect(listStatus(ws)).toBe('ok');
    expectOk(['workspace', 'validate', '--workspace', ws]);

    appendFileSync(join(ws, 'projects/dep-mod/requirements.txt'), 'requests>=2.31\n');
    expect(listStatus(ws)).toBe('drifted');
    const validate = runBinary(['workspace', 'validate', '--workspace', ws]);
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toMatch(/dep-mod.*requirements\.txt.*not installed in the image: requests>=2\.31/);

    const sync = expectOk(['workspace', 'sync', '--workspace', ws]);
    expect(sync.stdout).toMatch(/Python packages: .*dockerfile\.snippet now installs what requirements\.txt declares \(\+ requests>=2\.31\)/);
    expect(installedInImage(ws, 'dep_mod')).toEqual(['dagster==1.13.27', 'requests>=2.31']);
    expect(readFileSync(join(ws, 'projects/dep-mod/workspace/local/dockerfile.snippet'), 'utf8')).toContain('    "requests>=2.31"\n');
    expect(listStatus(ws)).toBe('ok');
    expectOk(['workspace', 'validate', '--workspace', ws]);
    // The merged Dockerfile is still one hadolint accepts.
    const linted = spawnSync(join(REPO_ROOT, '.venv/bin/hadolint'), ['--failure-threshold', 'error', join(ws, 'services/dagster/Dockerfile')], { encoding: 'utf8' });
    expect(linted.status, linted.stdout + linted.stderr).toBe(0);
  });

  it('a module without requirements.txt is read from pyproject.toml; a removed dependency leaves the image too', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'toml-mod', '--workspace', ws, '--db', 'postgresql', '--integrate', 'no', ...ANSWERS]);
    rmSync(join(ws, 'projects/toml-mod/requirements.txt'));
    const pyproject = join(ws, 'projects/toml-mod/pyproject.toml');
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace(/ {4}"psycopg\[binary\][^\n]*\n/, '    "SQLAlchemy >= 2.0",\n'));

    const add = expectOk(['workspace', 'add', 'toml-mod', '--workspace', ws]);
    expect(add.stdout).toMatch(/now installs what pyproject\.toml declares \(\+ SQLAlchemy >= 2\.0; - psycopg\[binary\]>=3\.2,<4\)/);
    expect(installedInImage(ws, 'toml_mod')).toEqual(['dagster==1.13.27', 'SQLAlchemy >= 2.0']);
    expect(listStatus(ws)).toBe('ok');
  });

  it('a freshly generated module has nothing to rewrite: add leaves its snippet as generated', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'fresh-mod', '--workspace', ws, '--db', 'mysql', '--integrate', 'no', ...ANSWERS]);
    const snippet = readFileSync(join(ws, 'projects/fresh-mod/workspace/local/dockerfile.snippet'), 'utf8');
    const add = expectOk(['workspace', 'add', 'fresh-mod', '--workspace', ws]);
    expect(add.stdout).not.toMatch(/Python packages/);
    expect(readFileSync(join(ws, 'projects/fresh-mod/workspace/local/dockerfile.snippet'), 'utf8')).toBe(snippet);
  });
});

describe('modules share one Python environment in the image (issue 14 §5)', () => {
  it('each module block runs pip check after its pip install; validate warns, naming both modules, about pins no version satisfies', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'old-api', '--workspace', ws, '--db', 'none', '--integrate', 'no', ...ANSWERS]);
    expectOk(['new', 'new-api', '--workspace', ws, '--db', 'none', '--integrate', 'no', ...ANSWERS]);
    appendFileSync(join(ws, 'projects/old-api/requirements.txt'), 'requests<2.30\n');
    appendFileSync(join(ws, 'projects/new-api/requirements.txt'), 'Requests==2.31.0\n');
    expectOk(['workspace', 'sync', '--workspace', ws]);

    const dockerfile = readFileSync(join(ws, 'services/dagster/Dockerfile'), 'utf8');
    for (const marker of ['old_api', 'new_api']) {
      const text = block(dockerfile, marker);
      expect(text.indexOf('RUN pip check'), marker).toBeGreaterThan(text.indexOf('RUN pip install'));
    }
    const linted = spawnSync(join(REPO_ROOT, '.venv/bin/hadolint'), ['--failure-threshold', 'error', join(ws, 'services/dagster/Dockerfile')], { encoding: 'utf8' });
    expect(linted.status, linted.stdout + linted.stderr).toBe(0);

    const validate = runBinary(['workspace', 'validate', '--workspace', ws]);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stderr).toMatch(/! services\/dagster\/Dockerfile: module "(old|new)-api" installs "(requests<2\.30|Requests==2\.31\.0)" and module "(old|new)-api" "(requests<2\.30|Requests==2\.31\.0)": no version satisfies both/);
    const json = JSON.parse(runBinary(['workspace', 'validate', '--json', '--workspace', ws]).stdout);
    expect(json.ok).toBe(true);
    expect(json.warnings).toHaveLength(1);
    expect(json.warnings[0].fix).toMatch(/requirements\.txt.*dmb workspace sync.*pip check/);
  });
});
