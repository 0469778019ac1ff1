import type { Context } from '../cli/context.js';
import { operationError } from '../core/errors.js';

export async function run(_ctx: Context): Promise<never> {
  throw operationError('"new" is being built.');
}
