import { DATABASES, databaseKind, databaseServiceName } from '../catalog/databases.js';
import { governanceLevel } from '../catalog/governance.js';
import { collectPackages, findRequirement } from '../catalog/requirements.js';
import type { Variables } from '../templates/render.js';
import { DAGSTER_VERSION } from '../version.js';
import type { NewModuleAnswers, NewModuleEnvironment } from './answers.js';

/** Dockerfile continuation lines: every line but the last ends in ` \`. */
function continuation(items: string[], trailingBackslashOnLast: boolean): string {
  return items.map((item, index) => `    ${item}${index < items.length - 1 || trailingBackslashOnLast ? ' \\' : ''}`).join('\n');
}

/** Python requirement specifiers of the module: Dagster pinned, the DB driver, the chosen requirements. */
export function pythonDependencies(answers: NewModuleAnswers): string[] {
  const kind = databaseKind(answers.database);
  return [`dagster==${DAGSTER_VERSION}`, ...(kind?.pythonPackages ?? []), ...collectPackages(answers.requirements).python];
}

/** The feature names that `# dmb:if <feature>` blocks in templates test. */
export function moduleFeatures(answers: NewModuleAnswers): Set<string> {
  const features = new Set<string>(governanceLevel(answers.governance).features);
  if (answers.database !== 'none') features.add('db').add(answers.database);
  if (collectPackages(answers.requirements).apt.length > 0) features.add('apt');
  return features;
}

/** The template sets rendered into the module, in order; later sets may replace earlier files. */
export function moduleTemplateSets(answers: NewModuleAnswers): string[] {
  const kind = databaseKind(answers.database);
  return ['base', 'workspace-integration', ...(kind ? [kind.templateSet] : []), ...governanceLevel(answers.governance).templateSets];
}

/** MySQL 8 allows 32 characters in a user name (PostgreSQL 63): long module names are shortened. */
export function databaseUser(snake: string): string {
  return `${snake.slice(0, 27).replace(/_+$/, '')}_user`;
}

/** PostgreSQL identifiers stop at 63 characters, MySQL database names at 64. */
export function databaseName(snake: string): string {
  return snake.slice(0, 63).replace(/_+$/, '');
}

export function moduleVariables(answers: NewModuleAnswers, environment: NewModuleEnvironment): Variables {
  const { names } = answers;
  const kind = answers.database === 'none' ? undefined : DATABASES[answers.database];
  const dependencies = pythonDependencies(answers);
  const packages = collectPackages(answers.requirements);
  const hostPort = kind && environment.hostPort !== undefined ? String(environment.hostPort) : '';
  return {
    MODULE_NAME: names.snake,
    MODULE_NAME_UPPER: names.upper,
    MODULE_TITLE: names.title,
    MODULE_SLUG: names.slug,
    MODULE_DESCRIPTION: answers.description,
    // A JSON string is a valid TOML basic string: quotes and backslashes in a description stay valid pyproject.toml.
    MODULE_DESCRIPTION_TOML: JSON.stringify(answers.description),
    PACKAGE_NAME: names.packageName,
    GOVERNANCE: answers.governance,
    OWNER: answers.owner,
    DAGSTER_VERSION,
    DB_TYPE: answers.database,
    DB_LABEL: kind?.label ?? 'none',
    DB_SERVICE: kind ? databaseServiceName(names.snake, kind) : '',
    DB_IMAGE: kind?.image ?? '',
    DB_HOST_PORT: hostPort,
    DB_PORT: hostPort,
    DB_CONTAINER_PORT: kind ? String(kind.containerPort) : '',
    DB_NAME: kind ? databaseName(names.snake) : '',
    DB_USER: kind ? databaseUser(names.snake) : '',
    DB_PASSWORD: kind ? (environment.password ?? '') : '',
    DB_DATA_DIR: kind?.dataDir ?? '',
    NETWORK_NAME: environment.networkName,
    REQUIREMENTS_TXT: dependencies.join('\n'),
    PYPROJECT_DEPENDENCIES: dependencies.map((dependency) => `    "${dependency}",`).join('\n'),
    PIP_PACKAGES: continuation(
      dependencies.map((dependency) => `"${dependency}"`),
      false,
    ),
    APT_PACKAGES: continuation(packages.apt, true),
    SYSTEM_REQUIREMENTS:
      answers.requirements.length === 0
        ? '- none'
        : answers.requirements
            .map((id) => findRequirement(id))
            .map((r) => `- ${r?.label}: ${[...(r?.aptPackages ?? []), ...(r?.pythonPackages ?? [])].join(', ') || 'built in'} (~${r?.sizeMb} MB)`)
            .join('\n'),
  };
}
