import { isMap, isScalar, isSeq, parseDocument, stringify, type Node, type YAMLSeq } from 'yaml';
import { operationError, usageError } from '../errors.js';
import { corruptFileError } from './file-errors.js';
import { blocksByMarker, cutBlock, findBlocks, renderBlock, replaceBlock, spliceBlock, type MarkerBlock } from './markers.js';
import { indentOf, lineNextAt, lineNumberAt, lineNumbers, lineStartAt, reindent } from './text-lines.js';
import {
  collectionEnd,
  collectionStart,
  dropEmptyFlowToken,
  findPair,
  isEmptyFlow,
  isEmptyValue,
  itemIndent,
  parseYaml,
  parseYamlStrict,
  restoreEmptyFlowToken,
} from './yaml-text.js';

/** One `load_from` entry as Dagster reads it. */
export interface CodeLocation {
  kind: string;
  /** Dagster's location name: `location_name`, else the package/module/file it loads. */
  locationName: string;
  packageName?: string;
  moduleName?: string;
  pythonFile?: string;
  workingDirectory?: string;
  /** 1-based line of the entry. */
  line: number;
}

const LOCATION_KINDS = ['python_package', 'python_module', 'python_file', 'grpc_server', 'autoload_defs_module'];

function describeEntry(entry: unknown, line: number, file: string): CodeLocation {
  const data = entry as Record<string, unknown> | null;
  const kind = data && typeof data === 'object' ? Object.keys(data).find((key) => LOCATION_KINDS.includes(key)) : undefined;
  if (!kind || !data) {
    throw corruptFileError(file, line, `a load_from entry must be one of ${LOCATION_KINDS.join(', ')}.`, 'See https://docs.dagster.io for the workspace.yaml format.');
  }
  const raw = data[kind];
  const spec = (typeof raw === 'string' ? { [kind === 'python_file' ? 'relative_path' : kind === 'python_module' ? 'module_name' : 'package_name']: raw } : (raw ?? {})) as Record<string, unknown>;
  const text = (key: string) => (typeof spec[key] === 'string' ? (spec[key] as string) : undefined);
  const pythonFile = text('relative_path') ?? text('python_file');
  const fallback =
    text('package_name') ?? text('module_name') ?? (pythonFile ? pythonFile.replace(/^.*\//, '') : undefined) ?? `${String(spec.host ?? '')}:${String(spec.port ?? spec.socket ?? '')}`;
  return {
    kind,
    locationName: text('location_name') ?? fallback,
    packageName: text('package_name'),
    moduleName: text('module_name'),
    pythonFile,
    workingDirectory: text('working_directory'),
    line,
  };
}

/** The code locations of a parsed list (workspace.yaml's load_from, or a module's entry list). */
function locationsOf(seq: YAMLSeq, text: string, file: string): CodeLocation[] {
  const lineAt = lineNumbers(text);
  return seq.items.map((item) => {
    const line = lineAt((item as Node).range?.[0] ?? 0);
    return describeEntry((item as Node & { toJSON(): unknown }).toJSON(), line, file);
  });
}

/** Every code location in the workspace's workspace.yaml (validate, dev). */
export function readCodeLocations(text: string, file: string): CodeLocation[] {
  const doc = parseYamlStrict(text, file);
  const pair = findPair(doc.contents, 'load_from');
  if (!pair || isEmptyValue(pair.value)) return [];
  if (!isSeq(pair.value)) throw corruptFileError(file, lineNumberAt(text, pair.value?.range?.[0] ?? 0), 'load_from must be a list.');
  return locationsOf(pair.value, text, file);
}

export interface ModuleLoadFrom {
  /** The module's entries as written, de-indented to column 0, "\n"-terminated. */
  itemsText: string;
  locations: CodeLocation[];
}

/** A module's workspace/local/workspace.yaml: a YAML list of entries (or a map with load_from:). */
export function readModuleLoadFrom(text: string, file: string): ModuleLoadFrom {
  const doc = parseYamlStrict(text, file);
  const contents = doc.contents;
  const seq = isSeq(contents) ? contents : (findPair(contents, 'load_from')?.value ?? null);
  if (!isSeq(seq) || seq.items.length === 0) {
    throw usageError(
      `${file}: expected a YAML list with the module's code location, e.g. "- python_package: {package_name: x_dagster, working_directory: /workspace/projects/x/src, location_name: x}".`,
      'Regenerate the file with "dmb new", or write the entry by hand.',
    );
  }
  const locations = locationsOf(seq, text, file);
  if (seq.flow) return { itemsText: stringify(seq.toJSON()), locations };
  const start = collectionStart(text, seq);
  const body = text.slice(start, collectionEnd(text, seq));
  return { itemsText: reindent(body, itemIndent(text, seq).length, ''), locations };
}

/** Re-parses an edited file: the engine must never write YAML that no longer parses. */
export function assertStillParses(text: string, file: string): void {
  const error = parseYaml(text).errors[0];
  if (error) {
    throw operationError(
      `merging into ${file} would make it invalid YAML (${error.message} at line ${error.line}); nothing was changed.`,
      'Check the layout of the file around that line (see "dmb workspace validate"), then run the command again.',
    );
  }
}

/** Inserts the module's load_from entries between its markers, or replaces them in place. */
export function upsertLoadFromBlock(text: string, marker: string, itemsText: string, file: string): string {
  return upsertLoadFromBlocks(text, [{ marker, itemsText }], file);
}

/** upsertLoadFromBlock for many modules: one parse, new blocks inserted together at the end of load_from. */
export function upsertLoadFromBlocks(text: string, items: Array<{ marker: string; itemsText: string }>, file: string): string {
  const doc = parseYamlStrict(text, file);
  const byMarker = blocksByMarker(text, file);
  const replacements: Array<{ block: MarkerBlock; itemsText: string }> = [];
  const fresh: Array<{ marker: string; itemsText: string }> = [];
  for (const item of items) {
    const blocks = byMarker.get(item.marker) ?? [];
    if (blocks.length > 1) throw corruptFileError(file, (blocks[1]?.begin.index ?? 0) + 1, `a second block "${item.marker}".`);
    const existing = blocks[0];
    if (existing) replacements.push({ block: existing, itemsText: item.itemsText });
    else fresh.push(item);
  }
  let result = text;
  for (const { block, itemsText } of replacements.sort((a, b) => b.block.start - a.block.start)) {
    result = replaceBlock(result, block, renderBlock(block.marker, block.indent, reindent(itemsText, 0, block.indent)));
  }
  if (fresh.length > 0) {
    const root = replacements.length > 0 ? parseYamlStrict(result, file).contents : doc.contents;
    const render = (indent: string) => fresh.map((item) => renderBlock(item.marker, indent, reindent(item.itemsText, 0, indent))).join('');
    result = insertLoadFromBlock(result, root, render, file);
  }
  assertStillParses(result, file);
  return result;
}

function insertLoadFromBlock(text: string, root: unknown, render: (indent: string) => string, file: string): string {
  if (root !== null && root !== undefined && !isMap(root)) {
    throw corruptFileError(file, 1, 'the top level must be a mapping with a "load_from:" list.');
  }
  const pair = findPair(root, 'load_from');
  if (!pair) return spliceBlock(text, text.length, `load_from:\n${render('  ')}`);
  const keyStart = pair.key.range?.[0] ?? 0;
  const keyLine = text.slice(lineStartAt(text, keyStart), lineNextAt(text, keyStart));
  const childIndent = `${indentOf(keyLine)}  `;
  const value = pair.value;
  if (isEmptyFlow(value)) {
    // `load_from: []` (what dmb init writes): the list becomes a block list; removing the last
    // module puts ` []` back, so add-then-remove is byte-identical.
    const edited = dropEmptyFlowToken(text, value);
    return spliceBlock(edited, lineNextAt(edited, keyStart), render(childIndent));
  }
  if (isEmptyValue(value) && (value?.range?.[0] ?? 0) === (value?.range?.[1] ?? 0)) {
    return spliceBlock(text, lineNextAt(text, keyStart), render(childIndent));
  }
  if (isSeq(value) && !value.flow) {
    const indent = itemIndent(text, value);
    return spliceBlock(text, collectionEnd(text, value), render(indent));
  }
  const line = lineNumberAt(text, value?.range?.[0] ?? keyStart);
  if (isSeq(value)) {
    throw usageError(`${file}:${line}: load_from is written as a flow list ([...]); dmb adds modules to a block list only.`, 'Rewrite it as a block list ("load_from:" followed by "  - ..." lines), then run the command again.');
  }
  throw corruptFileError(file, line, `load_from must be a list${isScalar(value) ? ` (found "${String(value.source ?? value.value)}")` : ''}.`);
}

/** Removes the module's block; when no entry is left, `load_from: []` comes back. */
export function removeLoadFromBlock(text: string, marker: string, file: string): string {
  parseYamlStrict(text, file);
  const blocks = findBlocks(text, marker, file);
  if (blocks.length > 1) throw corruptFileError(file, (blocks[1]?.begin.index ?? 0) + 1, `a second block "${marker}".`);
  const block = blocks[0];
  if (!block) return text;
  let result = cutBlock(text, block);
  const pair = findPair(parseDocument(result).contents, 'load_from');
  if (pair && isEmptyValue(pair.value) && (pair.value?.range?.[0] ?? 0) === (pair.value?.range?.[1] ?? 0)) {
    result = restoreEmptyFlowToken(result, pair.key as Node, '[]');
  }
  assertStillParses(result, file);
  return result;
}
