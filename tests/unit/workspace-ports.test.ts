import { describe, expect, it } from 'vitest';
import { DATABASES, databaseServiceName } from '../../src/catalog/databases.js';
import { replacePortMentions } from '../../src/workspace/ports/port-mentions.js';
import { choosePublishedPort, collectPortClaims } from '../../src/workspace/ports/port-assignment.js';
import { readPublishedPort } from '../../src/workspace/ports/published-ports.js';
import { findVariableRefs, interpolate } from '../../src/formats/interpolation.js';

describe('published ports', () => {
  const env = new Map([['P', '5438']]);
  it('reads short and long syntax with interpolation', () => {
    expect(readPublishedPort('${P}:5432', env).hostPort).toBe(5438);
    expect(readPublishedPort('127.0.0.1:${Q:-5440}:5432/tcp', env).hostPort).toBe(5440);
    expect(readPublishedPort({ published: '${P}', target: 5432 }, env).hostPort).toBe(5438);
    expect(readPublishedPort('5432', env).hostPort).toBeUndefined();
  });

  it('interpolates like compose and lists variables with or without defaults', () => {
    expect(interpolate('a${X:-d}b$$c${Y}', new Map([['Y', 'y']]))).toBe('adb$cy');
    expect(findVariableRefs('${A} ${B:-x} $$C $D ${E:?need it}').map((r) => [r.name, r.hasDefault])).toEqual([
      ['A', false],
      ['B', true],
      ['D', false],
      ['E', false],
    ]);
  });

  it('keeps a free port, moves a claimed or busy one to the next free in the range', async () => {
    const kind = DATABASES.postgresql;
    const claims = collectPortClaims({
      registry: { version: '1.0.0', integrated_modules: [{ name: 'a', path: '', integrated_at: '', marker: 'a', database: { type: 'postgresql', service: 'a_postgres', port: 5438 } }] },
      marker: 'b',
      envOutsideBlock: new Map([['X_DB_HOST_PORT', { value: '5439' }], ['NOT_A_NUMBER_PORT', { value: 'abc' }]]),
      otherServices: { web: { ports: ['3000:3000'] } },
      env: new Map(),
    });
    expect(claims.map((c) => c.port).sort()).toEqual([3000, 5438, 5439]);
    const free = async () => false;
    expect(await choosePublishedPort({ wanted: 5441, kind, claims, isPortInUse: free })).toEqual({ port: 5441 });
    const moved = await choosePublishedPort({ wanted: 5438, kind, claims, isPortInUse: async (p) => p === 5440 });
    expect(moved.port).toBe(5441);
    expect(moved.reason).toMatch(/5438 is already used by module "a"/);
    // The module's own current port is not "in use" against itself when re-merging.
    expect(await choosePublishedPort({ wanted: 5450, kind, claims, isPortInUse: async () => true, ownPort: 5450 })).toEqual({ port: 5450 });
  });
});

describe('port mentions in a module file', () => {
  it('replaces the port on lines that speak of a port, and only whole numbers', () => {
    const text = 'X_DB_PORT=5438\nPublished on host port 5438 (not 15438 or 54381).\nRows: 5438\n';
    expect(replacePortMentions(text, 5438, 5440)).toBe('X_DB_PORT=5440\nPublished on host port 5440 (not 15438 or 54381).\nRows: 5438\n');
    expect(replacePortMentions('no mention\n', 5438, 5440)).toBe('no mention\n');
    expect(replacePortMentions('published on 127.0.0.1:5438), or localhost:5438; 10.0.0.1:5438 is not ours\n', 5438, 5440)).toBe(
      'published on 127.0.0.1:5440), or localhost:5440; 10.0.0.1:5438 is not ours\n',
    );
  });
});

describe('database service names', () => {
  it('keep short names as they are and give long ones a distinct, DNS-sized name', () => {
    expect(databaseServiceName('sales_data', DATABASES.postgresql)).toBe('sales_data_postgres');
    const stem = 'customer_analytics_for_the_north_european_retail_region';
    for (const kind of Object.values(DATABASES)) {
      const names = ['orders', 'events'].map((tail) => databaseServiceName(`${stem}_${tail}`, kind));
      expect(names[0]).not.toBe(names[1]);
      for (const name of names) expect(name).toMatch(new RegExp(`^[a-z0-9_]{1,63}$`));
      expect(names[0]?.endsWith(`_${kind.serviceSuffix}`)).toBe(true);
    }
  });
});
