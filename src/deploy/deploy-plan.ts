import { join } from 'node:path';
import { shellQuote, type ProcessCommand } from '../effects/process.js';
import type { DeploymentConfig } from './deployment-schema.js';
import { releasesToKeep } from './release-names.js';
import { checkoutScript, discardScript, healthScript, lockScript, postDeployScript, pruneScript, switchScript, unlockScript } from './remote-scripts.js';
import { rsyncShell, sshCommand, type SshTarget } from './ssh-target.js';
import { RSYNC_ALWAYS_EXCLUDED } from './strategies.js';

/** The steps of a deploy or a rollback, in order. What a failure of each one undoes is in ON_FAILURE. */
export type StepName = 'lock' | 'upload' | 'checkout' | 'post_checkout' | 'env' | 'health' | 'switch' | 'post_deploy' | 'prune' | 'discard' | 'unlock';

export interface Step {
  name: StepName;
  title: string;
  command: ProcessCommand;
}

export interface Plan {
  kind: 'deploy' | 'rollback';
  release: string;
  steps: Step[];
}

/**
 * What runs after a step fails, and what the failure means. Before the switch the old release stays live and
 * the new one is removed; after it, the new release is live and only the lock is released.
 */
export const ON_FAILURE: Record<StepName, { cleanup: StepName[]; outcome: string }> = {
  lock: { cleanup: [], outcome: 'nothing was changed on the host' },
  upload: { cleanup: ['discard', 'unlock'], outcome: 'the upload failed; the previous release stays current' },
  checkout: { cleanup: ['discard', 'unlock'], outcome: 'the commit could not be checked out on the host; the previous release stays current' },
  post_checkout: { cleanup: ['discard', 'unlock'], outcome: 'the post-checkout step failed; the new release was removed and the previous release stays current' },
  env: { cleanup: ['discard', 'unlock'], outcome: 'shared/.env could not be uploaded; the previous release stays current' },
  health: { cleanup: ['discard', 'unlock'], outcome: 'the health check failed; the new release was removed and the previous release stays current' },
  switch: { cleanup: ['unlock'], outcome: 'current could not be switched; the previous release stays current' },
  post_deploy: { cleanup: ['unlock'], outcome: 'the release is current, but the post-deploy step failed: the host may still serve the old code' },
  prune: { cleanup: ['unlock'], outcome: 'the release is current; old releases could not be pruned' },
  discard: { cleanup: [], outcome: 'the failed release could not be removed' },
  unlock: { cleanup: [], outcome: 'the deploy lock could not be released (use --force-unlock next time)' },
};

export interface DeployInputs {
  config: DeploymentConfig;
  target: SshTarget;
  moduleDir: string;
  release: string;
  /** Who holds the lock, written into it: user@machine, pid, time, what. */
  holder: string;
  uploadEnv: boolean;
  forceUnlock: boolean;
  /** Whether deploy/<name>/.env.deploy and the exclude file exist locally. */
  envFilePresent: boolean;
  excludeFilePresent: boolean;
  /** git: the commit to deploy (checked to be on the deployment's branch before the plan runs). */
  commit?: string;
}

const ssh = (name: StepName, title: string, target: SshTarget, script: string): Step => ({ name, title, command: sshCommand(target, script) });

/** Every exclusion: the ones dmb always applies, the exclude file, then deployment.yaml's own. */
function exclusionArgs(inputs: DeployInputs): string[] {
  const rsync = inputs.config.rsync;
  return [
    ...RSYNC_ALWAYS_EXCLUDED.map((pattern) => `--exclude=${pattern}`),
    ...(rsync && inputs.excludeFilePresent ? [`--exclude-from=${join(inputs.moduleDir, rsync.exclude_file)}`] : []),
    ...(rsync?.exclude ?? []).map((pattern) => `--exclude=${pattern}`),
  ];
}

