import { relative, join } from 'node:path';
import { databaseEnvNames } from '../catalog/databases.js';
import { usageError } from '../errors.js';
import { DAGSTER_DEPENDENT_SERVICES } from '../formats/service-compose.js';
import type { Variables } from '../templates/render.js';
import { DAGSTER_VERSION } from '../version.js';
import type { DeploymentAnswers } from './answers.js';
import type { DetectedModule } from './detect.js';
import { CODE_SERVER_PORT, RSYNC_ALWAYS_EXCLUDED, STRATEGIES } from './strategies.js';

/** Where modules live inside the server's Dagster containers (the server mounts <base_path>/modules there). */
export const SERVER_CONTAINER_MODULES = '/workspace/modules';
/** Where the code-server image keeps the module's source. */
export const IMAGE_SOURCE_DIR = '/opt/dagster/app/src';
export const PYTHON_IMAGE = 'python:3.11-slim';
export const KEEP_RELEASES = 5;
export const HEALTH_TIMEOUT_SECONDS = 120;

const PLATFORM_LABELS = { github: 'GitHub Actions', gitlab: 'GitLab CI', jenkins: 'Jenkins' } as const;
const TRIGGER_TEXT = { push: 'on every push to the branch', tag: 'when a version tag (v...) is pushed', manual: 'when someone starts it by hand (after the tests pass)' } as const;

/** A YAML scalar that is always read back as the same string (JSON strings are YAML double-quoted scalars). */
export const yamlString = (value: string): string => JSON.stringify(value);

