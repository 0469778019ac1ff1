import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { usageError } from '../errors.js';
import { readEnvEntries } from '../formats/env-file.js';
import { detectModule, type DetectedModule } from './detect.js';
import type { DeploymentConfig } from './deployment-schema.js';
import { requireDeployment } from './read-deployments.js';
import { sshTarget, type SshInputs, type SshTarget } from './ssh-target.js';
import type { StrategyId } from './strategies.js';

/** The strategies `dmb deploy`, `rollback` and `releases` run from this machine; the others say where to look. */
const RUNS_HERE: Partial<Record<StrategyId, true>> = { rsync: true, git: true };

export interface LoadedDeployment {
  module: DetectedModule;
  config: DeploymentConfig;
  target: SshTarget;
  envPath: string;
  /** Every value of .env.deploy, only to redact them from output. */
  secrets: string[];
  envFilePresent: boolean;
}

/** Module, deployment.yaml (validated) and ssh target, or a usage error saying which one is wrong. */
export async function loadDeployment(fs: FileSystem, workspace: string, input: string, name: string, ssh: SshInputs, command: string): Promise<LoadedDeployment> {
  const module = await detectModule(fs, workspace, input);
  const deployment = await requireDeployment(fs, module.dir, module.folder, name);
  if (!deployment.config) {
    throw usageError(deployment.error ?? `deploy/${name}/deployment.yaml is not valid.`, `Fix deploy/${name}/deployment.yaml, or re-create it with "dmb configure-deployment ${module.folder} --name ${name}".`);
  }
  const config = deployment.config;
  if (!RUNS_HERE[config.strategy]) {
    throw usageError(
      `dmb ${command} runs rsync and git deployments; ${module.folder}/${name} uses the ${config.strategy} strategy.`,
      `Follow deploy/${name}/DEPLOYMENT.md in the module for the ${config.strategy} strategy's deploy and rollback.`,
    );
  }
  const envPath = join(module.dir, config.env_file);
  const envFilePresent = await fs.exists(envPath);
  const secrets = envFilePresent ? [...readEnvEntries((await fs.readFile(envPath)).toString('utf8')).values()].map((entry) => entry.value) : [];
  return { module, config, target: sshTarget(config, ssh), envPath, secrets, envFilePresent };
}
