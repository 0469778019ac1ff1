/**
 * The module's files besides workspace/local/ that name its published port for people to follow
 * (the README's "run the tests" commands, .env.example's host-side values). Relative to the module folder.
 */
export const PORT_MENTIONING_FILES = ['README.md', '.env.example'];

/**
 * The text with the published port `from` replaced by `to` on every line that speaks of a port
 * (`..._PORT=5438`, "host port 5438", "the published port (5438)") or that gives it after a host
 * (`127.0.0.1:5438`, `localhost:5438`): a bare number elsewhere is not taken to be the port. Returns the
 * text unchanged when nothing names it.
 */
export function replacePortMentions(text: string, from: number, to: number): string {
  const number = new RegExp(`(?<![0-9])${from}(?![0-9])`, 'g');
  const afterHost = new RegExp(`(?<=(?:127\\.0\\.0\\.1|localhost|0\\.0\\.0\\.0):)${from}(?![0-9])`, 'g');
  return text
    .split('\n')
    .map((line) => (/port/i.test(line) ? line.replace(number, String(to)) : line.replace(afterHost, String(to))))
    .join('\n');
}
