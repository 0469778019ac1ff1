import type { Node } from 'web-tree-sitter';
import type { ParsedPython } from './parser.js';
import { calleeName, dottedName, lineOf, unwrap } from './syntax.js';

/** `from .resources import build as b`: from "resources", level 1, imported "build", local "b". */
export interface PyImport {
  /** The module after the dots; "" for `from . import x`; the full module for `import a.b`. */
  from: string;
  /** Leading dots of a relative import; 0 for absolute. */
  level: number;
  /** The imported name; for `import a.b` it is undefined (the local name binds the top package). */
  imported?: string;
  local: string;
  line: number;
}

export interface PyDecorator {
  /** `asset`, `dg.asset`, `io_manager`. */
  name: string;
  /** The call when the decorator has arguments: `@asset(key_prefix=...)`. */
  call?: Node;
  line: number;
}

export interface PyClass {
  name: string;
  /** Base classes as written: `ConfigurableIOManager`, `dagster.IOManager`. */
  bases: string[];
  decorators: PyDecorator[];
  line: number;
  node: Node;
}

export interface PyFunction {
  name: string;
  decorators: PyDecorator[];
  line: number;
  node: Node;
}

/** A module-level `name = value` (also `name: type = value`). */
export interface PyAssignment {
  name: string;
  value: Node;
  line: number;
}

/** What one file defines at module level; the nodes stay valid while the file's tree lives. */
export interface PyFileFacts {
  imports: PyImport[];
  classes: PyClass[];
  functions: PyFunction[];
  /** The last assignment wins, as at run time. */
  assignments: Map<string, PyAssignment>;
}

export function readFileFacts(parsed: ParsedPython): PyFileFacts {
  const facts: PyFileFacts = { imports: [], classes: [], functions: [], assignments: new Map() };
  for (const statement of moduleLevelStatements(parsed.root)) readStatement(statement, facts);
  return facts;
}

/** Top-level statements, including those inside module-level if/try/with blocks (optional imports). */
function moduleLevelStatements(root: Node): Node[] {
  const statements: Node[] = [];
  const visit = (node: Node) => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (['if_statement', 'try_statement', 'with_statement', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'block'].includes(child.type)) visit(child);
      else statements.push(child);
    }
  };
  visit(root);
  return statements;
}

function readStatement(node: Node, facts: PyFileFacts): void {
  switch (node.type) {
    case 'import_statement':
      for (const item of node.namedChildren) {
        if (!item) continue;
        const name = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
        const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
        if (name) facts.imports.push({ from: name, level: 0, local: alias ?? name.split('.')[0]!, line: lineOf(node) });
      }
      return;
    case 'import_from_statement':
      readFromImport(node, facts);
      return;
    case 'decorated_definition': {
      const definition = node.childForFieldName('definition');
      if (definition) readDefinition(definition, readDecorators(node), facts);
      return;
    }
    case 'class_definition':
    case 'function_definition':
      readDefinition(node, [], facts);
      return;
    case 'expression_statement': {
      const assignment = node.namedChildren[0];
      if (assignment?.type !== 'assignment') return;
      const target = assignment.childForFieldName('left');
      const value = assignment.childForFieldName('right');
      if (target?.type === 'identifier' && value) facts.assignments.set(target.text, { name: target.text, value, line: lineOf(node) });
      return;
    }
  }
}

function readFromImport(node: Node, facts: PyFileFacts): void {
  const moduleNode = node.childForFieldName('module_name');
  let level = 0;
  let from = '';
  if (moduleNode?.type === 'relative_import') {
    for (const part of moduleNode.namedChildren) {
      if (part?.type === 'import_prefix') level = part.text.length;
      else if (part?.type === 'dotted_name') from = part.text;
    }
  } else if (moduleNode) from = moduleNode.text;
  for (const item of node.childrenForFieldName('name')) {
    if (!item) continue;
    const imported = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
    if (imported) facts.imports.push({ from, level, imported, local: alias ?? imported, line: lineOf(item) });
  }
  if (node.namedChildren.some((child) => child?.type === 'wildcard_import')) facts.imports.push({ from, level, imported: '*', local: '*', line: lineOf(node) });
}

function readDecorators(node: Node): PyDecorator[] {
  const decorators: PyDecorator[] = [];
  for (const child of node.namedChildren) {
    if (child?.type !== 'decorator') continue;
    const expression = unwrap(child.namedChildren.find((c) => c && c.type !== 'comment'));
    if (!expression) continue;
    if (expression.type === 'call') {
      const name = calleeName(expression);
      if (name) decorators.push({ name, call: expression, line: lineOf(child) });
    } else {
      const name = dottedName(expression);
      if (name) decorators.push({ name, line: lineOf(child) });
    }
  }
  return decorators;
}

function readDefinition(node: Node, decorators: PyDecorator[], facts: PyFileFacts): void {
  const name = node.childForFieldName('name')?.text;
  if (!name) return;
  if (node.type === 'class_definition') {
    const superclasses = node.childForFieldName('superclasses');
    const bases = superclasses ? callArgumentsOfList(superclasses) : [];
    facts.classes.push({ name, bases, decorators, line: lineOf(node), node });
  } else if (node.type === 'function_definition') {
    facts.functions.push({ name, decorators, line: lineOf(node), node });
  }
}

function callArgumentsOfList(list: Node): string[] {
  const bases: string[] = [];
  for (const child of list.namedChildren) {
    const name = child && child.type !== 'keyword_argument' ? dottedName(child) : undefined;
    if (name) bases.push(name);
  }
  return bases;
}

