import type { Effects } from '../effects/effects.js';
import { operationError } from '../errors.js';
import type { ProcessCommand } from '../effects/process.js';
import { runCommand } from './command-value.js';
import { parseReleaseState, type ReleaseState } from './release-names.js';
import { inspectScript } from './remote-scripts.js';
import { sshCommand, type SshTarget } from './ssh-target.js';

export function inspectCommand(target: SshTarget): ProcessCommand {
  return sshCommand(target, inspectScript(target.modulePath));
}

/** The host's releases and which one is current: read only, nothing changes on the host. */
export async function readReleaseState(effects: Effects, target: SshTarget): Promise<ReleaseState> {
  const command = inspectCommand(target);
  const result = await runCommand(effects, command);
  if (result.code !== 0) {
    throw operationError(
      `Could not list the releases on ${target.shown} (ssh exit ${result.code}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`,
      'Check that the host is reachable with the ssh settings of deployment.yaml (host, user, port, ssh_options; DMB_SSH_CONFIG or --identity).',
    );
  }
  return parseReleaseState(result.stdout);
}
