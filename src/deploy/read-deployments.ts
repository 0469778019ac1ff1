import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { usageError } from '../errors.js';
import { readEnvEntries } from '../formats/env-file.js';
import { parseDeploymentYaml, type DeploymentConfig } from './deployment-schema.js';
import { deploymentDir, DEPLOYMENT_FILES } from './paths.js';

export interface EnvFileState {
  present: boolean;
  /** Octal text such as "600", when present. */
  mode?: string;
  /** Every key with its value redacted: secrets never leave this function. */
  keys: Record<string, '[redacted]' | '(empty)'>;
}

export interface DeploymentSummary {
  name: string;
  path: string;
  config?: DeploymentConfig;
  /** Why deployment.yaml could not be used (with the key paths). */
  error?: string;
  env: EnvFileState;
}

export async function readEnvState(fs: FileSystem, path: string): Promise<EnvFileState> {
  if (!(await fs.exists(path))) return { present: false, keys: {} };
  const keys: EnvFileState['keys'] = {};
  for (const [key, entry] of readEnvEntries((await fs.readFile(path)).toString('utf8'))) keys[key] = entry.value === '' ? '(empty)' : '[redacted]';
  const mode = await fs.mode(path);
  return { present: true, mode: mode === undefined ? undefined : (mode & 0o777).toString(8), keys };
}

export async function readDeployment(fs: FileSystem, moduleDir: string, name: string): Promise<DeploymentSummary> {
  const dir = deploymentDir(moduleDir, name);
  const configPath = join(dir, DEPLOYMENT_FILES.config);
  const env = await readEnvState(fs, join(dir, DEPLOYMENT_FILES.env));
  if (!(await fs.exists(configPath))) return { name, path: dir, env, error: `deploy/${name}/deployment.yaml is missing` };
  try {
    const config = await parseDeploymentYaml((await fs.readFile(configPath)).toString('utf8'), `deploy/${name}/deployment.yaml`);
    return { name, path: dir, config, env };
  } catch (error) {
    return { name, path: dir, env, error: (error as Error).message };
  }
}

/** Every folder under deploy/ that holds a deployment.yaml, sorted by name. */
export async function listDeployments(fs: FileSystem, moduleDir: string): Promise<DeploymentSummary[]> {
  const deployDir = join(moduleDir, 'deploy');
  if (!(await fs.isDirectory(deployDir))) return [];
  const summaries: DeploymentSummary[] = [];
  for (const entry of (await fs.readdir(deployDir)).sort()) {
    if (!(await fs.exists(join(deployDir, entry, DEPLOYMENT_FILES.config)))) continue;
    summaries.push(await readDeployment(fs, moduleDir, entry));
  }
  return summaries;
}

/** One deployment, or a usage error that lists the ones that exist. */
export async function requireDeployment(fs: FileSystem, moduleDir: string, module: string, name: string): Promise<DeploymentSummary> {
  if (!(await fs.exists(join(deploymentDir(moduleDir, name), DEPLOYMENT_FILES.config)))) {
    const known = (await listDeployments(fs, moduleDir)).map((d) => d.name);
    throw usageError(
      `Module ${module} has no deployment "${name}" (no deploy/${name}/deployment.yaml).`,
      known.length > 0 ? `Its deployments: ${known.join(', ')}.` : `Create one with "dmb configure-deployment ${module} --name ${name}".`,
    );
  }
  return readDeployment(fs, moduleDir, name);
}

/** Where a deployment goes, in one line: user@host:port:path, or the Kubernetes namespace. */
export function describeTarget(config: DeploymentConfig): string {
  if (config.remote) return `${config.remote.user}@${config.remote.host}:${config.remote.port} ${config.remote.module_path}`;
  if (config.kubernetes) return `kubernetes namespace ${config.kubernetes.namespace}`;
  return '-';
}
