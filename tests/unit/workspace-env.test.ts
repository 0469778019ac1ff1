import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { findDuplicateEnvKeys, parseEnvLines, readEnvEntries, setEnvValue } from '../../src/formats/env-file.js';
import { removeFlatBlock, upsertFlatBlock } from '../../src/formats/flat-block.js';
import { fixture, outsideBlocks } from '../fixtures/workspace/helpers.js';

const moduleEnv = fixture('projects', 'sales-data', 'workspace', 'local', '.env');

describe('.env line model', () => {
  const userEnv = fixture('engine', 'user-edited.env');

  it('classifies every line and reads values as dotenv does', () => {
    const kinds = parseEnvLines(userEnv).map((l) => l.kind);
    expect(kinds.filter((k) => k === 'entry')).toHaveLength(7);
    expect(kinds).toContain('comment');
    expect(kinds).toContain('blank');
    const ours = Object.fromEntries([...readEnvEntries(userEnv)].map(([k, v]) => [k, v.value]));
    const oracle = parse(userEnv);
    for (const key of Object.keys(oracle)) expect(ours[key], key).toBe(oracle[key]);
  });

  it('adds the module block and keeps every byte outside it; remove restores the file exactly', () => {
    const added = upsertFlatBlock(userEnv, 'sales_data', moduleEnv, 'services/dagster/.env');
    expect(outsideBlocks(added)).toBe(`${userEnv}\n`);
    expect(added.startsWith(userEnv)).toBe(true);
    expect(added).toContain('# BEGIN: sales_data\n# Sales Data database');
    // The user's values are untouched as dotenv reads them, and the module's keys are there.
    const parsed = parse(added);
    expect(parsed.API_TOKEN).toBe(parse(userEnv).API_TOKEN);
    expect(parsed.DAGSTER_POSTGRES_PASSWORD).toBe('abc$def#ghi');
    expect(parsed.SALES_DATA_DB_HOST_PORT).toBe('5438');
    expect(removeFlatBlock(added, 'sales_data', '.env')).toBe(userEnv);
  });

  it('a CRLF .env keeps CRLF: the marker and module lines get the file\'s line endings, and remove restores the bytes', () => {
    for (const crlf of [userEnv.replace(/\n/g, '\r\n'), userEnv.replace(/\n/g, '\r\n').replace(/\r\n$/, '')]) {
      const added = upsertFlatBlock(crlf, 'sales_data', moduleEnv, 'services/dagster/.env');
      expect(added.replace(/\r\n/g, '')).not.toContain('\n');
      expect(added).toContain('\r\n# BEGIN: sales_data\r\n# Sales Data database');
      expect(parse(added).SALES_DATA_DB_HOST_PORT).toBe('5438');
      const again = upsertFlatBlock(added, 'sales_data', moduleEnv, 'services/dagster/.env');
      expect(again).toBe(added);
      expect(removeFlatBlock(added, 'sales_data', '.env')).toBe(crlf);
    }
  });

  it('two modules, removed in any order, give back the original bytes', () => {
    const base = 'A=1\n';
    const both = upsertFlatBlock(upsertFlatBlock(base, 'a', 'A_X=1\n', 'f'), 'b', 'B_X=1\n', 'f');
    expect(removeFlatBlock(removeFlatBlock(both, 'a', 'f'), 'b', 'f')).toBe(base);
    expect(removeFlatBlock(removeFlatBlock(both, 'b', 'f'), 'a', 'f')).toBe(base);
  });

  it('sets a value keeping quotes and the inline comment', () => {
    expect(setEnvValue('P=5438 # db\nQ=1\n', 'P', '5439')).toBe('P=5439 # db\nQ=1\n');
    expect(setEnvValue('P="5438"\n', 'P', '5440')).toBe('P="5440"\n');
    expect(setEnvValue('X=1\n', 'P', '2')).toBe('X=1\n');
  });

  it('reads statements with the python-dotenv grammar: a quoted value spanning lines is one entry, junk after a quote is not an entry', () => {
    const text = 'A="one\r\ntwo"\r\n\r\n# note\r\nB="x" junk\r\nBARE\r\nC=3 # c\r\n';
    expect(parseEnvLines(text).map((l) => [l.kind, l.line])).toEqual([
      ['entry', 1],
      ['blank', 3],
      ['comment', 4],
      ['other', 5],
      ['other', 6],
      ['entry', 7],
    ]);
    expect(readEnvEntries(text).get('A')).toEqual({ value: 'one\ntwo', line: 1 });
    expect(setEnvValue(text, 'C', '4')).toBe(text.replace('C=3', 'C=4'));
  });

  it('finds duplicate keys with their lines', () => {
    expect(findDuplicateEnvKeys('A=1\nB=2\nA=3\n')).toEqual([{ key: 'A', lines: [1, 3] }]);
  });
});
