import type { DatabaseKind } from '../../catalog/databases.js';
import { operationError } from '../../errors.js';
import { readEnvValues } from '../../formats/dotenv.js';

/** The value of every `...PORT=<number>` key in .env text. */
export function readPorts(envText: string): number[] {
  return Object.entries(readEnvValues(envText))
    .filter(([key, value]) => key.endsWith('PORT') && /^\d+$/.test(value))
    .map(([, value]) => Number(value));
}

/**
 * The spec's rule: one above the highest port of this kind already assigned (first port of the kind if none),
 * then onwards past any port something on this host listens on.
 */
export async function nextFreePort(kind: DatabaseKind, assigned: number[], isInUse: (port: number) => Promise<boolean>): Promise<number> {
  const ofKind = assigned.filter((port) => port >= kind.firstHostPort && port <= kind.lastHostPort);
  const taken = new Set(assigned);
  let port = ofKind.length > 0 ? Math.max(...ofKind) + 1 : kind.firstHostPort;
  for (; port <= kind.lastHostPort; port++) {
    if (!taken.has(port) && !(await isInUse(port))) return port;
  }
  throw operationError(
    `No free ${kind.label} host port left in ${kind.firstHostPort}-${kind.lastHostPort}.`,
    'Remove unused modules from the workspace, or free a port in that range.',
  );
}
