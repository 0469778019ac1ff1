import { usageError, type ExitCode } from '../errors.js';
import type { Context } from '../ui/context.js';

/**
 * What the argument parser hands a command: its positional arguments and its own option values, as
 * commander produced them (a string for `--flag <value>`, true for a bare flag). Each command turns this
 * into a typed object in its `parse`, once, at the boundary; its `run` only ever sees that object.
 */
export interface CommandInput {
  args: string[];
  options: Record<string, unknown>;
}

export interface CommandModule<T> {
  parse(input: CommandInput): T;
  run(ctx: Context, options: T): Promise<ExitCode | void>;
}

/** The value of `--name <value>`, or undefined when it was not given. */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw usageError(`--${kebab(name)} needs a value.`, `Pass --${kebab(name)} <value>.`);
  return value;
}

/** A bare flag such as --purge-data: true when given. */
export function flagOption(input: CommandInput, name: string): boolean {
  return input.options[name] === true;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
