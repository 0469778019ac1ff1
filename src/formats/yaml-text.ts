import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { corruptFileError } from './file-errors.js';
import { indentOf, isBlankLine, isCommentLine, lineNextAt, lineNumberAt, lineStartAt, splitLines } from './text-lines.js';
import { scanMarkerLines } from './markers.js';

/**
 * YAML is read with the `yaml` package's Document API only to find node ranges and to check that a
 * result still parses; edits are splices into the original text, because re-serialising a document
 * normalises whitespace and comments the user wrote (TOOLING-FACTS: "splice at the node's range").
 */
export function parseYamlStrict(text: string, file: string): Document.Parsed {
  const { doc, errors } = parseYaml(text);
  const first = errors[0];
  if (first) throw corruptFileError(file, first.line, `invalid YAML: ${first.message}`);
  return doc;
}

/** A YAML syntax error where people look for it: the 1-based line and the message's first line. */
export interface YamlSyntaxError {
  line: number;
  message: string;
}

/**
 * The last few texts parsed and their documents, treated as read-only. One command reads the same text
 * several times (check, locate the blocks, find where to insert, validate), and a 500-module
 * docker-compose.yml takes a while to parse.
 */
const recentlyParsed: Array<{ text: string; merge: boolean; doc: Document.Parsed }> = [];

/**
 * The one way dmb parses a YAML file it must not misread: duplicate keys are errors (docker-compose and
 * Dagster refuse them too), and every error comes with its line. Callers decide whether the first error
 * throws (editing) or every error is reported (validate). The document is shared: callers must not edit it.
 */
export function parseYaml(text: string, options: { merge?: boolean } = {}): { doc: Document.Parsed; errors: YamlSyntaxError[] } {
  const merge = options.merge ?? false;
  let doc = recentlyParsed.find((entry) => entry.text === text && entry.merge === merge)?.doc;
  if (!doc) {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge });
    recentlyParsed.unshift({ text, merge, doc });
    recentlyParsed.length = Math.min(recentlyParsed.length, 4);
  }
  const errors = doc.errors.map((error) => ({ line: error.linePos?.[0]?.line ?? lineNumberAt(text, error.pos[0]), message: firstLine(error.message) }));
  return { doc, errors };
}

export function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

export function findPair(map: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap<Node, Node | null>).items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

/** A pair's value is "empty" when written as nothing, `~` or `null`. */
export function isEmptyValue(value: Node | null | undefined): boolean {
  return value === null || value === undefined || (isScalar(value) && (value.value === null || value.value === undefined));
}

export function isEmptyFlow(value: Node | null | undefined): value is YAMLMap | YAMLSeq {
  return (isMap(value) || isSeq(value)) && Boolean(value.flow) && value.items.length === 0;
}

function itemEnd(item: unknown): number {
  if (isScalar(item) || isMap(item) || isSeq(item)) return (item as Node).range?.[2] ?? 0;
  const pair = item as Pair<Node, Node | null>;
  return Math.max(pair.value?.range?.[2] ?? 0, pair.key?.range?.[2] ?? 0);
}

function itemStart(item: unknown): number {
  if (isScalar(item) || isMap(item) || isSeq(item)) return (item as Node).range?.[0] ?? 0;
  return (item as Pair<Node, Node | null>).key?.range?.[0] ?? 0;
}

/** Indentation of a block collection's items: the indentation of the line holding its first item. */
export function itemIndent(text: string, collection: YAMLMap | YAMLSeq): string {
  const first = collection.items[0];
  if (first === undefined) return '';
  const start = lineStartAt(text, itemStart(first));
  return indentOf(text.slice(start, lineNextAt(text, start)));
}

/** Offset of the line holding the first item (comments above it belong to it too, but not here). */
export function collectionStart(text: string, collection: YAMLMap | YAMLSeq): number {
  const first = collection.items[0];
  return first === undefined ? 0 : lineStartAt(text, itemStart(first));
}

/**
 * Where a new block goes in a non-empty block collection: after its last item and after the comment
 * lines indented at least as deep as its items that follow it (other modules' END markers, the user's
 * notes about the list), but before anything shallower (comments about the next key).
 */
export function collectionEnd(text: string, collection: YAMLMap | YAMLSeq): number {
  const last = collection.items.at(-1);
  if (last === undefined) return 0;
  const end = itemEnd(last);
  let position = end > 0 && text[end - 1] === '\n' ? end : lineNextAt(text, Math.max(end - 1, 0));
  const width = itemIndent(text, collection).length;
  const markerLines = new Set(scanMarkerLines(text).map((m) => m.line.start));
  let pending = position;
  for (const line of splitLines(text).filter((l) => l.start >= position)) {
    if (isBlankLine(line.text)) continue;
    const deepEnough = indentOf(line.text).length >= width && (width > 0 || markerLines.has(line.start));
    if (!isCommentLine(line.text) || !deepEnough) break;
    pending = line.next;
  }
  position = pending;
  return position;
}

/** Removes an empty flow collection token (`[]`, `{}`) and the blanks before it, keeping the rest of its line. */
export function dropEmptyFlowToken(text: string, value: Node): string {
  const [start, tokenEnd] = value.range ?? [0, 0];
  let from = start;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return text.slice(0, from) + text.slice(tokenEnd);
}

/** Puts ` []` / ` {}` back right after the key's colon (the inverse of dropEmptyFlowToken). */
export function restoreEmptyFlowToken(text: string, key: Node, token: '[]' | '{}'): string {
  const colon = text.indexOf(':', key.range?.[1] ?? 0);
  return `${text.slice(0, colon + 1)} ${token}${text.slice(colon + 1)}`;
}
