import { join } from 'node:path';

/** The files of one deployment, in deploy/<name>/ of the module. */
export const DEPLOYMENT_FILES = {
  config: 'deployment.yaml',
  env: '.env.deploy',
  envExample: '.env.deploy.example',
  guide: 'DEPLOYMENT.md',
} as const;

export function deploymentDir(moduleDir: string, name: string): string {
  return join(moduleDir, 'deploy', name);
}
