import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { upsertComposeBlocks, upsertComposeModules, type ComposeModuleBlocks } from '../../src/formats/compose-file.js';
import { upsertFlatBlock, upsertFlatBlocks } from '../../src/formats/flat-block.js';
import { upsertLoadFromBlock, upsertLoadFromBlocks } from '../../src/formats/workspace-yaml.js';
import { realEffects, type Effects } from '../../src/effects/effects.js';
import { addRegistryEntries, addRegistryEntry } from '../../src/workspace/registry-text.js';
import type { RegistryEntry } from '../../src/workspace/registry.js';
import { runInProcess } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';
import { fixture } from '../fixtures/workspace/helpers.js';

/**
 * `workspace sync` merges many modules in one pass (one parse and one write of each shared file). Its result
 * must be byte for byte what merging them one at a time gives, and the number of parses must not grow with
 * the number of modules: that is what keeps a 500-module sync linear. (Counts, not timings.)
 */
const yamlCalls = vi.hoisted(() => ({ parsesOfSharedCompose: 0 }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    parseDocument: (...args: Parameters<typeof yaml.parseDocument>) => {
      if (typeof args[0] === 'string' && args[0].includes('dagster_webserver:')) yamlCalls.parsesOfSharedCompose++;
      return yaml.parseDocument(...args);
    },
  };
});

const FILE = 'services/dagster/docker-compose.yml';
const postgres = (name: string): ComposeModuleBlocks => ({
  marker: name,
  servicesText: `${name}_postgres:\n  image: postgres:15\n  ports:\n    - "5499:5432"\n`,
  dependencies: [{ service: `${name}_postgres`, condition: 'service_healthy' }],
});
const noDatabase = (name: string): ComposeModuleBlocks => ({ marker: name, servicesText: '', dependencies: [] });

describe('merging many modules at once equals merging them one by one', () => {
  const modules = [postgres('alpha'), noDatabase('beta'), postgres('gamma'), { ...postgres('delta'), dependencies: [{ service: 'delta_postgres', condition: 'service_started' as const }] }];

  it('docker-compose.yml: the services and both depends_on blocks, also when depends_on must first be created', () => {
    const withDependsOn = fixture('service', 'docker-compose.yml');
    const withoutDependsOn = withDependsOn.replace(/\n    depends_on:\n(      .*\n)+/g, '\n');
    expect(withoutDependsOn).not.toBe(withDependsOn);
    for (const base of [withDependsOn, withoutDependsOn]) {
      const oneByOne = modules.reduce((text, m) => upsertComposeBlocks(text, m.marker, m.servicesText, m.dependencies, FILE), base);
      expect(upsertComposeModules(base, modules, FILE)).toBe(oneByOne);
      // And re-merging (replacing blocks in place) in one pass, too.
      const changed = modules.map((m) => ({ ...m, servicesText: m.servicesText.replace('postgres:15', 'postgres:16') }));
      expect(upsertComposeModules(oneByOne, changed, FILE)).toBe(changed.reduce((text, m) => upsertComposeBlocks(text, m.marker, m.servicesText, m.dependencies, FILE), oneByOne));
    }
  });

  it('.env and Dockerfile blocks, with or without a final newline', () => {
    const items = [{ marker: 'alpha', body: 'A=1\n' }, { marker: 'beta', body: 'B=2' }, { marker: 'gamma', body: '' }];
    for (const base of ['X=1\n', 'X=1', '', '# BEGIN: beta\nB=0\n# END: beta\n']) {
      expect(upsertFlatBlocks(base, items, '.env')).toBe(items.reduce((text, i) => upsertFlatBlock(text, i.marker, i.body, '.env'), base));
    }
  });

  it('workspace.yaml load_from blocks, from `load_from: []` and from a block list', () => {
    const items = ['alpha', 'beta'].map((name) => ({ marker: name, itemsText: `- python_package:\n    package_name: ${name}_dagster\n    location_name: ${name}\n` }));
    for (const base of ['load_from: []\n', 'load_from:\n  - python_file: x.py\n', '# no key yet\n']) {
      expect(upsertLoadFromBlocks(base, items, 'workspace.yaml')).toBe(items.reduce((text, i) => upsertLoadFromBlock(text, i.marker, i.itemsText, 'workspace.yaml'), base));
    }
  });

  it('.registry entries, in the one-line layout of the spec and in JSON.stringify layout', () => {
    const entry = (name: string): RegistryEntry => ({ name, path: `~/w/projects/${name}`, integrated_at: '2026-01-01T00:00:00Z', database: null, marker: name });
    const entries = [entry('a'), entry('b'), entry('c')];
    const bases = [undefined, '{"version": "1.0.0", "integrated_modules": []}\n', '{"version": "1.0.0", "integrated_modules": [{"name": "z", "marker": "z"}]}\n', addRegistryEntry(undefined, entry('z'), 'r')];
    for (const base of bases) {
      expect(addRegistryEntries(base, entries, '.registry')).toBe(entries.reduce<string | undefined>((text, e) => addRegistryEntry(text, e, '.registry'), base));
    }
  });
});

describe('workspace sync reads and parses the shared files a fixed number of times, however many modules', () => {
  async function syncCounting(modules: number): Promise<{ composeReads: number; composeParses: number }> {
    const workspace = testdir();
    expect((await runInProcess(['init', '--workspace', workspace, '--yes'])).code).toBe(0);
    for (let i = 0; i < modules; i++) {
      const db = ['postgresql', 'mysql', 'none'][i % 3]!;
      const made = await runInProcess(['new', `mod-${i}`, '--workspace', workspace, '--yes', '--db', db, '--governance', 'quick', '--requires', 'none', '--integrate', 'no', '--deploy', 'no'], {
        effects: { isPortInUse: async () => false },
      });
      expect(made.code, made.stderr).toBe(0);
    }
    const compose = join(workspace, 'services', 'dagster', 'docker-compose.yml');
    const real = realEffects(process.env);
    let composeReads = 0;
    const fs: Effects['fs'] = { ...real.fs, readFile: (path) => ((composeReads += path === compose ? 1 : 0), real.fs.readFile(path)) };
    yamlCalls.parsesOfSharedCompose = 0;
    const synced = await runInProcess(['workspace', 'sync', '--workspace', workspace, '--yes'], { effects: { fs, isPortInUse: async () => false } });
    expect(synced.code, synced.stderr).toBe(0);
    const registry = JSON.parse(readFileSync(join(workspace, 'services', 'dagster', '.registry'), 'utf8')) as { integrated_modules: Array<{ name: string }> };
    expect(registry.integrated_modules.map((e) => e.name).sort()).toEqual(Array.from({ length: modules }, (_, i) => `mod-${i}`).sort());
    return { composeReads, composeParses: yamlCalls.parsesOfSharedCompose };
  }

  it('3 modules and 9 modules: the same number of reads of docker-compose.yml, and the same number of parses', async () => {
    const small = await syncCounting(3);
    const large = await syncCounting(9);
    expect(small.composeReads).toBeGreaterThan(0);
    expect(large.composeReads).toBe(small.composeReads);
    // Not more (it can be one fewer: the second workspace's untouched file may still be in the parse cache).
    expect(large.composeParses).toBeLessThanOrEqual(small.composeParses);
  });
});
