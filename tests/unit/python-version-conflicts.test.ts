import { describe, expect, it } from 'vitest';
import { findVersionConflicts } from '../../src/python/version-conflicts.js';

const pair = (a: string, b: string) => findVersionConflicts([{ module: 'one', spec: a }, { module: 'two', spec: b }]);

describe('conflicting pins between modules', () => {
  it.each([
    ['requests==2.31.0', 'requests==2.32'],
    ['requests==2.31.0', 'Requests<2.30'],
    ['numpy>=2', 'numpy<2'],
    ['numpy>1.5', 'numpy<=1.5'],
    ['pandas~=2.1', 'pandas>=3'],
    ['pandas~=1.5.3', 'pandas==1.6.0'],
  ])('%s and %s cannot both hold', (a, b) => {
    expect(pair(a, b)).toEqual([{ name: a.split(/[<>=~]/)[0]!.toLowerCase(), first: { module: 'one', spec: a }, second: { module: 'two', spec: b } }]);
  });

  it.each([
    ['requests==2.31.0', 'requests>=2.31'],
    ['numpy>=1.5', 'numpy<=1.5'],
    ['pandas~=2.1', 'pandas<3'],
    ['dagster==1.13.27', 'dagster==1.13.27'],
    ['boto3>=1.34', 'pillow<2'],
    ['torch==2.1.0+cpu', 'torch==2.2'], // local versions: left to pip check
  ])('%s and %s are compatible (or not judged)', (a, b) => {
    expect(pair(a, b)).toEqual([]);
  });

  it('one module contradicting itself is left to pip', () => {
    expect(findVersionConflicts([{ module: 'one', spec: 'a==1' }, { module: 'one', spec: 'a==2' }])).toEqual([]);
  });
});
