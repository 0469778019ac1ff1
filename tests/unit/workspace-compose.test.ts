import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { locateComposeBlocks, readModuleCompose, removeComposeBlocks, upsertComposeBlocks, type Dependency } from '../../src/formats/compose-file.js';
import { fixture, outsideBlocks } from '../fixtures/workspace/helpers.js';

const FILE = 'services/dagster/docker-compose.yml';
const moduleCompose = readModuleCompose(fixture('projects', 'sales-data', 'workspace', 'local', 'docker-compose.yml'), 'projects/sales-data/workspace/local/docker-compose.yml');
const healthy: Dependency[] = [{ service: 'sales_data_postgres', condition: 'service_healthy' }];

type Compose = { services: Record<string, { depends_on?: Record<string, { condition: string }> | string[] }> };
const servicesOf = (text: string) => (parseDocument(text).toJS() as Compose).services;

describe('docker-compose.yml merge', () => {
  it("reads only the module's services, as written", () => {
    expect(moduleCompose.services.map((s) => s.name)).toEqual(['sales_data_postgres']);
    expect(moduleCompose.services[0]).toMatchObject({ image: 'postgres:15', hasHealthcheck: true, networks: ['dagster_network'] });
    expect(moduleCompose.servicesText.startsWith('sales_data_postgres:\n  image: postgres:15\n')).toBe(true);
    expect(moduleCompose.servicesText).toContain('- "${SALES_DATA_DB_HOST_PORT}:5432"');
    expect(moduleCompose.servicesText).not.toContain('networks:\n  dagster_network:\n    name');
    expect(readModuleCompose('services: {}\n', 'f')).toEqual({ servicesText: '', services: [] });
  });

  it('adds the services and a depends_on entry (service_healthy) to both Dagster services; remove restores the bytes', () => {
    const original = fixture('service', 'docker-compose.yml');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    const services = servicesOf(added);
    expect(Object.keys(services)).toContain('sales_data_postgres');
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      expect(services[name]?.depends_on).toEqual({ dagster_postgresql: { condition: 'service_healthy' }, sales_data_postgres: { condition: 'service_healthy' } });
    }
    expect(outsideBlocks(added)).toBe(original);
    expect(locateComposeBlocks(added, FILE).map((b) => [b.region, b.service ?? ''])).toEqual([
      ['depends_on', 'dagster_webserver'],
      ['depends_on', 'dagster_daemon'],
      ['services', ''],
    ]);
    expect(removeComposeBlocks(added, 'sales_data', FILE)).toBe(original);
  });

  it("keeps the user's comments, odd spacing and own services byte for byte", () => {
    const original = fixture('engine', 'compose-user-edited.yml');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    expect(outsideBlocks(added)).toBe(original);
    const services = servicesOf(added);
    expect(Object.keys(services)).toEqual(['dagster_postgresql', 'dagster_webserver', 'redis', 'dagster_daemon', 'sales_data_postgres']);
    expect(services.dagster_webserver?.depends_on).toMatchObject({ redis: { condition: 'service_started' }, sales_data_postgres: { condition: 'service_healthy' } });
    // The module's service goes after the daemon's trailing comment and last key, not inside it.
    expect(added).toContain('    # keep the daemon up\n    restart: unless-stopped\n  # BEGIN: sales_data\n  sales_data_postgres:\n');
    expect(removeComposeBlocks(added, 'sales_data', FILE)).toBe(original);
  });

  it('two modules removed in either order restore the original', () => {
    const original = fixture('service', 'docker-compose.yml');
    const other = moduleCompose.servicesText.replaceAll('sales_data', 'web_logs').replaceAll('SALES_DATA', 'WEB_LOGS');
    const otherDeps: Dependency[] = [{ service: 'web_logs_postgres', condition: 'service_healthy' }];
    const both = upsertComposeBlocks(upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE), 'web_logs', other, otherDeps, FILE);
    expect(Object.keys(servicesOf(both).dagster_daemon?.depends_on ?? {})).toEqual(['dagster_postgresql', 'sales_data_postgres', 'web_logs_postgres']);
    expect(removeComposeBlocks(removeComposeBlocks(both, 'sales_data', FILE), 'web_logs', FILE)).toBe(original);
    expect(removeComposeBlocks(removeComposeBlocks(both, 'web_logs', FILE), 'sales_data', FILE)).toBe(original);
  });

  it('creates depends_on when a Dagster service has none, and deletes it again on remove', () => {
    const original = fixture('engine', 'compose-no-depends.yml');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    expect(servicesOf(added).dagster_webserver?.depends_on).toEqual({ sales_data_postgres: { condition: 'service_healthy' } });
    expect(added).toContain('    ports:\n      - "3000:3000"\n    depends_on:\n      # BEGIN: sales_data\n');
    expect(removeComposeBlocks(added, 'sales_data', FILE)).toBe(original);
  });

  it('converts a depends_on list (block or flow) to the equivalent mapping, only because a condition is needed', () => {
    const original = fixture('engine', 'compose-depends-list.yml');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    const services = servicesOf(added);
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      expect(services[name]?.depends_on).toEqual({ dagster_postgresql: { condition: 'service_started' }, sales_data_postgres: { condition: 'service_healthy' } });
    }
    // Removing leaves the mapping form (same meaning as the list); a module without a database converts nothing.
    const removed = removeComposeBlocks(added, 'sales_data', FILE);
    expect(servicesOf(removed).dagster_webserver?.depends_on).toEqual({ dagster_postgresql: { condition: 'service_started' } });
    const noDb = upsertComposeBlocks(original, 'notes', '', [], FILE);
    expect(outsideBlocks(noDb)).toBe(original);
    expect(removeComposeBlocks(noDb, 'notes', FILE)).toBe(original);
  });

  it('a module without services gets an empty services block and no depends_on', () => {
    const original = fixture('service', 'docker-compose.yml');
    const added = upsertComposeBlocks(original, 'notes', '', [], FILE);
    expect(added).toContain('  # BEGIN: notes\n  # END: notes\n');
    expect(added.match(/# BEGIN: notes/g)).toHaveLength(1);
    expect(removeComposeBlocks(added, 'notes', FILE)).toBe(original);
  });

  it('re-merge replaces in place; a database dropped from the module drops its depends_on blocks', () => {
    const original = fixture('service', 'docker-compose.yml');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    const again = upsertComposeBlocks(added, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    expect(again).toBe(added);
    const withoutDb = upsertComposeBlocks(added, 'sales_data', '', [], FILE);
    expect(withoutDb.match(/# BEGIN: sales_data/g)).toHaveLength(1);
    expect(servicesOf(withoutDb).dagster_daemon?.depends_on).toEqual({ dagster_postgresql: { condition: 'service_healthy' } });
  });

  it('corrupt files: invalid YAML and half blocks name file and line', () => {
    const original = fixture('service', 'docker-compose.yml');
    const badYaml = original.replace('    image: postgres:15\n', '    image: postgres:15\n   bad indent: [\n');
    expect(() => upsertComposeBlocks(badYaml, 'sales_data', moduleCompose.servicesText, healthy, FILE)).toThrow(/^services\/dagster\/docker-compose\.yml:\d+: invalid YAML/);
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    const half = added.replace('      # END: sales_data\n', '');
    const line = half.split('\n').findIndex((l) => l.trim() === '# BEGIN: sales_data') + 1;
    expect(() => removeComposeBlocks(half, 'sales_data', FILE)).toThrow(new RegExp(`^services/dagster/docker-compose\\.yml:${line}: "# BEGIN: sales_data" has no "# END: sales_data"`));
  });

  it('converting a depends_on list keeps its comments: the lines between items and a comment after an item', () => {
    const original = fixture('engine', 'compose-depends-list.yml').replace(
      '    depends_on:\n      - dagster_postgresql\n',
      '    depends_on:\n      # metadata first\n      - dagster_postgresql  # runs and schedules\n      # the cache\n      - redis\n',
    ).replace('  dagster_webserver:', '  redis:\n    image: redis\n  dagster_webserver:');
    const added = upsertComposeBlocks(original, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    expect(added).toContain(
      '    depends_on:\n      # metadata first\n      dagster_postgresql:  # runs and schedules\n        condition: service_started\n      # the cache\n      redis:\n        condition: service_started\n      # BEGIN: sales_data\n',
    );
    expect(servicesOf(added).dagster_webserver?.depends_on).toEqual({
      dagster_postgresql: { condition: 'service_started' },
      redis: { condition: 'service_started' },
      sales_data_postgres: { condition: 'service_healthy' },
    });
  });

  it('a hand-edited depends_on that already names the module database: add takes it into the block, remove takes it out', () => {
    const merged = upsertComposeBlocks(fixture('service', 'docker-compose.yml'), 'sales_data', moduleCompose.servicesText, healthy, FILE);
    // The user rewrites both Dagster services' depends_on by hand: a list in one, a mapping entry outside the block in the other.
    const handEdited = merged
      .replace(/( {2}dagster_webserver:[\s\S]*?)depends_on:\n[\s\S]*?(?=\n {4}restart:)/, '$1depends_on:\n      - dagster_postgresql\n      - sales_data_postgres')
      .replace(/( {2}dagster_daemon:[\s\S]*?)depends_on:\n[\s\S]*?(?=\n {4}restart:)/, '$1depends_on:\n      dagster_postgresql:\n        condition: service_healthy\n      sales_data_postgres:\n        condition: service_started');
    expect(servicesOf(handEdited).dagster_webserver?.depends_on).toEqual(['dagster_postgresql', 'sales_data_postgres']);
    const removed = removeComposeBlocks(handEdited, 'sales_data', FILE);
    expect(servicesOf(removed).sales_data_postgres).toBeUndefined();
    expect(servicesOf(removed).dagster_webserver?.depends_on).toEqual(['dagster_postgresql']);
    expect(servicesOf(removed).dagster_daemon?.depends_on).toEqual({ dagster_postgresql: { condition: 'service_healthy' } });
    const readded = upsertComposeBlocks(handEdited, 'sales_data', moduleCompose.servicesText, healthy, FILE);
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      expect(servicesOf(readded)[name]?.depends_on).toMatchObject({ sales_data_postgres: { condition: 'service_healthy' } });
    }
  });

  it('refuses to add depends_on to a Dagster service that is missing, naming it', () => {
    expect(() => upsertComposeBlocks('services:\n  dagster_webserver:\n    image: x\n', 'm', moduleCompose.servicesText, healthy, FILE)).toThrow(/no service "dagster_daemon"/);
  });
});
