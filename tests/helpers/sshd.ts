import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './tree.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Sshd {
  dir: string;
  port: number;
  user: string;
  /** An ssh config for DMB_SSH_CONFIG: the client key, the scanned host key, StrictHostKeyChecking yes. */
  sshConfig: string;
  stop(): void;
}

/**
 * A real sshd on a free loopback port with its own host key, letting the current user in with a client key from a
 * temp authorized_keys (no system file is touched). Stopped by its PID.
 */
export async function startSshd(): Promise<Sshd> {
  const dir = tempDir('dmb-sshd-');
  const port = await freePort();
  const user = userInfo().username;
  const run = (program: string, args: string[]) => spawnSync(program, args, { encoding: 'utf8' });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'clientkey')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'clientkey.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'hostkey')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      // The temp folder lives under the world-writable /tmp, which StrictModes refuses for key files.
      'StrictModes no',
      `AllowUsers ${user}`,
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'ignore'] });
  let knownHosts = '';
  for (let attempt = 0; attempt < 60 && knownHosts === '' && sshd.exitCode === null; attempt++) {
    knownHosts = run('ssh-keyscan', ['-p', String(port), '127.0.0.1']).stdout;
    if (knownHosts === '') await sleep(500);
  }
  const stop = () => {
    if (sshd.pid && sshd.exitCode === null) process.kill(sshd.pid, 'SIGTERM');
  };
  if (knownHosts === '') {
    stop();
    throw new Error('sshd did not come up on 127.0.0.1');
  }
  writeFileSync(join(dir, 'known_hosts'), knownHosts);
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    ['Host 127.0.0.1', `  IdentityFile ${join(dir, 'clientkey')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  StrictHostKeyChecking yes', ''].join('\n'),
  );
  return { dir, port, user, sshConfig, stop };
}
