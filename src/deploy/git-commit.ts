import type { Effects } from '../effects/effects.js';
import { operationError, usageError } from '../errors.js';
import type { ProcessCommand } from '../effects/process.js';
import { runCommand } from './command-value.js';
import type { DeploymentConfig } from './deployment-schema.js';

/** The local git commands the git strategy runs before anything touches the host, as values (printed by --dry-run). */
export function gitChecks(moduleDir: string, config: DeploymentConfig, commit: string): ProcessCommand[] {
  const git = config.git!;
  return [
    { program: 'git', args: ['-C', moduleDir, 'fetch', '--quiet', git.repository, `refs/heads/${git.branch}`] },
    { program: 'git', args: ['-C', moduleDir, 'merge-base', '--is-ancestor', commit, 'FETCH_HEAD'] },
  ];
}

/** ssh for git too: the same DMB_SSH_CONFIG, so a repository on the client's server is reached the same way. */
function gitEnv(effects: Effects): NodeJS.ProcessEnv {
  const config = effects.env.DMB_SSH_CONFIG;
  return config ? { ...effects.env, GIT_SSH_COMMAND: `ssh -F ${config} -o BatchMode=yes` } : effects.env;
}

/** The commit at HEAD of the module's repository; a usage error when the module is not in a git work tree. */
export async function headCommit(effects: Effects, moduleDir: string, name: string): Promise<{ commit: string; dirty: boolean }> {
  const head = await runCommand(effects, { program: 'git', args: ['-C', moduleDir, 'rev-parse', '--verify', 'HEAD'] });
  if (head.code !== 0) {
    throw usageError(`The git strategy deploys a commit, but ${moduleDir} is not in a git repository with a commit.`, `Commit the module and push it to the repository of deploy/${name}/deployment.yaml, or use the rsync strategy.`);
  }
  const status = await runCommand(effects, { program: 'git', args: ['-C', moduleDir, 'status', '--porcelain', '--', '.'] });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

/** Refuses a commit that is not on the deployment's branch of its repository: the host can only fetch what was pushed. */
export async function requirePushed(effects: Effects, moduleDir: string, config: DeploymentConfig, commit: string): Promise<void> {
  const [fetch, ancestor] = gitChecks(moduleDir, config, commit);
  const git = config.git!;
  const fetched = await runCommand(effects, { ...fetch!, env: gitEnv(effects) });
  if (fetched.code !== 0) {
    throw operationError(`Could not fetch branch ${git.branch} of ${git.repository}: ${fetched.stderr.trim().split('\n').at(-1) ?? ''}`, `Check git.repository and git.branch in deployment.yaml, and that this machine can reach the repository.`);
  }
  const contained = await runCommand(effects, ancestor!);
  if (contained.code !== 0) {
    throw operationError(
      `Commit ${commit.slice(0, 12)} is not pushed to branch ${git.branch} of ${git.repository}: the host could not fetch it. Nothing was changed.`,
      `Push it first (git push ${git.repository} HEAD:${git.branch}), then run dmb deploy again.`,
    );
  }
}
