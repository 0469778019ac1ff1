import type { ValidateFunction } from 'ajv';
import { operationError } from '../errors.js';

/**
 * The Compose Specification's JSON schema, compiled to plain code at build time by
 * scripts/build-compose-validator.mjs (<repo>/generated/, next to src/ and dist/; shipped in the npm package).
 */
const VALIDATOR_URL = new URL('../../generated/compose-spec-validator.cjs', import.meta.url);

export interface SchemaProblem {
  /** JSON pointer segments of the offending value ([] for the top level). */
  path: string[];
  message: string;
}

/** Loaded on first use only, so commands that never validate do not pay for it. */
async function loadValidator(): Promise<ValidateFunction> {
  try {
    const module = (await import(VALIDATOR_URL.href)) as { default: ValidateFunction | { default: ValidateFunction } };
    const exported = module.default;
    return typeof exported === 'function' ? exported : exported.default;
  } catch (error) {
    throw operationError(
      `The compiled compose schema ${VALIDATOR_URL.pathname} could not be loaded (${(error as Error).message}).`,
      'This dmb was built incompletely: run "npm run build" in its checkout (or reinstall the package).',
    );
  }
}

/**
 * Checks a parsed docker-compose.yml against the compose specification. Duplicate messages from oneOf
 * branches are merged.
 */
export async function checkComposeSchema(data: unknown): Promise<SchemaProblem[]> {
  const validate = await loadValidator();
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
