/**
 * The one `.env` reader: a line-for-line port of python-dotenv's parser (1.2, the version the pinned Dagster
 * reads `.env` with; docker-compose 1.29 reads it through python-dotenv too). Every dmb reader of a `.env`
 * (the line model that edits it, validate, `validate --load`, `dev`, port discovery) goes through this file,
 * so dmb never hands Dagster a value other than the one Dagster or docker-compose would read.
 * tests/unit/dotenv-oracle.test.ts feeds the same tricky text to python-dotenv and compares.
 */
export interface DotenvBinding {
  /** null for blank lines, comments and statements python-dotenv cannot parse. */
  key: string | null;
  /** null for a bare `KEY` (no `=`), which python-dotenv reads as "no value". */
  value: string | null;
  /** python-dotenv could not parse the statement (it warns and skips it). */
  error: boolean;
  /** Offset where the statement starts, past the blank lines and indentation before it. */
  start: number;
  /** Offset just past the statement's line break (or the end of the text). */
  end: number;
  /** Where the value is written, inside its quotes (for editing a value in place). */
  valueSpan?: { start: number; end: number; quote: '' | "'" | '"' };
}

// python-dotenv's patterns, verbatim; sticky (`y`) so each matches at the reader's position only.
const sticky = (source: string, flags = '') => new RegExp(source, `y${flags}`);
const MULTILINE_WHITESPACE = sticky(String.raw`\s*`);
const WHITESPACE = sticky(String.raw`[^\S\r\n]*`);
const EXPORT = sticky(String.raw`(?:export[^\S\r\n]+)?`);
const SINGLE_QUOTED_KEY = sticky(String.raw`'([^']+)'`);
const UNQUOTED_KEY = sticky(String.raw`([^=#\s]+)`);
const EQUAL_SIGN = sticky(String.raw`(=[^\S\r\n]*)`);
const SINGLE_QUOTED_VALUE = sticky(String.raw`'((?:\\.|[^'\\])*)'`, 's');
const DOUBLE_QUOTED_VALUE = sticky(String.raw`"((?:\\.|[^"\\])*)"`, 's');
const UNQUOTED_VALUE = sticky(String.raw`([^\r\n]*)`);
const COMMENT = sticky(String.raw`(?:[^\S\r\n]*#[^\r\n]*)?`);
const END_OF_LINE = sticky(String.raw`[^\S\r\n]*(?:\r\n|\n|\r|$)`);
const REST_OF_LINE = sticky(String.raw`[^\r\n]*(?:\r|\n|\r\n)?`);
const DOUBLE_QUOTE_ESCAPES = /\\[\\'"abfnrtv]/g;
const SINGLE_QUOTE_ESCAPES = /\\[\\']/g;
const ESCAPED: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

class ParseError extends Error {}

class Reader {
  position = 0;
  constructor(readonly text: string) {}

  hasNext(): boolean {
    return this.position < this.text.length;
  }

  peek(count: number): string {
    return this.text.slice(this.position, this.position + count);
  }

  /** The groups of `pattern` matched at the position, which moves past the match; no match is a parse error. */
  read(pattern: RegExp): { groups: string[]; start: number } {
    pattern.lastIndex = this.position;
    const match = pattern.exec(this.text);
    if (!match) throw new ParseError();
    const start = this.position;
    this.position += match[0].length;
    return { groups: match.slice(1) as string[], start };
  }
}

function parseKey(reader: Reader): string | null {
  const char = reader.peek(1);
  if (char === '#') return null;
  return reader.read(char === "'" ? SINGLE_QUOTED_KEY : UNQUOTED_KEY).groups[0] as string;
}

function parseValue(reader: Reader): { value: string; span: NonNullable<DotenvBinding['valueSpan']> } {
  const char = reader.peek(1);
  if (char === "'" || char === '"') {
    const { groups, start } = reader.read(char === "'" ? SINGLE_QUOTED_VALUE : DOUBLE_QUOTED_VALUE);
    const raw = groups[0] as string;
    // Python reads the file with universal newlines: a quoted value spanning CRLF lines holds "\n".
    const text = raw.replace(/\r\n?/g, '\n');
    const value = char === "'" ? text.replace(SINGLE_QUOTE_ESCAPES, (e) => e[1] as string) : text.replace(DOUBLE_QUOTE_ESCAPES, (e) => ESCAPED[e[1] as string] ?? (e[1] as string));
    return { value, span: { start: start + 1, end: start + 1 + raw.length, quote: char } };
  }
  if (char === '' || char === '\n' || char === '\r') return { value: '', span: { start: reader.position, end: reader.position, quote: '' } };
  const { groups, start } = reader.read(UNQUOTED_VALUE);
  // python: re.sub(r"\s+#.*", "", part).rstrip()
  const value = (groups[0] as string).replace(/\s+#.*/, '').trimEnd();
  return { value, span: { start, end: start + value.length, quote: '' } };
}

function parseBinding(reader: Reader): DotenvBinding {
  let start = reader.position;
  try {
    reader.read(MULTILINE_WHITESPACE);
    start = reader.position;
    if (!reader.hasNext()) return { key: null, value: null, error: false, start, end: reader.position };
    reader.read(EXPORT);
    const key = parseKey(reader);
    reader.read(WHITESPACE);
    let value: string | null = null;
    let valueSpan: DotenvBinding['valueSpan'];
    if (reader.peek(1) === '=') {
      const equalSign = reader.read(EQUAL_SIGN).groups[0] as string;
      // `KEY= # comment` is an empty value; `KEY=#value` is not a comment (python-dotenv 1.2).
      if (equalSign.length > 1 && reader.peek(1) === '#') {
        value = '';
        valueSpan = { start: reader.position, end: reader.position, quote: '' };
      } else {
        ({ value, span: valueSpan } = parseValue(reader));
      }
    }
    reader.read(COMMENT);
    reader.read(END_OF_LINE);
    return { key, value, error: false, start, end: reader.position, ...(valueSpan ? { valueSpan } : {}) };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    reader.read(REST_OF_LINE);
    return { key: null, value: null, error: true, start, end: reader.position };
  }
}

/** Every statement of a `.env` text, in order, as python-dotenv's parse_stream yields them. */
export function parseDotenv(text: string): DotenvBinding[] {
  const reader = new Reader(text.replace(/^\uFEFF/, ''));
  const offset = text.length - reader.text.length;
  const bindings: DotenvBinding[] = [];
  while (reader.hasNext()) bindings.push(parseBinding(reader));
  if (offset === 0) return bindings;
  // Offsets refer to the text as given, byte order mark included.
  return bindings.map((b) => ({
    ...b,
    start: b.start + offset,
    end: b.end + offset,
    ...(b.valueSpan ? { valueSpan: { ...b.valueSpan, start: b.valueSpan.start + offset, end: b.valueSpan.end + offset } } : {}),
  }));
}

/**
 * KEY -> value as written (no `${VAR}` expansion), a later line winning: python-dotenv's
 * `dotenv_values(interpolate=False)` without the keys that have no value.
 */
export function readEnvValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { key, value } of parseDotenv(text)) if (key !== null && value !== null) values[key] = value;
  return values;
}

/**
 * KEY -> value as Dagster and docker-compose 1.29 read the file: python-dotenv's `dotenv_values()` with its
 * `${VAR}` / `${VAR:-default}` expansion, where earlier lines of the file win over `environ` (the process
 * environment), and keys without a value left out (as Dagster's get_env_var_dict does).
 */
export function resolveEnvValues(text: string, environ: Record<string, string | undefined>): Record<string, string> {
  const resolved = new Map<string, string | null>();
  for (const { key, value } of parseDotenv(text)) {
    if (key === null) continue;
    if (value === null) {
      resolved.set(key, null);
      continue;
    }
    const lookup = (name: string): string | null | undefined => (resolved.has(name) ? resolved.get(name) : environ[name]);
    resolved.set(
      key,
      value.replace(/\$\{([^}:]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => {
        const found = lookup(name);
        return found === undefined ? (fallback ?? '') : (found ?? '');
      }),
    );
  }
  const values: Record<string, string> = {};
  for (const [key, value] of resolved) if (value !== null) values[key] = value;
  return values;
}
