import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import type { DatabaseKind } from '../../catalog/databases.js';
import { operationError } from '../../errors.js';
import { setEnvValue } from '../../formats/env-file.js';
import type { ModuleConfig } from '../module-config.js';
import { listPublishedPorts } from './published-ports.js';
import type { Registry } from '../registry.js';
import { findPair } from '../../formats/yaml-text.js';

/** A host port something in the workspace already publishes, and who. */
export interface PortClaim {
  port: number;
  by: string;
}

/**
 * Ports the module must not publish: other modules' registered ports, every *PORT= value in the workspace
 * .env outside the module's own block, and ports other services in docker-compose.yml publish.
 */
export function collectPortClaims(input: {
  registry: Registry;
  marker: string;
  envOutsideBlock: Map<string, { value: string }>;
  otherServices: Record<string, unknown>;
  env: ReadonlyMap<string, string>;
}): PortClaim[] {
  const claims: PortClaim[] = [];
  for (const entry of input.registry.integrated_modules) {
    if (entry.marker !== input.marker && entry.database) claims.push({ port: entry.database.port, by: `module "${entry.name}"` });
  }
  for (const [key, { value }] of input.envOutsideBlock) {
    if (/PORT$/.test(key) && /^\d{1,5}$/.test(value)) claims.push({ port: Number(value), by: `${key} in services/dagster/.env` });
  }
  for (const { service, port } of listPublishedPorts(input.otherServices, input.env)) {
    if (port.hostPort !== undefined) claims.push({ port: port.hostPort, by: `service "${service}" in docker-compose.yml` });
  }
  return claims;
}

export interface PortChoice {
  port: number;
  /** Why the wanted port could not be kept; absent when it was. */
  reason?: string;
}

/**
 * Keeps the module's port when it is free; otherwise takes the next free one in the database kind's
 * range (wrapping round), skipping claimed ports and ports something on this host listens on.
 * `ownPort` is the port the module already had when re-merging: its own container may be listening on it.
 */
export async function choosePublishedPort(input: {
  wanted: number;
  kind: DatabaseKind;
  claims: PortClaim[];
  isPortInUse: (port: number) => Promise<boolean>;
  ownPort?: number;
}): Promise<PortChoice> {
  // The first claim names the port's owner best (a module, before the .env line and the compose service).
  const claimed = new Map<number, string>();
  for (const claim of input.claims) if (!claimed.has(claim.port)) claimed.set(claim.port, claim.by);
  const blocker = async (port: number): Promise<string | undefined> => {
    const by = claimed.get(port);
    if (by) return `already used by ${by}`;
    if (port !== input.ownPort && (await input.isPortInUse(port))) return 'in use on this host';
    return undefined;
  };
  const reason = await blocker(input.wanted);
  if (!reason) return { port: input.wanted };
  const { firstHostPort: first, lastHostPort: last } = input.kind;
  const start = input.wanted >= first && input.wanted <= last ? input.wanted + 1 : first;
  const candidates = [...range(start, last), ...range(first, start - 1)];
  for (const port of candidates) {
    if (!(await blocker(port))) return { port, reason: `${input.wanted} is ${reason}` };
  }
  throw operationError(
    `No free ${input.kind.label} host port in ${first}-${last} for the module's database (${input.wanted} is ${reason}).`,
    'Remove modules you no longer need ("dmb workspace remove"), or free a port on this host.',
  );
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let port = from; port <= to; port++) out.push(port);
  return out;
}

/**
 * The module's own files with the published port moved: the .env variable when the compose file
 * uses one (`"${X_DB_HOST_PORT}:5432"`), else the literal number in the service's first ports entry.
 */
export function movePublishedPort(config: ModuleConfig, port: number): { env?: string; compose?: string } {
  const database = config.database;
  if (!database) return {};
  if (database.portVariable && config.env) return { env: setEnvValue(config.env.text, database.portVariable, String(port)) };
  if (!config.compose) return {};
  const text = config.compose.text;
  const doc = parseDocument(text);
  const service = findPair(findPair(doc.contents, 'services')?.value, database.service.name)?.value;
  const ports = findPair(service, 'ports')?.value;
  if (!isMap(service) || !isSeq(ports)) return {};
  const first = ports.items[0] as Node | undefined;
  let [start, end] = first?.range ?? [0, 0];
  if (isMap(first)) {
    const published = findPair(first, 'published')?.value;
    [start, end] = published?.range ?? [start, end];
  }
  const old = new RegExp(`(?<!\\d)${database.hostPort}(?!\\d)`);
  const edited = text.slice(start, end).replace(old, String(port));
  return { compose: text.slice(0, start) + edited + text.slice(end) };
}
