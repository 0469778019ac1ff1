import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { DATABASES } from '../../src/catalog/databases.js';
import { nextFreePort, readPorts } from '../../src/workspace/ports/next-free-port.js';
import { generatePassword } from '../../src/secrets/generate-secret.js';
import { isPortInUse } from '../../src/effects/effects.js';

const never = async () => false;

describe('ports', () => {
  it('reads PORT= lines, ignoring comments and other keys', () => {
    expect(readPorts('A_DB_PORT=5432\n# X_PORT=9999\nB_DB_HOST_PORT="5439"\nNAME=x\nC_PORT=3307 # mysql\n')).toEqual([5432, 5439, 3307]);
  });

  it('starts each kind at its first port and goes one above the highest of that kind', async () => {
    expect(await nextFreePort(DATABASES.postgresql, [5432], never)).toBe(5438);
    expect(await nextFreePort(DATABASES.postgresql, [5432, 5438, 5440, 3307], never)).toBe(5441);
    expect(await nextFreePort(DATABASES.mysql, [5438, 3306], never)).toBe(3307);
    expect(await nextFreePort(DATABASES.mysql, [3307, 3308], never)).toBe(3309);
  });

  it('skips a port something on this host listens on (a real socket)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const busy = (server.address() as { port: number }).port;
    try {
      expect(await isPortInUse(busy)).toBe(true);
      const kind = { ...DATABASES.postgresql, firstHostPort: busy, lastHostPort: busy + 50 };
      const port = await nextFreePort(kind, [], isPortInUse);
      expect(port).toBeGreaterThan(busy);
    } finally {
      server.close();
    }
  });
});

describe('generatePassword', () => {
  it('gives 32+ letters and digits only, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const password = generatePassword(randomBytes);
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      seen.add(password);
    }
    expect(seen.size).toBe(50);
  });
});
