import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { cancelledError, isDmbError, operationError, type DmbError } from '../errors.js';

/**
 * A command to run, as a plain value: it can be printed (`deploy --dry-run`), compared in a test, or run
 * through the seam below. Nothing here is a shell string: arguments reach the program exactly as given.
 */
export interface ProcessCommand {
  program: string;
  args: string[];
  cwd?: string;
  /** The child's whole environment; without it, dmb's own. */
  env?: Record<string, string | undefined>;
  /** Milliseconds until the run is stopped and fails; no limit when absent. */
  timeout?: number;
  /** How to get the program when it cannot be started, e.g. "pip install dagster==1.13.27". */
  install?: string;
}

export interface ProcessResult {
  /** The exit code, or 128 + the signal number when a signal ended it (what a shell reports). */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunControl {
  /** Aborting stops the process (stopSignal, then SIGKILL for its whole group) and the run throws the reason. */
  signal?: AbortSignal;
  /** Asks the program to stop, on cancel or timeout. Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long the program gets to stop before its whole process group is killed. Default 10 s. */
  graceMs?: number;
}

export type LineSource = 'stdout' | 'stderr';

export interface ProcessRunner {
  /** Runs to the end and returns the output. A non-zero exit is a result, not an error: the caller decides. */
  capture(command: ProcessCommand, control?: RunControl): Promise<ProcessResult>;
  /** Like capture, and hands over every output line as it arrives (for a live log of a long step). */
  stream(command: ProcessCommand, onLine: (line: string, source: LineSource) => void, control?: RunControl): Promise<ProcessResult>;
  /**
   * Shares dmb's terminal output (stdout, or stderr when dmb's stdout is reserved for JSON), not its input.
   * The returned stdout and stderr are empty.
   */
  foreground(command: ProcessCommand, control?: RunControl & { stdout?: 'inherit' | 'stderr' }): Promise<ProcessResult>;
  /** Kills every process group this runner started that still runs (a second Ctrl-C: stop now). */
  killAll(): void;
}

const DEFAULT_GRACE_MS = 10_000;

/** One command line for display, quoted the way a POSIX shell would need it. Never run through a shell. */
export function formatCommand(command: Pick<ProcessCommand, 'program' | 'args'>): string {
  return [command.program, ...command.args].map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The real runner. Every child runs in a process group of its own, so that stopping it (timeout, cancel)
 * reaches everything it started, and a terminal Ctrl-C reaches dmb only: dmb decides what the child gets.
 * When the child itself exits, whatever it left running in its group is killed too.
 */
export function nodeProcessRunner(): ProcessRunner {
  const live = new Set<ChildProcess>();

  function start(
    command: ProcessCommand,
    stdio: StdioOptions,
    control: RunControl,
    onOutput?: (chunk: Buffer, source: LineSource) => void,
  ): Promise<ProcessResult> {
    const { signal } = control;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const child = spawn(command.program, command.args, {
        cwd: command.cwd,
        env: command.env ?? process.env,
        stdio,
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        onOutput?.(chunk, 'stdout');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        onOutput?.(chunk, 'stderr');
      });
      let stopping: 'timeout' | 'cancel' | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (why: 'timeout' | 'cancel') => {
        if (stopping) return;
        stopping = why;
        sendTo(child, control.stopSignal ?? 'SIGTERM');
        killTimer = setTimeout(() => killGroup(child), control.graceMs ?? DEFAULT_GRACE_MS);
      };
      const onAbort = () => stop('cancel');
      signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutTimer = command.timeout === undefined ? undefined : setTimeout(() => stop('timeout'), command.timeout);
      const cleanUp = () => {
        clearTimeout(timeoutTimer);
        clearTimeout(killTimer);
        signal?.removeEventListener('abort', onAbort);
        live.delete(child);
      };
      if (child.pid !== undefined) live.add(child);

      child.once('error', (error: NodeJS.ErrnoException) => {
        // Emitted without a pid only when the program could not be started at all.
        if (child.pid !== undefined) return;
        cleanUp();
        reject(notStarted(command, error));
      });
      // The leader is gone: anything it left in its group goes too, so the pipes close and nothing lingers.
      child.once('exit', () => killGroup(child));
      child.once('close', (code, exitSignal) => {
        if (child.pid === undefined) return;
        cleanUp();
        if (stopping === 'cancel' && signal) return reject(abortReason(signal));
        if (stopping === 'timeout') {
          return reject(
            operationError(
              `"${formatCommand(command)}" did not finish within ${formatSeconds(command.timeout!)} and was stopped.`,
              'Run it by hand to see where it waits (a host that does not answer, a password prompt), then try again.',
            ),
          );
        }
        resolve({ code: code ?? 128 + signalNumber(exitSignal), signal: exitSignal, stdout, stderr });
      });
    });
  }

  return {
    capture: (command, control = {}) => start(command, ['ignore', 'pipe', 'pipe'], control),
    stream(command, onLine, control = {}) {
      const pending: Record<LineSource, string> = { stdout: '', stderr: '' };
      const deliver = (chunk: Buffer, source: LineSource) => {
        const lines = (pending[source] + chunk.toString('utf8')).split('\n');
        pending[source] = lines.pop() ?? '';
        for (const line of lines) onLine(line.replace(/\r$/, ''), source);
      };
      const flush = () => {
        for (const source of ['stdout', 'stderr'] as const) if (pending[source] !== '') onLine(pending[source].replace(/\r$/, ''), source);
      };
      return start(command, ['ignore', 'pipe', 'pipe'], control, deliver).finally(flush);
    },
    foreground: (command, control = {}) => start(command, ['ignore', control.stdout === 'stderr' ? 2 : 'inherit', 'inherit'], control),
    killAll() {
      for (const child of live) killGroup(child);
    },
  };
}

function sendTo(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
}

function abortReason(signal: AbortSignal): DmbError {
  return isDmbError(signal.reason) ? signal.reason : cancelledError();
}

function notStarted(command: ProcessCommand, error: NodeJS.ErrnoException): DmbError {
  if (command.cwd !== undefined && !existsSync(command.cwd)) {
    return operationError(`Could not start ${command.program}: its working folder ${command.cwd} does not exist.`, 'Create that folder or run the command from another one.');
  }
  const fix = command.install ?? `Install ${command.program}, or add the folder that holds it to PATH.`;
  if (error.code === 'ENOENT') {
    const where = command.program.includes('/') ? 'no such file' : 'not found on PATH';
    return operationError(`Could not start ${command.program}: ${where}.`, fix);
  }
  if (error.code === 'EACCES') return operationError(`Could not start ${command.program}: it is not an executable file.`, fix);
  return operationError(`Could not start ${command.program}: ${error.message}.`, fix);
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
