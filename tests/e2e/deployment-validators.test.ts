import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { okIn } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { codeBlocks, npmTool, remoteScripts, venvTool, YAMLLINT_CONFIG } from '../helpers/validators.js';
import { parseDeploymentYaml } from '../../src/deploy/deployment-schema.js';

/**
 * Every strategy and CI platform (with every trigger) on a module of each database type, each generated
 * file checked by the tool its user will feed it to: the GitHub-workflow and GitLab-CI schemas and
 * actionlint, npm-groovy-lint, hadolint, shellcheck, kubernetes-validate, yamllint, the compose schema.
 */
const DATABASES = ['postgresql', 'mysql', 'none'] as const;
const COMMON = ['--client', 'Beast Business', '--host', 'client.example.com', '--user', 'deploy', '--port', '2222', '--base-path', '/srv/dagster', '--yes'];
const DEPLOYMENTS: Array<{ name: string; flags: string[] }> = [
  { name: 'git-single', flags: ['--strategy', 'git', '--repository', 'git@github.com:acme/sales.git', '--branch', 'main'] },
  { name: 'git-mono', flags: ['--strategy', 'git', '--repository', 'https://git.example.com/acme/modules.git', '--monorepo', 'yes', '--branch', 'release'] },
  { name: 'rsync', flags: ['--strategy', 'rsync', '--exclude', 'notebooks/', '--exclude', '*.csv'] },
  { name: 'docker', flags: ['--strategy', 'docker', '--registry', 'registry.example.com:5000/acme'] },
  { name: 'kube', flags: ['--strategy', 'kubernetes', '--registry', 'ghcr.io/acme', '--namespace', 'clients'] },
  ...['github', 'gitlab', 'jenkins'].flatMap((platform) =>
    ['push', 'tag', 'manual'].map((trigger) => ({ name: `${platform}-${trigger}`, flags: ['--strategy', 'ci-cd', '--platform', platform, '--trigger', trigger] })),
  ),
];

let workspace: string;
const modules: Record<string, string> = {};
const outputs: string[] = [];

function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, pattern));
    else if (pattern.test(path)) found.push(path);
  }
  return found.sort();
}
const all = (pattern: RegExp) => Object.values(modules).flatMap((dir) => filesUnder(dir, pattern));

beforeAll(() => {
  workspace = tempDir('dmb-deploy-validate-');
  okIn(workspace, 'init');
  for (const db of DATABASES) {
    const name = `${db}-shop`;
    okIn(workspace, 'new', name, '--db', db, '--yes');
    modules[db] = join(workspace, 'projects', name);
    for (const deployment of DEPLOYMENTS) {
      const result = okIn(workspace, 'configure-deployment', name, '--name', deployment.name, ...COMMON, ...deployment.flags);
      outputs.push(result.stdout, result.stderr);
    }
  }
});

