import { shellQuote } from '../effects/process.js';

/**
 * The shell scripts a deploy runs on the host, one function per step. Every path comes from deployment.yaml
 * (absolute, no spaces: the schema says so) and is quoted anyway. No secret is ever part of a script.
 */
const q = shellQuote;

/** Exit codes the lock script uses to say why it refused. */
export const LOCK_HELD = 75;
export const RELEASE_EXISTS = 76;

export function lockScript(modulePath: string, holder: string, options: { forceUnlock: boolean; newRelease?: string }): string {
  const lock = `${modulePath}/.deploy-lock`;
  return [
    'set -eu',
    `mkdir -p ${q(`${modulePath}/releases`)} ${q(`${modulePath}/shared`)}`,
    ...(options.forceUnlock
      ? [`if [ -d ${q(lock)} ]; then echo "removed a stale deploy lock, held by: $(cat ${q(`${lock}/holder`)} 2>/dev/null || echo unknown)"; rm -rf ${q(lock)}; fi`]
      : []),
    `if ! mkdir ${q(lock)} 2>/dev/null; then cat ${q(`${lock}/holder`)} 2>/dev/null || echo unknown; exit ${LOCK_HELD}; fi`,
    // Checked under the lock, so a concurrent deploy is always refused by the lock, never by this.
    ...(options.newRelease
      ? [`if [ -e ${q(`${modulePath}/releases/${options.newRelease}`)} ]; then rm -rf ${q(lock)}; echo "release ${options.newRelease} exists already"; exit ${RELEASE_EXISTS}; fi`]
      : []),
    `printf '%s\\n' ${q(holder)} > ${q(`${lock}/holder`)}`,
  ].join('\n');
}

export function unlockScript(modulePath: string): string {
  return `rm -rf ${q(`${modulePath}/.deploy-lock`)}`;
}

/** Prints `readlink current`, a `---` line, then the release folders (parsed by parseReleaseState). */
export function inspectScript(modulePath: string): string {
  return [`readlink ${q(`${modulePath}/current`)} || true`, 'echo ---', `ls -1 ${q(`${modulePath}/releases`)} 2>/dev/null || true`].join('\n');
}

/** The health check runs in the new release with shared/.env loaded, as the release will run, within the timeout. */
export function healthScript(modulePath: string, release: string, command: string, timeoutSeconds: number): string {
  const env = `${modulePath}/shared/.env`;
  return [
    'set -eu',
    `cd ${q(`${modulePath}/releases/${release}`)}`,
    `if [ -f ${q(env)} ]; then set -a; . ${q(env)}; set +a; fi`,
    `exec timeout ${timeoutSeconds} sh -c ${q(command)}`,
  ].join('\n');
}

/** Capistrano's atomic switch: a new symlink under a temp name, renamed over `current` (rename is atomic). */
export function switchScript(modulePath: string, release: string): string {
  return ['set -eu', `cd ${q(modulePath)}`, `test -d ${q(`releases/${release}`)}`, `ln -sfn ${q(`releases/${release}`)} current.tmp`, 'mv -T current.tmp current'].join('\n');
}

/** Removes the oldest releases beyond `keep`, never the one `current` points at. */
export function pruneScript(modulePath: string, keep: number): string {
  return [
    'set -eu',
    `cd ${q(`${modulePath}/releases`)}`,
    'live="$(basename "$(readlink ../current)")"',
    `ls -1 | grep -E '^[0-9]{14}$' | sort | head -n -${keep} | while read -r old; do`,
    '  if [ "$old" != "$live" ]; then rm -rf "$old"; echo "removed release $old"; fi',
    'done',
  ].join('\n');
}

export function discardScript(modulePath: string, release: string): string {
  return `rm -rf ${q(`${modulePath}/releases/${release}`)}`;
}

export function postDeployScript(modulePath: string, command: string): string {
  return ['set -eu', `cd ${q(`${modulePath}/current`)}`, command].join('\n');
}

/**
 * git: the host keeps a mirror of the repository (repo/, Capistrano's repo cache), fetches it, and exports the commit
 * into the new release with a REVISION file. The release is a plain tree, so a rollback is the same switch as rsync's.
 */
export function checkoutScript(modulePath: string, repository: string, commit: string, release: string): string {
  const repo = `${modulePath}/repo`;
  const dir = `${modulePath}/releases/${release}`;
  return [
    'set -eu',
    `if [ -d ${q(repo)} ]; then git -C ${q(repo)} remote set-url origin ${q(repository)} && git -C ${q(repo)} remote update --prune >/dev/null; else git clone --quiet --mirror ${q(repository)} ${q(repo)}; fi`,
    `mkdir -p ${q(dir)}`,
    `git -C ${q(repo)} archive --format=tar ${q(commit)} | tar -x -C ${q(dir)}`,
    `printf '%s\n' ${q(commit)} > ${q(`${dir}/REVISION`)}`,
  ].join('\n');
}
