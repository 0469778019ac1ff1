/**
 * Line arithmetic over raw text. The merge engine edits files by splicing whole lines into the
 * original text, so every byte outside a module's block stays exactly as the user wrote it.
 */
export interface TextLine {
  /** 0-based line index. */
  index: number;
  /** Offset of the first character of the line. */
  start: number;
  /** Offset just past the last character, before the line break. */
  end: number;
  /** Offset of the next line (past "\n"), or text.length for a last line without a break. */
  next: number;
  text: string;
}

export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  let index = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    lines.push({ index, start, end, next, text: text.slice(start, end).replace(/\r$/, '') });
    start = next;
    index++;
  }
  return lines;
}

/** 1-based line number of an offset, for messages. */
export function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * lineNumberAt for many offsets of one text: the line breaks are indexed once, each lookup is a binary
 * search (describing every service of a 500-module compose file must not rescan it from the top each time).
 */
export function lineNumbers(text: string): (offset: number) => number {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) breaks.push(i);
  return (offset) => {
    let [low, high] = [0, breaks.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((breaks[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

/** Offset of the start of the line holding `offset`. */
export function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break of the line holding `offset` (or text.length). */
export function lineNextAt(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

export function isBlankLine(line: string): boolean {
  return line.trim() === '';
}

export function isCommentLine(line: string): boolean {
  return line.trimStart().startsWith('#');
}

/** Removes up to `width` columns of leading spaces from every line, then prefixes `indent`. */
export function reindent(text: string, width: number, indent: string): string {
  return text
    .split('\n')
    .map((line, i, all) => {
      if (line === '' && i === all.length - 1) return line;
      if (line.trim() === '') return '';
      const strip = Math.min(width, indentOf(line).length);
      return indent + line.slice(strip);
    })
    .join('\n');
}

/** Ensures a non-empty text ends with exactly its own content plus one "\n". */
export function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** The line break a file already uses: "\r\n" when its first line ends so, else "\n". Lines dmb adds use the same. */
export function lineBreakOf(text: string): '\n' | '\r\n' {
  const first = text.indexOf('\n');
  return first > 0 && text[first - 1] === '\r' ? '\r\n' : '\n';
}

/** Every line break of `text` written as `eol`. */
export function withLineBreaks(text: string, eol: '\n' | '\r\n'): string {
  return text.replace(/\r?\n/g, eol);
}
