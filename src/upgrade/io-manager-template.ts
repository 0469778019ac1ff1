import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { parsePython } from '../python/parser.js';
import { toPyFile, type PyFile } from '../python/package.js';
import { BUILTIN_TEMPLATES } from '../templates/template-sets.js';
import { substitute } from '../templates/render.js';

/** The resources.py dmb's templates generate: the IO manager upgrade puts in place of a faulty one. */
export const RESOURCES_TEMPLATE = join(BUILTIN_TEMPLATES, 'base', 'src', '__MODULE_NAME___dagster', 'resources.py.template');

/** The names the template uses for what upgrade renames to the user's names. */
export const TEMPLATE_CLASS = 'ModuleIOManager';
export const TEMPLATE_FIELD = 'base_path';
export const TEMPLATE_BUILDER = 'build_io_manager';

/**
 * The template's resources.py cut into the pieces upgrade splices into a user's file: read from the
 * template itself (parsed), so an upgrade always installs what `dmb new` generates today.
 */
export interface IoManagerTemplate {
  /** The whole rendered file, for a module without resources.py. */
  file: string;
  /** `class ModuleIOManager(...)` as written in the template. */
  classText: string;
  /** The class's own docstring statement, replaced by the user's when they wrote one. */
  classDocstring?: string;
  /** Names the template's class defines (fields and methods): a user member of the same name is replaced. */
  classMembers: Set<string>;
  /** `def build_io_manager()`. */
  builderText: string;
  /** Module-level constants, name -> statement line, in template order (needed before the class). */
  constants: Map<string, string>;
  /** Module-level helper functions, name -> definition text, in template order. */
  helpers: Map<string, string>;
  /** Every module-level import of the template: local name -> how it is imported. */
  imports: Map<string, { from: string; imported?: string }>;
}

export async function loadIoManagerTemplate(fs: FileSystem, names: { title: string; snake: string }): Promise<IoManagerTemplate> {
  const raw = (await fs.readFile(RESOURCES_TEMPLATE)).toString('utf8');
  const file = substitute(raw, { MODULE_TITLE: names.title, MODULE_NAME: names.snake });
  const parsed = await parsePython(file, 'resources.py.template');
  try {
    const py: PyFile = toPyFile('resources.py', parsed);
    const cls = py.facts.classes.find((c) => c.name === TEMPLATE_CLASS);
    const builder = py.facts.functions.find((f) => f.name === TEMPLATE_BUILDER);
    if (!cls || !builder) throw new Error(`${RESOURCES_TEMPLATE} no longer defines ${TEMPLATE_CLASS} and ${TEMPLATE_BUILDER}`);
    const classMembers = new Set<string>();
    const body = cls.node.childForFieldName('body')?.namedChildren ?? [];
    const first = body[0];
    const classDocstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first.text : undefined;
    for (const member of body) {
      const name = memberName(member);
      if (name) classMembers.add(name);
    }
    const constants = new Map<string, string>();
    for (const [name, assignment] of py.facts.assignments) {
      const statement = assignment.value.parent!.parent!;
      const lineEnd = file.indexOf('\n', statement.endIndex);
      constants.set(name, file.slice(statement.startIndex, lineEnd === -1 ? undefined : lineEnd));
    }
    const helpers = new Map<string, string>();
    for (const fn of py.facts.functions) if (fn.name !== TEMPLATE_BUILDER) helpers.set(fn.name, fn.node.text);
    const imports = new Map<string, { from: string; imported?: string }>();
    for (const imported of py.facts.imports) if (imported.from !== '__future__') imports.set(imported.local, { from: imported.from, imported: imported.imported });
    return { file, classText: cls.node.text, classDocstring, classMembers, builderText: builder.node.text, constants, helpers, imports };
  } finally {
    parsed.tree.delete();
  }
}

/** The name a class-body statement binds: a method's name or a field's (`base_path: str = ...`). */
export function memberName(member: import('web-tree-sitter').Node | null): string | undefined {
  if (!member) return undefined;
  if (member.type === 'function_definition') return member.childForFieldName('name')?.text;
  if (member.type === 'decorated_definition') return member.childForFieldName('definition')?.childForFieldName('name')?.text;
  if (member.type === 'expression_statement') {
    const assignment = member.namedChildren[0];
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
    return left?.type === 'identifier' ? left.text : undefined;
  }
  return undefined;
}
