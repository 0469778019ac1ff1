import type { Node } from 'web-tree-sitter';
import type { PyClass, PyFunction } from '../python/file-facts.js';
import { scanFile, within } from '../python/file-scan.js';
import { resolveExpression, resolveName, resolveString, type PyFile, type PyPackage } from '../python/package.js';
import { callArguments, calleeName, dottedName, isDocstring, lastSegment, lineOf, stringValue, unwrap } from '../python/syntax.js';

/** What the audit reads from a module's Dagster code: plain functions over the parsed package. */

export interface CodeLocation {
  file: PyFile;
  line: number;
}

const IO_MANAGER_BASES = new Set(['IOManager', 'ConfigurableIOManager', 'ConfigurableIOManagerFactory', 'UPathIOManager']);

export interface IoManagerClass extends CodeLocation {
  cls: PyClass;
  /** Inherits Dagster's UPathIOManager, which already keys by the whole asset key and writes for us. */
  upath: boolean;
}

/** Classes of the package that are IO managers: a Dagster IO manager base, directly or through another class of the package. */
export function findIoManagerClasses(pkg: PyPackage): IoManagerClass[] {
  const found: IoManagerClass[] = [];
  for (const file of pkg.files.values()) {
    for (const cls of file.facts.classes) {
      const bases = ioManagerBases(pkg, file, cls, 0);
      if (bases.size > 0) found.push({ file, line: cls.line, cls, upath: bases.has('UPathIOManager') });
    }
  }
  return found;
}

function ioManagerBases(pkg: PyPackage, file: PyFile, cls: PyClass, depth: number): Set<string> {
  const bases = new Set<string>();
  if (depth > 8) return bases;
  for (const base of cls.bases) {
    const last = lastSegment(base) ?? base;
    if (IO_MANAGER_BASES.has(last)) {
      bases.add(last);
      continue;
    }
    const resolved = base.includes('.') ? undefined : resolveName(pkg, file, base);
    if (resolved?.kind === 'class') for (const inherited of ioManagerBases(pkg, resolved.file, resolved.cls, depth + 1)) bases.add(inherited);
    if (resolved?.kind === 'external' && IO_MANAGER_BASES.has(resolved.name)) bases.add(resolved.name);
  }
  return bases;
}

// --- Definitions ---------------------------------------------------------------------------------

export interface DefinitionsCall extends CodeLocation {
  call: Node;
}

const DEFS_FOLDER_LOADERS = new Set(['load_from_defs_folder', 'load_defs']);

/** The file Dagster loads: definitions.py in the dg layout, else the package's __init__.py. */
export function definitionsEntryFile(pkg: PyPackage): PyFile | undefined {
  return pkg.files.get('definitions.py') ?? pkg.files.get('__init__.py');
}

/**
 * Every Definitions(...) call that makes up what the entry file exposes: `defs = Definitions(...)`,
 * `Definitions.merge(a, b)`, a `@definitions` function's return, names imported from sibling files,
 * and the Definitions of the defs/ folder when the dg loader is used.
 */
export function findDefinitionsCalls(pkg: PyPackage): DefinitionsCall[] {
  const entry = definitionsEntryFile(pkg);
  if (!entry) return [];
  const found: DefinitionsCall[] = [];
  const seen = new Set<number>();
  const add = (calls: DefinitionsCall[]) => {
    for (const call of calls) {
      const key = call.call.id;
      if (!seen.has(key)) {
        seen.add(key);
        found.push(call);
      }
    }
  };
  for (const assignment of entry.facts.assignments.values()) add(collectDefinitions(pkg, entry, assignment.value, 0));
  for (const fn of entry.facts.functions) if (fn.decorators.some((d) => lastSegment(d.name) === 'definitions')) add(returnedDefinitions(pkg, entry, fn, 0));
  if (found.length === 0) {
    // `from .definitions import defs` in __init__.py, or defs built in another file.
    for (const name of ['defs', 'definitions']) {
      const resolved = resolveName(pkg, entry, name);
      if (resolved?.kind === 'value') add(collectDefinitions(pkg, resolved.file, resolved.node, 0));
      if (resolved?.kind === 'function') add(returnedDefinitions(pkg, resolved.file, resolved.fn, 0));
    }
  }
  return found;
}

