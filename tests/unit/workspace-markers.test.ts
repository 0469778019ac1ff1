import { describe, expect, it } from 'vitest';
import { cutBlock, findBlocks, pairMarkers, readMarkerBlocks, renderBlock, replaceBlock, spliceBlock } from '../../src/formats/markers.js';
import { removeFlatBlock, upsertFlatBlock } from '../../src/formats/flat-block.js';
import { isDmbError } from '../../src/errors.js';

function errorOf(fn: () => unknown): { message: string; exitCode: number } {
  try {
    fn();
  } catch (error) {
    if (isDmbError(error)) return { message: error.message, exitCode: error.exitCode };
    throw error;
  }
  throw new Error('expected an error');
}

describe('marker blocks (blockinfile discipline)', () => {
  const text = 'A=1\n# BEGIN: sales\nS=1\n# END: sales\nB=2\n';

  it('finds a block by whole, exact marker lines', () => {
    const [block] = findBlocks(text, 'sales', '.env');
    expect(block?.body).toBe('S=1\n');
    expect(block?.begin.index).toBe(1);
    expect(block?.end.index).toBe(3);
    // A longer marker with the same prefix, or text after the marker, is not this block.
    expect(findBlocks('# BEGIN: sales_data\n# END: sales_data\n', 'sales', 'f')).toEqual([]);
    expect(pairMarkers('# BEGIN: sales and more\n').blocks).toEqual([]);
  });

  it('accepts indented markers (YAML) and keeps their indentation', () => {
    const [block] = findBlocks('x:\n  # BEGIN: m\n  - a\n  # END: m\n', 'm', 'f');
    expect(block?.indent).toBe('  ');
  });

  it('both markers: replace in place; neither: insert; cut is the exact inverse', () => {
    const [block] = findBlocks(text, 'sales', '.env');
    expect(replaceBlock(text, block!, renderBlock('sales', '', 'S=2\n'))).toBe('A=1\n# BEGIN: sales\nS=2\n# END: sales\nB=2\n');
    expect(cutBlock(text, block!)).toBe('A=1\nB=2\n');
    const inserted = spliceBlock('A=1\n', 4, renderBlock('x', '', 'X=1'));
    expect(inserted).toBe('A=1\n# BEGIN: x\nX=1\n# END: x\n');
  });

  it('keeps a missing final newline missing, so remove gives back the same bytes', () => {
    const original = 'A=1';
    const added = upsertFlatBlock(original, 'x', 'X=1\n', '.env');
    expect(added).toBe('A=1\n# BEGIN: x\nX=1\n# END: x');
    expect(removeFlatBlock(added, 'x', '.env')).toBe(original);
    expect(removeFlatBlock(upsertFlatBlock('', 'x', 'X=1\n', '.env'), 'x', '.env')).toBe('');
  });

  it('only one marker is corruption: an error naming file and line, never a second copy', () => {
    const half = 'A=1\n# BEGIN: sales\nS=1\nB=2\n';
    const error = errorOf(() => upsertFlatBlock(half, 'sales', 'S=1\n', 'services/dagster/.env'));
    expect(error.message).toMatch(/^services\/dagster\/\.env:2: "# BEGIN: sales" has no matching "# END: sales"/);
    const endOnly = 'A=1\nS=1\n# END: sales\n';
    expect(errorOf(() => removeFlatBlock(endOnly, 'sales', '.env')).message).toMatch(/^\.env:3: "# END: sales" has no "# BEGIN: sales"/);
    // Another module's half block also stops the edit: the file is not safe to edit.
    expect(errorOf(() => upsertFlatBlock('# BEGIN: other\n', 'sales', 'S=1\n', '.env')).message).toMatch(/^\.env:1:/);
  });

  it('reports BEGIN twice without END, and overlapping blocks', () => {
    const { problems } = pairMarkers('# BEGIN: a\n# BEGIN: a\n# END: a\n');
    expect(problems[0]).toMatchObject({ line: 1 });
    const overlap = pairMarkers('# BEGIN: a\n# BEGIN: b\n# END: a\n# END: b\n');
    expect(overlap.problems.some((p) => /inside the block "a"/.test(p.message))).toBe(true);
    expect(() => readMarkerBlocks('# BEGIN: a\n# BEGIN: b\n# END: a\n# END: b\n', 'f')).toThrow(/^f:2:/);
  });

  it('upsert twice leaves one copy, replaced in place', () => {
    const once = upsertFlatBlock('A=1\n', 'x', 'X=1\n', '.env');
    const twice = upsertFlatBlock(`${once}B=2\n`, 'x', 'X=2\n', '.env');
    expect(twice).toBe('A=1\n# BEGIN: x\nX=2\n# END: x\nB=2\n');
  });
});
