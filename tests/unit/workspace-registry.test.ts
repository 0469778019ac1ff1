import { describe, expect, it } from 'vitest';
import { addRegistryEntry, readRegistryText, removeRegistryEntry, replaceRegistryEntry } from '../../src/workspace/registry-text.js';
import { emptyRegistry, serializeRegistry, type RegistryEntry } from '../../src/workspace/registry.js';

const entry = (name: string, port = 5438): RegistryEntry => ({
  name,
  path: `~/workspace/projects/${name}`,
  integrated_at: '2026-11-22T12:00:00Z',
  database: { type: 'postgresql', service: `${name.replace(/-/g, '_')}_postgres`, port },
  marker: name.replace(/-/g, '_'),
  fingerprint: 'sha256:00',
});

describe('.registry edited as text', () => {
  it("canonical layout: add gives JSON.stringify's layout, remove gives back the bytes", () => {
    const original = serializeRegistry(emptyRegistry());
    const one = addRegistryEntry(original, entry('seo-stats'), '.registry');
    expect(one).toBe(serializeRegistry({ version: '1.0.0', integrated_modules: [entry('seo-stats')] }));
    const two = addRegistryEntry(one, entry('web-logs', 5439), '.registry');
    expect(two).toBe(serializeRegistry({ version: '1.0.0', integrated_modules: [entry('seo-stats'), entry('web-logs', 5439)] }));
    expect(removeRegistryEntry(two, 'web-logs', '.registry')).toBe(one);
    expect(removeRegistryEntry(removeRegistryEntry(two, 'seo-stats', '.registry'), 'web-logs', '.registry')).toBe(original);
  });

  it("the spec's one-line layout also round-trips", () => {
    const original = '{"version": "1.0.0", "integrated_modules": []}\n';
    const added = addRegistryEntry(original, entry('seo-stats'), '.registry');
    expect(readRegistryText(added, '.registry').integrated_modules).toEqual([entry('seo-stats')]);
    expect(removeRegistryEntry(added, 'seo-stats', '.registry')).toBe(original);
  });

  it('replaces an entry in place and reports a broken file with its line', () => {
    const one = addRegistryEntry(serializeRegistry(emptyRegistry()), entry('seo-stats'), '.registry');
    const replaced = replaceRegistryEntry(one, { ...entry('seo-stats', 5440) }, '.registry');
    expect(readRegistryText(replaced, '.registry').integrated_modules[0]?.database?.port).toBe(5440);
    expect(() => readRegistryText('{\n  "version": "1.0.0",\n  "integrated_modules": [\n', '.registry')).toThrow(/^\.registry:\d+: /);
    expect(addRegistryEntry(undefined, entry('a'), '.registry')).toBe(serializeRegistry({ version: '1.0.0', integrated_modules: [entry('a')] }));
  });
});