function collectDefinitions(pkg: PyPackage, file: PyFile, node: Node, depth: number): DefinitionsCall[] {
  if (depth > 8) return [];
  const { file: at, node: expression } = resolveExpression(pkg, file, node);
  if (expression.type === 'identifier') {
    const resolved = resolveName(pkg, at, expression.text);
    return resolved?.kind === 'function' ? returnedDefinitions(pkg, resolved.file, resolved.fn, depth + 1) : [];
  }
  if (expression.type !== 'call') return [];
  const name = calleeName(expression) ?? '';
  const last = lastSegment(name);
  if (last === 'Definitions') return [{ file: at, line: lineOf(expression), call: expression }];
  if (name.endsWith('Definitions.merge')) {
    return callArguments(expression).positional.flatMap((argument) => collectDefinitions(pkg, at, argument.type === 'list_splat' ? argument.namedChildren[0] ?? argument : argument, depth + 1));
  }
  if (last && DEFS_FOLDER_LOADERS.has(last)) return definitionsInDefsFolder(pkg);
  if (!name.includes('.')) {
    const resolved = resolveName(pkg, at, name);
    if (resolved?.kind === 'function') return returnedDefinitions(pkg, resolved.file, resolved.fn, depth + 1);
  }
  return [];
}

function returnedDefinitions(pkg: PyPackage, file: PyFile, fn: PyFunction, depth: number): DefinitionsCall[] {
  return within(scanFile(file).returns, fn.node).flatMap((statement) => {
    const value = statement.namedChildren[0];
    return value ? collectDefinitions(pkg, file, value, depth + 1) : [];
  });
}

function definitionsInDefsFolder(pkg: PyPackage): DefinitionsCall[] {
  const calls: DefinitionsCall[] = [];
  for (const file of pkg.files.values()) {
    if (!file.path.startsWith('defs/')) continue;
    for (const call of scanFile(file).calls) if (lastSegment(calleeName(call)) === 'Definitions') calls.push({ file, line: lineOf(call), call });
  }
  return calls;
}

/** The resources a Definitions call registers: key -> the expression, following dict names and `**spreads`. */
export function registeredResources(pkg: PyPackage, definitions: DefinitionsCall): Map<string, { file: PyFile; node: Node }> {
  const resources = new Map<string, { file: PyFile; node: Node }>();
  const value = callArguments(definitions.call).keywords.get('resources');
  if (value) readDict(pkg, definitions.file, value, resources, 0);
  return resources;
}

function readDict(pkg: PyPackage, file: PyFile, node: Node, into: Map<string, { file: PyFile; node: Node }>, depth: number): void {
  if (depth > 8) return;
  const { file: at, node: expression } = resolveExpression(pkg, file, node);
  if (expression.type === 'dictionary') {
    for (const entry of expression.namedChildren) {
      if (entry?.type === 'pair') {
        const key = resolveString(pkg, at, entry.childForFieldName('key'));
        const value = entry.childForFieldName('value');
        if (key !== undefined && value) into.set(key, { file: at, node: value });
      } else if (entry?.type === 'dictionary_splat') {
        const inner = entry.namedChildren[0];
        if (inner) readDict(pkg, at, inner, into, depth + 1);
      }
    }
  } else if (expression.type === 'call' && calleeName(expression) === 'dict') {
    const { positional, keywords } = callArguments(expression);
    for (const argument of positional) readDict(pkg, at, argument, into, depth + 1);
    for (const [key, value] of keywords) into.set(key, { file: at, node: value });
  } else if (expression.type === 'call') {
    // resources=build_resources(): the dict a function of the package returns.
    const name = calleeName(expression);
    const resolved = name && !name.includes('.') ? resolveName(pkg, at, name) : undefined;
    if (resolved?.kind !== 'function') return;
    for (const returned of within(scanFile(resolved.file).returns, resolved.fn.node)) {
      const value = returned.namedChildren[0];
      if (value) readDict(pkg, resolved.file, value, into, depth + 1);
    }
  }
}

export type Registration =
  | { kind: 'instance'; className?: string; file: PyFile; line: number }
  | { kind: 'factory'; name: string; returnsConfigurable: boolean; file: PyFile; line: number }
  | { kind: 'class'; className: string; file: PyFile; line: number }
  | { kind: 'unknown'; file: PyFile; line: number };

