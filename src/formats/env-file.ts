import { parseDotenv } from './dotenv.js';
import { lineNumberAt, splitLines } from './text-lines.js';

/**
 * `.env` as a small line model for editing: blank | comment | KEY=value | other. Statements are found and
 * values read by the one `.env` reader (dotenv.ts, python-dotenv's grammar), so what this model calls a
 * key's value is what Dagster and docker-compose read. Nothing is ever re-serialised from the model
 * (edits splice into the original text), so `$`, `#`, quotes, comments, order and line endings stay as written.
 */
export type EnvLine =
  | { kind: 'blank'; line: number; raw: string }
  | { kind: 'comment'; line: number; raw: string }
  | { kind: 'entry'; line: number; raw: string; key: string; value: string }
  /** What python-dotenv skips: a line it cannot parse, or a bare `KEY` without `=`. */
  | { kind: 'other'; line: number; raw: string };

/** One item per statement (a quoted value may span lines; `line` is its first) and per blank line. */
export function parseEnvLines(text: string): EnvLine[] {
  const lines = splitLines(text);
  const result: EnvLine[] = [];
  let covered = 0;
  const addBlankLinesBefore = (offset: number) => {
    for (const l of lines) if (l.start >= covered && l.next <= offset && l.text.trim() === '') result.push({ kind: 'blank', line: l.index + 1, raw: l.text });
  };
  for (const binding of parseDotenv(text)) {
    if (binding.start === binding.end) continue; // only blank lines before the end of the text
    addBlankLinesBefore(binding.start);
    const line = lineNumberAt(text, binding.start);
    const raw = text.slice(binding.start, binding.end).replace(/\r?\n$|\r$/, '');
    if (binding.key !== null && binding.value !== null) result.push({ kind: 'entry', line, raw, key: binding.key, value: binding.value });
    else if (binding.key === null && !binding.error) result.push({ kind: 'comment', line, raw });
    else result.push({ kind: 'other', line, raw });
    covered = binding.end;
  }
  addBlankLinesBefore(text.length + 1);
  return result.sort((a, b) => a.line - b.line);
}

export interface EnvEntry {
  value: string;
  line: number;
}

/** KEY -> value (as written, no `${VAR}` expansion) and line; a later line wins, as in compose and python-dotenv. */
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
 * Sets one key's value inside a text (its last definition, the one that wins), keeping its quotes, an
 * inline comment and every other byte. Used to move a module's published port when it collides.
 */
export function setEnvValue(text: string, key: string, value: string): string {
  const binding = parseDotenv(text)
    .filter((b) => b.key === key && b.valueSpan)
    .at(-1);
  if (!binding?.valueSpan) return text;
  return text.slice(0, binding.valueSpan.start) + value + text.slice(binding.valueSpan.end);
}

