import { usageError } from '../errors.js';

/** services/dagster/.registry: which modules are merged into the shared service, and what was merged. */
export interface RegistryEntry {
  /** The module folder name under projects/ (kebab case), as in the spec. */
  name: string;
  /** `~/…`-style path as the spec shows it, or absolute. */
  path: string;
  integrated_at: string;
  database: { type: 'postgresql' | 'mysql'; service: string; port: number } | null;
  /** Marker name used in `# BEGIN: <marker>` / `# END: <marker>` lines: the module's snake name. */
  marker: string;
  /** sha256 of the module's workspace/local/ files when merged: a different value now means "drifted". */
  fingerprint?: string;
}

export interface Registry {
  version: string;
  integrated_modules: RegistryEntry[];
}

export const REGISTRY_VERSION = '1.0.0';

export function emptyRegistry(): Registry {
  return { version: REGISTRY_VERSION, integrated_modules: [] };
}

export function parseRegistry(text: string, source: string): Registry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw usageError(`${source} is not valid JSON: ${(error as Error).message}.`, `Fix the file, or restore it with "dmb workspace restore <timestamp>".`);
  }
  const registry = data as Partial<Registry>;
  if (typeof registry !== 'object' || registry === null || !Array.isArray(registry.integrated_modules)) {
    throw usageError(`${source} has no "integrated_modules" list.`, `Expected {"version": "${REGISTRY_VERSION}", "integrated_modules": []}.`);
  }
  return { version: registry.version ?? REGISTRY_VERSION, integrated_modules: registry.integrated_modules };
}

export function serializeRegistry(registry: Registry): string {
  return `${JSON.stringify(registry, null, 2)}\n`;
}
