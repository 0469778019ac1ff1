/** One edit of a file's text: the characters [start, end) of the original replaced by `text` (start = end inserts). */
export interface Splice {
  start: number;
  end: number;
  text: string;
  /** Why: shown in the plan ("replace class X", "register the IO manager"). */
  why: string;
}

/**
 * Applies splices to the original text. Every character outside the spliced ranges is copied as is.
 * Overlapping splices are a planning bug, never silently merged.
 */
export function applySplices(source: string, splices: readonly Splice[]): string {
  const ordered = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const splice of ordered) {
    if (splice.start < at) throw new Error(`overlapping edits: "${splice.why}" starts inside an earlier edit`);
    out += source.slice(at, splice.start) + splice.text;
    at = splice.end;
  }
  return out + source.slice(at);
}

/** The indentation of the line the given index is on. */
export function indentAt(source: string, index: number): string {
  const lineStart = source.lastIndexOf('\n', index - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

/** The index where the line holding `index` starts. */
export function lineStartOf(source: string, index: number): number {
  return source.lastIndexOf('\n', index - 1) + 1;
}