/** A Kubernetes object name: a DNS label of lower-case letters, digits and "-". */
export function kubernetesName(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** Files of the pipeline, per CI platform, relative to the module. */
export function pipelineFile(platform: 'github' | 'gitlab' | 'jenkins', name: string): string {
  return { github: `.github/workflows/deploy-${name}.yml`, gitlab: `deploy/${name}/gitlab-ci.yml`, jenkins: `deploy/${name}/Jenkinsfile` }[platform];
}

/** The names of the three secrets the pipeline reads from the platform's store. */
export function ciSecretNames(platform: 'github' | 'gitlab' | 'jenkins', prefix: string, credentialsId: string): string[] {
  return platform === 'jenkins'
    ? [`${credentialsId}-ssh-key`, `${credentialsId}-known-hosts`, `${credentialsId}-env-file`]
    : [`${prefix}_SSH_PRIVATE_KEY`, `${prefix}_SSH_KNOWN_HOSTS`, `${prefix}_ENV_FILE`];
}

/** CI secret names are letters, digits and "_", may not start with a digit, and GitHub reserves GITHUB_*. */
export function secretPrefix(name: string): string {
  const prefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return /^([0-9]|GITHUB_)/.test(prefix) ? `DEPLOY_${prefix}` : prefix;
}

/** The commands the strategy's deploy runs on the target, with this deployment's paths. */
function commands(answers: DeploymentAnswers, module: DetectedModule, releaseSrc: string, k8sName: string) {
  const base = answers.remote?.basePath ?? '';
  const serviceCompose = `${base}/docker-compose.yml`;
  const reload = `docker compose -f ${serviceCompose} restart ${DAGSTER_DEPENDENT_SERVICES.join(' ')}`;
  const pkg = module.names.packageName;
  const codeServer = `${module.names.snake}_code_server`;
  const modulePath = `${base}/modules/${module.folder}`;
  switch (STRATEGIES[answers.strategy].runs === 'code-server' ? answers.strategy : 'shared') {
    case 'docker':
      return {
        health: `docker compose -f ${modulePath}/docker-compose.yml exec -T ${codeServer} dagster api grpc-health-check -p ${CODE_SERVER_PORT}`,
        postDeploy: reload,
        postCheckout: '',
      };
    case 'kubernetes': {
      const ns = answers.options.namespace ?? 'dagster';
      return {
        health: `kubectl -n ${ns} exec deployment/${k8sName} -- dagster api grpc-health-check -p ${CODE_SERVER_PORT}`,
        postDeploy: `kubectl -n ${ns} rollout status deployment/${k8sName} --timeout=${HEALTH_TIMEOUT_SECONDS}s`,
        postCheckout: '',
      };
    }
    default:
      return {
        // Run in the new release folder on the server, before it goes live: Dagster loads the release's code.
        health:
          `docker compose -f ${serviceCompose} run --rm --no-deps -v "$PWD:/workspace/release:ro" dagster_webserver ` +
          `dagster definitions validate -m ${pkg} -d /workspace/release/${releaseSrc}`,
        postDeploy: reload,
        postCheckout: `docker compose -f ${serviceCompose} build ${DAGSTER_DEPENDENT_SERVICES.join(' ')}`,
      };
  }
}

/** Every placeholder the deploy-strategies templates may use; unused ones are empty strings. */
export function deploymentVariables(answers: DeploymentAnswers, module: DetectedModule): Variables {
  const { names } = module;
  const strategy = STRATEGIES[answers.strategy];
  const o = answers.options;
  const remote = answers.remote;
  const modulePath = remote ? `${remote.basePath}/modules/${module.folder}` : '';
  const gitPath = o.monorepo ? module.folder : '.';
  const releaseSrc = gitPath === '.' ? 'src' : `${gitPath}/src`;
  const k8sName = kubernetesName(module.folder, answers.name);
  const run = commands(answers, module, releaseSrc, k8sName);
  const db = module.database;
  const envNames = databaseEnvNames(names.upper);
  const imageRef = o.registry && o.image ? `${o.registry}/${o.image}` : '';
  const context = o.context ?? '.';
  const contextPrefix = relative(join('/m', context), '/m');
  if (contextPrefix.startsWith('..')) {
    throw usageError(`--context ${context} is inside the module, so the build could not see requirements.txt and src/.`, 'Pass --context . (the module folder) or a folder that holds the module, e.g. --context ..');
  }
  const platform = o.platform ?? 'github';
  const excludes = [...RSYNC_ALWAYS_EXCLUDED, ...(o.exclude ?? [])];
  const prefix = secretPrefix(answers.name);
  const workingDirectory =
    strategy.runs === 'code-server' ? IMAGE_SOURCE_DIR : `${SERVER_CONTAINER_MODULES}/${module.folder}/current/${releaseSrc}`;
  return {
    DEPLOY_NAME: answers.name,
    CLIENT_NAME: answers.client,
    CLIENT_NAME_YAML: yamlString(answers.client),
    ENVIRONMENT: answers.environment,
    STRATEGY: answers.strategy,
    REMOTE_HOST: remote?.host ?? '',
    REMOTE_USER: remote?.user ?? '',
    REMOTE_PORT: remote ? String(remote.port) : '',
    REMOTE_BASE_PATH: remote?.basePath ?? '',
    SSH_TARGET: remote ? `${remote.user}@${remote.host}` : '',
    MODULE_PATH: modulePath,
    MODULE_SLUG: module.folder,
    MODULE_NAME: names.snake,
    MODULE_NAME_UPPER: names.upper,
    MODULE_TITLE: names.title,
    PACKAGE_NAME: names.packageName,
    LOCATION_NAME: names.snake,
    WORKING_DIRECTORY: workingDirectory,
    NETWORK_NAME: module.network,
    DAGSTER_VERSION,
    PYTHON_IMAGE,
    KEEP_RELEASES: String(KEEP_RELEASES),
    HEALTH_TIMEOUT: String(HEALTH_TIMEOUT_SECONDS),
    HEALTH_CHECK: run.health,
    HEALTH_CHECK_YAML: yamlString(run.health),
    POST_DEPLOY: run.postDeploy,
    POST_DEPLOY_YAML: yamlString(run.postDeploy),
    POST_CHECKOUT: run.postCheckout,
    POST_CHECKOUT_YAML: yamlString(run.postCheckout),
    DB_TYPE: db?.kind.id ?? 'none',
    DB_LABEL: db?.kind.label ?? 'none',
    DB_HOST: db?.host ?? '',
    DB_PORT: db ? String(db.port) : '',
    DB_NAME: db?.name ?? '',
    DB_USER: db?.user ?? '',
    DB_SOURCE: module.databaseSource,
    DB_SUMMARY: db
      ? `${db.kind.label} \`${db.name}\` at \`${db.host}:${db.port}\` (user \`${db.user}\`; \`${envNames.password}\` in .env.deploy)`
      : 'none (the IO manager stores asset values only)',
    ENV_EXAMPLE: '',
    GIT_REPOSITORY: o.repository ?? '',
    GIT_REPOSITORY_YAML: yamlString(o.repository ?? ''),
    GIT_BRANCH: o.branch ?? 'main',
    GIT_MONOREPO: String(Boolean(o.monorepo)),
    GIT_PATH: gitPath,
    RSYNC_EXCLUDE_LINES: excludes.join('\n'),
    RSYNC_EXCLUDE_YAML: `[${(o.exclude ?? []).map(yamlString).join(', ')}]`,
    REGISTRY: o.registry ?? '',
    IMAGE: o.image ?? '',
    IMAGE_REF: imageRef,
    BUILD_CONTEXT: context,
    CONTEXT_PREFIX: contextPrefix === '' ? '' : `${contextPrefix}/`,
    CODE_SERVER_PORT: String(CODE_SERVER_PORT),
    CODE_SERVER_SERVICE: `${names.snake}_code_server`,
    CI_PLATFORM: platform,
    CI_PLATFORM_LABEL: PLATFORM_LABELS[platform],
    CI_TRIGGER: o.trigger ?? 'push',
    CI_TRIGGER_TEXT: TRIGGER_TEXT[o.trigger ?? 'push'],
    CI_BRANCH: o.branch ?? 'main',
    PIPELINE_FILE: pipelineFile(platform, answers.name),
    SECRET_PREFIX: prefix,
    CI_SECRETS_YAML: `[${ciSecretNames(platform, prefix, k8sName).map(yamlString).join(', ')}]`,
    CREDENTIALS_ID: k8sName,
    K8S_NAMESPACE: o.namespace ?? 'dagster',
    K8S_NAME: k8sName,
    K8S_SECRET: `${k8sName}-env`,
  };
}

/** The `# dmb:if` features of the deploy templates. */
export function deploymentFeatures(answers: DeploymentAnswers, module: DetectedModule): Set<string> {
  const features = new Set<string>([answers.strategy, STRATEGIES[answers.strategy].runs]);
  if (module.database) features.add('db').add(module.database.kind.id);
  if (answers.options.platform) features.add(answers.options.platform);
  if (answers.options.trigger) features.add(answers.options.trigger);
  if (answers.options.monorepo) features.add('monorepo');
  return features;
}
