import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readCodeLocations, readModuleLoadFrom, removeLoadFromBlock, upsertLoadFromBlock } from '../../src/formats/workspace-yaml.js';
import { fixture, outsideBlocks } from '../fixtures/workspace/helpers.js';

const serviceYaml = fixture('service', 'workspace.yaml');
const moduleYaml = fixture('projects', 'sales-data', 'workspace', 'local', 'workspace.yaml');
const FILE = 'services/dagster/workspace.yaml';

describe('workspace.yaml load_from', () => {
  const { itemsText, locations } = readModuleLoadFrom(moduleYaml, 'projects/sales-data/workspace/local/workspace.yaml');

  it('reads the module entry without its header comment', () => {
    expect(itemsText.startsWith('- python_package:\n')).toBe(true);
    expect(itemsText).not.toContain('# Entry for');
    expect(locations).toEqual([expect.objectContaining({ kind: 'python_package', locationName: 'sales_data', packageName: 'sales_data_dagster' })]);
  });

  it('turns `load_from: []` into a block list and back, byte for byte', () => {
    const added = upsertLoadFromBlock(serviceYaml, 'sales_data', itemsText, FILE);
    expect(added).toContain('load_from:\n  # BEGIN: sales_data\n  - python_package:\n      package_name: sales_data_dagster\n');
    expect(parseDocument(added).toJS().load_from).toEqual([
      { python_package: { package_name: 'sales_data_dagster', working_directory: '/workspace/projects/sales-data/src', location_name: 'sales_data' } },
    ]);
    expect(removeLoadFromBlock(added, 'sales_data', FILE)).toBe(serviceYaml);
  });

  it('keeps `[]  # comment` and a missing final newline through add and remove', () => {
    const original = fixture('engine', 'workspace-flow-no-newline.yaml');
    const added = upsertLoadFromBlock(original, 'sales_data', itemsText, FILE);
    expect(added.startsWith('load_from:  # nothing yet\n  # BEGIN: sales_data\n')).toBe(true);
    expect(added.endsWith('# END: sales_data')).toBe(true);
    expect(removeLoadFromBlock(added, 'sales_data', FILE)).toBe(original);
  });

  it("appends after the user's entries and the comments that belong to the list", () => {
    const original = fixture('engine', 'workspace-user-entries.yaml');
    const added = upsertLoadFromBlock(original, 'sales_data', itemsText, FILE);
    expect(outsideBlocks(added)).toBe(original);
    expect(added).toContain('  # more to come\n  # BEGIN: sales_data\n');
    expect(added.endsWith('  # END: sales_data\n# end of list\n')).toBe(true);
    expect(readCodeLocations(added, FILE).map((l) => l.locationName)).toEqual(['scratch', 'sales_data']);
    expect(removeLoadFromBlock(added, 'sales_data', FILE)).toBe(original);
  });

  it('several modules: removing them in any order restores the original', () => {
    const other = itemsText.replaceAll('sales_data', 'web_logs').replaceAll('sales-data', 'web-logs');
    const both = upsertLoadFromBlock(upsertLoadFromBlock(serviceYaml, 'sales_data', itemsText, FILE), 'web_logs', other, FILE);
    expect(readCodeLocations(both, FILE).map((l) => l.locationName)).toEqual(['sales_data', 'web_logs']);
    const first = removeLoadFromBlock(both, 'sales_data', FILE);
    expect(readCodeLocations(first, FILE).map((l) => l.locationName)).toEqual(['web_logs']);
    expect(removeLoadFromBlock(first, 'web_logs', FILE)).toBe(serviceYaml);
  });

  it('replaces an existing block in place instead of adding a second copy', () => {
    const added = upsertLoadFromBlock(serviceYaml, 'sales_data', itemsText, FILE);
    const again = upsertLoadFromBlock(added, 'sales_data', itemsText.replace('location_name: sales_data', 'location_name: sales'), FILE);
    expect(again.match(/# BEGIN: sales_data/g)).toHaveLength(1);
    expect(readCodeLocations(again, FILE)[0]?.locationName).toBe('sales');
  });

  it('refuses invalid YAML naming file and line', () => {
    const broken = 'load_from:\n  - python_package: {package_name: x\n';
    expect(() => upsertLoadFromBlock(broken, 'sales_data', itemsText, FILE)).toThrow(/^services\/dagster\/workspace\.yaml:3: invalid YAML: Flow map/);
    expect(() => upsertLoadFromBlock('load_from: []\nload_from: []\n', 'sales_data', itemsText, FILE)).toThrow(/^services\/dagster\/workspace\.yaml:2: invalid YAML: Map keys must be unique/);
    expect(() => removeLoadFromBlock(broken, 'sales_data', FILE)).toThrow(/workspace\.yaml:\d+: invalid YAML/);
  });

  it('refuses a flow list with entries, with a fix', () => {
    expect(() => upsertLoadFromBlock('load_from: [{python_file: a.py}]\n', 'm', itemsText, FILE)).toThrow(/flow list/);
  });
});