/** How the `io_manager` resource is built: an instance (right), an @io_manager factory, or a bare class. */
export function classifyRegistration(pkg: PyPackage, file: PyFile, node: Node, depth = 0): Registration {
  const { file: at, node: expression } = resolveExpression(pkg, file, node);
  const line = lineOf(node);
  if (depth > 6) return { kind: 'unknown', file, line };
  if (expression.type === 'call') {
    const name = calleeName(expression);
    const last = lastSegment(name);
    if (last === 'configured' || last === 'configure_at_launch') return { kind: 'factory', name: name ?? expression.text, returnsConfigurable: false, file, line };
    if (name && !name.includes('.')) {
      const resolved = resolveName(pkg, at, name);
      if (resolved?.kind === 'class') return { kind: 'instance', className: resolved.cls.name, file, line };
      if (resolved?.kind === 'function') {
        if (isIoManagerFactory(resolved.fn)) return factory(pkg, resolved.file, resolved.fn, file, line);
        for (const returned of within(scanFile(resolved.file).returns, resolved.fn.node)) {
          const value = returned.namedChildren[0];
          if (!value) continue;
          const inner = classifyRegistration(pkg, resolved.file, value, depth + 1);
          if (inner.kind !== 'unknown') return { ...inner, file, line };
        }
        return { kind: 'unknown', file, line };
      }
      if (resolved?.kind === 'external') return looksLikeClass(resolved.name) ? { kind: 'instance', className: resolved.name, file, line } : { kind: 'unknown', file, line };
    }
    if (name && looksLikeClass(lastSegment(name) ?? '')) return { kind: 'instance', className: lastSegment(name), file, line };
    return { kind: 'unknown', file, line };
  }
  const name = dottedName(expression);
  if (name) {
    const resolved = name.includes('.') ? undefined : resolveName(pkg, at, name);
    if (resolved?.kind === 'function') return isIoManagerFactory(resolved.fn) ? factory(pkg, resolved.file, resolved.fn, file, line) : { kind: 'unknown', file, line };
    if (resolved?.kind === 'class') return { kind: 'class', className: resolved.cls.name, file, line };
    const external = resolved?.kind === 'external' ? resolved.name : lastSegment(name) ?? name;
    // Dagster's own io_manager definitions (fs_io_manager, mem_io_manager) are factories too.
    if (/_io_manager$/.test(external)) return { kind: 'factory', name: external, returnsConfigurable: false, file, line };
    if (looksLikeClass(external)) return { kind: 'class', className: external, file, line };
  }
  return { kind: 'unknown', file, line };
}

function isIoManagerFactory(fn: PyFunction): boolean {
  return fn.decorators.some((decorator) => lastSegment(decorator.name) === 'io_manager');
}

function factory(pkg: PyPackage, fnFile: PyFile, fn: PyFunction, file: PyFile, line: number): Registration {
  const ioClasses = new Set(findIoManagerClasses(pkg).map((c) => c.cls.name));
  const returnType = dottedName(fn.node.childForFieldName('return_type')?.namedChildren[0]);
  const returnsConfigurable =
    (returnType !== undefined && ioClasses.has(returnType)) ||
    within(scanFile(fnFile).calls, fn.node).some((call) => ioClasses.has(calleeName(call) ?? ''));
  return { kind: 'factory', name: fn.name, returnsConfigurable, file, line };
}

function looksLikeClass(name: string): boolean {
  return /^[A-Z]/.test(name);
}

// --- environment variables and storage ---------------------------------------------------------

export interface EnvRead extends CodeLocation {
  name: string;
  /** The default given in code, when it is a known string. */
  defaultValue?: string;
}

const ENV_GETTERS = new Set(['os.environ.get', 'os.getenv', 'environ.get', 'getenv', 'os.environ.setdefault']);

/** Every environment variable the package reads: os.environ[...], os.environ.get, os.getenv, EnvVar(...). */
export function findEnvReads(pkg: PyPackage): EnvRead[] {
  const reads: EnvRead[] = [];
  for (const file of pkg.files.values()) {
    const scan = scanFile(file);
    for (const call of scan.calls) {
      const name = calleeName(call) ?? '';
      const isEnvVar = /(^|\.)EnvVar(\.(int|bool|float|str))?$/.test(name);
      if (!ENV_GETTERS.has(name) && !isEnvVar) continue;
      const { positional, keywords } = callArguments(call);
      const variable = resolveString(pkg, file, positional[0] ?? keywords.get('key') ?? keywords.get('env_var_name'));
      if (variable === undefined) continue;
      const fallback = isEnvVar ? undefined : positional[1] ?? keywords.get('default');
      reads.push({ file, line: lineOf(call), name: variable, defaultValue: resolveString(pkg, file, fallback) });
    }
    for (const subscript of scan.subscripts) {
      if (!/^(os\.)?environ$/.test(dottedName(subscript.childForFieldName('value')) ?? '')) continue;
      const variable = resolveString(pkg, file, subscript.childForFieldName('subscript'));
      if (variable !== undefined) reads.push({ file, line: lineOf(subscript), name: variable });
    }
  }
  return reads;
}

