import type { Context } from '../cli/context.js';
import { operationError } from '../core/errors.js';

// Placeholder until this command lands; it says so instead of pretending to work.
export async function run(_ctx: Context): Promise<never> {
  throw operationError('"workspace-list" is not implemented yet in this build of dmb.');
}
