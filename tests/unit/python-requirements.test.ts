import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSnippetPipPackages, writeSnippetPipPackages } from '../../src/formats/dockerfile-snippet.js';
import { compareRequirements, readPyprojectDependencies, readRequirementsTxt, requirementKey } from '../../src/python/requirements.js';
import { REPO_ROOT } from '../helpers/cli.js';

const GOLDEN = join(REPO_ROOT, 'tests/golden/postgresql-enterprise');

describe('declared Python dependencies', () => {
  it('compares requirements as pip does: names normalized, extras sorted, spaces ignored', () => {
    expect(requirementKey('PyMySQL [RSA] >= 1.1, <2')).toBe('pymysql[rsa]>=1.1,<2');
    expect(requirementKey('google_cloud.storage>=2')).toBe('google-cloud-storage>=2');
    expect(compareRequirements(['Requests>=2.31', 'boto3'], ['requests >= 2.31', 'pillow'])).toEqual({ missing: ['boto3'], extra: ['pillow'] });
  });

  it('reads requirements.txt without comments, blank lines or pip options', () => {
    expect(readRequirementsTxt('# deps\n\n-r base.txt\n--index-url https://x\ndagster==1.13.27  # pinned\nrequests>=2.31\r\n')).toEqual([
      'dagster==1.13.27',
      'requests>=2.31',
    ]);
  });

  it("reads pyproject.toml's [project] dependencies and nothing from other tables", () => {
    const text = '[project]\nname = "x"\ndependencies = [\n    "dagster==1.13.27",  # core\n    \'requests>=2\',\n]\n\n[project.optional-dependencies]\ndev = ["pytest>=8"]\n';
    expect(readPyprojectDependencies(text)).toEqual(['dagster==1.13.27', 'requests>=2']);
    expect(readPyprojectDependencies('[tool.x]\ndependencies = ["a"]\n')).toBeUndefined();
  });

  it('the generated files agree with each other, and rewriting the snippet with its own packages changes nothing', () => {
    const snippet = readFileSync(join(GOLDEN, 'workspace/local/dockerfile.snippet'), 'utf8');
    const installed = readSnippetPipPackages(snippet) ?? [];
    const declared = readRequirementsTxt(readFileSync(join(GOLDEN, 'requirements.txt'), 'utf8'));
    expect(compareRequirements(declared, installed)).toEqual({ missing: [], extra: [] });
    expect(readPyprojectDependencies(readFileSync(join(GOLDEN, 'pyproject.toml'), 'utf8'))).toEqual(declared);
    expect(writeSnippetPipPackages(snippet, installed)).toBe(snippet);
  });

  it('leaves a hand-written pip line (shell operators) alone', () => {
    const snippet = 'RUN pip install -r /tmp/req.txt && rm /tmp/req.txt\n';
    expect(readSnippetPipPackages(snippet)).toBeUndefined();
    expect(writeSnippetPipPackages(snippet, ['a'])).toBe(snippet);
  });
});
