import { splitLines } from './text-lines.js';

/**
 * `.env` as a small line model: blank | comment | KEY=value | other. Nothing is ever re-serialised
 * from this model (edits splice whole lines into the original text), so values with `$`, `#` or
 * quotes, the user's comments and their order are kept exactly as written.
 */
export type EnvLine =
  | { kind: 'blank'; line: number; raw: string }
  | { kind: 'comment'; line: number; raw: string }
  | { kind: 'entry'; line: number; raw: string; key: string; value: string }
  | { kind: 'other'; line: number; raw: string };

const ENTRY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/;

export function parseEnvLines(text: string): EnvLine[] {
  return splitLines(text).map(({ index, text: raw }) => {
    const line = index + 1;
    if (raw.trim() === '') return { kind: 'blank', line, raw };
    if (raw.trimStart().startsWith('#')) return { kind: 'comment', line, raw };
    const match = ENTRY.exec(raw);
    if (!match) return { kind: 'other', line, raw };
    return { kind: 'entry', line, raw, key: match[1] as string, value: unquoteEnvValue(match[2] as string) };
  });
}

/** The value as dotenv readers see it: quotes removed, an unquoted value's ` # comment` dropped. */
export function unquoteEnvValue(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const close = value.indexOf(quote, 1);
    if (close > 0) return value.slice(1, close);
  }
  const comment = value.search(/\s#/);
  return (comment === -1 ? value : value.slice(0, comment)).trim();
}

export interface EnvEntry {
  value: string;
  line: number;
}

/** KEY -> value and line; a later line wins, as in compose and python-dotenv. */
export function readEnvEntries(text: string): Map<string, EnvEntry> {
  const entries = new Map<string, EnvEntry>();
  for (const line of parseEnvLines(text)) if (line.kind === 'entry') entries.set(line.key, { value: line.value, line: line.line });
  return entries;
}

/** Keys defined on more than one line, with every line, for validate. */
export function findDuplicateEnvKeys(text: string): Array<{ key: string; lines: number[] }> {
  const lines = new Map<string, number[]>();
  for (const line of parseEnvLines(text)) if (line.kind === 'entry') lines.set(line.key, [...(lines.get(line.key) ?? []), line.line]);
  return [...lines].filter(([, at]) => at.length > 1).map(([key, at]) => ({ key, lines: at }));
}

/**
 * Sets one key's value inside a text, keeping the rest of its line (quotes, an inline comment) and
 * every other byte. Used to move a module's published port when it collides.
 */
export function setEnvValue(text: string, key: string, value: string): string {
  const lines = splitLines(text);
  for (const line of [...lines].reverse()) {
    const match = ENTRY.exec(line.text);
    if (!match || match[1] !== key) continue;
    const valueStart = line.start + line.text.indexOf('=') + 1;
    const raw = match[2] as string;
    const current = unquoteEnvValue(raw);
    const at = raw.indexOf(current);
    const start = valueStart + (at === -1 ? 0 : at);
    return text.slice(0, start) + value + text.slice(start + current.length);
  }
  return text;
}
