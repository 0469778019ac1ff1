import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotenv, readEnvValues, resolveEnvValues } from '../../src/formats/dotenv.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { testdir } from '../helpers/tree.js';

/**
 * The oracle: the real python-dotenv that the pinned Dagster imports (.venv), reading the same bytes from a
 * file as Dagster does (dotenv_values(path), text mode). Keys without a value are dropped, as Dagster's
 * get_env_var_dict drops them.
 */
function pythonDotenv(text: string, options: { interpolate: boolean; environ?: Record<string, string>; python?: string }): Record<string, string> {
  const file = join(testdir(), '.env');
  writeFileSync(file, text);
  const script = [
    'import json, sys',
    'from dotenv import dotenv_values',
    `values = dotenv_values(sys.argv[1], interpolate=${options.interpolate ? 'True' : 'False'})`,
    'print(json.dumps({k: v for k, v in values.items() if v is not None}))',
  ].join('\n');
  const result = spawnSync(options.python ?? join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, file], { encoding: 'utf8', env: options.environ ?? {} });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, string>;
}

const TRICKY = [
  '# a comment',
  '   # an indented comment',
  '',
  'PLAIN=value',
  'export EXPORTED=yes',
  'export   EXPORT_SPACES=1',
  'export=not-a-keyword',
  'SPACED = spaced value ',
  '  INDENTED=1',
  'TAB\t=\ttabbed',
  "SINGLE='literal $HOME # not a comment'",
  "SINGLE_ESC='it\\'s \\\\ \\n kept'",
  'DOUBLE="line\\nnext \\"quoted\\" \\t tab \\\\ back \\x no"',
  'DOUBLE_HASH="a # b"',
  'QUOTED_THEN_COMMENT="v" # trailing',
  'QUOTED_THEN_HASH="v"#tight',
  'QUOTED_THEN_JUNK="v" junk',
  'INLINE=value # trailing comment',
  'HASH=pa#ss',
  'HASH_START=#novalue',
  'EMPTY_COMMENT= # only a comment',
  'DOLLAR=pa$1word',
  'BRACED=${PLAIN}-x',
  'EMPTY=',
  'EMPTY_QUOTES=""',
  "EMPTY_SINGLE=''",
  'BARE_KEY',
  'not a line',
  '=novalue',
  'MULTI="first',
  'second # not a comment',
  'third"',
  "MULTI_SINGLE='a",
  "b'",
  "'QUOTED_KEY'=qk",
  'DOTTED.KEY-1=x',
  'UNICODE=café ✓',
  'DUP=first',
  'DUP=second',
  'TRAILING_SPACES=x   ',
  'LAST=x',
  // An open quote runs to the next quote of the file (multi-line values), so it goes last.
  'UNCLOSED="never closed',
].join('\n');

describe('the .env reader matches python-dotenv (what Dagster and docker-compose 1.29 read)', () => {
  it.each([
    ['LF', TRICKY],
    ['CRLF', TRICKY.replace(/\n/g, '\r\n')],
    ['CRLF with a final break', `${TRICKY.replace(/\n/g, '\r\n')}\r\n`],
    ['a byte order mark', `\uFEFF${TRICKY}\n`],
  ])('values as written (interpolate=False), %s', (_name, text) => {
    const ours = readEnvValues(text);
    expect(ours).toEqual(pythonDotenv(text, { interpolate: false }));
    // Not vacuous: the tricky cases are really there.
    expect(ours.MULTI).toBe('first\nsecond # not a comment\nthird');
    expect(ours.DOUBLE).toBe('line\nnext "quoted" \t tab \\ back \\x no');
    expect(ours.INLINE).toBe('value');
    expect(ours.HASH).toBe('pa#ss');
    expect(ours.SPACED).toBe('spaced value');
    expect(ours.DUP).toBe('second');
    expect('QUOTED_THEN_JUNK' in ours || 'UNCLOSED' in ours || 'BARE_KEY' in ours).toBe(false);
  });

  // Debian's docker-compose 1.29 imports the system python-dotenv (0.21), not the venv's: the one line where
  // the two versions differ is `KEY= # comment` (0.21 reads "# comment"), so dmb-written files never use it.
  const COMPOSE_PYTHON = '/usr/bin/python3';
  const composeDotenv = existsSync('/usr/lib/python3/dist-packages/compose') ? it : it.skip;
  composeDotenv('docker-compose 1.29 reads the same values, except `KEY= # comment`', () => {
    const ours = readEnvValues(TRICKY);
    const compose = pythonDotenv(TRICKY, { interpolate: false, python: COMPOSE_PYTHON });
    expect(compose.EMPTY_COMMENT).toBe('# only a comment');
    expect(ours.EMPTY_COMMENT).toBe('');
    expect({ ...ours, EMPTY_COMMENT: undefined }).toEqual({ ...compose, EMPTY_COMMENT: undefined });
  });

  it('expands ${VAR} and ${VAR:-default} as Dagster does, earlier lines winning over the environment', () => {
    const text = [
      'A=from-file',
      'B=${A}/x',
      'C=${SHELL_ONLY}',
      'D=${MISSING:-fallback}',
      'E=${MISSING}',
      "F='${A} single quotes expand too'",
      'G=$A stays',
      'SHELL_ONLY=file-wins-later',
      'H=${SHELL_ONLY}',
      'I=${EMPTY:-default}',
      'EMPTY=',
      'J=${EMPTY:-default}',
    ].join('\n');
    const environ = { SHELL_ONLY: 'from-shell', A: 'shell-a' };
    const ours = resolveEnvValues(text, environ);
    expect(ours).toEqual(pythonDotenv(text, { interpolate: true, environ }));
    expect(ours.B).toBe('from-file/x');
    expect(ours.C).toBe('from-shell');
    expect(ours.H).toBe('file-wins-later');
  });

  it('gives the statements with offsets the line editor can splice at', () => {
    const text = 'A=1\r\n\r\n# c\r\nB="x\r\ny" # note\r\n';
    const bindings = parseDotenv(text).filter((b) => b.key !== null);
    expect(bindings.map((b) => text.slice(b.start, b.end))).toEqual(['A=1\r\n', 'B="x\r\ny" # note\r\n']);
    const b = bindings[1]!;
    expect(text.slice(b.valueSpan!.start, b.valueSpan!.end)).toBe('x\r\ny');
  });
});
