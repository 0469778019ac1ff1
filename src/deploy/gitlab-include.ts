import { usageError } from '../errors.js';

/**
 * Adds `- local: <file>` to the top-level `include:` list of a module's .gitlab-ci.yml, keeping every
 * other byte. A file without `include:` gets one at the end; an include written in another form
 * (a single string, a flow list) is left to the user, with the line to add.
 */
export function addGitlabInclude(text: string, file: string, shown: string): string {
  if (new RegExp(`^\\s*-\\s*(local:\\s*)?['"]?/?${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?\\s*$`, 'm').test(text)) return text;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^include:\s*$/.test(line));
  if (start === -1) {
    if (/^include:/m.test(text)) {
      throw usageError(`${shown} has an include: that is not a block list, so dmb cannot add deploy's pipeline to it.`, `Add "- local: ${file}" to its include: list, then run the command again.`);
    }
    return `${text.endsWith('\n') || text === '' ? text : `${text}\n`}\ninclude:\n  - local: ${file}\n`;
  }
  let end = start + 1;
  while (end < lines.length && (/^\s+\S/.test(lines[end] ?? '') || (lines[end] ?? '').trim() === '')) end++;
  // Back up over trailing blank lines so the new item joins the list.
  while (end > start + 1 && (lines[end - 1] ?? '').trim() === '') end--;
  lines.splice(end, 0, `  - local: ${file}`);
  return lines.join('\n');
}

/** Removes the `- local: <file>` line that addGitlabInclude added; every other byte stays. */
export function removeGitlabInclude(text: string, file: string): string {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`^\\s*-\\s*local:\\s*['"]?/?${escaped}['"]?\\s*\\n`, 'm'), '');
}
