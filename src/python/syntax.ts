import type { Node } from 'web-tree-sitter';

/** Small readers over tree-sitter-python nodes. Lines are 1-based, as editors and Python show them. */

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/** `a`, `a.b.c` for identifiers and attribute chains; undefined for anything else (calls, subscripts...). */
export function dottedName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = dottedName(node.childForFieldName('object'));
    const attribute = node.childForFieldName('attribute')?.text;
    return object && attribute ? `${object}.${attribute}` : undefined;
  }
  return undefined;
}

/** The last segment of a dotted name: `dg.asset` -> `asset`. */
export function lastSegment(dotted: string | undefined): string | undefined {
  return dotted?.split('.').at(-1);
}

/**
 * The value of a string literal (or of adjacent literals, `"a" "b"`); undefined for an f-string with
 * placeholders, whose value is not known before run time. Escapes are kept as written.
 */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.map((child) => (child ? stringValue(child) : undefined));
    return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  let value = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'interpolation') return undefined;
    if (child.type === 'string_content' || child.type === 'escape_sequence') value += child.text;
  }
  return value;
}

/** A string that is a whole statement on its own: a docstring or a bare string, never a value in code. */
export function isDocstring(node: Node): boolean {
  const parent = node.parent;
  return parent?.type === 'expression_statement' && parent.namedChildCount === 1;
}

/** The called name of a call: `Definitions`, `dg.Definitions.merge`, `os.environ.get`. */
export function calleeName(call: Node): string | undefined {
  return dottedName(call.childForFieldName('function'));
}

export interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
}

export function callArguments(call: Node): CallArguments {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const list = call.childForFieldName('arguments');
  for (const argument of list?.namedChildren ?? []) {
    if (!argument || argument.type === 'comment') continue;
    if (argument.type === 'keyword_argument') {
      const name = argument.childForFieldName('name')?.text;
      const value = argument.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else positional.push(argument);
  }
  return { positional, keywords };
}

/** Depth-first over named nodes; `visit` returning false skips that node's children. */
export function walk(node: Node, visit: (node: Node) => boolean | void): void {
  if (visit(node) === false) return;
  for (const child of node.namedChildren) if (child) walk(child, visit);
}

/** Every node of the given types under `node` (itself included). */
export function findAll(node: Node, types: readonly string[]): Node[] {
  const found: Node[] = [];
  walk(node, (current) => {
    if (types.includes(current.type)) found.push(current);
  });
  return found;
}

/** Drops parentheses around an expression: `(x)` -> `x`. */
export function unwrap(node: Node | null | undefined): Node | undefined {
  let current = node ?? undefined;
  while (current?.type === 'parenthesized_expression') current = current.namedChildren.find((child) => child && child.type !== 'comment') ?? undefined;
  return current;
}
