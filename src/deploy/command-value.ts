import type { Effects } from '../effects/effects.js';
import type { ProcessCommand, ProcessResult } from '../effects/process.js';

/**
 * The one place deploy code starts a process: main's seam, captured. A non-zero exit is a result the caller
 * reads (ssh's 255, the lock's own codes); a program that cannot start is an operationError naming it.
 */
export function runCommand(effects: Effects, command: ProcessCommand): Promise<ProcessResult> {
  return effects.processes.capture(command);
}
