import { usageError } from '../errors.js';
import { formatCommand, type ProcessCommand } from '../effects/process.js';
import type { DeploymentConfig } from './deployment-schema.js';

/** How this machine reaches the host: one set of ssh options, applied to ssh and to rsync's -e alike. */
export interface SshTarget {
  destination: string;
  /** Options only (no program, no destination). */
  options: string[];
  modulePath: string;
  /** user@host:port, for messages. */
  shown: string;
}

export interface SshInputs {
  /** --identity: a private key file. */
  identity?: string;
  /** DMB_SSH_CONFIG: a file passed as ssh -F. */
  sshConfig?: string;
}

export function sshTarget(config: DeploymentConfig, inputs: SshInputs): SshTarget {
  const remote = config.remote;
  if (!remote) throw usageError(`Deployment ${config.name} has no remote block.`, 'Re-create it with "dmb configure-deployment".');
  const options = [
    ...(inputs.sshConfig ? ['-F', inputs.sshConfig] : []),
    '-p', String(remote.port),
    ...(inputs.identity ? ['-i', inputs.identity, '-o', 'IdentitiesOnly=yes'] : []),
    // Never wait for a password or a host-key question: a deploy runs unattended and fails fast instead.
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=15',
    // deployment.yaml may hold "-i ~/.ssh/key" as one item: split on spaces (paths have none, the schema says).
    ...remote.ssh_options.flatMap((option) => option.split(/\s+/).filter((part) => part !== '')),
  ];
  return { destination: `${remote.user}@${remote.host}`, options, modulePath: remote.module_path, shown: `${remote.user}@${remote.host}:${remote.port}` };
}

/** ssh running one script on the host (the login shell runs it, as ssh always does). */
export function sshCommand(target: SshTarget, script: string): ProcessCommand {
  return { program: 'ssh', args: [...target.options, target.destination, script] };
}

/** rsync's -e value: the same ssh with the same options. */
export function rsyncShell(target: SshTarget): string {
  return formatCommand({ program: 'ssh', args: target.options });
}
