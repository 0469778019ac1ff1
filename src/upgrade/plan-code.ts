import type { Node } from 'web-tree-sitter';
import type { CodeFacts } from '../audit/code-facts.js';
import { findNonAtomicWrite, findPartialAssetKeyUse, findRunScopedPartitionReads, registeredResources, type IoManagerClass } from '../audit/dagster-code.js';
import type { PyFile, PyPackage } from '../python/package.js';
import { callArguments } from '../python/syntax.js';
import { memberName, TEMPLATE_BUILDER, TEMPLATE_CLASS, TEMPLATE_FIELD, type IoManagerTemplate } from './io-manager-template.js';
import { indentAt, lineStartOf, type Splice } from './splice.js';

/**
 * What upgrade does to a module's Python: splices at node ranges of the user's files (or a new
 * resources.py), planned from the audit's reading of the package. Pure: no file is read or written here.
 */
export interface CodePlan {
  /** Package-relative path -> edits of the existing file. */
  edits: Map<string, Splice[]>;
  /** Package-relative path -> text of a file to create. */
  creates: Map<string, string>;
  /** What upgrade leaves to the user, with why. */
  notes: string[];
}

/** One file's pending additions: template names it will need, and where its new code goes. */
interface FileWork {
  file?: PyFile;
  splices: Splice[];
  /** Texts upgrade adds to the file: scanned for the template names they use. */
  added: string[];
  /** Where template constants go (before the first class that uses them); undefined: with the appended code. */
  constantsAt?: number;
  /** Code appended at the end of the file (a new class, builder). */
  appended: string[];
  /** Extra imports beyond the template's: local name -> module as written (`.resources`). */
  imports: Map<string, { from: string; imported?: string }>;
}

const PATH_FIELD = /(path|dir|root|folder)/i;

export function planCode(pkg: PyPackage, code: CodeFacts, template: IoManagerTemplate): CodePlan {
  const work = new Map<string, FileWork>();
  const notes: string[] = [];
  const workOn = (path: string, file?: PyFile): FileWork => {
    let entry = work.get(path);
    if (!entry) work.set(path, (entry = { file, splices: [], added: [], appended: [], imports: new Map() }));
    return entry;
  };

  // 1. Faulty IO manager classes: replaced by the template's, under the user's class and field names.
  const faulty = code.ioClasses.filter((io) => !io.upath && (findPartialAssetKeyUse(io) || findRunScopedPartitionReads(io) || findNonAtomicWrite(io)));
  const fieldOf = new Map<string, string>();
  for (const io of faulty) {
    const { text, field } = replacementClass(io, template);
    fieldOf.set(io.cls.name, field);
    const w = workOn(io.file.path, io.file);
    const node = io.cls.node.parent?.type === 'decorated_definition' ? io.cls.node.parent : io.cls.node;
    w.splices.push({ start: node.startIndex, end: node.endIndex, text, why: `replace the IO manager ${io.cls.name} with dmb's (full asset keys, asset-scoped partitions, atomic writes)` });
    w.added.push(text);
    w.constantsAt ??= lineStartOf(io.file.parsed.source, node.startIndex);
    notes.push(
      `${io.cls.name} now stores <storage>/<every part of the asset key>.pickle (one file per partition: <asset>/<partition>.pickle). Values stored by the old ${io.cls.name} are not found at the new paths: re-materialize the assets, or move the files to the new layout before the next run.`,
    );
  }

  // 2. The registration: an instance, as the template registers it.
  const registration = code.registration;
  const definitions = code.definitions[0];
  const ioClass = faulty[0] ?? code.ioClasses.find((io) => !io.upath) ?? code.ioClasses[0];
  if (registration?.kind === 'factory') {
    const fn = findFunction(pkg, registration.name);
    if (!fn) {
      notes.push(`io_manager is registered through ${registration.name}, which is not defined in the package: register an instance by hand (see resources.py of a module made by dmb new).`);
    } else {
      const cls = ioClass?.cls.name ?? TEMPLATE_CLASS;
      const builder = renameBuilder(template.builderText, fn.fn.name, cls, fieldOf.get(cls) ?? TEMPLATE_FIELD);
      const node = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
      const w = workOn(fn.file.path, fn.file);
      w.splices.push({ start: node.startIndex, end: node.endIndex, text: builder, why: `${fn.fn.name}: an @io_manager factory becomes a function returning an instance` });
      w.added.push(builder);
      // `"io_manager": factory` -> `"io_manager": factory()`.
      const value = definitions && registeredResources(pkg, definitions).get('io_manager');
      if (value && (value.node.type === 'identifier' || value.node.type === 'attribute')) {
        workOn(value.file.path, value.file).splices.push({ start: value.node.endIndex, end: value.node.endIndex, text: '()', why: 'register the IO manager as an instance' });
      }
    }
  } else if (!registration || registration.kind === 'class') {
    if (!definitions) {
      notes.push('No Definitions found: the IO manager cannot be registered automatically. Add `defs = Definitions(..., resources={"io_manager": build_io_manager()})` to __init__.py.');
    } else {
      const builderAt = ensureBuilder(pkg, template, ioClass, fieldOf, workOn, notes);
      if (builderAt) registerBuilder(pkg, definitions.file, definitions.call, builderAt, registration, workOn, notes);
    }
  }

  // 3. Each touched file gets the template's constants, helpers and imports its new code uses and lacks.
  const edits = new Map<string, Splice[]>();
  const creates = new Map<string, string>();
  for (const [path, w] of work) {
    if (!w.file) {
      creates.set(path, w.appended.join(''));
      continue;
    }
    completeFile(w, template);
    edits.set(path, w.splices);
  }
  return { edits, creates, notes };
}