/** How a release's files reach the host, per strategy: the only part of a deploy that differs. */
const SOURCE_STEPS: Record<'rsync' | 'git', (inputs: DeployInputs) => Step[]> = {
  rsync: (inputs) => [
    {
      name: 'upload',
      title: `upload the module into releases/${inputs.release} (unchanged files hard-linked to current)`,
      command: {
        program: 'rsync',
        args: [
          '-a', '--delete', '--mkpath', ...exclusionArgs(inputs), `--link-dest=${inputs.target.modulePath}/current/`,
          '-e', rsyncShell(inputs.target), `${inputs.moduleDir}/`, `${inputs.target.destination}:${inputs.target.modulePath}/releases/${inputs.release}/`,
        ],
      },
    },
  ],
  git: (inputs) => {
    const git = inputs.config.git!;
    const commit = inputs.commit ?? '<commit>';
    const releaseDir = `${inputs.target.modulePath}/releases/${inputs.release}`;
    return [
      ssh('checkout', `fetch ${git.repository} on the host and check out ${commit.slice(0, 12)} into releases/${inputs.release}`, inputs.target, checkoutScript(inputs.target.modulePath, git.repository, commit, inputs.release)),
      ...(git.post_checkout.trim() !== '' ? [ssh('post_checkout', 'post-checkout step in the new release', inputs.target, ['set -eu', `cd ${shellQuote(releaseDir)}`, git.post_checkout].join('\n'))] : []),
    ];
  },
};

/** A deploy: lock, the strategy's source steps, .env, health check, switch, reload, prune, unlock. */
export function deployPlan(inputs: DeployInputs): Plan {
  const { config, target, release } = inputs;
  const modulePath = target.modulePath;
  const shell = rsyncShell(target);
  const strategy = config.strategy === 'git' ? 'git' : 'rsync';
  const steps: Step[] = [
    ssh('lock', 'take the deploy lock', target, lockScript(modulePath, inputs.holder, { forceUnlock: inputs.forceUnlock, newRelease: release })),
    ...SOURCE_STEPS[strategy](inputs),
  ];
  if (inputs.envFilePresent) {
    steps.push({
      name: 'env',
      title: inputs.uploadEnv ? 'upload .env.deploy to shared/.env (mode 0600, replacing it)' : 'upload .env.deploy to shared/.env (mode 0600) unless the host has it',
      command: {
        program: 'rsync',
        args: [
          // The file travels as a file, created under umask 077 and set to 0600: the values are never on a command line.
          ...(inputs.uploadEnv ? [] : ['--ignore-existing']),
          '--perms', '--chmod=F600', '--out-format=uploaded %n',
          '--rsync-path=umask 077 && rsync',
          '-e', shell,
          join(inputs.moduleDir, config.env_file),
          `${target.destination}:${modulePath}/shared/.env`,
        ],
      },
    });
  }
  steps.push(
    ssh('health', `health check in releases/${release} (timeout ${config.health_check.timeout} s)`, target, healthScript(modulePath, release, config.health_check.command, config.health_check.timeout)),
    ssh('switch', `switch current to releases/${release} (atomic rename)`, target, switchScript(modulePath, release)),
    ssh('post_deploy', 'post-deploy: reload the code location', target, postDeployScript(modulePath, config.post_deploy)),
    ssh('prune', `keep the newest ${releasesToKeep(config.keep_releases)} releases`, target, pruneScript(modulePath, releasesToKeep(config.keep_releases))),
    ssh('discard', `remove releases/${release}`, target, discardScript(modulePath, release)),
    ssh('unlock', 'release the deploy lock', target, unlockScript(modulePath)),
  );
  return { kind: 'deploy', release, steps };
}

/** Rollback: lock, switch current to an existing release, reload, unlock. */
export function rollbackPlan(config: DeploymentConfig, target: SshTarget, release: string, holder: string, forceUnlock: boolean): Plan {
  const modulePath = target.modulePath;
  return {
    kind: 'rollback',
    release,
    steps: [
      ssh('lock', 'take the deploy lock', target, lockScript(modulePath, holder, { forceUnlock })),
      ssh('switch', `switch current to releases/${release} (atomic rename)`, target, switchScript(modulePath, release)),
      ssh('post_deploy', 'post-deploy: reload the code location', target, postDeployScript(modulePath, config.post_deploy)),
      ssh('unlock', 'release the deploy lock', target, unlockScript(modulePath)),
    ],
  };
}

/** The steps that run on success, in order: discard only runs as cleanup. */
export function mainSteps(plan: Plan): Step[] {
  return plan.steps.filter((step) => step.name !== 'discard');
}
