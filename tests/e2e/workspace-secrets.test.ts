import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdsSecrets } from '../../src/secrets/secret-files.js';
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
