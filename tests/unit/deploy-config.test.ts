import { describe, expect, it } from 'vitest';
import { deploymentProblems, parseDeploymentYaml } from '../../src/deploy/deployment-schema.js';
import { RULES } from '../../src/deploy/input-rules.js';
import { addGitlabInclude } from '../../src/deploy/gitlab-include.js';
import { addEnvDeployPattern, gitignoreCoversEnvDeploy } from '../../src/deploy/gitignore.js';
import { planEnvDeploy, redactEnvText } from '../../src/deploy/env-deploy.js';
import { defaultEnvironment } from '../../src/deploy/answers.js';
import { kubernetesName, secretPrefix } from '../../src/deploy/variables.js';
import type { DetectedModule } from '../../src/deploy/detect.js';

const VALID = {
  deployment: {
    name: 'yoda',
    client: 'Beast Business',
    environment: 'production',
    strategy: 'rsync',
    remote: { host: 'h.example.com', user: 'deploy', port: 22, base_path: '/srv/dagster', module_path: '/srv/dagster/modules/m', ssh_options: [] },
    keep_releases: 5,
    health_check: { command: 'true', timeout: 120 },
    post_deploy: 'true',
    rsync: { exclude: [], exclude_file: 'deploy/yoda/rsync-exclude.txt' },
    module: { name: 'm', package_name: 'm_dagster', location_name: 'm', working_directory: '/workspace/modules/m/current/src' },
    database: { type: 'none' },
    network: 'workspace-net',
    env_file: 'deploy/yoda/.env.deploy',
  },
};
const withChange = (change: (d: Record<string, any>) => void) => {
  const copy = structuredClone(VALID) as { deployment: Record<string, any> };
  change(copy.deployment);
  return copy;
};

describe('deployment.yaml schema: every problem names its key path', () => {
  it('accepts a valid configuration', async () => {
    expect(await deploymentProblems(VALID)).toEqual([]);
  });

  it.each([
    ['a port that is text', (d: any) => (d.remote.port = '22'), 'deployment.remote.port: expected a number'],
    ['a port out of range', (d: any) => (d.remote.port = 70000), 'deployment.remote.port: expected a port number from 1 to 65535'],
    ['an unknown key', (d: any) => (d.remote.colour = 'blue'), 'deployment.remote.colour: unknown key (known keys here: host, user, port, base_path, module_path, ssh_options)'],
    ['a missing key', (d: any) => delete d.network, 'deployment.network: missing'],
    ['an unknown strategy', (d: any) => (d.strategy = 'ftp'), 'deployment.strategy: expected one of git, rsync, docker, ci-cd, kubernetes'],
    ['a relative base path', (d: any) => (d.remote.base_path = 'srv'), 'deployment.remote.base_path: expected an absolute path without spaces'],
    ['a list item of the wrong type', (d: any) => (d.rsync.exclude = ['a', 3]), 'deployment.rsync.exclude[1]: expected a string'],
    ['another strategy\'s block', (d: any) => (d.docker = {}), 'deployment.docker: belongs to the docker strategy, but deployment.strategy is rsync'],
    ['a missing strategy block', (d: any) => delete d.rsync, 'deployment.rsync: missing (the rsync strategy needs it)'],
    ['a database without its host', (d: any) => (d.database = { type: 'postgresql', port: 5432, name: 'm', user: 'u' }), 'deployment.database.host: missing'],
  ])('%s', async (_label, change, message) => {
    expect(await deploymentProblems(withChange(change))).toContain(message);
  });

  it('parseDeploymentYaml lists every problem in one usage error (exit 2)', async () => {
    const text = 'deployment:\n  name: yoda\n  strategy: rsync\n  remote:\n    port: x\n';
    await expect(parseDeploymentYaml(text, 'deploy/yoda/deployment.yaml')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('deployment.remote.port: expected a number') });
    await expect(parseDeploymentYaml('a: [', 'f')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/not valid YAML/) });
  });
});

