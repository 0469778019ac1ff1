import { corruptFileError } from './file-errors.js';
import { indentOf, splitLines, type TextLine } from './text-lines.js';

/**
 * Marker blocks with Ansible blockinfile discipline: a module's lines sit between two whole, exact
 * lines `# BEGIN: <marker>` and `# END: <marker>` (indentation allowed, nothing else on the line).
 * Both found: replace in place. Neither: insert. Only one: the file is corrupt and nothing is written,
 * never a second copy (blockinfile's silent re-insert is a long list of bug reports).
 */
export function beginMarker(marker: string): string {
  return `# BEGIN: ${marker}`;
}

export function endMarker(marker: string): string {
  return `# END: ${marker}`;
}

const MARKER_LINE = /^[ \t]*# (BEGIN|END): (\S+)[ \t]*$/;

export interface MarkerLine {
  kind: 'BEGIN' | 'END';
  marker: string;
  line: TextLine;
}

export interface MarkerBlock {
  marker: string;
  begin: TextLine;
  end: TextLine;
  indent: string;
  /** Offset of the BEGIN line. */
  start: number;
  /** Offset just past the END line (past its "\n" when it has one). */
  stop: number;
  /** The lines between the markers, as written. */
  body: string;
}

export interface MarkerProblem {
  marker: string;
  /** 1-based. */
  line: number;
  message: string;
}

export function scanMarkerLines(text: string): MarkerLine[] {
  const found: MarkerLine[] = [];
  for (const line of splitLines(text)) {
    const match = MARKER_LINE.exec(line.text);
    if (match) found.push({ kind: match[1] as 'BEGIN' | 'END', marker: match[2] as string, line });
  }
  return found;
}

/** Pairs every marker's lines into blocks and lists what cannot be paired. Never throws. */
export function pairMarkers(text: string): { blocks: MarkerBlock[]; problems: MarkerProblem[] } {
  const blocks: MarkerBlock[] = [];
  const problems: MarkerProblem[] = [];
  const open = new Map<string, TextLine>();
  for (const { kind, marker, line } of scanMarkerLines(text)) {
    const begun = open.get(marker);
    if (kind === 'BEGIN') {
      if (begun) {
        problems.push({
          marker,
          line: begun.index + 1,
          message: `"${beginMarker(marker)}" has no "${endMarker(marker)}" before the next "${beginMarker(marker)}" at line ${line.index + 1}.`,
        });
      }
      open.set(marker, line);
    } else if (!begun) {
      problems.push({ marker, line: line.index + 1, message: `"${endMarker(marker)}" has no "${beginMarker(marker)}" before it.` });
    } else {
      open.delete(marker);
      blocks.push({
        marker,
        begin: begun,
        end: line,
        indent: indentOf(begun.text),
        start: begun.start,
        stop: line.next,
        body: text.slice(begun.next, line.start),
      });
    }
  }
  for (const [marker, begun] of open) {
    problems.push({ marker, line: begun.index + 1, message: `"${beginMarker(marker)}" has no matching "${endMarker(marker)}".` });
  }
  blocks.sort((a, b) => a.start - b.start);
  for (let i = 1; i < blocks.length; i++) {
    const before = blocks[i - 1] as MarkerBlock;
    const block = blocks[i] as MarkerBlock;
    if (block.start < before.stop) {
      problems.push({
        marker: block.marker,
        line: block.begin.index + 1,
        message: `the block "${block.marker}" starts inside the block "${before.marker}" (lines ${before.begin.index + 1}-${before.end.index + 1}).`,
      });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { blocks, problems };
}

/** Every block in the file, or a corruption error naming the file and the first bad line. */
export function readMarkerBlocks(text: string, file: string): MarkerBlock[] {
  const { blocks, problems } = pairMarkers(text);
  const first = problems[0];
  if (first) throw corruptFileError(file, first.line, `${first.message} A half marker block means the file was edited by hand or a write was cut short.`);
  return blocks;
}

/** The blocks of one marker (a file may hold several, e.g. docker-compose.yml). */
export function findBlocks(text: string, marker: string, file: string): MarkerBlock[] {
  return readMarkerBlocks(text, file).filter((block) => block.marker === marker);
}

/** Every block of the file grouped by marker, from one scan (for merging many modules at once). */
export function blocksByMarker(text: string, file: string): Map<string, MarkerBlock[]> {
  const byMarker = new Map<string, MarkerBlock[]>();
  for (const block of readMarkerBlocks(text, file)) byMarker.set(block.marker, [...(byMarker.get(block.marker) ?? []), block]);
  return byMarker;
}

/** A block's text: marker lines at `indent`, body lines as given (already indented, "\n"-terminated). */
export function renderBlock(marker: string, indent: string, body: string): string {
  const lines = body === '' || body.endsWith('\n') ? body : `${body}\n`;
  return `${indent}${beginMarker(marker)}\n${lines}${indent}${endMarker(marker)}\n`;
}

/**
 * Splices a rendered block in at `offset`. At the end of a file that lacks a final newline the break
 * goes before the block instead of after it, so the file still ends without one and cutBlock can
 * undo the insert byte for byte.
 */
export function spliceBlock(text: string, offset: number, block: string): string {
  if (offset === text.length && text !== '' && !text.endsWith('\n')) {
    const eol = block.endsWith('\r\n') ? '\r\n' : '\n';
    return `${text}${eol}${block.slice(0, block.length - eol.length)}`;
  }
  return text.slice(0, offset) + block + text.slice(offset);
}

/** Removes a block's lines: the exact inverse of spliceBlock. */
export function cutBlock(text: string, block: MarkerBlock): string {
  if (block.stop === text.length && !text.endsWith('\n') && block.start > 0) return text.slice(0, block.start - (text.slice(0, block.start).endsWith('\r\n') ? 2 : 1));
  return text.slice(0, block.start) + text.slice(block.stop);
}

/** Replaces a block in place (blockinfile's "both markers found"). */
export function replaceBlock(text: string, block: MarkerBlock, rendered: string): string {
  const atEndWithoutBreak = block.stop === text.length && !text.endsWith('\n');
  return text.slice(0, block.start) + (atEndWithoutBreak ? rendered.replace(/\r?\n$/, '') : rendered) + text.slice(block.stop);
}

/** A module's own text must not carry marker lines: they would corrupt the workspace file. */
export function findMarkerLineIn(text: string): MarkerLine | undefined {
  return scanMarkerLines(text)[0];
}
