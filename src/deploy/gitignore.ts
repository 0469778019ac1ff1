/** Patterns (as the spec's .gitignore writes them) that keep every deploy/<name>/.env.deploy out of git. */
export const ENV_DEPLOY_PATTERN = 'deploy/*/.env.deploy';

function covers(pattern: string, name: string): boolean {
  const p = pattern.replace(/^\//, '');
  return [
    '.env.deploy',
    '**/.env.deploy',
    'deploy/*/.env.deploy',
    'deploy/**/.env.deploy',
    '**/deploy/*/.env.deploy',
    `deploy/${name}/.env.deploy`,
    '*.deploy',
    '.env*',
    '.env.*',
  ].includes(p);
}

/**
 * True when the module's .gitignore ignores deploy/<name>/.env.deploy: a covering pattern and no later
 * negation that re-includes it. (The tests confirm the result with the real `git check-ignore`.)
 */
export function gitignoreCoversEnvDeploy(text: string, name: string): boolean {
  let ignored = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('!')) {
      if (covers(line.slice(1), name)) ignored = false;
      continue;
    }
    if (covers(line, name)) ignored = true;
  }
  return ignored;
}

/** The .gitignore with the pattern appended (or a new one), kept byte for byte otherwise. */
export function addEnvDeployPattern(text: string | undefined): string {
  const block = `# Deployment environment files (production secrets), added by dmb configure-deployment\n${ENV_DEPLOY_PATTERN}\n`;
  if (text === undefined || text === '') return block;
  return `${text.endsWith('\n') ? text : `${text}\n`}\n${block}`;
}
