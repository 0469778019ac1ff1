import { corruptFileError } from './file-errors.js';
import { cutBlock, findBlocks, findMarkerLineIn, renderBlock, replaceBlock, spliceBlock } from './markers.js';
import { lineBreakOf, withFinalNewline, withLineBreaks } from './text-lines.js';
import { usageError } from '../errors.js';

/**
 * A file where a module's block is a run of whole lines appended at the end (.env, Dockerfile).
 * Upsert: replace the block in place when both markers are there, append it otherwise. The block's lines
 * end like the file's own (a CRLF .env stays CRLF throughout).
 */
export function upsertFlatBlock(text: string, marker: string, body: string, file: string): string {
  const blocks = findBlocks(text, marker, file);
  const rendered = withLineBreaks(renderBlock(marker, '', withFinalNewline(body)), lineBreakOf(text));
  if (blocks.length > 1) {
    throw corruptFileError(file, (blocks[1]?.begin.index ?? 0) + 1, `a second block "${marker}" (the first is at line ${(blocks[0]?.begin.index ?? 0) + 1}).`);
  }
  const existing = blocks[0];
  return existing ? replaceBlock(text, existing, rendered) : spliceBlock(text, text.length, rendered);
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