/** The template's class with the user's class name, storage field name, docstring and extra members. */
function replacementClass(io: IoManagerClass, template: IoManagerTemplate): { text: string; field: string } {
  const source = io.file.parsed.source;
  const body = (io.cls.node.childForFieldName('body')?.namedChildren ?? []).filter((n): n is Node => n !== null);
  const docstring = body[0]?.type === 'expression_statement' && body[0].namedChildren[0]?.type === 'string' ? body[0] : undefined;
  const members = new Map<string, Node>();
  for (const member of body) {
    const name = memberName(member);
    if (name) members.set(name, member);
  }
  const field = [...members.entries()].find(([name, node]) => node.type === 'expression_statement' && node.namedChildren[0]?.childForFieldName('type') && PATH_FIELD.test(name))?.[0] ?? TEMPLATE_FIELD;
  // Dropped: what the template defines, the storage field, and the private helpers only the replaced methods called.
  const dropped = new Set<string>([field, ...[...members.keys()].filter((name) => template.classMembers.has(name))]);
  const queue = [...dropped];
  while (queue.length > 0) {
    const node = members.get(queue.pop()!);
    for (const match of node?.text.matchAll(/self\.(\w+)\s*\(/g) ?? []) {
      const called = match[1]!;
      if (!dropped.has(called) && called.startsWith('_') && members.has(called)) {
        dropped.add(called);
        queue.push(called);
      }
    }
  }
  // The user's docstring first (their text must not be renamed), then the template's names become theirs.
  const [head, ...rest] = template.classDocstring ? template.classText.split(template.classDocstring) : [template.classText];
  const rename = (part: string) => part.replace(new RegExp(`\\b${TEMPLATE_CLASS}\\b`, 'g'), io.cls.name).replace(new RegExp(`\\b${TEMPLATE_FIELD}\\b`, 'g'), field);
  let text = rest.length > 0 ? `${rename(head!)}${docstring ? docstring.text : rename(template.classDocstring!)}${rename(rest.join(template.classDocstring!))}` : rename(head!);
  const kept = body.filter((node) => node !== docstring && node.type !== 'comment' && !dropped.has(memberName(node) ?? ''));
  const keptText = (node: Node) => {
    // Comments right above a kept member, and one at the end of its last line, travel with it.
    let start = node;
    while (start.previousNamedSibling?.type === 'comment' && start.previousNamedSibling.endPosition.row === start.startPosition.row - 1) start = start.previousNamedSibling;
    const trailing = node.nextNamedSibling?.type === 'comment' && node.nextNamedSibling.startPosition.row === node.endPosition.row ? node.nextNamedSibling : undefined;
    return `${indentAt(source, start.startIndex)}${source.slice(start.startIndex, (trailing ?? node).endIndex)}`;
  };
  const isField = (node: Node) => node.type === 'expression_statement';
  // The user's fields go beside the storage field, their methods after the template's.
  const fields = kept.filter(isField).map(keptText);
  const fieldLine = new RegExp(`\\n[ \\t]*${field}:[^\\n]*`).exec(text);
  if (fields.length > 0 && fieldLine) {
    const at = fieldLine.index + fieldLine[0].length;
    text = `${text.slice(0, at)}\n${fields.join('\n')}${text.slice(at)}`;
  } else if (fields.length > 0) text += `\n\n${fields.join('\n')}`;
  for (const method of kept.filter((node) => !isField(node))) text += `\n\n${keptText(method)}`;
  return { text, field };
}

function renameBuilder(text: string, name: string, cls: string, field: string): string {
  return text
    .replace(new RegExp(`\\b${TEMPLATE_BUILDER}\\b`, 'g'), name)
    .replace(new RegExp(`\\b${TEMPLATE_CLASS}\\b`, 'g'), cls)
    .replace(new RegExp(`\\b${TEMPLATE_FIELD}\\b`, 'g'), field);
}

function findFunction(pkg: PyPackage, name: string): { file: PyFile; fn: PyFile['facts']['functions'][number]; node: Node } | undefined {
  for (const file of pkg.files.values()) {
    const fn = file.facts.functions.find((f) => f.name === name);
    if (fn) return { file, fn, node: fn.node };
  }
  return undefined;
}

/** Makes sure the package has an IO manager class and a `build_io_manager()` returning it; the file holding it. */
function ensureBuilder(
  pkg: PyPackage,
  template: IoManagerTemplate,
  ioClass: IoManagerClass | undefined,
  fieldOf: Map<string, string>,
  workOn: (path: string, file?: PyFile) => FileWork,
  notes: string[],
): string | undefined {
  const existing = findFunction(pkg, TEMPLATE_BUILDER);
  if (existing) return existing.file.path;
  const resourcesPath = ioClass?.file.path ?? (pkg.files.has('resources.py') ? 'resources.py' : pkg.files.has('resources/__init__.py') ? 'resources/__init__.py' : 'resources.py');
  const file = pkg.files.get(resourcesPath);
  if (!file) {
    workOn(resourcesPath).appended.push(template.file);
    return resourcesPath;
  }
  const bound = boundNames(file);
  const w = workOn(resourcesPath, file);
  let cls = ioClass?.cls.name;
  if (!cls) {
    if (bound.has(TEMPLATE_CLASS)) {
      notes.push(`${resourcesPath} already defines ${TEMPLATE_CLASS}, which is not an IO manager: add the IO manager by hand.`);
      return undefined;
    }
    cls = TEMPLATE_CLASS;
    w.appended.push(template.classText);
  }
  if (bound.has(TEMPLATE_BUILDER)) {
    notes.push(`${resourcesPath} already binds ${TEMPLATE_BUILDER}: register the IO manager by hand.`);
    return undefined;
  }
  w.appended.push(renameBuilder(template.builderText, TEMPLATE_BUILDER, cls, fieldOf.get(cls) ?? TEMPLATE_FIELD));
  return resourcesPath;
}

/** `"io_manager": build_io_manager()` in the Definitions call: a dict entry, a keyword argument, or in place of a bare class. */
function registerBuilder(
  pkg: PyPackage,
  defsFile: PyFile,
  call: Node,
  builderPath: string,
  registration: CodeFacts['registration'],
  workOn: (path: string, file?: PyFile) => FileWork,
  notes: string[],
): void {
  const entry = `"io_manager": ${TEMPLATE_BUILDER}()`;
  const w = workOn(defsFile.path, defsFile);
  const source = defsFile.parsed.source;
  if (registration?.kind === 'class') {
    const value = registeredResources(pkg, { file: defsFile, line: 0, call }).get('io_manager');
    if (!value || value.file !== defsFile) {
      notes.push('io_manager is registered as a class in a way upgrade cannot edit: register `build_io_manager()` by hand.');
      return;
    }
    w.splices.push({ start: value.node.startIndex, end: value.node.endIndex, text: `${TEMPLATE_BUILDER}()`, why: 'register the IO manager as an instance' });
  } else {
    const resources = callArguments(call).keywords.get('resources');
    if (resources && resources.type !== 'dictionary') {
      notes.push('Definitions(resources=...) is not a dict literal: add "io_manager": build_io_manager() to it by hand.');
      return;
    }
    if (resources) {
      const first = resources.namedChildren.find((n) => n && n.type !== 'comment');
      if (!first) w.splices.push({ start: resources.startIndex, end: resources.endIndex, text: `{${entry}}`, why: 'register the IO manager' });
      else if (first.startPosition.row > resources.startPosition.row) w.splices.push({ start: first.startIndex, end: first.startIndex, text: `${entry},\n${indentAt(source, first.startIndex)}`, why: 'register the IO manager' });
      else w.splices.push({ start: first.startIndex, end: first.startIndex, text: `${entry}, `, why: 'register the IO manager' });
    } else {
      const list = call.childForFieldName('arguments')!;
      const args = list.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
      const last = args.at(-1);
      const keyword = `resources={${entry}}`;
      if (!last) w.splices.push({ start: list.startIndex + 1, end: list.startIndex + 1, text: keyword, why: 'register the IO manager' });
      else {
        const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
        if (last.startPosition.row > list.startPosition.row) {
          w.splices.push({ start: comma?.endIndex ?? last.endIndex, end: comma?.endIndex ?? last.endIndex, text: `${comma ? '' : ','}\n${indentAt(source, last.startIndex)}${keyword}${comma ? ',' : ''}`, why: 'register the IO manager' });
        } else w.splices.push({ start: last.endIndex, end: last.endIndex, text: `, ${keyword}`, why: 'register the IO manager' });
      }
    }
  }
  if (!boundNames(defsFile).has(TEMPLATE_BUILDER) && builderPath !== defsFile.path) {
    const depth = defsFile.path.split('/').length - 1;
    const module = builderPath.replace(/(\/__init__)?\.py$/, '').replaceAll('/', '.');
    w.imports.set(TEMPLATE_BUILDER, { from: `${'.'.repeat(depth + 1)}${module}`, imported: TEMPLATE_BUILDER });
  }
}

export function boundNames(file: PyFile): Set<string> {
  const facts = file.facts;
  return new Set([...facts.imports.map((i) => i.local), ...facts.classes.map((c) => c.name), ...facts.functions.map((f) => f.name), ...facts.assignments.keys()]);
}

const uses = (texts: string[], name: string) => texts.some((text) => new RegExp(`(^|[^\\w.])${name}\\b`).test(text));

/** Adds the template constants, helpers and imports the new code of one file uses and the file lacks. */
function completeFile(w: FileWork, template: IoManagerTemplate): void {
  const file = w.file!;
  const source = file.parsed.source;
  const bound = boundNames(file);
  const helpers: string[] = [];
  const constants: string[] = [];
  // A closure: helpers use other helpers and constants.
  for (let changed = true; changed; ) {
    changed = false;
    const texts = [...w.added, ...w.appended, ...helpers, ...constants];
    for (const [name, text] of template.helpers) {
      if (!bound.has(name) && uses(texts, name)) {
        bound.add(name);
        helpers.push(text);
        changed = true;
      }
    }
    for (const [name, text] of template.constants) {
      if (!bound.has(name) && uses(texts, name)) {
        bound.add(name);
        constants.push(text);
        changed = true;
      }
    }
  }
  // Constants in template order (one may use another).
  const orderedConstants = [...template.constants.values()].filter((text) => constants.includes(text));
  const tail = source.endsWith('\n') ? '' : '\n';
  if (orderedConstants.length > 0 && w.constantsAt !== undefined) {
    w.splices.push({ start: w.constantsAt, end: w.constantsAt, text: `${orderedConstants.join('\n')}\n\n\n`, why: "the IO manager's constants" });
  } else if (orderedConstants.length > 0) {
    w.appended.unshift(orderedConstants.join('\n'));
  }
  const appended = [...w.appended, ...helpers];
  if (appended.length > 0) w.splices.push({ start: source.length, end: source.length, text: `${tail}\n\n${appended.join('\n\n\n')}\n`, why: 'the IO manager and its helpers' });

  // Imports: the template's for names the new code uses, plus the upgrade's own (build_io_manager).
  const texts = [...w.added, ...appended, ...orderedConstants];
  const wanted = new Map(w.imports);
  for (const [local, spec] of template.imports) if (!bound.has(local) && uses(texts, local)) wanted.set(local, spec);
  if (wanted.size === 0) return;
  const topLevel = file.parsed.root.namedChildren.filter((n): n is Node => n !== null);
  const importStatements = topLevel.filter((n) => n.type === 'import_statement' || n.type === 'import_from_statement' || n.type === 'future_import_statement');
  const newLines: string[] = [];
  const byModule = new Map<string, string[]>();
  for (const [local, spec] of wanted) {
    if (spec.imported === undefined) newLines.push(`import ${spec.from}`);
    else byModule.set(spec.from, [...(byModule.get(spec.from) ?? []), local]);
  }
  for (const [module, names] of byModule) {
    // Extend the file's own `from module import ...` when it has one.
    const existing = importStatements.find((n) => n.type === 'import_from_statement' && n.childForFieldName('module_name')?.text === module && !n.text.includes('*'));
    const lastName = existing?.childrenForFieldName('name').filter((n): n is Node => n !== null).at(-1);
    if (existing && lastName) w.splices.push({ start: lastName.endIndex, end: lastName.endIndex, text: `, ${names.join(', ')}`, why: `import ${names.join(', ')}` });
    else newLines.push(`from ${module} import ${names.join(', ')}`);
  }
  if (newLines.length === 0) return;
  const anchor = importStatements.at(-1) ?? (topLevel[0]?.type === 'expression_statement' && topLevel[0].namedChildren[0]?.type === 'string' ? topLevel[0] : undefined);
  if (anchor) w.splices.push({ start: anchor.endIndex, end: anchor.endIndex, text: `\n${newLines.join('\n')}`, why: 'imports of the new code' });
  else w.splices.push({ start: 0, end: 0, text: `${newLines.join('\n')}\n\n`, why: 'imports of the new code' });
}