/** String literals in code (not docstrings, not comments) whose value is `value`. */
export function findStringLiterals(pkg: PyPackage, test: (value: string) => boolean): CodeLocation[] {
  const found: CodeLocation[] = [];
  for (const file of pkg.files.values()) {
    for (const node of scanFile(file).strings) {
      if (isDocstring(node)) continue;
      const value = stringValue(node);
      if (value !== undefined && test(value)) found.push({ file, line: lineOf(node) });
    }
  }
  return found;
}

// --- IO manager internals ------------------------------------------------------------------------

/** `context.asset_key.path[-1]` (or a name holding `asset_key.path`, then indexed): storage keyed by part of the key. */
export function findPartialAssetKeyUse(ioClass: IoManagerClass): CodeLocation | undefined {
  const scan = scanFile(ioClass.file);
  const holders = new Set<string>();
  for (const attribute of within(scan.attributes, ioClass.cls.node)) {
    if (!/asset_key\.path$/.test(attribute.text)) continue;
    const parent = attribute.parent;
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') holders.add(parent.childForFieldName('left')!.text);
  }
  for (const subscript of within(scan.subscripts, ioClass.cls.node)) {
    const value = unwrap(subscript.childForFieldName('value'));
    const indexed = value ? value.text : '';
    if (!/asset_key\.path$/.test(indexed) && !holders.has(indexed)) continue;
    const index = subscript.childForFieldName('subscript');
    // A full slice ([:]) keeps the whole key.
    if (index?.type === 'slice' && index.namedChildCount === 0) continue;
    return { file: ioClass.file, line: lineOf(subscript) };
  }
  return undefined;
}

/** getattr/hasattr(context, "partition_key") or `has_partition_key`: run-scoped partition reads. */
export function findRunScopedPartitionReads(ioClass: IoManagerClass): CodeLocation | undefined {
  const scan = scanFile(ioClass.file);
  for (const call of within(scan.calls, ioClass.cls.node)) {
    if (!['getattr', 'hasattr'].includes(calleeName(call) ?? '')) continue;
    const attribute = stringValue(callArguments(call).positional[1]);
    if (attribute === 'partition_key' || attribute === 'has_partition_key') return { file: ioClass.file, line: lineOf(call) };
  }
  for (const attribute of within(scan.attributes, ioClass.cls.node)) {
    if (attribute.childForFieldName('attribute')?.text === 'has_partition_key') return { file: ioClass.file, line: lineOf(attribute) };
  }
  return undefined;
}

const WRITE_CALLS = /(^open$|\.write_bytes$|\.write_text$|^pickle\.dump$|\.to_parquet$|\.to_csv$|^json\.dump$)/;

/** The first plain write in the IO manager's file that is not followed by an atomic rename anywhere in that file. */
export function findNonAtomicWrite(ioClass: IoManagerClass): CodeLocation | undefined {
  if (ioClass.upath) return undefined;
  const calls = scanFile(ioClass.file).calls;
  const renames = calls.some((call) => {
    const name = calleeName(call) ?? '';
    if (['os.replace', 'os.rename', 'shutil.move'].includes(name)) return true;
    // Path.replace(target) / Path.rename(target) take one argument; str.replace takes two.
    return /\.(replace|rename)$/.test(name) && callArguments(call).positional.length === 1;
  });
  if (renames) return undefined;
  const write = calls.find((call) => {
    const name = calleeName(call) ?? '';
    if (!WRITE_CALLS.test(name)) return false;
    if (name !== 'open') return true;
    const mode = stringValue(callArguments(call).positional[1] ?? callArguments(call).keywords.get('mode'));
    return mode !== undefined && /[wax]/.test(mode);
  });
  return write ? { file: ioClass.file, line: lineOf(write) } : undefined;
}

// --- assets, schedules, checks ---------------------------------------------------------------------

const ASSET_DECORATORS = new Set(['asset', 'multi_asset', 'graph_asset', 'graph_multi_asset']);

export interface AssetDefinition extends CodeLocation {
  name: string;
  /** The first part of the asset's key, when the code gives one. */
  prefix?: string;
}

/**
 * Every @asset-style function with the first part of its key. Assets of a file that
 * `load_assets_from_modules(..., key_prefix=...)` loads get that prefix.
 */
export function findAssets(pkg: PyPackage): AssetDefinition[] {
  const loadedPrefix = prefixesFromLoaders(pkg);
  const assets: AssetDefinition[] = [];
  for (const file of pkg.files.values()) {
    for (const fn of file.facts.functions) {
      const decorator = fn.decorators.find((d) => ASSET_DECORATORS.has(lastSegment(d.name) ?? ''));
      if (!decorator) continue;
      const own = decorator.call ? decoratorPrefix(pkg, file, decorator.call, lastSegment(decorator.name) ?? '') : undefined;
      assets.push({ file, line: fn.line, name: fn.name, prefix: loadedPrefix.get(file.path) ?? own });
    }
  }
  return assets;
}

