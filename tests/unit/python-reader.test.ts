import { describe, expect, it } from 'vitest';
import { parsePython, releasePython } from '../../src/python/parser.js';
import { resolveName, resolveString, toPyFile, type PyPackage } from '../../src/python/package.js';
import { scanFile } from '../../src/python/file-scan.js';
import { isDocstring, stringValue } from '../../src/python/syntax.js';

async function pkg(files: Record<string, string>): Promise<PyPackage> {
  const result: PyPackage = { name: 'demo_dagster', files: new Map() };
  for (const [path, source] of Object.entries(files)) result.files.set(path, toPyFile(path, await parsePython(source, path)));
  return result;
}

describe('python reader (tree-sitter-python)', () => {
  it('reports where a file stops parsing, 1-based', async () => {
    const parsed = await parsePython('import os\n\nx = [1, 2\ny = 3\n', 'broken.py');
    expect(parsed.syntaxError?.line).toBeGreaterThanOrEqual(3);
    const fine = await parsePython('x = 1\n', 'fine.py');
    expect(fine.syntaxError).toBeUndefined();
    releasePython(parsed);
    releasePython(fine);
  });

  it('reads string values; f-strings with placeholders have none; docstrings and comments are not code strings', async () => {
    const parsed = await parsePython('"""doc /tmp/dagster_storage"""\n# "/tmp/dagster_storage"\nA = "/tmp/" "dagster_storage"\nB = f"{A}/x"\nC = f"plain"\n', 'm.py');
    const file = toPyFile('m.py', parsed);
    const strings = scanFile(file).strings;
    expect(strings.map((node) => [stringValue(node), isDocstring(node)])).toEqual([
      ['doc /tmp/dagster_storage', true],
      ['/tmp/dagster_storage', false],
      [undefined, false],
      ['plain', false],
    ]);
  });

  it('follows names through relative, absolute, aliased and star imports to constants, classes and functions', async () => {
    const demo = await pkg({
      '__init__.py': 'from .resources import build as make_io\nfrom demo_dagster.settings import STORAGE_ENV\nfrom .defs import *\n',
      'resources.py': 'from dagster import ConfigurableIOManager\nclass Store(ConfigurableIOManager):\n    pass\ndef build():\n    return Store()\n',
      'settings.py': 'NAME = "DAGSTER_STORAGE_PATH"\nSTORAGE_ENV = NAME\n',
      'defs/__init__.py': 'from ..resources import Store as Shop\n',
    });
    const init = demo.files.get('__init__.py')!;
    expect(resolveName(demo, init, 'make_io')).toMatchObject({ kind: 'function', fn: { name: 'build' } });
    expect(resolveName(demo, init, 'Shop')).toMatchObject({ kind: 'class', cls: { name: 'Store', bases: ['ConfigurableIOManager'] } });
    const settings = demo.files.get('settings.py')!;
    const env = settings.facts.assignments.get('STORAGE_ENV')!;
    expect(resolveString(demo, settings, env.value)).toBe('DAGSTER_STORAGE_PATH');
    expect(resolveName(demo, demo.files.get('resources.py')!, 'ConfigurableIOManager')).toEqual({ kind: 'external', module: 'dagster', name: 'ConfigurableIOManager' });
  });
});
