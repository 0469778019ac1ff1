import { createHash } from 'node:crypto';

/**
 * sha256 over a module's workspace/local/ files (name and content, sorted by name): stored in the
 * registry at merge time, so a different value later means the module's configs drifted.
 */
export function fingerprintFiles(files: Array<{ name: string; content: string }>): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(file.name).update('\0').update(file.content).update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}
