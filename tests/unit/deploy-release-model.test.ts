import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/effects/process.js';
import { mainSteps, rollbackPlan, deployPlan, type DeployInputs } from '../../src/deploy/deploy-plan.js';
import type { DeploymentConfig } from '../../src/deploy/deployment-schema.js';
import { parseReleaseState, releaseName, releasesToKeep, rollbackTarget } from '../../src/deploy/release-names.js';
import { redactor } from '../../src/deploy/run-plan.js';
import { sshTarget } from '../../src/deploy/ssh-target.js';

const config = {
  name: 'yoda',
  strategy: 'rsync',
  remote: { host: 'client.example.com', user: 'deploy', port: 2222, base_path: '/srv/dagster', module_path: '/srv/dagster/modules/shop', ssh_options: ['-i ~/.ssh/client_key'] },
  keep_releases: 5,
  health_check: { command: "dagster definitions validate -m shop_dagster -d src", timeout: 60 },
  post_deploy: 'docker compose restart dagster_webserver',
  env_file: 'deploy/yoda/.env.deploy',
  rsync: { exclude: ['notes/'], exclude_file: 'deploy/yoda/rsync-exclude.txt' },
} as unknown as DeploymentConfig;

const inputs = (over: Partial<DeployInputs> = {}): DeployInputs => ({
  config,
  target: sshTarget(config, { sshConfig: '/home/me/.ssh/dmb_config' }),
  moduleDir: '/work/projects/shop',
  release: '20260102093000',
  holder: 'me@laptop',
  uploadEnv: false,
  forceUnlock: false,
  envFilePresent: true,
  excludeFilePresent: true,
  ...over,
});

describe('release model', () => {
  it('names releases by UTC time, so they sort by age', () => {
    expect(releaseName(new Date('2026-01-02T09:30:00.123Z'))).toBe('20260102093000');
  });

  it('reads the host state and picks the rollback target, listing the releases when asked for a missing one', () => {
    const state = parseReleaseState('releases/20260102000000\n---\n20260101000000\n20260102000000\nnot-a-release\n20260103000000\n');
    expect(state).toEqual({ releases: ['20260101000000', '20260102000000', '20260103000000'], current: '20260102000000' });
    expect(rollbackTarget(state, undefined, 'host')).toBe('20260101000000');
    expect(rollbackTarget(state, '20260103000000', 'host')).toBe('20260103000000');
    expect(() => rollbackTarget(state, '20990101000000', 'host')).toThrow(/no release "20990101000000"/);
    try {
      rollbackTarget(state, '20990101000000', 'host');
    } catch (error) {
      expect((error as { fix: string }).fix).toBe('Releases on the host: 20260101000000, 20260102000000 (current), 20260103000000.');
    }
    expect(() => rollbackTarget({ releases: ['20260101000000'], current: '20260101000000' }, undefined, 'host')).toThrow(/no release before/);
    expect(parseReleaseState('\n---\n')).toEqual({ releases: [], current: undefined });
  });

  it('never keeps fewer than two releases (current and the one to go back to)', () => {
    expect(releasesToKeep(1)).toBe(2);
    expect(releasesToKeep(5)).toBe(5);
  });

  it('a deploy is a list of command values in order: lock, upload, env, health, switch, reload, prune, unlock', () => {
    const plan = deployPlan(inputs());
    expect(mainSteps(plan).map((s) => s.name)).toEqual(['lock', 'upload', 'env', 'health', 'switch', 'post_deploy', 'prune', 'unlock']);
    const upload = plan.steps.find((s) => s.name === 'upload')!.command;
    expect(upload.program).toBe('rsync');
    expect(upload.args).toContain('--link-dest=/srv/dagster/modules/shop/current/');
    expect(upload.args).toContain('--exclude=notes/');
    expect(upload.args).toContain('--exclude=.env.deploy');
    expect(upload.args).toContain('--exclude-from=/work/projects/shop/deploy/yoda/rsync-exclude.txt');
    expect(upload.args.at(-1)).toBe('deploy@client.example.com:/srv/dagster/modules/shop/releases/20260102093000/');
    expect(upload.args[upload.args.indexOf('-e') + 1]).toBe('ssh -F /home/me/.ssh/dmb_config -p 2222 -o BatchMode=yes -o ConnectTimeout=15 -i \'~/.ssh/client_key\'');
    const env = plan.steps.find((s) => s.name === 'env')!.command;
    expect(env.args).toContain('--ignore-existing');
    expect(env.args).toContain('--chmod=F600');
    expect(env.args.at(-1)).toBe('deploy@client.example.com:/srv/dagster/modules/shop/shared/.env');
    const switchScript = plan.steps.find((s) => s.name === 'switch')!.command.args.at(-1)!;
    expect(switchScript).toContain('ln -sfn releases/20260102093000 current.tmp\nmv -T current.tmp current');
    expect(formatCommand(plan.steps.find((s) => s.name === 'health')!.command)).toContain('timeout 60 sh -c');
  });

  it('--upload-env drops --ignore-existing; no .env.deploy, no env step', () => {
    expect(deployPlan(inputs({ uploadEnv: true })).steps.find((s) => s.name === 'env')!.command.args).not.toContain('--ignore-existing');
    expect(deployPlan(inputs({ envFilePresent: false })).steps.map((s) => s.name)).not.toContain('env');
  });

  it('a rollback locks, switches, reloads and unlocks', () => {
    const plan = rollbackPlan(config, inputs().target, '20260101000000', 'me', false);
    expect(plan.steps.map((s) => s.name)).toEqual(['lock', 'switch', 'post_deploy', 'unlock']);
  });

  it('redacts secret values from output, longest first', () => {
    const redact = redactor(['abcdEFGH1234', 'abcdEFGH', 'x']);
    expect(redact('pw=abcdEFGH1234 and abcdEFGH, x')).toBe('pw=[redacted] and [redacted], x');
  });
});

describe('deploy, rollback and releases parse their options into typed objects', () => {
  it('parse takes { args, options } (main\'s CommandInput) and refuses what does not fit', async () => {
    const deploy = await import('../../src/commands/deploy.js');
    const rollback = await import('../../src/commands/rollback.js');
    const releasesCommand = await import('../../src/commands/releases.js');
    expect(deploy.parse({ args: ['shop', 'yoda'], options: { uploadEnv: true, identity: '/k' } })).toEqual({ module: 'shop', deployment: 'yoda', uploadEnv: true, forceUnlock: false, identity: '/k' });
    expect(rollback.parse({ args: ['shop', 'yoda'], options: { to: '20260101000000' } })).toMatchObject({ module: 'shop', to: '20260101000000' });
    expect(releasesCommand.parse({ args: ['shop', 'yoda'], options: {} })).toMatchObject({ module: 'shop', deployment: 'yoda' });
    expect(() => deploy.parse({ args: ['shop'], options: {} })).toThrow(/Give the module and the deployment/);
    expect(() => deploy.parse({ args: ['shop', 'yoda'], options: { identity: true } })).toThrow(/--identity needs a value/);
    expect(() => rollback.parse({ args: ['shop', 'yoda'], options: { to: 'yesterday' } })).toThrow(/not a release name/);
  });
});
