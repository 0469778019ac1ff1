import type { Readable, Writable } from 'node:stream';
import { cancelledError, isDmbError, usageError } from '../errors.js';

export interface Choice<T extends string> {
  value: T;
  label?: string;
  hint?: string;
}

/**
 * A question as data: the flag that answers it without a prompt, the default taken by --yes, the choices.
 * A question without a default under --yes is still answered from its flag only.
 */
export interface Question<T extends string> {
  message: string;
  flag: string;
  choices?: Choice<T>[];
  default?: T;
}

export interface MultiQuestion<T extends string> {
  message: string;
  flag: string;
  choices: Choice<T>[];
  default: T[];
}

/** Renders questions on a terminal. Injected so tests can answer prompts without a TTY. */
export interface Prompter {
  select<T extends string>(question: Question<T> & { choices: Choice<T>[] }): Promise<T>;
  text(question: Question<string>): Promise<string>;
  multiselect<T extends string>(question: MultiQuestion<T>): Promise<T[]>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

/** Where the terminal prompter reads keys and draws; tests pass streams of their own. */
export interface PromptStreams {
  input?: Readable;
  output?: Writable;
  /** Aborted by Ctrl-C/SIGTERM outside the prompt (main.ts): the open question closes as cancelled. */
  signal?: AbortSignal;
}

/**
 * The terminal prompter, built on @clack/prompts and imported only when a prompt is really shown.
 * Ctrl-C or Esc at a question cancels the command: "Cancelled — nothing was written.", exit 130.
 */
export function createClackPrompter(streams: PromptStreams = {}): Prompter {
  const common = { input: streams.input, output: streams.output, signal: streams.signal };
  const answered = <T>(clack: typeof import('@clack/prompts'), answer: T | symbol): T => {
    if (!clack.isCancel(answer)) return answer as T;
    const reason: unknown = streams.signal?.aborted ? streams.signal.reason : undefined;
    throw isDmbError(reason) ? reason : cancelledError();
  };
  const options = <T extends string>(choices: Choice<T>[]) => choices.map((c) => ({ value: c.value, label: c.label ?? c.value, hint: c.hint }));
  return {
    async select(question) {
      const clack = await import('@clack/prompts');
      const answer = await clack.select({ ...common, message: question.message, options: options(question.choices) as never, initialValue: question.default });
      return answered(clack, answer) as never;
    },
    async text(question) {
      const clack = await import('@clack/prompts');
      const answer = await clack.text({ ...common, message: question.message, placeholder: question.default, defaultValue: question.default });
      return String(answered(clack, answer) ?? '');
    },
    async multiselect(question) {
      const clack = await import('@clack/prompts');
      const answer = await clack.multiselect({
        ...common,
        message: question.message,
        options: options(question.choices) as never,
        initialValues: question.default as never,
        required: false,
      });
      return answered(clack, answer) as never;
    },
    async confirm(message, defaultValue) {
      const clack = await import('@clack/prompts');
      const answer = await clack.confirm({ ...common, message, initialValue: defaultValue });
      return Boolean(answered(clack, answer));
    },
  };
}

export interface AskOptions {
  interactive: boolean;
  yes: boolean;
  prompter: Prompter;
}

function checkChoice<T extends string>(question: Question<T>, given: string): T {
  // Choices are lower-case words: `--db PostgreSQL` means postgresql.
  const value = question.choices ? given.trim().toLowerCase() : given;
  if (question.choices && !question.choices.some((c) => c.value === value)) {
    throw usageError(
      `${question.flag} "${value}" is not one of: ${question.choices.map((c) => c.value).join(', ')}.`,
      `Pass ${question.flag} ${question.choices.map((c) => c.value).join('|')}.`,
    );
  }
  return value as T;
}

function missing(question: { message: string; flag: string; choices?: Choice<string>[] }): never {
  const values = question.choices ? ` ${question.choices.map((c) => c.value).join('|')}` : ' <value>';
  throw usageError(
    `No answer for "${question.message}" and no terminal to ask on.`,
    `Pass ${question.flag}${values}, or --yes to take the default.`,
  );
}

/** Flag first, then --yes default, then a prompt on a TTY; otherwise a usage error naming the flag. */
export async function ask<T extends string>(question: Question<T>, flagValue: string | undefined, options: AskOptions): Promise<T> {
  if (flagValue !== undefined) return checkChoice(question, flagValue);
  if (options.yes && question.default !== undefined) return question.default;
  if (!options.interactive) missing(question);
  if (question.choices) return options.prompter.select({ ...question, choices: question.choices });
  return (await options.prompter.text(question as Question<string>)) as T;
}

export async function askMany<T extends string>(question: MultiQuestion<T>, flagValue: string | undefined, options: AskOptions): Promise<T[]> {
  if (flagValue !== undefined) {
    const values = flagValue
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== '');
    if (values.includes('none') && values.length > 1) {
      throw usageError(`${question.flag} "${flagValue}" mixes "none" with other values.`, `Pass either ${question.flag} none or a list without "none".`);
    }
    if (values[0] === 'none') return [];
    const unknown = values.filter((v) => !question.choices.some((c) => c.value === v));
    if (unknown.length > 0) {
      throw usageError(
        `${question.flag}: unknown value${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`,
        `Known values: ${question.choices.map((c) => c.value).join(', ')} (comma-separated, or "none").`,
      );
    }
    return [...new Set(values)] as T[];
  }
  if (options.yes) return question.default;
  if (!options.interactive) missing(question);
  return options.prompter.multiselect(question);
}

export async function askConfirm(message: string, flag: string, flagValue: boolean | undefined, defaultValue: boolean, options: AskOptions): Promise<boolean> {
  if (flagValue !== undefined) return flagValue;
  if (options.yes) return defaultValue;
  if (!options.interactive) {
    const fix = flag === '--yes' ? 'Pass --yes to confirm.' : `Pass ${flag}, or --yes to take the default (${defaultValue ? 'yes' : 'no'}).`;
    throw usageError(`No answer for "${message}" and no terminal to ask on.`, fix);
  }
  return options.prompter.confirm(message, defaultValue);
}
