import { isMap, isSeq, type Node, type YAMLSeq } from 'yaml';
import { corruptFileError } from '../formats/file-errors.js';
import { parseRegistry, serializeRegistry, emptyRegistry, type Registry, type RegistryEntry } from './registry.js';
import { indentOf, lineNextAt, lineNumberAt, lineStartAt } from '../formats/text-lines.js';
import { findPair, parseYaml } from '../formats/yaml-text.js';

/**
 * Edits .registry as text, like the other workspace files: an entry is spliced into (or cut out of)
 * the `integrated_modules` array, so however the file was formatted (one line, as the spec shows, or
 * JSON.stringify's layout), add followed by remove gives back the same bytes.
 */
export function readRegistryText(text: string | undefined, file: string): Registry {
  if (text === undefined) return emptyRegistry();
  try {
    return parseRegistry(text, file);
  } catch (error) {
    const match = /position (\d+)/.exec((error as Error).message);
    const line = match ? lineNumberAt(text, Number(match[1])) : 1;
    throw corruptFileError(file, line, (error as Error).message);
  }
}

function locateArray(text: string, file: string): YAMLSeq {
  const { doc, errors } = parseYaml(text);
  const seq = findPair(doc.contents, 'integrated_modules')?.value;
  if (errors.length > 0 || !isMap(doc.contents) || !isSeq(seq)) throw corruptFileError(file, 1, 'has no "integrated_modules" list.');
  return seq;
}

function renderEntry(entry: RegistryEntry, indent: string): string {
  return JSON.stringify(entry, null, 2).split('\n').join(`\n${indent}`);
}

/** Appends an entry. A missing or empty file gets the canonical layout. */
export function addRegistryEntry(text: string | undefined, entry: RegistryEntry, file: string): string {
  return addRegistryEntries(text, [entry], file);
}

/** Appends entries in order, parsing the file once (sync adds many). */
export function addRegistryEntries(text: string | undefined, entries: RegistryEntry[], file: string): string {
  if (entries.length === 0) return text ?? '';
  if (text === undefined || text.trim() === '') return serializeRegistry({ ...emptyRegistry(), integrated_modules: entries });
  readRegistryText(text, file);
  const seq = locateArray(text, file);
  const keyLineIndent = indentOf(text.slice(lineStartAt(text, seq.range?.[0] ?? 0), lineNextAt(text, seq.range?.[0] ?? 0)));
  const [start, end] = seq.range ?? [0, 0];
  const last = seq.items.at(-1) as Node | undefined;
  if (!last) {
    const inner = `${keyLineIndent}  `;
    return `${text.slice(0, start)}[\n${inner}${entries.map((entry) => renderEntry(entry, inner)).join(`,\n${inner}`)}\n${keyLineIndent}]${text.slice(end)}`;
  }
  const lastStart = last.range?.[0] ?? 0;
  const itemIndent = indentOf(text.slice(lineStartAt(text, lastStart), lastStart));
  const separator = text.slice(lineStartAt(text, lastStart), lastStart).trim() === '' ? `,\n${itemIndent}` : ', ';
  const lastEnd = last.range?.[1] ?? 0;
  return `${text.slice(0, lastEnd)}${entries.map((entry) => `${separator}${renderEntry(entry, itemIndent)}`).join('')}${text.slice(lastEnd)}`;
}

/** Cuts the entry whose name (or marker) matches; the array goes back to `[]` when it was the last. */
export function removeRegistryEntry(text: string, name: string, file: string): string {
  readRegistryText(text, file);
  const seq = locateArray(text, file);
  const index = (seq.toJSON() as RegistryEntry[]).findIndex((entry) => entry.name === name || entry.marker === name);
  if (index === -1) return text;
  const items = seq.items as Node[];
  const item = items[index] as Node;
  const [itemStart, itemEnd] = [item.range?.[0] ?? 0, item.range?.[1] ?? 0];
  if (items.length === 1) {
    const [start, end] = seq.range ?? [0, 0];
    return `${text.slice(0, start)}[]${text.slice(end)}`;
  }
  if (index > 0) {
    const previousEnd = (items[index - 1] as Node).range?.[1] ?? 0;
    return text.slice(0, previousEnd) + text.slice(itemEnd);
  }
  const nextStart = (items[1] as Node).range?.[0] ?? 0;
  return text.slice(0, itemStart) + text.slice(nextStart);
}

/** Replaces an entry in place (sync re-merging a drifted module). */
export function replaceRegistryEntry(text: string, entry: RegistryEntry, file: string): string {
  const seq = locateArray(text, file);
  const index = (seq.toJSON() as RegistryEntry[]).findIndex((e) => e.name === entry.name);
  if (index === -1) return addRegistryEntry(text, entry, file);
  const item = seq.items[index] as Node;
  const start = item.range?.[0] ?? 0;
  const indent = indentOf(text.slice(lineStartAt(text, start), start));
  return text.slice(0, start) + renderEntry(entry, indent) + text.slice(item.range?.[1] ?? 0);
}
