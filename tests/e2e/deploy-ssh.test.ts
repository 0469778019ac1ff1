import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DAGSTER_BIN, DMB_BIN, okIn, runBinary, type CliResult } from '../helpers/cli.js';
import { freePort, sleep, startSshd, type Sshd } from '../helpers/sshd.js';
import { snapshotTree, tempDir } from '../helpers/tree.js';

/**
 * dmb deploy / rollback / releases against a real host: an sshd started here on a free loopback port with its own
 * host key, reached as the current user with a client key from a temp authorized_keys, through an ssh config given
 * as DMB_SSH_CONFIG (host keys checked). The health check runs the module's code location in the pinned Dagster.
 */
let server: Sshd | undefined;
let user: string;
let sshDir: string;
let port: number;
let workspace: string;
let moduleDir: string;
let base: string;
let modulePath: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

/** dmb with the test's ssh config; every output is kept to search it for secrets at the end. */
function dmb(...args: string[]): CliResult {
  const result = runBinary([...args, '--workspace', workspace], env);
  outputs.push(result.stdout + result.stderr);
  return result;
}
function dmbOk(...args: string[]): CliResult {
  const result = dmb(...args);
  expect(result.code, `dmb ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

const currentRelease = () => readlinkSync(join(modulePath, 'current'));
const releases = () => readdirSync(join(modulePath, 'releases')).sort();
/** A file of the module's package: the Definitions live in src/<package>/__init__.py, the assets beside them. */
const packageFile = (file: string) => {
  const src = join(moduleDir, 'src');
  const pkg = readdirSync(src).find((entry) => existsSync(join(src, entry, '__init__.py')))!;
  return join('src', pkg, file);
};
const definitionsFile = () => packageFile('__init__.py');

function editDeployment(name: string, change: (d: Record<string, any>) => void): void {
  const file = join(moduleDir, 'deploy', name, 'deployment.yaml');
  const doc = parse(readFileSync(file, 'utf8'));
  change(doc.deployment);
  writeFileSync(file, stringify(doc));
}

beforeAll(async () => {
  server = await startSshd();
  ({ dir: sshDir, port, user } = server);
  env = { DMB_SSH_CONFIG: server.sshConfig };

  workspace = tempDir('dmb-deploy-');
  base = join(sshDir, 'srv');
  okIn(workspace, 'init');
  okIn(workspace, 'new', 'shop', '--db', 'postgresql', '--yes');
  moduleDir = join(workspace, 'projects', 'shop');
  const common = ['--client', 'Beast Business', '--host', '127.0.0.1', '--port', String(port), '--user', user, '--base-path', base, '--strategy', 'rsync', '--yes'];
  okIn(workspace, 'configure-deployment', 'shop', '--name', 'yoda', '--exclude', 'notes/', ...common);
  modulePath = join(base, 'modules', 'shop');
  editDeployment('yoda', (d) => {
    // The host is this machine: its Dagster is the pinned one; the reload step leaves a trace to check.
    d.health_check.command = `${DAGSTER_BIN} definitions validate -m ${d.module.package_name} -d src`;
    d.post_deploy = 'echo reloaded >> ../../post-deploy.log';
  });
  okIn(workspace, 'configure-deployment', 'shop', '--name', 'quick', ...common.map((a) => (a === base ? join(sshDir, 'quick') : a)));
  editDeployment('quick', (d) => {
    d.health_check.command = 'test -d src';
    d.post_deploy = 'true';
    d.keep_releases = 3;
  });
  mkdirSync(join(moduleDir, 'notes'));
  writeFileSync(join(moduleDir, 'notes', 'private.txt'), 'not for the client\n');
});

afterAll(() => {
  server?.stop();
});

const secretValues = () =>
  readFileSync(join(moduleDir, 'deploy', 'yoda', '.env.deploy'), 'utf8')
    .split('\n')
    .map((line) => /^[A-Z0-9_]+=(.*)$/.exec(line)?.[1] ?? '')
    .filter((value) => /^[A-Za-z0-9]{12,}$/.test(value));

describe('dmb deploy / rollback / releases over ssh (rsync)', () => {
  let first: string;
  let second: string;
  let firstFiles: Record<string, string>;

  it('--dry-run prints the commands and changes nothing on the host', () => {
    const result = dmbOk('deploy', 'shop', 'yoda', '--dry-run');
    expect(result.stdout).toMatch(/\$ rsync -a --delete --mkpath .*--link-dest=\S+\/current\//);
    expect(result.stdout).toContain('ln -sfn');
    expect(result.stdout).toContain('mv -T current.tmp current');
    expect(result.stdout).toContain('--chmod=F600');
    expect(existsSync(base)).toBe(false);
  });

  it('the first deploy uploads a release, shared/.env once (0600), and switches current', () => {
    const result = dmbOk('deploy', 'shop', 'yoda');
    expect(result.stdout).toContain('shared/.env: uploaded (mode 0600)');
    first = releases()[0]!;
    expect(releases()).toEqual([first]);
    expect(currentRelease()).toBe(`releases/${first}`);
    const env = join(modulePath, 'shared', '.env');
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(readFileSync(env, 'utf8')).toBe(readFileSync(join(moduleDir, 'deploy', 'yoda', '.env.deploy'), 'utf8'));
    const release = join(modulePath, 'releases', first);
    expect(readFileSync(join(release, definitionsFile()), 'utf8')).toBe(readFileSync(join(moduleDir, definitionsFile()), 'utf8'));
    // Never uploaded: the secrets file, the local .env, the exclusion from --exclude.
    expect(existsSync(join(release, 'deploy', 'yoda', '.env.deploy'))).toBe(false);
    expect(existsSync(join(release, '.env'))).toBe(false);
    expect(existsSync(join(release, 'notes'))).toBe(false);
    expect(readFileSync(join(modulePath, 'post-deploy.log'), 'utf8')).toBe('reloaded\n');
    firstFiles = snapshotTree(release);
    expect(existsSync(join(modulePath, '.deploy-lock'))).toBe(false);
  });

  it('the second deploy hard-links unchanged files to the first release and keeps shared/.env', async () => {
    writeFileSync(join(modulePath, 'shared', '.env'), 'KEPT=1\n');
    writeFileSync(join(moduleDir, 'README.md'), `${readFileSync(join(moduleDir, 'README.md'), 'utf8')}\nRelease two.\n`);
    await sleep(1100);
    const result = dmbOk('deploy', 'shop', 'yoda', '--json');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ status: 'deployed', env_uploaded: false, module: 'shop', deployment: 'yoda' });
    second = report.release;
    expect(releases()).toEqual([first, second]);
    expect(currentRelease()).toBe(`releases/${second}`);
    const inode = (release: string, file: string) => statSync(join(modulePath, 'releases', release, file)).ino;
    expect(inode(second, definitionsFile())).toBe(inode(first, definitionsFile()));
    expect(inode(second, 'README.md')).not.toBe(inode(first, 'README.md'));
    expect(readFileSync(join(modulePath, 'shared', '.env'), 'utf8')).toBe('KEPT=1\n');
    expect(report.steps.map((s: { name: string }) => s.name)).toEqual(['lock', 'upload', 'env', 'health', 'switch', 'post_deploy', 'prune', 'unlock']);
  });

  it('--upload-env replaces shared/.env', async () => {
    dmbOk('deploy', 'shop', 'quick');
    const hostEnv = join(sshDir, 'quick', 'modules', 'shop', 'shared', '.env');
    writeFileSync(hostEnv, 'OLD=1\n');
    await sleep(1100);
    const result = dmbOk('deploy', 'shop', 'quick', '--upload-env');
    expect(result.stdout).toContain('shared/.env: uploaded (mode 0600)');
    expect(readFileSync(hostEnv, 'utf8')).toBe(readFileSync(join(moduleDir, 'deploy', 'quick', '.env.deploy'), 'utf8'));
    expect(statSync(hostEnv).mode & 0o777).toBe(0o600);
  });

  it('releases lists them with current marked', () => {
    const json = JSON.parse(dmbOk('releases', 'shop', 'yoda', '--json').stdout);
    expect(json.current).toBe(second);
    expect(json.releases).toEqual([
      { release: first, current: false },
      { release: second, current: true },
    ]);
    expect(dmbOk('releases', 'shop', 'yoda').stdout).toContain(`* ${second}  (current)`);
  });

  it('a failing health check leaves the previous release current and removes the new one', async () => {
    const file = join(moduleDir, packageFile('assets.py'));
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good}\nraise RuntimeError("broken on purpose")\n`);
    await sleep(1100);
    try {
      const result = dmb('deploy', 'shop', 'yoda');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('health failed');
      expect(result.stderr).toContain('the previous release stays current');
      expect(result.stderr).toContain('broken on purpose');
    } finally {
      writeFileSync(file, good);
    }
    expect(currentRelease()).toBe(`releases/${second}`);
    expect(releases()).toEqual([first, second]);
    expect(existsSync(join(modulePath, '.deploy-lock'))).toBe(false);
  });

  it('a held lock refuses a deploy and names its holder; --force-unlock removes it and says whose it was', () => {
    mkdirSync(join(modulePath, '.deploy-lock'));
    writeFileSync(join(modulePath, '.deploy-lock', 'holder'), 'alice@laptop (pid 42): deploy 20260101000000\n');
    const before = snapshotTree(modulePath);
    const refused = dmb('deploy', 'shop', 'yoda');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('alice@laptop (pid 42)');
    expect(snapshotTree(modulePath)).toEqual(before);
    const rollback = dmbOk('rollback', 'shop', 'yoda', '--force-unlock');
    expect(rollback.stdout).toContain('removed a stale deploy lock, held by: alice@laptop (pid 42)');
    expect(currentRelease()).toBe(`releases/${first}`);
    expect(existsSync(join(modulePath, '.deploy-lock'))).toBe(false);
  });

  it('rollback switches back; current holds the first release byte for byte; --to goes forward again', () => {
    expect(snapshotTree(join(modulePath, 'current'))).toEqual(firstFiles);
    expect(readFileSync(join(modulePath, 'post-deploy.log'), 'utf8')).toBe('reloaded\nreloaded\nreloaded\n');
    dmbOk('rollback', 'shop', 'yoda', '--to', second);
    expect(currentRelease()).toBe(`releases/${second}`);
    dmbOk('rollback', 'shop', 'yoda');
    expect(currentRelease()).toBe(`releases/${first}`);
  });

  it('rollback to a release that does not exist lists the ones that do (exit 2)', () => {
    const result = dmb('rollback', 'shop', 'yoda', '--to', '19990101000000');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no release "19990101000000"');
    expect(result.stderr).toContain(`${first} (current), ${second}`);
    const oldest = dmb('rollback', 'shop', 'yoda');
    expect(oldest.code).toBe(2);
    expect(oldest.stderr).toContain('no release before');
  });

  it('two deploys at once: the second is refused by the lock, naming the first', async () => {
    const quick = join(sshDir, 'quick', 'modules', 'shop');
    const gate = join(quick, 'go');
    // The first deploy's health check waits for the test: it holds the lock for as long as the test needs, no timing.
    editDeployment('quick', (d) => (d.health_check.command = `while [ ! -f ${gate} ]; do sleep 0.2; done`));
    await sleep(1100);
    const first = spawn(process.execPath, [DMB_BIN, 'deploy', 'shop', 'quick', '--workspace', workspace], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOutput = '';
    first.stdout.on('data', (chunk) => (firstOutput += chunk));
    first.stderr.on('data', (chunk) => (firstOutput += chunk));
    const firstDone = new Promise<number>((resolve) => first.on('close', (code) => resolve(code ?? -1)));
    try {
      for (let attempt = 0; attempt < 600 && !existsSync(join(quick, '.deploy-lock', 'holder')); attempt++) await sleep(200);
      const second = dmb('deploy', 'shop', 'quick');
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('another deploy or rollback holds the lock');
      expect(second.stderr).toContain(`(pid ${first.pid})`);
    } finally {
      writeFileSync(gate, '');
    }
    expect(await firstDone, firstOutput).toBe(0);
    outputs.push(firstOutput);
    editDeployment('quick', (d) => (d.health_check.command = 'test -d src'));
  });

  it('keeps keep_releases releases (3) after 6 deploys, never the current one', async () => {
    for (let i = 0; i < 3; i++) {
      await sleep(1100);
      dmbOk('deploy', 'shop', 'quick');
    }
    const quick = join(sshDir, 'quick', 'modules', 'shop');
    const left = readdirSync(join(quick, 'releases')).sort();
    expect(left).toHaveLength(3);
    expect(readlinkSync(join(quick, 'current'))).toBe(`releases/${left.at(-1)}`);
  });

  it('bad input exits 2 with a clear message and changes nothing', () => {
    const before = snapshotTree(moduleDir);
    const unknownModule = dmb('deploy', 'nope', 'yoda');
    expect(unknownModule.code).toBe(2);
    const unknownDeployment = dmb('deploy', 'shop', 'nope');
    expect(unknownDeployment.code).toBe(2);
    expect(unknownDeployment.stderr).toContain('Its deployments: quick, yoda');
    mkdirSync(join(moduleDir, 'deploy', 'broken'));
    const yaml = readFileSync(join(moduleDir, 'deploy', 'quick', 'deployment.yaml'), 'utf8').replace('keep_releases:', 'keep_release:').replace('name: quick', 'name: broken');
    writeFileSync(join(moduleDir, 'deploy', 'broken', 'deployment.yaml'), yaml);
    const wrongKey = dmb('deploy', 'shop', 'broken');
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('deployment.keep_release: unknown key');
    expect(dmb('rollback', 'shop', 'yoda', '--to', 'yesterday').code).toBe(2);
    const after = snapshotTree(moduleDir);
    delete after['deploy/broken/deployment.yaml'];
    delete after['deploy/broken/'];
    expect(after).toEqual(before);
  });

  it('an unreachable host fails fast with a clear error and changes nothing', async () => {
    const closed = await freePort();
    editDeployment('quick', (d) => (d.remote.port = closed));
    const before = snapshotTree(moduleDir);
    const result = dmb('deploy', 'shop', 'quick');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ssh could not reach');
    expect(result.stderr).toMatch(/Connection refused/);
    expect(snapshotTree(moduleDir)).toEqual(before);
    expect(dmb('releases', 'shop', 'quick').code).toBe(1);
  });

  it('no secret value of .env.deploy appears in any output', () => {
    const secrets = secretValues();
    expect(secrets.length).toBeGreaterThan(0);
    const all = outputs.join('\n');
    for (const secret of secrets) expect(all.includes(secret), `secret ${secret.slice(0, 3)}… printed`).toBe(false);
  });
});