function decoratorPrefix(pkg: PyPackage, file: PyFile, call: Node, kind: string): string | undefined {
  if (kind === 'multi_asset' || kind === 'graph_multi_asset') {
    // Every AssetOut/AssetSpec must carry it: the first one without a prefix decides.
    const outs = within(scanFile(file).calls, call).filter((inner) => ['AssetOut', 'AssetSpec'].includes(lastSegment(calleeName(inner)) ?? ''));
    const prefixes = outs.map((out) => keyStart(pkg, file, callArguments(out).keywords));
    return prefixes.length > 0 && prefixes.every((p) => p === prefixes[0]) ? prefixes[0] : undefined;
  }
  return keyStart(pkg, file, callArguments(call).keywords);
}

function keyStart(pkg: PyPackage, file: PyFile, keywords: Map<string, Node>): string | undefined {
  const prefix = keywords.get('key_prefix');
  if (prefix) return firstElement(pkg, file, prefix);
  const key = keywords.get('key');
  if (!key) return undefined;
  const { file: at, node } = resolveExpression(pkg, file, key);
  if (node.type === 'call' && lastSegment(calleeName(node)) === 'AssetKey') {
    const first = callArguments(node).positional[0];
    return first ? firstElement(pkg, at, first) : undefined;
  }
  const start = firstElement(pkg, at, node);
  return node.type === 'string' ? start?.split('/')[0] : start;
}

function firstElement(pkg: PyPackage, file: PyFile, node: Node): string | undefined {
  const { file: at, node: expression } = resolveExpression(pkg, file, node);
  if (expression.type === 'list' || expression.type === 'tuple') {
    const first = expression.namedChildren.find((child) => child && child.type !== 'comment');
    return first ? resolveString(pkg, at, first) : undefined;
  }
  return resolveString(pkg, at, expression);
}

function prefixesFromLoaders(pkg: PyPackage): Map<string, string> {
  const prefixes = new Map<string, string>();
  for (const file of pkg.files.values()) {
    for (const call of scanFile(file).calls) {
      const name = lastSegment(calleeName(call));
      if (name !== 'load_assets_from_modules' && name !== 'load_assets_from_package_module') continue;
      const { positional, keywords } = callArguments(call);
      const prefixNode = keywords.get('key_prefix');
      const prefix = prefixNode ? firstElement(pkg, file, prefixNode) : undefined;
      if (!prefix) continue;
      const modules = positional[0] ? resolveExpression(pkg, file, positional[0]).node : undefined;
      const items = modules?.type === 'list' || modules?.type === 'tuple' ? modules.namedChildren : modules ? [modules] : [];
      for (const item of items) {
        if (!item || item.type !== 'identifier') continue;
        const resolved = resolveName(pkg, file, item.text);
        if (resolved?.kind === 'module') prefixes.set(resolved.file.path, prefix);
      }
    }
  }
  return prefixes;
}

export interface GovernanceSignals {
  schedule?: CodeLocation;
  assetCheck?: CodeLocation;
  owners?: CodeLocation;
}

/** Where the module has a schedule, an asset check and asset owners (the governance levels' additions). */
export function findGovernanceSignals(pkg: PyPackage): GovernanceSignals {
  const signals: GovernanceSignals = {};
  for (const file of pkg.files.values()) {
    for (const fn of file.facts.functions) {
      for (const decorator of fn.decorators) {
        const name = lastSegment(decorator.name);
        if (name === 'schedule') signals.schedule ??= { file, line: decorator.line };
        if (name === 'asset_check' || name === 'multi_asset_check') signals.assetCheck ??= { file, line: decorator.line };
        if (name && ASSET_DECORATORS.has(name) && decorator.call && callArguments(decorator.call).keywords.has('owners')) signals.owners ??= { file, line: decorator.line };
      }
    }
    for (const call of scanFile(file).calls) {
      const name = lastSegment(calleeName(call));
      if (name === 'ScheduleDefinition' || name === 'build_schedule_from_partitioned_job') signals.schedule ??= { file, line: lineOf(call) };
      if (name === 'AssetCheckSpec') signals.assetCheck ??= { file, line: lineOf(call) };
      if (name === 'AssetSpec' && callArguments(call).keywords.has('owners')) signals.owners ??= { file, line: lineOf(call) };
    }
  }
  return signals;
}
