import { defaultRuntime, runCli } from './cli/program.js';

/** A reader that stops early (`dmb … | head`) closes our stdout: that is not an error worth a crash. */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  ignoreClosedPipes();
  process.exitCode = await runCli(argv, defaultRuntime());
}
