import { removeFlatBlock, upsertFlatBlock } from './flat-block.js';
import { withFinalNewline } from './text-lines.js';

/**
 * The module's dockerfile.snippet goes between markers at the end of the shared Dockerfile. The snippet
 * normally extends PYTHONPATH itself; when it does not, the line is added inside the block, because
 * the Dagster image cannot import the module's package without it.
 */
export function dockerfileBody(snippet: string, sourceDir: string): string {
  const body = withFinalNewline(snippet.replace(/\s+$/, '') === '' ? '' : snippet);
  const extends_ = body.split('\n').some((line) => /^\s*ENV\s+PYTHONPATH[\s=]/.test(line) && line.includes(sourceDir));
  return extends_ ? body : `${body}ENV PYTHONPATH="\${PYTHONPATH}:${sourceDir}"\n`;
}

export function upsertDockerfileBlock(text: string, marker: string, body: string, file: string): string {
  return upsertFlatBlock(text, marker, body, file);
}

export function removeDockerfileBlock(text: string, marker: string, file: string): string {
  return removeFlatBlock(text, marker, file);
}
