import { basename } from 'node:path';

/** Readable and writable by its owner only: the mode of every file dmb writes that holds a password. */
export const SECRET_FILE_MODE = 0o600;

/**
 * Which files hold secrets, by name: `.env` and its variants (`.env.local`, `.env.deploy`), wherever they
 * are (a module's workspace/local/, services/dagster/, a backup folder). Examples meant to be committed
 * (`.env.example`, `.env.deploy.example`) hold placeholders, not secrets.
 */
const SECRET_NAMES = [/^\.env$/, /^\.env\..+$/];
const PUBLIC_NAMES = [/\.example$/];

export function holdsSecrets(path: string): boolean {
  const name = basename(path);
  return SECRET_NAMES.some((pattern) => pattern.test(name)) && !PUBLIC_NAMES.some((pattern) => pattern.test(name));
}

/** The mode to write a file with: SECRET_FILE_MODE when it holds secrets, else undefined (keep or default). */
export function secretFileMode(path: string): number | undefined {
  return holdsSecrets(path) ? SECRET_FILE_MODE : undefined;
}
