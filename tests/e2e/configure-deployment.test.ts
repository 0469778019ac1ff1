import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, statSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dmbIn, okIn, runInProcess } from '../helpers/cli.js';
import { snapshotTree, tempDir } from '../helpers/tree.js';
import { failingFs } from '../helpers/faulty-fs.js';

const RSYNC = ['--client', 'Beast Business', '--host', 'client.example.com', '--base-path', '/srv/dagster', '--strategy', 'rsync', '--yes'];
/** The same answers with another strategy. */
const strategy = (id: string) => RSYNC.map((flag) => (flag === 'rsync' ? id : flag));

/** A workspace with a PostgreSQL module, copied fresh for each test that writes. */
let template: string;
beforeAll(() => {
  template = tempDir('dmb-deploy-base-');
  okIn(template, 'init');
  okIn(template, 'new', 'sales-data', '--db', 'postgresql', '--yes');
});

function freshWorkspace(): { workspace: string; module: string } {
  const workspace = tempDir('dmb-deploy-');
  cpSync(template, workspace, { recursive: true });
  return { workspace, module: join(workspace, 'projects', 'sales-data') };
}

const secretsOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^[A-Z0-9_]*PASSWORD=(.+)$/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined);

describe('dmb configure-deployment: bad input is refused and nothing is written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown strategy', ['--name', 'yoda', ...RSYNC, '--strategy', 'ftp'], /--strategy "ftp" is not one of: git, rsync, docker, ci-cd, kubernetes/],
    ['an unknown platform', ['--name', 'yoda', ...RSYNC, '--strategy', 'ci-cd', '--platform', 'bitbucket'], /--platform "bitbucket" is not one of: github, gitlab, jenkins/],
    ['a host with spaces', ['--name', 'yoda', ...RSYNC, '--host', 'client example.com'], /--host "client example.com" contains a space/],
    ['a host with a scheme', ['--name', 'yoda', ...RSYNC, '--host', 'ssh://client.example.com'], /has a scheme/],
    ['a port of 0', ['--name', 'yoda', ...RSYNC, '--port', '0'], /--port "0" is outside 1-65535/],
    ['a port of 70000', ['--name', 'yoda', ...RSYNC, '--port', '70000'], /is outside 1-65535/],
    ['a port that is not a number', ['--name', 'yoda', ...RSYNC, '--port', 'ssh'], /is not a number/],
    ['a relative base path', ['--name', 'yoda', ...RSYNC, '--base-path', 'srv/dagster'], /--base-path "srv\/dagster" is relative/],
    ['a base path with ..', ['--name', 'yoda', ...RSYNC, '--base-path', '/srv/../etc'], /holds "\.\." or "\."/],
    ['a name with a slash', ['--name', '../yoda', ...RSYNC], /--name "..\/yoda" is not a safe folder name/],
    ['a name with spaces', ['--name', 'client prod', ...RSYNC], /is not a safe folder name/],
    ['an unknown trigger', ['--name', 'yoda', ...RSYNC, '--strategy', 'ci-cd', '--trigger', 'nightly'], /--trigger "nightly" is not one of: push, tag, manual/],
    ['a git strategy without a repository', ['--name', 'yoda', ...RSYNC, '--strategy', 'git'], /--repository/],
  ];
  it.each(cases)('%s: exit 2, what would work, a byte-identical tree', (_label, args, message) => {
    const { workspace } = freshWorkspace();
    const before = snapshotTree(workspace);
    const result = dmbIn(workspace, 'configure-deployment', 'sales-data', ...args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/fix: /);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('a module that does not exist: exit 2, how to create it', () => {
    const { workspace } = freshWorkspace();
    const before = snapshotTree(workspace);
    const result = dmbIn(workspace, 'configure-deployment', 'no-such-module', '--name', 'yoda', ...RSYNC);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No module "no-such-module"/);
    expect(result.stderr).toMatch(/dmb new no-such-module/);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('a write that fails half-way leaves every file byte-identical', async () => {
    const { workspace } = freshWorkspace();
    const args = ['configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC, '--workspace', workspace];
    const count = failingFs(undefined);
    const probe = freshWorkspace();
    expect((await runInProcess(['configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC, '--workspace', probe.workspace], { effects: { fs: count } })).code).toBe(0);
    const writes = count.log.length;
    expect(writes).toBeGreaterThan(4);
    const before = snapshotTree(workspace);
    for (let failAt = 1; failAt <= writes; failAt++) {
      const result = await runInProcess(args, { effects: { fs: failingFs(failAt) } });
      expect(result.code, `failing step ${failAt}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/Every file is as it was/);
      expect(snapshotTree(workspace)).toEqual(before);
    }
  });
});

describe('dmb configure-deployment: files, secrets, re-runs', () => {
  it('.env.deploy is 0600 with generated secrets, and git ignores it in a git-init-ed module', () => {
    const { workspace, module } = freshWorkspace();
    const result = okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const env = join(module, 'deploy', 'yoda', '.env.deploy');
    expect(statSync(env).mode & 0o777).toBe(0o600);
    const [password] = secretsOf(env);
    expect(password).toMatch(/^[A-Za-z0-9]{32,}$/);
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(readFileSync(join(module, 'deploy', 'yoda', '.env.deploy.example'), 'utf8')).toContain('SALES_DATA_DB_PASSWORD=CHANGE_THIS_IN_PRODUCTION');
    spawnSync('git', ['init', '-q'], { cwd: module });
    const ignored = spawnSync('git', ['check-ignore', '-q', 'deploy/yoda/.env.deploy'], { cwd: module });
    expect(ignored.status).toBe(0);
    const example = spawnSync('git', ['check-ignore', '-q', 'deploy/yoda/.env.deploy.example'], { cwd: module });
    expect(example.status).toBe(1);
  });

  it('puts the .gitignore pattern back when a user removed it, proven by git check-ignore', () => {
    const { workspace, module } = freshWorkspace();
    const gitignore = join(module, '.gitignore');
    writeFileSync(gitignore, readFileSync(gitignore, 'utf8').replace(/^deploy\/\*+\/\.env\.deploy\n/gm, ''));
    spawnSync('git', ['init', '-q'], { cwd: module });
    mkdirSync(join(module, 'deploy', 'probe'), { recursive: true });
    writeFileSync(join(module, 'deploy', 'probe', '.env.deploy'), 'X=1\n');
    expect(spawnSync('git', ['check-ignore', '-q', 'deploy/probe/.env.deploy'], { cwd: module }).status).toBe(1);
    rmSync(join(module, 'deploy', 'probe'), { recursive: true });
    const result = okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(result.stdout).toMatch(/\.gitignore did not cover deploy\/\*\/\.env\.deploy: the pattern was added/);
    expect(spawnSync('git', ['check-ignore', '-q', 'deploy/yoda/.env.deploy'], { cwd: module }).status).toBe(0);
  });

  it('a second deployment (staging beside production) is independent', () => {
    const { workspace, module } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'production', ...RSYNC);
    const production = snapshotTree(join(module, 'deploy', 'production'));
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'staging', ...RSYNC, '--host', 'staging.example.com');
    expect(snapshotTree(join(module, 'deploy', 'production'))).toEqual(production);
    expect(readFileSync(join(module, 'deploy', 'staging', 'deployment.yaml'), 'utf8')).toMatch(/environment: staging\n[\s\S]*host: staging\.example\.com/);
    expect(secretsOf(join(module, 'deploy', 'staging', '.env.deploy'))).not.toEqual(secretsOf(join(module, 'deploy', 'production', '.env.deploy')));
    const list = JSON.parse(okIn(workspace, 'deployment', 'list', 'sales-data', '--json').stdout);
    expect(list.deployments.map((d: { name: string; environment: string }) => [d.name, d.environment])).toEqual([
      ['production', 'production'],
      ['staging', 'staging'],
    ]);
  });

  it('re-running for an existing name shows the diff, asks (--yes accepts), and never replaces a secret', () => {
    const { workspace, module } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const envPath = join(module, 'deploy', 'yoda', '.env.deploy');
    // The user sets their own password and adds a variable: both must survive.
    const own = readFileSync(envPath, 'utf8').replace(/^SALES_DATA_DB_PASSWORD=.*$/m, 'SALES_DATA_DB_PASSWORD=TheClientsOwnPassword0123456789ab') + 'EXTRA=mine\n';
    writeFileSync(envPath, own);
    const before = snapshotTree(workspace);
    const flags = ['configure-deployment', 'sales-data', '--name', 'yoda', '--client', 'Beast Business', '--host', 'new.example.com', '--base-path', '/srv/dagster', '--strategy', 'rsync'];
    const unconfirmed = dmbIn(workspace, ...flags, '--environment', 'production', '--user', 'deploy', '--port', '22', '--exclude', 'notebooks/');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toMatch(/-    host: client\.example\.com\n\+    host: new\.example\.com/);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect(snapshotTree(workspace)).toEqual(before);
    const accepted = okIn(workspace, ...flags, '--yes');
    expect(accepted.stdout).toMatch(/Kept the \d+ values already in deploy\/yoda\/\.env\.deploy/);
    expect(readFileSync(envPath, 'utf8')).toBe(own);
    expect(readFileSync(join(module, 'deploy', 'yoda', 'deployment.yaml'), 'utf8')).toContain('host: new.example.com');
    expect(accepted.stdout + accepted.stderr + unconfirmed.stdout + unconfirmed.stderr).not.toContain('TheClientsOwnPassword');
    // Unchanged answers: nothing to do.
    expect(okIn(workspace, ...flags, '--yes').stdout).toMatch(/is up to date: nothing changed/);
  });

  it("switching a deployment's strategy or CI platform removes the previous one's files, never the user's", () => {
    const { workspace, module } = freshWorkspace();
    const ci = ['configure-deployment', 'sales-data', '--name', 'yoda', ...strategy('ci-cd')];
    okIn(workspace, ...ci, '--platform', 'gitlab');
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'other', ...strategy('ci-cd'), '--platform', 'gitlab');
    writeFileSync(join(module, 'deploy', 'yoda', 'NOTES.md'), 'ask Anna\n');
    const switched = okIn(workspace, ...ci, '--platform', 'github');
    expect(switched.stdout).toMatch(/- deploy\/yoda\/gitlab-ci\.yml \(removed: the previous strategy's\)/);
    expect(existsSync(join(module, 'deploy', 'yoda', 'gitlab-ci.yml'))).toBe(false);
    expect(existsSync(join(module, '.github', 'workflows', 'deploy-yoda.yml'))).toBe(true);
    expect(readFileSync(join(module, '.gitlab-ci.yml'), 'utf8')).not.toContain('deploy/yoda/');
    expect(readFileSync(join(module, '.gitlab-ci.yml'), 'utf8')).toContain('- local: deploy/other/gitlab-ci.yml');
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(existsSync(join(module, '.github', 'workflows', 'deploy-yoda.yml'))).toBe(false);
    expect(existsSync(join(module, 'deploy', 'yoda', 'ci-deploy.sh'))).toBe(false);
    expect(readFileSync(join(module, 'deploy', 'yoda', 'NOTES.md'), 'utf8')).toBe('ask Anna\n');
  });

  it('an .env.deploy someone made readable by others is 0600 again once dmb writes to it, and a warning says so otherwise', () => {
    const { workspace, module } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const envPath = join(module, 'deploy', 'yoda', '.env.deploy');
    chmodSync(envPath, 0o644);
    const warned = okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(warned.stderr).toMatch(/readable by others \(mode 644\); run: chmod 600/);
    writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(/^SALES_DATA_DB_NAME=.*\n/m, ''));
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(readFileSync(envPath, 'utf8')).toMatch(/^SALES_DATA_DB_NAME=sales_data$/m);
    expect(statSync(envPath).mode & 0o777).toBe(0o600);
  });

  it('--dry-run writes nothing, lists every file and shows no secret', () => {
    const { workspace } = freshWorkspace();
    const before = snapshotTree(workspace);
    const result = okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...strategy('docker'), '--registry', 'ghcr.io/acme', '--dry-run');
    for (const file of ['deployment.yaml', '.env.deploy', '.env.deploy.example', 'DEPLOYMENT.md', 'Dockerfile', 'docker-compose.yml', 'workspace.yaml']) {
      expect(result.stdout).toContain(`create  deploy/yoda/${file} (`);
    }
    expect(result.stdout).toMatch(/--- deploy\/yoda\/Dockerfile\n# Sales Data as its own gRPC code server/);
    expect(result.stdout).toMatch(/--- deploy\/yoda\/\.env\.deploy\n[\s\S]*SALES_DATA_DB_PASSWORD=\[redacted\]/);
    // The secrets generated in memory (40 letters and digits) are nowhere in the output.
    expect(result.stdout + result.stderr).not.toMatch(/[A-Za-z0-9]{40}/);
    expect(result.stdout).toMatch(/nothing was written/);
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('--json prints one document with the effective configuration, secrets redacted', () => {
    const { workspace, module } = freshWorkspace();
    const result = okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC, '--json');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ module: 'sales-data', deployment: 'yoda', strategy: 'rsync', detected: { database: 'postgresql', network: 'workspace-net' } });
    expect(report.configuration.environment_file.variables.SALES_DATA_DB_PASSWORD).toBe('[redacted]');
    const [password] = secretsOf(join(module, 'deploy', 'yoda', '.env.deploy'));
    expect(result.stdout + result.stderr).not.toContain(password);
  });
});

describe('dmb deployment show / list', () => {
  it('show names the key path of a wrong or unknown key (exit 2); list marks it invalid (exit 1)', () => {
    const { workspace, module } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const path = join(module, 'deploy', 'yoda', 'deployment.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('port: 22', 'port: twenty-two').replace('  network:', '  colour: blue\n  network:'));
    const show = dmbIn(workspace, 'deployment', 'show', 'sales-data', 'yoda');
    expect(show.code).toBe(2);
    expect(show.stderr).toContain('deployment.remote.port: expected a number');
    expect(show.stderr).toMatch(/deployment\.colour: unknown key/);
    const list = dmbIn(workspace, 'deployment', 'list', 'sales-data');
    expect(list.code).toBe(1);
    expect(list.stdout).toContain('deployment.remote.port: expected a number');
  });

  it('show of a deployment that does not exist lists the ones that do', () => {
    const { workspace } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const result = dmbIn(workspace, 'deployment', 'show', 'sales-data', 'endor');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no deployment "endor"[\s\S]*Its deployments: yoda/);
  });

  it('show prints the effective configuration as YAML with the .env.deploy values redacted', () => {
    const { workspace, module } = freshWorkspace();
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    chmodSync(join(module, 'deploy', 'yoda', '.env.deploy'), 0o600);
    const result = okIn(workspace, 'deployment', 'show', 'sales-data', 'yoda');
    expect(result.stdout).toMatch(/strategy: rsync/);
    expect(result.stdout).toMatch(/SALES_DATA_DB_PASSWORD: "?\[redacted\]"?/);
    for (const secret of secretsOf(join(module, 'deploy', 'yoda', '.env.deploy'))) expect(result.stdout).not.toContain(secret);
  });
});

describe('auto-detection', () => {
  it('reads the database from .dmb-answers.yml when the module has one, and the network from the workspace', () => {
    const { workspace, module } = freshWorkspace();
    // The record `dmb new` wrote decides, even when workspace/local/ is gone.
    rmSync(join(module, 'workspace'), { recursive: true });
    const record = join(module, '.dmb-answers.yml');
    writeFileSync(record, readFileSync(record, 'utf8').replace(/^  database: postgresql/m, '  database: mysql'));
    const envPath = join(workspace, 'services', 'dagster', '.env');
    writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(/^NETWORK_NAME=.*$/m, 'NETWORK_NAME=client-net'));
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    const config = readFileSync(join(module, 'deploy', 'yoda', 'deployment.yaml'), 'utf8');
    expect(config).toMatch(/database:\n    type: mysql\n    host: sales_data_mysql\n    port: 3306/);
    expect(config).toMatch(/network: client-net/);
  });

  it('detects the database of a fresh clone, which has no git-ignored workspace/local/.env', () => {
    const { workspace, module } = freshWorkspace();
    rmSync(join(module, 'workspace', 'local', '.env'));
    rmSync(join(module, '.dmb-answers.yml'));
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(readFileSync(join(module, 'deploy', 'yoda', 'deployment.yaml'), 'utf8')).toMatch(/database:\n    type: postgresql\n    host: sales_data_postgres\n    port: 5432/);
  });

  it('uses the container port the code uses, not the port published on this host', () => {
    const { workspace, module } = freshWorkspace();
    const local = readFileSync(join(module, 'workspace', 'local', '.env'), 'utf8');
    expect(local).toMatch(/SALES_DATA_DB_HOST_PORT=54\d\d/);
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(readFileSync(join(module, 'deploy', 'yoda', '.env.deploy'), 'utf8')).toMatch(/^SALES_DATA_DB_PORT=5432$/m);
    expect(readFileSync(join(module, 'deploy', 'yoda', '.env.deploy'), 'utf8')).not.toMatch(/HOST_PORT/);
  });
});

describe('dmb new --deploy yes', () => {
  it('hands over to configure-deployment, which names the flag it needs when there is no terminal', () => {
    const workspace = tempDir('dmb-deploy-new-');
    const result = dmbIn(workspace, 'new', 'orders', '--db', 'none', '--deploy', 'yes', '--yes');
    expect(result.code).toBe(1);
    expect(existsSync(join(workspace, 'projects', 'orders', 'src'))).toBe(true);
    expect(result.stdout).toMatch(/Configuring a deployment for orders/);
    expect(result.stderr).toMatch(/configuring its deployment failed: No answer for "Client name/);
    expect(result.stderr).toMatch(/dmb configure-deployment orders/);
  });
});

describe('templates and questions', () => {
  it("uses the team's copy in patterns/dagster/deploy-strategies/ (which init made) before the built-in one", () => {
    const { workspace, module } = freshWorkspace();
    const team = join(workspace, 'patterns', 'dagster', 'deploy-strategies', 'rsync', 'deploy', '__DEPLOY_NAME__', 'DEPLOYMENT.md.template');
    expect(existsSync(team)).toBe(true);
    writeFileSync(team, `${readFileSync(team, 'utf8')}\nCall the on-call engineer of __CLIENT_NAME__ before deploying.\n`);
    okIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(readFileSync(join(module, 'deploy', 'yoda', 'DEPLOYMENT.md'), 'utf8')).toContain('Call the on-call engineer of Beast Business before deploying.');
  });

  it("refuses a team template that renders an invalid deployment.yaml (exit 1, the key path), writing nothing", () => {
    const { workspace } = freshWorkspace();
    const team = join(workspace, 'patterns', 'dagster', 'deploy-strategies', 'rsync', 'deploy', '__DEPLOY_NAME__', 'deployment.yaml.template');
    writeFileSync(team, readFileSync(team, 'utf8').replace('keep_releases: __KEEP_RELEASES__', 'keep_releases: many'));
    const before = snapshotTree(workspace);
    const result = dmbIn(workspace, 'configure-deployment', 'sales-data', '--name', 'yoda', ...RSYNC);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deployment.keep_releases: expected a number');
    expect(snapshotTree(workspace)).toEqual(before);
  });

  it('asks every question on a terminal, in order, with the strategy\'s own questions', async () => {
    const { workspace, module } = freshWorkspace();
    const asked: string[] = [];
    const answers: Record<string, string> = {
      'Deployment name': 'endor',
      'Client name': 'Ewok Logistics',
      Environment: 'staging',
      'Server host': 'endor.example.com',
      'SSH user': 'ops',
      'SSH port': '2200',
      'Base path': '/opt/dagster',
      'Git repository URL': 'git@gitlab.example.com:ewoks/sales.git',
      'Branch to deploy': 'main',
    };
    const answer = (message: string) => {
      asked.push(message);
      const key = Object.keys(answers).find((k) => message.startsWith(k));
      if (!key) throw new Error(`unexpected question ${message}`);
      return answers[key]!;
    };
    const result = await runInProcess(['configure-deployment', 'sales-data', '--workspace', workspace], {
      isTTY: true,
      prompter: {
        text: async (q) => answer(q.message),
        select: async (q) => (q.message.startsWith('Deployment strategy') ? (asked.push(q.message), 'git') : (asked.push(q.message), 'no')) as never,
        multiselect: async () => [],
        confirm: async () => true,
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(asked.map((m) => m.split(' (')[0])).toEqual([
      'Deployment name',
      'Client name',
      'Environment',
      'Deployment strategy',
      'Server host name or address',
      'SSH user on the server',
      'SSH port',
      'Base path on the server',
      'Git repository URL',
      'Branch to deploy',
      'Is the module one folder of a larger repository',
    ]);
    const config = readFileSync(join(module, 'deploy', 'endor', 'deployment.yaml'), 'utf8');
    expect(config).toMatch(/host: endor\.example\.com\n    user: ops\n    port: 2200\n    base_path: \/opt\/dagster/);
    expect(config).toContain('repository: "git@gitlab.example.com:ewoks/sales.git"');
  });
});
