import { defaultRuntime, runCli } from './cli/main.js';

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv, defaultRuntime());
}
