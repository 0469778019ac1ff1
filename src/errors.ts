/** Exit codes: the only numbers the entry point ever passes to process.exit. */
/** 130 and 143 are what a shell reports for a process stopped by SIGINT (Ctrl-C) and SIGTERM: 128 + signal number. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every expected failure is a DmbError: it carries the exit code and, where one exists,
 * the fix, so the entry point can print "what was wrong" and "how to fix it" the same way everywhere.
 */
export class DmbError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'DmbError';
  }
}

/** Bad usage or bad input: exit 2. */
export function usageError(message: string, fix?: string): DmbError {
  return new DmbError(message, EXIT.usage, fix);
}

/** The operation failed or a check found problems: exit 1. */
export function operationError(message: string, fix?: string): DmbError {
  return new DmbError(message, EXIT.failed, fix);
}

/** The signals dmb stops on; the exit code says which one it was. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * The user stopped dmb: Ctrl-C or Esc at a prompt, or SIGINT/SIGTERM while it worked. Thrown (never an exit
 * code of 2: that means bad usage), and only where what follows is true: nothing was written, or every
 * written file was put back.
 */
export function cancelledError(signal: StopSignal = 'SIGINT', message = `${signal === 'SIGTERM' ? 'Stopped (SIGTERM)' : 'Cancelled'} — nothing was written.`): DmbError {
  return new DmbError(message, signal === 'SIGTERM' ? EXIT.terminated : EXIT.cancelled);
}

export function isCancelled(error: unknown): boolean {
  return isDmbError(error) && (error.exitCode === EXIT.cancelled || error.exitCode === EXIT.terminated);
}

export function isDmbError(error: unknown): error is DmbError {
  return error instanceof DmbError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
