import { usageError } from '../errors.js';
import { STRATEGIES, STRATEGY_IDS, type StrategyId } from './strategies.js';

/** The effective configuration of one deployment: deploy/<name>/deployment.yaml, as read and validated. */
export interface DeploymentConfig {
  name: string;
  client: string;
  environment: string;
  strategy: StrategyId;
  remote?: { host: string; user: string; port: number; base_path: string; module_path: string; ssh_options: string[] };
  keep_releases: number;
  health_check: { command: string; timeout: number };
  post_deploy: string;
  module: { name: string; package_name: string; location_name: string; working_directory: string };
  database: { type: 'none' } | { type: 'postgresql' | 'mysql'; host: string; port: number; name: string; user: string };
  network: string;
  env_file: string;
  git?: { repository: string; branch: string; monorepo: boolean; path: string; post_checkout: string };
  rsync?: { exclude: string[]; exclude_file: string };
  docker?: { registry: string; image: string; context: string; dockerfile: string; compose_file: string; port: number };
  ci_cd?: { platform: 'github' | 'gitlab' | 'jenkins'; trigger: 'push' | 'tag' | 'manual'; branch: string; pipeline_file: string; secrets: string[] };
  kubernetes?: { namespace: string; registry: string; image: string; dockerfile: string; port: number; manifests: string; secret: string };
}

const text = (description = 'a string') => ({ type: 'string', minLength: 1, description });
const port = { type: 'integer', minimum: 1, maximum: 65535, description: 'a port number from 1 to 65535' };
const path = { type: 'string', pattern: '^/[A-Za-z0-9._/-]*$', description: 'an absolute path without spaces' };
const relativePath = { type: 'string', pattern: '^(?!/)[A-Za-z0-9._/-]+$', description: 'a path inside the module' };
const strict = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

/** JSON schema of deployment.yaml; every read and every generated file is checked against it. */
export const DEPLOYMENT_SCHEMA = strict({
  deployment: strict(
    {
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'a folder name (lower-case letters, digits, - and _)' },
      client: text(),
      environment: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,29}$', description: 'an environment name such as production' },
      strategy: { type: 'string', enum: STRATEGY_IDS },
      remote: strict({
        host: text('a host name or address'),
        user: text('an ssh user'),
        port,
        base_path: path,
        module_path: path,
        ssh_options: { type: 'array', items: text('an ssh option') },
      }),
      keep_releases: { type: 'integer', minimum: 1, maximum: 100, description: 'a number of releases from 1 to 100' },
      health_check: strict({ command: text('a shell command'), timeout: { type: 'integer', minimum: 1, description: 'seconds' } }),
      post_deploy: text('a shell command'),
      module: strict({ name: text(), package_name: text(), location_name: text(), working_directory: path }),
      database: {
        type: 'object',
        additionalProperties: false,
        properties: { type: { type: 'string', enum: ['postgresql', 'mysql', 'none'] }, host: text(), port, name: text(), user: text() },
        required: ['type'],
      },
      network: text('a docker network name'),
      env_file: relativePath,
      git: strict({ repository: text('a git URL'), branch: text('a branch'), monorepo: { type: 'boolean' }, path: relativePath, post_checkout: text('a shell command') }),
      rsync: strict({ exclude: { type: 'array', items: text('an rsync pattern') }, exclude_file: relativePath }),
      docker: strict({ registry: text(), image: text(), context: relativePath, dockerfile: relativePath, compose_file: relativePath, port }),
      ci_cd: strict({
        platform: { type: 'string', enum: ['github', 'gitlab', 'jenkins'] },
        trigger: { type: 'string', enum: ['push', 'tag', 'manual'] },
        branch: text('a branch'),
        pipeline_file: relativePath,
        secrets: { type: 'array', items: text('a secret name') },
      }),
      kubernetes: strict({ namespace: text(), registry: text(), image: text(), dockerfile: relativePath, port, manifests: relativePath, secret: text() }),
    },
    ['name', 'client', 'environment', 'strategy', 'keep_releases', 'health_check', 'post_deploy', 'module', 'database', 'network', 'env_file'],
  ),
});

