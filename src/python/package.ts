import { posix } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { readFileFacts, type PyClass, type PyFileFacts, type PyFunction } from './file-facts.js';
import type { ParsedPython } from './parser.js';
import { stringValue, unwrap } from './syntax.js';

/** One file of a Python package: its parse and its module-level facts. */
export interface PyFile {
  /** Path inside the package folder, POSIX separators: `resources.py`, `defs/assets.py`. */
  path: string;
  parsed: ParsedPython;
  facts: PyFileFacts;
}

/** The Python files of one package, keyed by their path inside it, so imports can be followed between them. */
export interface PyPackage {
  /** The importable name (`customer_analytics_dagster`), so absolute imports of the package itself resolve too. */
  name: string;
  files: Map<string, PyFile>;
}

export function toPyFile(path: string, parsed: ParsedPython): PyFile {
  return { path, parsed, facts: readFileFacts(parsed) };
}

/** What a name used in a file stands for, after following imports between the package's files. */
export type Resolved =
  | { kind: 'class'; file: PyFile; cls: PyClass }
  | { kind: 'function'; file: PyFile; fn: PyFunction }
  | { kind: 'value'; file: PyFile; name: string; node: Node; line: number }
  | { kind: 'module'; file: PyFile }
  /** Imported from outside the package (dagster, os...): only the origin is known. */
  | { kind: 'external'; module: string; name: string };

const MAX_IMPORT_HOPS = 8;

/** The file a module path names: `x.py` or `x/__init__.py`, relative to the importing file for dotted imports. */
export function moduleFile(pkg: PyPackage, fromFile: string, module: string, level: number): PyFile | undefined {
  let parts: string[];
  if (level > 0) {
    let base = posix.dirname(fromFile);
    for (let up = 1; up < level; up++) base = posix.dirname(base);
    parts = [...(base === '.' ? [] : base.split('/')), ...(module ? module.split('.') : [])];
  } else {
    const segments = module.split('.');
    if (segments[0] !== pkg.name) return undefined;
    parts = segments.slice(1);
  }
  const stem = parts.join('/');
  return pkg.files.get(stem ? `${stem}.py` : '__init__.py') ?? pkg.files.get(stem ? `${stem}/__init__.py` : '__init__.py');
}

export function resolveName(pkg: PyPackage, file: PyFile, name: string, hops = 0): Resolved | undefined {
  if (hops > MAX_IMPORT_HOPS) return undefined;
  const facts = file.facts;
  // Python binds the last definition of a name; scan in reverse to match.
  const cls = lastWhere(facts.classes, (c) => c.name === name);
  const fn = lastWhere(facts.functions, (f) => f.name === name);
  const assignment = facts.assignments.get(name);
  const candidates = [
    cls && { line: cls.line, resolved: { kind: 'class', file, cls } as Resolved },
    fn && { line: fn.line, resolved: { kind: 'function', file, fn } as Resolved },
    assignment && { line: assignment.line, resolved: { kind: 'value', file, name, node: assignment.value, line: assignment.line } as Resolved },
  ].filter((c): c is { line: number; resolved: Resolved } => Boolean(c));
  const imported = lastWhere(facts.imports, (i) => i.local === name);
  if (imported) candidates.push({ line: imported.line, resolved: resolveImport(pkg, file, imported, hops) });
  const latest = candidates.sort((a, b) => a.line - b.line).at(-1);
  if (latest) return latest.resolved;
  // `from .x import *` may bring it.
  for (const star of facts.imports.filter((i) => i.imported === '*')) {
    const target = moduleFile(pkg, file.path, star.from, star.level);
    const found = target && resolveName(pkg, target, name, hops + 1);
    if (found) return found;
  }
  return undefined;
}

function resolveImport(pkg: PyPackage, file: PyFile, imported: PyFileFacts['imports'][number], hops: number): Resolved {
  if (imported.imported === undefined) {
    const target = moduleFile(pkg, file.path, imported.from, 0);
    return target ? { kind: 'module', file: target } : { kind: 'external', module: imported.from, name: imported.local };
  }
  // `from . import assets` / `from .defs import assets`: a submodule first, then a name in the package's __init__.
  const submodule = moduleFile(pkg, file.path, imported.from ? `${imported.from}.${imported.imported}` : imported.imported, imported.level);
  if (submodule && (imported.level > 0 || imported.from.startsWith(pkg.name))) return { kind: 'module', file: submodule };
  const target = moduleFile(pkg, file.path, imported.from, imported.level);
  if (target) return resolveName(pkg, target, imported.imported, hops + 1) ?? { kind: 'external', module: imported.from, name: imported.imported };
  return { kind: 'external', module: imported.from, name: imported.imported };
}

/** Follows `x = y` chains and parentheses to the expression a name finally holds. */
export function resolveExpression(pkg: PyPackage, file: PyFile, node: Node, hops = 0): { file: PyFile; node: Node } {
  const expression = unwrap(node) ?? node;
  if (expression.type !== 'identifier' || hops > MAX_IMPORT_HOPS) return { file, node: expression };
  const resolved = resolveName(pkg, file, expression.text);
  if (resolved?.kind === 'value') return resolveExpression(pkg, resolved.file, resolved.node, hops + 1);
  return { file, node: expression };
}

/** A string literal, or a name bound to one (in this file or imported from a sibling): `STORAGE_ENV`. */
export function resolveString(pkg: PyPackage, file: PyFile, node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const { node: expression } = resolveExpression(pkg, file, node);
  return stringValue(expression);
}

/** The class a name stands for, following imports; external classes give their imported name. */
export function classNameOf(resolved: Resolved | undefined): string | undefined {
  if (!resolved) return undefined;
  if (resolved.kind === 'class') return resolved.cls.name;
  if (resolved.kind === 'external') return resolved.name;
  return undefined;
}

function lastWhere<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index] as T)) return items[index];
  return undefined;
}
