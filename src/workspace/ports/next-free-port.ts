import type { DatabaseKind } from '../../catalog/databases.js';
import { operationError } from '../../errors.js';

const PORT_LINE = /^[A-Za-z_][A-Za-z0-9_]*PORT=["']?(\d+)["']?\s*(?:#.*)?$/;

/** Every value of a `...PORT=<number>` line in .env text. */
export function readPorts(envText: string): number[] {
  return envText
    .split('\n')
    .map((line) => PORT_LINE.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]));
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
