/**
 * A module's declared Python dependencies, read the way pip reads them closely enough to compare two
 * lists: requirements.txt first (what the README tells users to install), else pyproject.toml's
 * [project] dependencies.
 */

/** PEP 503: names compare lower-case, with runs of -, _ and . as one -. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** One requirement as a comparable key: normalized name, sorted extras, the rest without spaces. */
export function requirementKey(spec: string): string {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(spec);
  if (!match) return spec.replace(/\s+/g, '');
  const extras = (match[2] ?? '')
    .split(',')
    .map((extra) => normalizeName(extra.trim()))
    .filter(Boolean)
    .sort();
  return `${normalizeName(match[1] as string)}${extras.length ? `[${extras.join(',')}]` : ''}${(match[3] ?? '').replace(/\s+/g, '')}`;
}

/** The requirement lines of a requirements.txt: no blanks, comments or pip options (-r, -e, --index-url...). */
export function readRequirementsTxt(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'));
}

/** The strings of `dependencies = [...]` in pyproject.toml's [project] table; undefined when there is none. */
export function readPyprojectDependencies(text: string): string[] | undefined {
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1];
  const start = project ? /^dependencies\s*=\s*\[/m.exec(project) : null;
  if (!project || !start) return undefined;
  // The array's items: quoted strings (which may hold "]", as in "psycopg[binary]") and comments, up to the closing "]".
  const items: string[] = [];
  const token = /\s+|#[^\n]*|,|"([^"]*)"|'([^']*)'|(\])/y;
  token.lastIndex = start.index + start[0].length;
  for (let match = token.exec(project); match; match = token.exec(project)) {
    if (match[3]) return items.map((item) => item.trim()).filter(Boolean);
    if (match[1] !== undefined || match[2] !== undefined) items.push(match[1] ?? match[2] ?? '');
  }
  return undefined;
}

export interface DeclaredDependencies {
  /** The file they come from, relative to the module folder. */
  source: 'requirements.txt' | 'pyproject.toml';
  packages: string[];
}

/** requirements.txt when the module has one, else pyproject.toml; undefined when it has neither list. */
export function declaredDependencies(files: { requirementsTxt?: string; pyproject?: string }): DeclaredDependencies | undefined {
  if (files.requirementsTxt !== undefined) return { source: 'requirements.txt', packages: readRequirementsTxt(files.requirementsTxt) };
  const fromPyproject = files.pyproject === undefined ? undefined : readPyprojectDependencies(files.pyproject);
  return fromPyproject ? { source: 'pyproject.toml', packages: fromPyproject } : undefined;
}

/** What one list has that the other lacks, compared by requirementKey. */
export function compareRequirements(declared: string[], installed: string[]): { missing: string[]; extra: string[] } {
  const installedKeys = new Set(installed.map(requirementKey));
  const declaredKeys = new Set(declared.map(requirementKey));
  return {
    missing: declared.filter((spec) => !installedKeys.has(requirementKey(spec))),
    extra: installed.filter((spec) => !declaredKeys.has(requirementKey(spec))),
  };
}
