import { interpolate } from '../../formats/interpolation.js';

/** One `ports:` entry of a compose service, with the host side resolved. */
export interface PublishedPort {
  /** The entry as written (short syntax) or `published` (long syntax). */
  raw: string;
  /** The host port after interpolation, when it is a single number. */
  hostPort?: number;
  /** The host part before interpolation (`${X_DB_HOST_PORT}`, `5438`...). */
  hostPart?: string;
}

/** Short syntax `[IP:]HOST:CONTAINER[/proto]` or a bare container port; long syntax `{published, target}`. */
export function readPublishedPort(entry: unknown, env: ReadonlyMap<string, string>): PublishedPort {
  if (entry && typeof entry === 'object') {
    const published = (entry as { published?: unknown }).published;
    if (published === undefined) return { raw: JSON.stringify(entry) };
    const hostPart = String(published);
    return { raw: hostPart, hostPart, hostPort: toPort(interpolate(hostPart, env)) };
  }
  const raw = String(entry);
  const parts = splitPortEntry(raw.replace(/\/(tcp|udp|sctp)$/, ''));
  if (parts.length < 2) return { raw };
  const hostPart = parts[parts.length - 2] as string;
  return { raw, hostPart, hostPort: toPort(interpolate(hostPart, env)) };
}

/** Splits on ":" outside `${...}` (a default may itself contain ":"). */
function splitPortEntry(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (char === '{' && value[i - 1] === '$') depth++;
    if (char === '}' && depth > 0) depth--;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function toPort(value: string): number | undefined {
  return /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** The published host ports of every service in a parsed compose `services` map. */
export function listPublishedPorts(services: Record<string, unknown>, env: ReadonlyMap<string, string>): Array<{ service: string; port: PublishedPort }> {
  const found: Array<{ service: string; port: PublishedPort }> = [];
  for (const [service, spec] of Object.entries(services ?? {})) {
    const ports = (spec as { ports?: unknown })?.ports;
    if (!Array.isArray(ports)) continue;
    for (const entry of ports) found.push({ service, port: readPublishedPort(entry, env) });
  }
  return found;
}
