import { usageError } from '../errors.js';

/** Placeholder name (without underscores) -> value, e.g. MODULE_NAME -> my_pipeline. */
export type Variables = Record<string, string>;

const PLACEHOLDER = /__([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)__/g;
const CONDITION = /^\s*(?:#|\/\/|<!--)\s*dmb:(if|end)\b\s*(!?[a-z0-9_]+)?\s*(?:-->)?\s*$/;

/** Replaces every __NAME__ whose NAME is a variable; leaves unknown ones for findUnknownPlaceholders. */
export function substitute(text: string, variables: Variables): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => variables[name] ?? whole);
}

export function findUnknownPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => `__${match[1]}__`))];
}

/**
 * Keeps or drops the lines between `# dmb:if feature` (or `# dmb:if !feature`) and `# dmb:end`.
 * The markers are comments in every language we template, so a template stays valid Python,
 * YAML or Markdown that a linter can read.
 */
export function applyConditions(text: string, features: ReadonlySet<string>, source: string): string {
  const out: string[] = [];
  const stack: boolean[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const match = CONDITION.exec(line);
    if (!match) {
      if (stack.every(Boolean)) out.push(line);
      return;
    }
    if (match[1] === 'if') {
      const condition = match[2];
      if (!condition) throw usageError(`${source}:${index + 1}: "dmb:if" needs a feature name.`);
      const negated = condition.startsWith('!');
      stack.push(features.has(negated ? condition.slice(1) : condition) !== negated);
    } else {
      if (stack.length === 0) throw usageError(`${source}:${index + 1}: "dmb:end" without a matching "dmb:if".`);
      stack.pop();
    }
  });
  if (stack.length > 0) throw usageError(`${source}: a "dmb:if" block is not closed with "dmb:end".`);
  return out.join('\n');
}

/** Renders one template's content: conditions first, then placeholders; an unknown placeholder is an error. */
export function renderContent(template: string, variables: Variables, features: ReadonlySet<string>, source: string): string {
  const rendered = substitute(applyConditions(template, features, source), variables);
  const unknown = findUnknownPlaceholders(rendered);
  if (unknown.length > 0) {
    throw usageError(
      `Template ${source} uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`,
      `Known placeholders: ${Object.keys(variables)
        .sort()
        .map((name) => `__${name}__`)
        .join(', ')}. Fix the template or remove the placeholder.`,
    );
  }
  return rendered;
}

/**
 * Maps a template's relative path to the output path: placeholders substituted, the `.template`
 * suffix dropped, and a `dot-` prefix turned into a leading dot (dotfiles do not survive npm pack).
 */
export function renderPath(relativePath: string, variables: Variables): string {
  const path = substitute(relativePath, variables)
    .split('/')
    .map((segment) => (segment.startsWith('dot-') ? `.${segment.slice(4)}` : segment))
    .join('/');
  const unknown = findUnknownPlaceholders(path);
  if (unknown.length > 0) throw usageError(`Template path ${relativePath} uses unknown placeholder ${unknown.join(', ')}.`);
  return path.endsWith('.template') ? path.slice(0, -'.template'.length) : path;
}
