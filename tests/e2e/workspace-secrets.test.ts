import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { holdsSecrets } from '../../src/secrets/secret-files.js';
import { dockerComposeConfig } from '../fixtures/service/support.js';
import { expectOk } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

const ANSWERS = ['--yes', '--requires', 'none', '--governance', 'quick', '--deploy', 'no'];

/** Every file under root (no .git), relative, with its permission bits. */
function filesWithModes(root: string): Array<{ path: string; mode: number }> {
  const out: Array<{ path: string; mode: number }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === '.git') continue;
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else out.push({ path: relative(root, path), mode: stat.mode & 0o777 });
    }
  };
  walk(root);
  return out;
}

function secretFilesNotOwnerOnly(root: string): string[] {
  return filesWithModes(root)
    .filter((file) => holdsSecrets(file.path) && file.mode !== 0o600)
    .map((file) => `${file.path} ${file.mode.toString(8)}`);
}

function git(cwd: string, ...args: string[]) {
  return spawnSync('git', args, { cwd, encoding: 'utf8' });
}

describe('files that hold secrets are 0600 (issue 14 §6)', () => {
  it('after init, new (both databases), add, remove, sync and restore, every .env in the workspace is owner-only', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'pg-mod', '--workspace', ws, '--db', 'postgresql', '--integrate', 'yes', ...ANSWERS]);
    expectOk(['new', 'my-mod', '--workspace', ws, '--db', 'mysql', '--integrate', 'no', ...ANSWERS]);
    expect(statSync(join(ws, 'projects/my-mod/workspace/local/.env')).mode & 0o777).toBe(0o600);
    expectOk(['workspace', 'add', 'my-mod', '--workspace', ws]);
    expectOk(['workspace', 'remove', 'pg-mod', '--yes', '--workspace', ws]);
    expectOk(['workspace', 'sync', '--workspace', ws]);
    const backups = readdirSync(join(ws, 'services/dagster/modules/backups')).filter((name) => name !== '.gitkeep');
    expectOk(['workspace', 'restore', backups[0] as string, '--workspace', ws]);

    const secretFiles = filesWithModes(ws).filter((file) => holdsSecrets(file.path));
    expect(secretFiles.map((file) => file.path)).toEqual(
      expect.arrayContaining(['services/dagster/.env', 'projects/pg-mod/workspace/local/.env', 'projects/my-mod/workspace/local/.env']),
    );
    expect(secretFiles.filter((file) => file.path.startsWith('services/dagster/modules/backups/')).length).toBeGreaterThanOrEqual(3);
    expect(secretFilesNotOwnerOnly(ws)).toEqual([]);
    // The committed examples hold placeholders only: they keep the ordinary mode.
    expect(statSync(join(ws, 'projects/pg-mod/.env.example')).mode & 0o777).toBe(0o644);
  });

  it('a .env that an older dmb left world-readable is made owner-only when dmb next writes it', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'old-mod', '--workspace', ws, '--db', 'postgresql', '--integrate', 'no', ...ANSWERS]);
    chmodSync(join(ws, 'services/dagster/.env'), 0o644);
    expectOk(['workspace', 'add', 'old-mod', '--workspace', ws]);
    expect(secretFilesNotOwnerOnly(ws)).toEqual([]);
  });
});

describe('init git-ignores what holds passwords in services/dagster/ (issue 14 §7)', () => {
  it('.env, every backup and the lock are ignored; the files a team commits are not', () => {
    const ws = testdir();
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'ign-mod', '--workspace', ws, '--db', 'mysql', '--integrate', 'yes', ...ANSWERS]);
    expect(git(ws, 'init', '-q').status).toBe(0);
    const [backup] = readdirSync(join(ws, 'services/dagster/modules/backups')).filter((name) => name !== '.gitkeep');
    const secret = [
      'services/dagster/.env',
      'services/dagster/.env.local',
      `services/dagster/modules/backups/${backup}/.env`,
      `services/dagster/modules/backups/${backup}/backup.json`,
      'services/dagster/.dmb.lock/owner.json',
      'services/dagster/.dmb.lock.abc123.tmp/owner.json',
    ];
    const ignored = git(ws, 'check-ignore', ...secret);
    expect(ignored.stdout.split('\n').filter(Boolean), ignored.stderr).toEqual(secret);
    const committed = [
      'services/dagster/.gitignore',
      'services/dagster/docker-compose.yml',
      'services/dagster/Dockerfile',
      'services/dagster/dagster.yaml',
      'services/dagster/workspace.yaml',
      'services/dagster/.registry',
      'services/dagster/.env.example',
      'services/dagster/modules/backups/.gitkeep',
    ];
    const kept = git(ws, 'check-ignore', ...committed);
    expect(kept.status, kept.stdout).toBe(1);
    expect(kept.stdout).toBe('');
    // What `git add -A` would stage: no file that holds a secret.
    expect(git(ws, 'add', '-A').status).toBe(0);
    const staged = git(ws, 'diff', '--cached', '--name-only').stdout.split('\n').filter(Boolean);
    expect(staged).toContain('services/dagster/docker-compose.yml');
    expect(staged.filter((path) => holdsSecrets(path))).toEqual([]);
  });
});

