/**
 * Reads KEY=value lines the way python-dotenv does (docker-compose 1.29 and Dagster both use it), for
 * the cases a workspace .env holds: comments, blank lines, `export KEY=...`, single quotes (literal),
 * double quotes (with \n, \" and \\ escapes), and unquoted values ending at a ` #` comment.
 * No `${VAR}` expansion: dmb never writes one into a value, and a user's `$` stays literal.
 */
export function readEnvValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(rawLine);
    if (!match) continue;
    values[match[1]!] = readValue(match[2]!);
  }
  return values;
}

function readValue(raw: string): string {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return end === -1 ? raw : raw.slice(1, end);
  }
  if (raw.startsWith('"')) {
    let out = '';
    for (let i = 1; i < raw.length; i++) {
      const char = raw[i]!;
      if (char === '"') return out;
      if (char === '\\' && i + 1 < raw.length) {
        const next = raw[++i]!;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
      } else out += char;
    }
    return raw;
  }
  return raw.replace(/\s+#.*$/, '').trim();
}
