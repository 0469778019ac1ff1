import type { Effects } from '../effects/effects.js';
import type { Prompter } from '../effects/prompter.js';

/** What every command receives: resolved global options plus the side-effect seam. */
export interface Context {
  effects: Effects;
  /** Absolute path of the workspace root (holds projects/, services/, patterns/, data/). */
  workspace: string;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  color: boolean;
  /** Decided once: stdin is a TTY and --yes was not given. */
  interactive: boolean;
  prompter: Prompter;
  /** Aborted on Ctrl-C/SIGTERM: long waits and child processes stop, a workspace change is rolled back. */
  signal: AbortSignal;
  /** Human output goes to stdout unless --json, then to stderr; machine output only via printJson. */
  print(text: string): void;
  printJson(data: unknown): void;
  warn(text: string): void;
}