/** The block of deployment.yaml that belongs to each strategy. */
const STRATEGY_BLOCK: Record<StrategyId, keyof DeploymentConfig> = { git: 'git', rsync: 'rsync', docker: 'docker', 'ci-cd': 'ci_cd', kubernetes: 'kubernetes' };

const TYPE_WORDS: Record<string, string> = {
  integer: 'a number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string; properties?: Record<string, unknown>; minimum?: number; maximum?: number };
}

function keyPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

/** One line per problem, each starting with the key path: `deployment.remote.port: expected a number`. */
function describe(error: AjvError): string {
  const at = keyPath(error.instancePath);
  const join = (key: string) => (at ? `${at}.${key}` : key);
  const schema = error.parentSchema ?? {};
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(schema.properties ?? {});
      return `${join(String(error.params.additionalProperty))}: unknown key (known keys here: ${known.join(', ')})`;
    }
    case 'required':
      return `${join(String(error.params.missingProperty))}: missing`;
    case 'type':
      return `${at || '(top level)'}: expected ${TYPE_WORDS[String(error.params.type)] ?? String(error.params.type)}`;
    case 'enum':
      return `${at}: expected one of ${(error.params.allowedValues as string[]).join(', ')}`;
    case 'minimum':
    case 'maximum':
    case 'pattern':
    case 'minLength':
      return `${at}: expected ${schema.description ?? 'a different value'}`;
    default:
      return `${at}: ${error.keyword} check failed`;
  }
}

let compiled: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

async function validator() {
  if (!compiled) {
    const { Ajv } = await import('ajv');
    compiled = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(DEPLOYMENT_SCHEMA);
  }
  return compiled;
}

/** Every problem of a parsed deployment.yaml, each naming its key path; empty when it is valid. */
export async function deploymentProblems(data: unknown): Promise<string[]> {
  const validate = await validator();
  const problems: string[] = [];
  if (!validate(data)) problems.push(...new Set(((validate.errors ?? []) as AjvError[]).map(describe)));
  const deployment = (data as { deployment?: Record<string, unknown> } | null)?.deployment;
  const strategy = deployment?.strategy;
  if (deployment && typeof strategy === 'string' && strategy in STRATEGY_BLOCK) {
    const id = strategy as StrategyId;
    const own = STRATEGY_BLOCK[id];
    if (deployment[own] === undefined) problems.push(`deployment.${own}: missing (the ${id} strategy needs it)`);
    for (const [other, block] of Object.entries(STRATEGY_BLOCK)) {
      if (other !== id && deployment[block] !== undefined) problems.push(`deployment.${block}: belongs to the ${other} strategy, but deployment.strategy is ${id}`);
    }
    if (STRATEGIES[id].remote && deployment.remote === undefined) problems.push(`deployment.remote: missing (the ${id} strategy deploys over ssh)`);
    const db = deployment.database as Record<string, unknown> | undefined;
    if (db && db.type !== 'none' && typeof db.type === 'string') {
      for (const key of ['host', 'port', 'name', 'user']) if (db[key] === undefined) problems.push(`deployment.database.${key}: missing`);
    }
  }
  return problems;
}

/** Parses and validates deployment.yaml text; a usage error lists every problem with its key path. */
export async function parseDeploymentYaml(textContent: string, shown: string): Promise<DeploymentConfig> {
  const { parseYaml } = await import('../formats/yaml-text.js');
  const { doc, errors } = parseYaml(textContent);
  const error = errors[0];
  if (error) throw usageError(`${shown}:${error.line} is not valid YAML: ${error.message}`, `Fix the YAML in ${shown}, or re-create it with "dmb configure-deployment".`);
  const data = doc.toJS();
  const problems = await deploymentProblems(data);
  if (problems.length > 0) {
    throw usageError(`${shown} is not a valid deployment configuration:\n  ${problems.join('\n  ')}`, `Fix those keys in ${shown} (or re-create it with "dmb configure-deployment").`);
  }
  return (data as { deployment: DeploymentConfig }).deployment;
}
