import type { Effects } from '../effects/effects.js';
/**
 * A command as a plain value: printed by --dry-run, compared in tests, run through Effects.run.
 * Same shape as main's ProcessCommand ({ program, args }), so the two can merge into one type.
 */
export interface CommandValue {
  program: string;
  args: string[];
}

/** One command line for display, quoted the way a POSIX shell would need it. Never run through a shell. */
export function formatCommand(command: CommandValue): string {
  return [command.program, ...command.args].map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The one place deploy code starts a process. On main the seam is `effects.processes.capture(command)`:
 * when merging, this body becomes that call and nothing else changes.
 */
export function runCommand(effects: Effects, command: CommandValue & { env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return effects.run(command.program, command.args, command.env ? { env: command.env } : {});
}
