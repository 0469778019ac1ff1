import { usageError } from '../errors.js';
import { SERVICE_COMPOSE_NAMES } from '../formats/service-compose.js';

/** The forms of one module name that templates and files use. */
export interface ModuleNames {
  /** Folder name under projects/: kebab case, e.g. my-data-pipeline. */
  slug: string;
  /** __MODULE_NAME__: snake case, e.g. my_data_pipeline. */
  snake: string;
  /** __MODULE_NAME_UPPER__: e.g. MY_DATA_PIPELINE. */
  upper: string;
  /** __MODULE_TITLE__: e.g. My Data Pipeline. */
  title: string;
  /** The Python package: <snake>_dagster. */
  packageName: string;
}

export const MAX_NAME_LENGTH = 64;

/** Names the shared Dagster service already uses (its compose services and reserved words). */
export const RESERVED_NAMES = new Set<string>([
  ...SERVICE_COMPOSE_NAMES,
  'dagster',
  'dagster_postgres',
  'dagster_user_code',
  'docker_example_postgresql',
  'postgres',
  'postgresql',
  'mysql',
  'workspace',
  'services',
  'modules',
  'patterns',
  'projects',
  'data',
  'backups',
]);

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda nonlocal not or pass raise return try while with yield match case type _'
  ).split(' '),
);

/** Splits kebab-case, snake_case, Title Case and camelCase input into lower-case words. */
function words(input: string): string[] {
  return input
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/**
 * Derives every name form, or throws a usage error that says why the name cannot be used and
 * what would work. Pure: whether the module already exists is the caller's check.
 */
export function deriveNames(input: string): ModuleNames {
  const raw = input ?? '';
  const example = 'e.g. "customer-analytics", "customer_analytics" or "Customer Analytics"';
  if (raw.trim() === '') throw usageError('The module name is empty.', `Give a name, ${example}.`);
  if (/[\\/]/.test(raw) || raw.includes('..')) {
    throw usageError(`The module name "${raw}" contains a path separator or "..".`, `Give a plain name, ${example}; dmb places it under projects/.`);
  }
  if (raw.length > MAX_NAME_LENGTH) {
    throw usageError(`The module name is ${raw.length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`, 'Choose a shorter name.');
  }
  const parts = words(raw);
  const snake = parts.join('_');
  if (!/^[a-z_][a-z0-9_]*$/.test(snake)) {
    throw usageError(
      `The module name "${raw}" gives "${snake}", which is not a Python identifier made of ASCII letters, digits and "_" (what dmb requires, so every tool and file system agrees on it).`,
      `Use ASCII letters, digits, "-", "_" or spaces, starting with a letter, ${example}.`,
    );
  }
  if (PYTHON_KEYWORDS.has(snake)) {
    throw usageError(`The module name "${raw}" gives "${snake}", a Python keyword.`, `Choose another name, e.g. "${snake}-data".`);
  }
  if (RESERVED_NAMES.has(snake)) {
    throw usageError(
      `The module name "${raw}" clashes with the shared Dagster service's own name "${snake}".`,
      `Choose a name of its own, e.g. "${snake}-pipeline".`,
    );
  }
  return {
    slug: parts.join('-'),
    snake,
    upper: snake.toUpperCase(),
    title: parts.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(' '),
    packageName: `${snake}_dagster`,
  };
}
