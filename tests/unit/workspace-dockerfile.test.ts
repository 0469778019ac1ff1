import { describe, expect, it } from 'vitest';
import { dockerfileBody, removeDockerfileBlock, upsertDockerfileBlock } from '../../src/formats/dockerfile.js';
import { fixture, outsideBlocks } from '../fixtures/workspace/helpers.js';

const FILE = 'services/dagster/Dockerfile';
const snippet = fixture('projects', 'sales-data', 'workspace', 'local', 'dockerfile.snippet');

describe('Dockerfile snippet block', () => {
  it('appends the snippet between markers and removes it byte for byte', () => {
    const original = fixture('service', 'Dockerfile');
    const body = dockerfileBody(snippet, '/workspace/projects/sales-data/src');
    expect(body).toBe(snippet);
    const added = upsertDockerfileBlock(original, 'sales_data', body, FILE);
    expect(outsideBlocks(added)).toBe(original);
    expect(added.endsWith(`# BEGIN: sales_data\n${snippet}# END: sales_data\n`)).toBe(true);
    expect(removeDockerfileBlock(added, 'sales_data', FILE)).toBe(original);
  });

  it('extends PYTHONPATH when the snippet does not', () => {
    const body = dockerfileBody('RUN pip install --no-cache-dir requests\n', '/workspace/projects/x/src');
    expect(body).toBe('RUN pip install --no-cache-dir requests\nENV PYTHONPATH="${PYTHONPATH}:/workspace/projects/x/src"\n');
    expect(dockerfileBody('', '/workspace/projects/x/src')).toBe('ENV PYTHONPATH="${PYTHONPATH}:/workspace/projects/x/src"\n');
  });

  it('refuses a half block naming file and line', () => {
    const original = fixture('service', 'Dockerfile');
    const half = `${original}# BEGIN: sales_data\nRUN true\n`;
    const line = half.split('\n').length - 2;
    expect(() => upsertDockerfileBlock(half, 'sales_data', 'RUN true\n', FILE)).toThrow(new RegExp(`^services/dagster/Dockerfile:${line}: `));
  });
});