describe('input rules', () => {
  it.each([
    ['host', 'client.example.com', true],
    ['host', '203.0.113.10', true],
    ['host', '2001:db8::1', true],
    ['host', 'deploy@client', false],
    ['host', 'https://client', false],
    ['host', 'a b', false],
    ['basePath', '/srv/dagster', true],
    ['basePath', '/srv/my dagster', false],
    ['basePath', '/srv/./x', false],
    ['deploymentName', 'client-staging_2', true],
    ['deploymentName', 'Yoda', false],
    ['deploymentName', '.', false],
    ['repository', 'git@github.com:acme/x.git', true],
    ['repository', 'https://gitlab.example.com/acme/x.git', true],
    ['repository', 'acme/x', false],
    ['registry', 'registry.example.com:5000/acme', true],
    ['registry', 'https://ghcr.io', false],
    ['client', 'Beast "Business"', false],
  ] as const)('%s %j -> %s', (rule, value, ok) => {
    expect(RULES[rule].check(value) === undefined).toBe(ok);
  });
});

describe('helpers', () => {
  it('defaultEnvironment reads the deployment name', () => {
    expect(defaultEnvironment('yoda')).toBe('production');
    expect(defaultEnvironment('client-staging')).toBe('staging');
    expect(defaultEnvironment('dev')).toBe('development');
  });

  it('names for Kubernetes and CI secrets are valid', () => {
    expect(kubernetesName('sales_data', 'Yoda')).toBe('sales-data-yoda');
    expect(kubernetesName('x'.repeat(70), 'y')).toHaveLength(63);
    expect(secretPrefix('client-staging')).toBe('CLIENT_STAGING');
    expect(secretPrefix('2024')).toBe('DEPLOY_2024');
    expect(secretPrefix('github-push')).toBe('DEPLOY_GITHUB_PUSH');
  });

  it('addGitlabInclude adds to a block list, creates one, is idempotent and refuses other forms', () => {
    const text = 'stages:\n  - test\n\ninclude:\n  - local: deploy/a/gitlab-ci.yml\n\nother: 1\n';
    const once = addGitlabInclude(text, 'deploy/b/gitlab-ci.yml', 'x');
    expect(once).toBe('stages:\n  - test\n\ninclude:\n  - local: deploy/a/gitlab-ci.yml\n  - local: deploy/b/gitlab-ci.yml\n\nother: 1\n');
    expect(addGitlabInclude(once, 'deploy/b/gitlab-ci.yml', 'x')).toBe(once);
    expect(addGitlabInclude('job:\n  script: [a]\n', 'deploy/b/gitlab-ci.yml', 'x')).toBe('job:\n  script: [a]\n\ninclude:\n  - local: deploy/b/gitlab-ci.yml\n');
    expect(() => addGitlabInclude("include: 'ci/a.yml'\n", 'deploy/b/gitlab-ci.yml', 'x')).toThrow(/not a block list/);
  });

  it('gitignoreCoversEnvDeploy follows patterns and negations', () => {
    expect(gitignoreCoversEnvDeploy('deploy/*/.env.deploy\n', 'yoda')).toBe(true);
    expect(gitignoreCoversEnvDeploy('.env\n!.env.example\n', 'yoda')).toBe(false);
    expect(gitignoreCoversEnvDeploy('deploy/*/.env.deploy\n!deploy/yoda/.env.deploy\n', 'yoda')).toBe(false);
    expect(gitignoreCoversEnvDeploy(addEnvDeployPattern('!deploy/*/.env.deploy'), 'yoda')).toBe(true);
  });

  it('planEnvDeploy keeps an existing file byte for byte and appends only missing keys', () => {
    const module = { variables: [{ key: 'A_DB_PASSWORD' }, { key: 'A_DB_HOST', localValue: 'a_postgres' }, { key: 'NEW_TOKEN' }] } as DetectedModule;
    let n = 0;
    const bytes = (size: number) => Buffer.from(Array.from({ length: size }, () => n++ % 256));
    const fresh = planEnvDeploy(module, '# head', undefined, bytes);
    expect(fresh.content).toMatch(/^# head\nA_DB_PASSWORD=[A-Za-z0-9]{40}\nA_DB_HOST=a_postgres\nNEW_TOKEN=[A-Za-z0-9]{40}\n$/);
    const existing = '# mine\nA_DB_PASSWORD=keepme\nA_DB_HOST=elsewhere';
    const again = planEnvDeploy(module, '# head', existing, bytes);
    expect(again.content.startsWith(`${existing}\n`)).toBe(true);
    expect(again.kept).toEqual(['A_DB_PASSWORD', 'A_DB_HOST']);
    expect(again.added).toEqual(['NEW_TOKEN']);
    expect(redactEnvText(again.content)).not.toMatch(/keepme|elsewhere/);
  });
});