describe('configure-deployment output, checked by the real tools', () => {
  it('writes every strategy file for every database type', () => {
    for (const dir of Object.values(modules)) {
      for (const { name } of DEPLOYMENTS) {
        for (const file of ['deployment.yaml', '.env.deploy', '.env.deploy.example', 'DEPLOYMENT.md']) expect(existsSync(join(dir, 'deploy', name, file)), `${name}/${file}`).toBe(true);
      }
      expect(existsSync(join(dir, 'deploy', 'docker', 'Dockerfile'))).toBe(true);
      expect(existsSync(join(dir, 'deploy', 'kube', 'k8s', 'deployment.yaml'))).toBe(true);
      expect(existsSync(join(dir, '.github', 'workflows', 'deploy-github-push.yml'))).toBe(true);
      expect(existsSync(join(dir, 'deploy', 'jenkins-tag', 'Jenkinsfile'))).toBe(true);
      // The three GitLab deployments share one .gitlab-ci.yml that includes each.
      const gitlab = parse(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')) as { include: Array<{ local: string }> };
      expect(gitlab.include.map((i) => i.local)).toEqual(['deploy/gitlab-push/gitlab-ci.yml', 'deploy/gitlab-tag/gitlab-ci.yml', 'deploy/gitlab-manual/gitlab-ci.yml']);
    }
  });

  it('GitHub workflows pass the vendor.github-workflows schema and actionlint', async () => {
    const workflows = all(/\.github\/workflows\/.*\.yml$/);
    expect(workflows).toHaveLength(9);
    const schema = venvTool('check-jsonschema', ['--builtin-schema', 'vendor.github-workflows', ...workflows]);
    expect(schema.code, schema.output).toBe(0);
    const { createLinter } = await import('actionlint');
    const lint = await createLinter();
    for (const file of workflows) expect(lint(readFileSync(file, 'utf8'), file), file).toEqual([]);
  });

  it('GitLab pipelines pass the vendor.gitlab-ci schema', () => {
    const files = [...all(/\.gitlab-ci\.yml$/), ...all(/gitlab-ci\.yml$/).filter((f) => !f.endsWith('/.gitlab-ci.yml'))];
    expect(files).toHaveLength(12);
    const result = venvTool('check-jsonschema', ['--builtin-schema', 'vendor.gitlab-ci', ...files]);
    expect(result.code, result.output).toBe(0);
  });

  it('Jenkinsfiles pass npm-groovy-lint (one run over all of them)', () => {
    const files = all(/\/Jenkinsfile$/);
    expect(files).toHaveLength(9);
    const result = npmTool('npm-groovy-lint', ['--noserver', '--failon', 'error', ...files], { timeout: PATIENCE_MS });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/linted files/);
  });

  it('Dockerfiles pass hadolint --failure-threshold warning, with the code server health check', () => {
    const files = all(/\/Dockerfile$/);
    expect(files).toHaveLength(6);
    const result = venvTool('hadolint', ['--failure-threshold', 'warning', ...files]);
    expect(result.code, result.output).toBe(0);
    for (const file of files) expect(readFileSync(file, 'utf8')).toMatch(/^HEALTHCHECK .*\n\s+CMD \["dagster", "api", "grpc-health-check", "-p", "4000"\]/m);
  });

  it('Kubernetes manifests pass kubernetes-validate --strict', () => {
    const files = all(/\/k8s\/.*\.yaml$/);
    expect(files).toHaveLength(6);
    const result = venvTool('kubernetes-validate', ['--strict', ...files]);
    expect(result.code, result.output).toBe(0);
    const deployment = parse(readFileSync(files.find((f) => f.endsWith('deployment.yaml'))!, 'utf8'));
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.exec.command).toEqual(['dagster', 'api', 'grpc-health-check', '-p', '4000']);
    expect(container.livenessProbe.exec.command).toEqual(['dagster', 'api', 'grpc-health-check', '-p', '4000']);
  });

  it('the docker strategy compose file passes the compose-spec schema', () => {
    const files = all(/\/deploy\/docker\/docker-compose\.yml$/);
    expect(files).toHaveLength(3);
    const result = venvTool('check-jsonschema', ['--builtin-schema', 'vendor.compose-spec', ...files]);
    expect(result.code, result.output).toBe(0);
  });

  it('every YAML file passes yamllint --strict', () => {
    const files = all(/\.(ya?ml)$/).filter((f) => !f.includes('/workspace/local/') && !f.endsWith('.dmb-answers.yml'));
    expect(files.length).toBeGreaterThan(60);
    const result = venvTool('yamllint', ['--strict', '-c', YAMLLINT_CONFIG, ...files]);
    expect(result.code, result.output).toBe(0);
  });

  it("every shell step of the pipelines, every command block of DEPLOYMENT.md and every remote script pass shellcheck", () => {
    const snippets = join(tempDir('dmb-shell-'), 'snippets');
    mkdirSync(snippets);
    const scripts: string[] = [];
    const add = (label: string, body: string, shell: 'bash' | 'sh' = 'bash') => {
      const file = join(snippets, `${scripts.length}-${label.replace(/[^A-Za-z0-9]+/g, '_')}.${shell}`);
      writeFileSync(file, `#!/usr/bin/env ${shell}\n# from ${label}\n${body}\n`);
      scripts.push(file);
      for (const remote of remoteScripts(body)) add(`${label} (remote script)`, remote, 'sh');
    };
    for (const dir of Object.values(modules)) {
      for (const file of filesUnder(join(dir, 'deploy'), /DEPLOYMENT\.md$/)) {
        const blocks = codeBlocks(readFileSync(file, 'utf8'), ['sh']);
        expect(blocks.length, file).toBeGreaterThan(2);
        blocks.forEach((block, index) => add(`${relative(dir, file)} block ${index + 1}`, block));
      }
      for (const file of filesUnder(join(dir, 'deploy'), /ci-deploy\.sh$/)) add(relative(dir, file), readFileSync(file, 'utf8'));
      for (const file of filesUnder(join(dir, '.github'), /\.yml$/)) {
        const workflow = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
        for (const [job, { steps }] of Object.entries(workflow.jobs)) steps.filter((s) => s.run).forEach((s, i) => add(`${relative(dir, file)} ${job} step ${i}`, s.run!));
      }
      for (const file of filesUnder(join(dir, 'deploy'), /gitlab-ci\.yml$/)) {
        const jobs = parse(readFileSync(file, 'utf8')) as Record<string, { script?: string[] }>;
        for (const [job, body] of Object.entries(jobs)) if (body.script) add(`${relative(dir, file)} ${job}`, body.script.join('\n'));
      }
      for (const file of filesUnder(join(dir, 'deploy'), /Jenkinsfile$/)) {
        const text = readFileSync(file, 'utf8');
        const steps = [...text.matchAll(/sh '''\n([\s\S]*?)'''/g), ...text.matchAll(/sh '([^'\n]+)'/g)].map((m) => m[1]!);
        expect(steps.length, file).toBe(2);
        steps.forEach((step, i) => add(`${relative(dir, file)} sh ${i}`, step));
      }
      for (const file of filesUnder(join(dir, 'deploy'), /deployment\.yaml$/).filter((f) => !f.includes('/k8s/'))) {
        const { deployment } = parse(readFileSync(file, 'utf8'));
        add(`${relative(dir, file)} commands`, [deployment.health_check.command, deployment.post_deploy, deployment.git?.post_checkout ?? ''].join('\n'));
      }
    }
    expect(scripts.length).toBeGreaterThan(300);
    const result = venvTool('shellcheck', ['--external-sources', ...scripts]);
    expect(result.code, result.output).toBe(0);
  });

  it('DEPLOYMENT.md has every section, real values and no placeholder left', () => {
    for (const file of all(/DEPLOYMENT\.md$/)) {
      const text = readFileSync(file, 'utf8');
      for (const section of ['## Quick deploy', '## Initial server setup', '## Configuration files', '## Troubleshooting', '## Rollback']) expect(text, file).toContain(section);
      expect(text, file).not.toMatch(/<[a-z][a-z _-]*>|__[A-Z_]+__|dmb:(if|end)/);
      if (!file.includes('/kube/')) expect(text, file).toContain('ssh -p 2222 deploy@client.example.com');
    }
  });

  it('deployment.yaml round-trips through dmb\'s own schema, and show prints the same configuration', async () => {
    for (const [db, dir] of Object.entries(modules)) {
      for (const { name } of DEPLOYMENTS) {
        const text = readFileSync(join(dir, 'deploy', name, 'deployment.yaml'), 'utf8');
        const config = await parseDeploymentYaml(text, name);
        expect(config.name).toBe(name);
        expect(config.database.type).toBe(db);
        if (db !== 'none') expect(config.database).toMatchObject({ port: db === 'postgresql' ? 5432 : 3306 });
        const shown = okIn(workspace, 'deployment', 'show', `${db}-shop`, name, '--json');
        outputs.push(shown.stdout, shown.stderr);
        const { deployment } = JSON.parse(shown.stdout);
        const { environment_file: env, ...rest } = deployment;
        expect(rest).toEqual(config);
        expect(env.present).toBe(true);
        expect(env.mode).toBe('600');
      }
    }
  });

  it('.env.deploy is 0600 and no secret value appears in any output of configure, list or show', () => {
    for (const db of DATABASES) {
      for (const args of [['deployment', 'list', `${db}-shop`], ['deployment', 'list', `${db}-shop`, '--json'], ['deployment', 'show', `${db}-shop`, 'rsync']]) {
        const result = okIn(workspace, ...args);
        outputs.push(result.stdout, result.stderr);
      }
    }
    const secrets: string[] = [];
    for (const file of all(/\/\.env\.deploy$/)) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const match = /^[A-Z0-9_]*(PASSWORD|SECRET|TOKEN)[A-Z0-9_]*=(.+)$/.exec(line);
        if (match) secrets.push(match[2]!);
      }
    }
    expect(secrets).toHaveLength(2 * DEPLOYMENTS.length);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9]{32,}$/);
      for (const output of outputs) expect(output.includes(secret)).toBe(false);
    }
  });
});
