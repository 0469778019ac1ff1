import { fileURLToPath } from 'node:url';
import type { FileSystem } from '../effects/effects.js';

/** The Compose Specification's JSON schema shipped in <repo>/schemas (this file is in src|dist/core/workspace). */
export const COMPOSE_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/compose-spec.json', import.meta.url));

export interface SchemaProblem {
  /** JSON pointer segments of the offending value ([] for the top level). */
  path: string[];
  message: string;
}

/**
 * Checks a parsed docker-compose.yml against the compose specification (ajv is imported only here,
 * so commands that never validate do not load it). Duplicate messages from oneOf branches are merged.
 */
export async function checkComposeSchema(fs: FileSystem, data: unknown): Promise<SchemaProblem[]> {
  const schema = JSON.parse((await fs.readFile(COMPOSE_SCHEMA_PATH)).toString('utf8')) as Record<string, unknown>;
  // ajv does not know the draft-07 meta-schema URL the file declares.
  delete schema.$schema;
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const path = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const unknownKey = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
    const detail = unknownKey ? `has an unknown key "${unknownKey}"` : (error.message ?? 'is invalid');
    const message = `${path.length ? path.join('.') : '(top level)'} ${detail}`;
    if (seen.has(message)) continue;
    seen.add(message);
    // An unknown key is reported at its own line.
    problems.push({ path: unknownKey ? [...path, unknownKey] : path, message });
  }
  return problems;
}
