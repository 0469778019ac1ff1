import { corruptFileError } from './file-errors.js';
import { blocksByMarker, cutBlock, findBlocks, findMarkerLineIn, renderBlock, replaceBlock, spliceBlock, type MarkerBlock } from './markers.js';
import { lineBreakOf, withFinalNewline, withLineBreaks } from './text-lines.js';
import { usageError } from '../errors.js';

export interface FlatBlock {
  marker: string;
  body: string;
}

/**
 * A file where a module's block is a run of whole lines appended at the end (.env, Dockerfile).
 * Upsert: replace the block in place when both markers are there, append it otherwise. The block's lines
 * end like the file's own (a CRLF .env stays CRLF throughout).
 */
export function upsertFlatBlock(text: string, marker: string, body: string, file: string): string {
  return upsertFlatBlocks(text, [{ marker, body }], file);
}

/** upsertFlatBlock for many modules in one pass: the file is scanned once and the new blocks appended together. */
export function upsertFlatBlocks(text: string, items: FlatBlock[], file: string): string {
  const byMarker = blocksByMarker(text, file);
  const replacements: Array<{ block: MarkerBlock; rendered: string }> = [];
  let appended = '';
  for (const { marker, body } of items) {
    const blocks = byMarker.get(marker) ?? [];
    if (blocks.length > 1) {
      throw corruptFileError(file, (blocks[1]?.begin.index ?? 0) + 1, `a second block "${marker}" (the first is at line ${(blocks[0]?.begin.index ?? 0) + 1}).`);
    }
    const rendered = withLineBreaks(renderBlock(marker, '', withFinalNewline(body)), lineBreakOf(text));
    const existing = blocks[0];
    if (existing) replacements.push({ block: existing, rendered });
    else appended += rendered;
  }
  // From the end backwards, so the offsets of the blocks still to replace stay valid.
  let result = text;
  for (const { block, rendered } of replacements.sort((a, b) => b.block.start - a.block.start)) result = replaceBlock(result, block, rendered);
  return appended === '' ? result : spliceBlock(result, result.length, appended);
}

/** Removes the module's block; a file without one is returned unchanged. */
export function removeFlatBlock(text: string, marker: string, file: string): string {
  const blocks = findBlocks(text, marker, file);
  let result = text;
  for (const block of blocks.reverse()) result = cutBlock(result, block);
  return result;
}

/** A module file must not contain marker lines of its own: they would break the pairing. */
export function assertNoMarkerLines(text: string, file: string): void {
  const found = findMarkerLineIn(text);
  if (found) {
    throw usageError(
      `${file}:${found.line.index + 1}: "${found.line.text.trim()}" is a dmb marker line; a module's files must not contain them.`,
      'Delete that line from the module file, then run the command again.',
    );
  }
}
