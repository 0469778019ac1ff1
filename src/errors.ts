/** Exit codes: the only numbers the entry point ever passes to process.exit. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
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

export function isDmbError(error: unknown): error is DmbError {
  return error instanceof DmbError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
