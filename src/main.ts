import type { Runtime } from './cli/program.js';
import { EXIT, cancelledError, type StopSignal } from './errors.js';
import type { ProcessRunner } from './effects/process.js';
import { VERSION } from './version.js';

/** A reader that stops early (`dmb … | head`) closes our stdout: that is not an error worth a crash. */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/**
 * Ctrl-C and SIGTERM become a cancellation the running command sees (an AbortSignal): a prompt closes, a
 * child process is stopped, a workspace change is rolled back, the lock released, then dmb exits 130 (143).
 * A second signal does not wait: every child process group is killed and dmb exits at once.
 */
function cancelOnSignals(processes: () => ProcessRunner | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: StopSignal) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\n${name} received: stopping… (Ctrl-C again to stop at once)\n`);
      controller.abort(cancelledError(name));
      return;
    }
    processes()?.killAll();
    process.stderr.write(`${name} received again: stopped at once; child processes were killed.\n`);
    process.exit(name === 'SIGTERM' ? EXIT.terminated : EXIT.cancelled);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The entry point: the only place that sets the exit code (or exits, on a second Ctrl-C). */
export async function main(argv: string[], makeRuntime?: (signal: AbortSignal) => Runtime): Promise<void> {
  ignoreClosedPipes();
  // `dmb --version` answers before the CLI (commander, the command table, the effects) is loaded: scripts call it often.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    process.exitCode = EXIT.ok;
    return;
  }
  const { defaultRuntime, runCli } = await import('./cli/program.js');
  let runtime: Runtime | undefined;
  const cancellation = cancelOnSignals(() => runtime?.effects.processes);
  runtime = (makeRuntime ?? defaultRuntime)(cancellation.signal);
  try {
    process.exitCode = await runCli(argv, { ...runtime, signal: cancellation.signal });
  } finally {
    cancellation.dispose();
  }
}
