/**
 * The `RUN pip install ...` instruction of a module's dockerfile.snippet: read its packages, or write new
 * ones in the layout dmb generates. Only a plain `RUN pip install <options> <requirements>` instruction is
 * understood; a snippet without one (or with a hand-written shell line around it) is left to its owner.
 */

interface PipInstruction {
  start: number;
  end: number;
  options: string[];
  packages: string[];
}

function findPipInstruction(lines: string[]): PipInstruction | undefined {
  const start = lines.findIndex((line) => /^\s*RUN\s+pip\s+install\b/.test(line));
  if (start < 0) return undefined;
  let end = start;
  while (end < lines.length - 1 && /\\\s*$/.test(lines[end] as string)) end++;
  const text = lines
    .slice(start, end + 1)
    .map((line) => line.replace(/\\\s*$/, ''))
    .join(' ')
    .replace(/^\s*RUN\s+pip\s+install\b/, '');
  if (/&&|\|\||;|\$\(|`/.test(text)) return undefined;
  const tokens = [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return { start, end, options: tokens.filter((t) => t.startsWith('-')), packages: tokens.filter((t) => !t.startsWith('-')) };
}

/** The requirements the snippet installs; undefined when it has no plain `RUN pip install` instruction. */
export function readSnippetPipPackages(snippet: string): string[] | undefined {
  return findPipInstruction(snippet.split('\n'))?.packages;
}

/** The snippet with its `RUN pip install` instruction installing exactly `packages` (options kept). */
export function writeSnippetPipPackages(snippet: string, packages: string[]): string {
  const lines = snippet.split('\n');
  const found = findPipInstruction(lines);
  if (!found) return snippet;
  const instruction = [`RUN pip install ${found.options.join(' ')}`.trimEnd() + (packages.length ? ' \\' : '')];
  packages.forEach((spec, index) => instruction.push(`    "${spec}"${index < packages.length - 1 ? ' \\' : ''}`));
  return [...lines.slice(0, found.start), ...instruction, ...lines.slice(found.end + 1)].join('\n');
}