function mariadb(sql: string) {
  const result = spawnSync('mysql', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', '-e', sql], { encoding: 'utf8' });
  expect(result.status, `MariaDB on 127.0.0.1:3306 (root, no password) is needed: ${result.stderr}`).toBe(0);
}

describe('module databases are published on 127.0.0.1; the MySQL healthcheck keeps its password off the command line (issue 14 §8)', () => {
  const ws = testdir();
  const service = join(ws, 'services/dagster');
  const registry = () =>
    JSON.parse(readFileSync(join(service, '.registry'), 'utf8')).integrated_modules as Array<{ database: { service: string; port: number } }>;

  it('docker-compose config of the merged workspace publishes each module database on 127.0.0.1 only', () => {
    expectOk(['init', '--workspace', ws, '--yes']);
    expectOk(['new', 'pg-bound', '--workspace', ws, '--db', 'postgresql', '--integrate', 'yes', ...ANSWERS]);
    expectOk(['new', 'my-bound', '--workspace', ws, '--db', 'mysql', '--integrate', 'yes', ...ANSWERS]);
    const rendered = dockerComposeConfig(service);
    expect(rendered.code, rendered.stderr).toBe(0);
    const config = parse(rendered.stdout);
    const [pg, my] = registry();
    // docker-compose 1.29 prints a port with a host address in short syntax.
    expect(config.services[pg!.database.service].ports).toEqual([`127.0.0.1:${pg!.database.port}:5432/tcp`]);
    expect(config.services[my!.database.service].ports).toEqual([`127.0.0.1:${my!.database.port}:3306/tcp`]);
    // dmb still reads the published port (validate compares it with the registry).
    expectOk(['workspace', 'validate', '--workspace', ws]);
  });

  it('DB_BIND_ADDRESS in services/dagster/.env opens them up', () => {
    const env = readFileSync(join(service, '.env'), 'utf8');
    expect(env).toMatch(/^DB_BIND_ADDRESS=127\.0\.0\.1$/m);
    writeFileSync(join(service, '.env'), env.replace(/^DB_BIND_ADDRESS=.*$/m, 'DB_BIND_ADDRESS=0.0.0.0'));
    const config = parse(dockerComposeConfig(service).stdout);
    for (const { database } of registry()) expect(config.services[database.service].ports).toEqual([`0.0.0.0:${database.port}:${database.service.endsWith('_mysql') ? 3306 : 5432}/tcp`]);
    writeFileSync(join(service, '.env'), env);
  });

  it('the MySQL healthcheck passes the password in MYSQL_PWD, and works against a real server', () => {
    const config = parse(dockerComposeConfig(service).stdout);
    const [, my] = registry();
    const [kind, command] = config.services[my!.database.service].healthcheck.test as string[];
    expect(kind).toBe('CMD-SHELL');
    expect(command).toContain('MYSQL_PWD=');
    expect(command).not.toMatch(/(^|\s)(-p|--password)/);
    // Run it as the container's shell would ($$ is compose's escape for $), against this host's MariaDB.
    const shell = (command as string).replaceAll('$$', '$');
    const user = `dmb_hc_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(16).toString('hex');
    mariadb(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'`);
    try {
      const check = (secret: string) =>
        spawnSync('sh', ['-c', shell], { encoding: 'utf8', env: { PATH: process.env.PATH, MYSQL_USER: user, MYSQL_PASSWORD: secret } });
      const healthy = check(password);
      expect(healthy.status, healthy.stderr).toBe(0);
      expect(healthy.stdout).toMatch(/mysqld is alive/);
      // The password in MYSQL_PWD is what logs in: with a wrong one the server refuses, and ping says nothing
      // (it still exits 0: a server that answers, even "access denied", is up).
      expect(check('wrong').stdout).not.toMatch(/alive/);
    } finally {
      mariadb(`DROP USER IF EXISTS '${user}'@'%'; DROP USER IF EXISTS '${user}'@'localhost'`);
    }
  });
});
