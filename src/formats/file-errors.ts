import { usageError, type DmbError } from '../errors.js';

/** What to do about a workspace file dmb refuses to edit; the same advice everywhere. */
export const REPAIR_FIX =
  'Repair the file by hand ("dmb workspace validate" lists every problem), or put a backup back with "dmb workspace restore <timestamp>". Nothing was changed.';

/**
 * A workspace file that cannot be edited safely (invalid YAML, a half marker block...). Bad input,
 * so exit 2, and the message always starts with "<file>:<line>:" so editors and people can jump there.
 */
export function corruptFileError(file: string, line: number, message: string, fix: string = REPAIR_FIX): DmbError {
  return usageError(`${file}:${line}: ${message}`, fix);
}
