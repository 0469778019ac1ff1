import { usageError } from '../errors.js';

/** Capistrano's release names: the UTC time of the deploy, YYYYMMDDHHMMSS, so names sort by age. */
export function releaseName(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export const RELEASE_NAME = /^\d{14}$/;

export interface ReleaseState {
  /** Oldest first. */
  releases: string[];
  /** The release `current` points at, when it exists. */
  current?: string;
}

/** What the inspect script printed: `readlink current`, a `---` line, then `ls -1 releases`. */
export function parseReleaseState(output: string): ReleaseState {
  const [head = '', list = ''] = output.split(/^---$/m);
  const target = head.trim().replace(/\/$/, '');
  const releases = list
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => RELEASE_NAME.test(line))
    .sort();
  const current = target.split('/').at(-1);
  return { releases, current: current && releases.includes(current) ? current : undefined };
}

/** The release a rollback switches to: the one named, or the one before current. */
export function rollbackTarget(state: ReleaseState, wanted: string | undefined, shown: string): string {
  const listed = state.releases.length > 0 ? `Releases on the host: ${describeReleases(state)}.` : 'The host has no releases yet: run "dmb deploy" first.';
  if (wanted !== undefined) {
    if (!state.releases.includes(wanted)) throw usageError(`${shown} has no release "${wanted}".`, listed);
    if (wanted === state.current) throw usageError(`Release ${wanted} is already current on ${shown}.`, listed);
    return wanted;
  }
  const index = state.current ? state.releases.indexOf(state.current) : -1;
  if (index <= 0) {
    throw usageError(`${shown} has no release before ${state.current ?? 'the current one'} to go back to.`, `${listed} Pass --to RELEASE to choose one.`);
  }
  return state.releases[index - 1]!;
}

export function describeReleases(state: ReleaseState): string {
  return state.releases.map((r) => (r === state.current ? `${r} (current)` : r)).join(', ');
}

/** Releases kept after a deploy: keep_releases, but never fewer than two (current and the one to roll back to). */
export function releasesToKeep(keep: number): number {
  return Math.max(keep, 2);
}
