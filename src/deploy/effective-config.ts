import type { DeploymentConfig } from './deployment-schema.js';
import type { EnvFileState } from './read-deployments.js';

/** deployment.yaml as read, plus .env.deploy's keys with every value redacted (Kamal's `config`). */
export function effectiveConfiguration(config: DeploymentConfig, env: EnvFileState): Record<string, unknown> {
  return { ...config, environment_file: { path: config.env_file, present: env.present, mode: env.mode ?? null, variables: env.keys } };
}
