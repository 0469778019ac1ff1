import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { okIn, runBinary, type CliResult } from '../helpers/cli.js';
import { sleep, startSshd, type Sshd } from '../helpers/sshd.js';
import { snapshotTree, tempDir } from '../helpers/tree.js';

/**
 * The git strategy against a real host (sshd on loopback, the current user): the deployment's repository is a bare
 * repository on the host, the module is pushed to it, and the host checks out the pushed commit into each release.
 */
let server: Sshd | undefined;
let workspace: string;
let moduleDir: string;
let modulePath: string;
let remote: string;
let env: NodeJS.ProcessEnv;

const GIT_ENV = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' };
function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: moduleDir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  expect(result.status, `git ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout.trim();
}
const dmb = (...args: string[]): CliResult => runBinary([...args, '--workspace', workspace], env);
function dmbOk(...args: string[]): CliResult {
  const result = dmb(...args);
  expect(result.code, `dmb ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}
const currentRevision = () => readFileSync(join(modulePath, 'current', 'REVISION'), 'utf8').trim();

beforeAll(async () => {
  server = await startSshd();
  env = { DMB_SSH_CONFIG: server.sshConfig };
  workspace = tempDir('dmb-deploy-git-');
  remote = join(server.dir, 'shop.git');
  spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  okIn(workspace, 'init');
  okIn(workspace, 'new', 'shop', '--db', 'postgresql', '--yes');
  moduleDir = join(workspace, 'projects', 'shop');
  const base = join(server.dir, 'srv');
  modulePath = join(base, 'modules', 'shop');
  okIn(workspace, 'configure-deployment', 'shop', '--name', 'yoda', '--client', 'Beast Business', '--host', '127.0.0.1', '--port', String(server.port), '--user', server.user, '--base-path', base, '--strategy', 'git', '--repository', remote, '--branch', 'main', '--yes');
  const file = join(moduleDir, 'deploy', 'yoda', 'deployment.yaml');
  const doc = parse(readFileSync(file, 'utf8'));
  doc.deployment.health_check.command = 'test -f REVISION && test -d src';
  doc.deployment.post_deploy = 'true';
  doc.deployment.git.post_checkout = 'test -f REVISION';
  writeFileSync(file, stringify(doc));
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'shop');
  git('push', '--quiet', remote, 'HEAD:main');
});

afterAll(() => server?.stop());

describe('dmb deploy with the git strategy', () => {
  let first: string;
  let second: string;

  it('never commits .env.deploy (the module ignores it), so the host only gets it as shared/.env', () => {
    const files = git('ls-files').split('\n');
    expect(files).toContain('deploy/yoda/.env.deploy.example');
    expect(files).not.toContain('deploy/yoda/.env.deploy');
  });

  it('deploys the pushed commit into a release; a second pushed commit moves current', async () => {
    first = git('rev-parse', 'HEAD');
    dmbOk('deploy', 'shop', 'yoda');
    expect(currentRevision()).toBe(first);
    expect(readFileSync(join(modulePath, 'current', 'README.md'), 'utf8')).toBe(readFileSync(join(moduleDir, 'README.md'), 'utf8'));
    appendFileSync(join(moduleDir, 'README.md'), '\nRelease two.\n');
    git('commit', '--quiet', '-am', 'two');
    git('push', '--quiet', remote, 'HEAD:main');
    second = git('rev-parse', 'HEAD');
    await sleep(1100);
    const report = JSON.parse(dmbOk('deploy', 'shop', 'yoda', '--json').stdout);
    expect(report).toMatchObject({ status: 'deployed', commit: second, strategy: 'git' });
    expect(currentRevision()).toBe(second);
    expect(readFileSync(join(modulePath, 'current', 'README.md'), 'utf8')).toContain('Release two.');
  });

  it('rollback moves current back to the first commit', () => {
    dmbOk('rollback', 'shop', 'yoda');
    expect(currentRevision()).toBe(first);
  });

  it('an unpushed commit is refused before anything changes on the host', () => {
    appendFileSync(join(moduleDir, 'README.md'), '\nNot pushed.\n');
    git('commit', '--quiet', '-am', 'three');
    const before = snapshotTree(modulePath);
    const link = readlinkSync(join(modulePath, 'current'));
    const result = dmb('deploy', 'shop', 'yoda');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not pushed to branch main');
    expect(result.stderr).toContain(`git push ${remote} HEAD:main`);
    expect(snapshotTree(modulePath)).toEqual(before);
    expect(readlinkSync(join(modulePath, 'current'))).toBe(link);
  });

  it('--dry-run prints the local check and the host steps and runs none of them', () => {
    const before = snapshotTree(modulePath);
    const result = dmbOk('deploy', 'shop', 'yoda', '--dry-run');
    expect(result.stdout).toContain('merge-base --is-ancestor');
    expect(result.stdout).toContain('archive --format=tar');
    expect(snapshotTree(modulePath)).toEqual(before);
  });
});
