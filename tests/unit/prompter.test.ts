import { PassThrough } from 'node:stream';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cancelledError, isDmbError } from '../../src/errors.js';
import { createClackPrompter, type Prompter } from '../../src/effects/prompter.js';
import { runInProcess } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

/** The real @clack/prompts prompter, on streams we type into and read from: a terminal without a terminal. */
function terminal(signal?: AbortSignal): { prompter: Prompter; type(keys: string, after: string): Promise<void>; screen(): string } {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 100, rows: 40, isTTY: false });
  let screen = '';
  const waiting: Array<{ text: string; from: number; resolve: () => void }> = [];
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const w of waiting.filter((w) => screen.indexOf(w.text, w.from) >= 0)) w.resolve();
  });
  let typedUpTo = 0;
  return {
    prompter: createClackPrompter({ input, output, signal }),
    /** Types the keys once the screen shows `after` (the question is on screen and listening). */
    async type(keys, after) {
      const from = typedUpTo;
      if (screen.indexOf(after, from) < 0) await new Promise<void>((resolve) => waiting.push({ text: after, from, resolve }));
      typedUpTo = screen.length;
      input.write(keys);
    },
    screen: () => screen,
  };
}

const KEY = { down: '\u001b[B', right: '\u001b[C', enter: '\r', space: ' ', ctrlC: '\u0003', esc: '\u001b' };

const DATABASE = {
  message: 'Database',
  flag: '--db',
  choices: [{ value: 'none' }, { value: 'postgresql', hint: 'postgres:16' }, { value: 'mysql' }],
  default: 'none',
} as const;

async function cancelOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDmbError(error)) throw new Error(`expected a cancel, got ${String(error)}`);
  return { message: error.message, exitCode: error.exitCode };
}

const CANCELLED = { message: 'Cancelled — nothing was written.', exitCode: 130 };

describe('the real @clack/prompts prompter, driven through its streams', () => {
  it('select: arrow down and Enter picks the second choice', async () => {
    const t = terminal();
    const answer = t.prompter.select({ ...DATABASE, choices: [...DATABASE.choices] });
    await t.type(KEY.down + KEY.enter, 'Database');
    expect(await answer).toBe('postgresql');
    expect(t.screen()).toContain('postgres:16');
  });

  it('multiselect: Space toggles, the answer keeps the list order', async () => {
    const t = terminal();
    const answer = t.prompter.multiselect({
      message: 'System requirements',
      flag: '--requires',
      choices: [{ value: 'ssh' }, { value: 'git' }, { value: 'curl' }],
      default: [],
    });
    await t.type(KEY.space + KEY.down + KEY.down + KEY.space + KEY.enter, 'System requirements');
    expect(await answer).toEqual(['ssh', 'curl']);
  });

  it('text: what is typed, or the default on an empty Enter', async () => {
    const t = terminal();
    const typed = t.prompter.text({ message: 'Module name', flag: '<module-name>' });
    await t.type('customer-analytics' + KEY.enter, 'Module name');
    expect(await typed).toBe('customer-analytics');

    const u = terminal();
    const defaulted = u.prompter.text({ message: 'Owner', flag: '--owner', default: 'data-team' });
    await u.type(KEY.enter, 'Owner');
    expect(await defaulted).toBe('data-team');
  });

  it('confirm: Enter takes the default, arrow right flips it', async () => {
    const t = terminal();
    const yes = t.prompter.confirm('Remove module "sales-data"?', true);
    await t.type(KEY.enter, 'Remove module');
    expect(await yes).toBe(true);

    const u = terminal();
    const no = u.prompter.confirm('Remove module "sales-data"?', true);
    await u.type(KEY.right + KEY.enter, 'Remove module');
    expect(await no).toBe(false);
  });

  it('Ctrl-C or Esc at any question: "Cancelled — nothing was written.", exit 130', async () => {
    const questions: Array<[string, (p: Prompter) => Promise<unknown>]> = [
      ['Database', (p) => p.select({ ...DATABASE, choices: [...DATABASE.choices] })],
      ['Requirements', (p) => p.multiselect({ message: 'Requirements', flag: '--requires', choices: [{ value: 'ssh' }], default: [] })],
      ['Module name', (p) => p.text({ message: 'Module name', flag: '<module-name>' })],
      ['Remove it?', (p) => p.confirm('Remove it?', true)],
    ];
    for (const [message, ask] of questions) {
      for (const key of [KEY.ctrlC, KEY.esc]) {
        const t = terminal();
        const answer = ask(t.prompter);
        await t.type(key, message);
        expect(await cancelOf(answer), `${message} ${JSON.stringify(key)}`).toEqual(CANCELLED);
      }
    }
  });

  it('a SIGTERM while a question is open closes it with that reason (exit 143)', async () => {
    const controller = new AbortController();
    const t = terminal(controller.signal);
    const answer = t.prompter.select({ ...DATABASE, choices: [...DATABASE.choices] });
    await t.type('', 'Database');
    controller.abort(cancelledError('SIGTERM'));
    expect(await cancelOf(answer)).toEqual({ message: 'Stopped (SIGTERM) — nothing was written.', exitCode: 143 });
  });
});

describe('dmb new on a terminal', () => {
  it('Ctrl-C at the second question: exit 130, the message on stderr, nothing written', async () => {
    const workspace = testdir();
    const t = terminal();
    const result = runInProcess(['new', '--workspace', workspace], { isTTY: true, prompter: t.prompter });
    await t.type('seo-stats' + KEY.enter, 'Module name');
    await t.type(KEY.ctrlC, 'Database');
    const { code, stderr, stdout } = await result;
    expect(code).toBe(130);
    expect(stderr).toBe('error: Cancelled — nothing was written.\n');
    expect(stdout).toBe('');
    expect(existsSync(join(workspace, 'projects'))).toBe(false);
  });
});
