import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chromium } from 'playwright-core';
import { expectOk, runBinary } from '../helpers/cli.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { testdir } from '../helpers/tree.js';
import { readEnvValues } from '../../src/formats/dotenv.js';
import {
  composeSchemaErrors,
  dockerComposeConfig,
  freePort,
  REPO_ROOT,
  startDev,
  waitForLocations,
  waitForServer,
  type DevProcess,
  type Location,
} from '../fixtures/service/support.js';

/**
 * Issue 3 §6, first two bullets, end to end with the real binary: init; new three modules (postgresql,
 * mysql, none; their assets share names); add all three; validate; the merged compose file against the
 * compose schema and Debian's docker-compose; then the merged workspace in real Dagster through `dmb dev`,
 * over GraphQL and in a headless Chromium on the asset catalogue.
 */
const MODULES = [
  { slug: 'sales-data', snake: 'sales_data', db: 'postgresql', service: 'sales_data_postgres' },
  { slug: 'shop-logs', snake: 'shop_logs', db: 'mysql', service: 'shop_logs_mysql' },
  { slug: 'web-stats', snake: 'web_stats', db: 'none', service: undefined },
] as const;
const DAGSTER_SERVICES = ['dagster_webserver', 'dagster_daemon'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];


describe('full flow: init, new ×3, add ×3, validate, compose config, dmb dev, asset catalogue', () => {
  const workspace = testdir();
  const service = join(workspace, 'services', 'dagster');
  let dev: DevProcess | undefined;
  afterAll(async () => {
    await dev?.stop('SIGTERM');
  });

  it('builds the workspace with the real commands', () => {
    expectOk(['init', '--workspace', workspace]);
    for (const m of MODULES) {
      expectOk(['new', m.slug, '--workspace', workspace, '--db', m.db, '--requires', 'none', '--governance', 'standard', '--integrate', 'no', '--deploy', 'no']);
    }
    // A module without a database has no variables of its own yet: give it one, as its author would.
    appendFileSync(join(workspace, 'projects', 'web-stats', 'workspace', 'local', '.env'), 'WEB_STATS_API_URL=https://stats.example.invalid/v1\n');
    for (const m of MODULES) expectOk(['workspace', 'add', m.slug, '--workspace', workspace, '--yes']);
    const registry = JSON.parse(readFileSync(join(service, '.registry'), 'utf8'));
    expect(registry.integrated_modules.map((e: { name: string }) => e.name)).toEqual(MODULES.map((m) => m.slug));
  });

  it('passes dmb workspace validate', () => {
    const result = runBinary(['workspace', 'validate', '--workspace', workspace]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('merged docker-compose.yml conforms to the compose schema and to docker-compose 1.29 with the workspace .env', () => {
    expect(composeSchemaErrors(readFileSync(join(service, 'docker-compose.yml'), 'utf8'))).toEqual([]);
    const quiet = dockerComposeConfig(service, true);
    expect(quiet.code, quiet.stderr).toBe(0);
  });

  it('rendered config: every DB service in depends_on of both Dagster services, every module variable in their environment', () => {
    const rendered = dockerComposeConfig(service);
    expect(rendered.code, rendered.stderr).toBe(0);
    const config = parse(rendered.stdout);
    const workspaceEnv = readEnvValues(readFileSync(join(service, '.env'), 'utf8'));
    for (const m of MODULES) {
      const moduleEnv = readEnvValues(readFileSync(join(workspace, 'projects', m.slug, 'workspace', 'local', '.env'), 'utf8'));
      const keys = Object.keys(moduleEnv);
      expect(keys.length, m.slug).toBeGreaterThanOrEqual(m.service ? 6 : 1);
      expect(keys.every((key) => key.startsWith(`${m.snake.toUpperCase()}_`)), keys.join(',')).toBe(true);
      for (const name of DAGSTER_SERVICES) {
        const environment = config.services[name].environment as Record<string, string>;
        for (const key of keys) expect(environment[key], `${name}: ${key}`).toBe(workspaceEnv[key]);
        if (m.service) expect(config.services[name].depends_on[m.service], `${name} -> ${m.service}`).toEqual({ condition: 'service_healthy' });
      }
      if (m.service) {
        const db = config.services[m.service];
        expect(db, m.service).toBeDefined();
        expect(db.networks).toHaveProperty('dagster_network');
        expect(db.healthcheck).toBeDefined();
      }
    }
    for (const name of DAGSTER_SERVICES) expect(config.services[name].depends_on.dagster_postgresql).toEqual({ condition: 'service_healthy' });
    expect(config.networks.dagster_network.name).toBe('workspace-net');
  });

  it('dmb dev loads every module in real Dagster: each location LOADED, each module\'s assets under its own prefix', async () => {
    const port = await freePort();
    dev = startDev(['--workspace', workspace, '--port', String(port)]);
    await waitForServer(port, dev);
    const locations = await waitForLocations(port, MODULES.length);
    expect(locations.map((l) => [l.name, l.loadStatus, l.error]).sort(), dev.output().slice(-4000)).toEqual(
      MODULES.map((m) => [m.snake, 'LOADED', undefined]),
    );
    const leafNames = new Map<string, string[]>();
    for (const m of MODULES) {
      const location = locations.find((l) => l.name === m.snake) as Location;
      expect(location.assets.length, m.snake).toBeGreaterThan(0);
      for (const asset of location.assets) {
        expect(asset.path[0], asset.path.join('/')).toBe(m.snake);
        expect(asset.path.length).toBeGreaterThan(1);
      }
      leafNames.set(m.snake, location.assets.map((a) => a.path.slice(1).join('/')));
    }
    // The same asset names live side by side under different prefixes (namespace isolation).
    const [a, b] = [leafNames.get('sales_data')!, leafNames.get('web_stats')!];
    expect(a.filter((name) => b.includes(name)).length).toBeGreaterThan(0);

    // The asset catalogue, as a user sees it, in Debian's Chromium.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`http://127.0.0.1:${port}/assets`, { waitUntil: 'domcontentloaded' });
      const expected = locations.flatMap((l) => l.assets.map((asset) => asset.path.join(' / ')));
      await page.getByText(expected[0]!, { exact: true }).first().waitFor({ timeout: PATIENCE_MS });
      const text = await page.innerText('body');
      for (const label of expected) expect(text, label).toContain(label);
      // For the screenshot: let every status finish loading, and dismiss the first-visit newsletter dialog.
      await page.getByText('Never materialized').nth(expected.length - 1).waitFor({ timeout: 30_000 }).catch(() => undefined);
      const skip = page.getByRole('button', { name: 'Skip' });
      await skip.waitFor({ timeout: 10_000 }).then(() => skip.click(), () => undefined);
      mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'asset-catalog.png'), fullPage: true });
    } finally {
      await browser.close();
    }

    expect(await dev.stop('SIGTERM')).toBe(0);
  });
});
