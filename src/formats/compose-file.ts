import { isMap, isScalar, isSeq, parseDocument, stringify, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { operationError, usageError } from '../errors.js';
import { corruptFileError } from './file-errors.js';
import { cutBlock, pairMarkers, readMarkerBlocks, renderBlock, replaceBlock, spliceBlock, type MarkerBlock } from './markers.js';
import { indentOf, isBlankLine, isCommentLine, lineNextAt, lineNumberAt, lineNumbers, lineStartAt, reindent, splitLines } from './text-lines.js';
import { DAGSTER_DEPENDENT_SERVICES } from './service-compose.js';
import { assertStillParses } from './workspace-yaml.js';
import {
  collectionEnd,
  collectionStart,
  dropEmptyFlowToken,
  findPair,
  isEmptyFlow,
  isEmptyValue,
  itemIndent,
  parseYamlStrict,
  restoreEmptyFlowToken,
} from './yaml-text.js';


export interface ComposeService {
  name: string;
  image?: string;
  containerName?: string;
  ports: unknown[];
  hasHealthcheck: boolean;
  networks: string[];
  /** 1-based line of the service key. */
  line: number;
}

export interface ModuleCompose {
  /** The module's `services:` entries as written, de-indented to column 0 ("" for `services: {}`). */
  servicesText: string;
  services: ComposeService[];
}

export interface Dependency {
  service: string;
  condition: 'service_healthy' | 'service_started';
}

type ServicesMap = YAMLMap<Node, Node | null>;

/**
 * What to do when docker-compose.yml lacks the shared service's own entries. Not "run dmb init": init
 * keeps every file that exists, so it never puts a service back into an existing docker-compose.yml.
 */
export function missingServiceFix(service?: string): string {
  const what = service ? `the "${service}" service` : 'the "services:" mapping with the shared service';
  return (
    `Put back the latest backup with "dmb workspace restore <timestamp>", or copy ${what} from a fresh copy: ` +
    '"dmb init --workspace /tmp/dmb-fresh --yes" writes one to /tmp/dmb-fresh/services/dagster/docker-compose.yml.'
  );
}

function describeServices(map: ServicesMap | null, text: string): ComposeService[] {
  if (!map) return [];
  const lineAt = lineNumbers(text);
  return map.items.map((pair) => {
    const spec = ((pair.value as (Node & { toJSON(): unknown }) | null)?.toJSON() ?? {}) as Record<string, unknown>;
    const networks = spec.networks;
    return {
      name: String((pair.key as Node & { value?: unknown }).value ?? ''),
      image: typeof spec.image === 'string' ? spec.image : undefined,
      containerName: typeof spec.container_name === 'string' ? spec.container_name : undefined,
      ports: Array.isArray(spec.ports) ? spec.ports : [],
      hasHealthcheck: Boolean(spec.healthcheck && typeof spec.healthcheck === 'object' && !(spec.healthcheck as { disable?: boolean }).disable),
      networks: Array.isArray(networks) ? networks.map(String) : networks && typeof networks === 'object' ? Object.keys(networks) : [],
      line: lineAt(pair.key?.range?.[0] ?? 0),
    };
  });
}

/** A module's workspace/local/docker-compose.yml: only its `services` are merged. */
export function readModuleCompose(text: string, file: string): ModuleCompose {
  const doc = parseYamlStrict(text, file);
  if (doc.contents === null) return { servicesText: '', services: [] };
  const pair = findPair(doc.contents, 'services');
  if (!pair || isEmptyValue(pair.value) || isEmptyFlow(pair.value)) return { servicesText: '', services: [] };
  const map = pair.value;
  if (!isMap(map)) throw corruptFileError(file, lineNumberAt(text, map?.range?.[0] ?? 0), '"services" must be a mapping of service names.');
  const services = describeServices(map as ServicesMap, text);
  if (map.flow) return { servicesText: stringify(map.toJSON()), services };
  const body = text.slice(collectionStart(text, map), collectionEnd(text, map));
  return { servicesText: reindent(body, itemIndent(text, map).length, ''), services };
}

export interface ComposeLayout {
  services: ServicesMap | null;
  servicesPair: Pair<Node, Node | null>;
  list: ComposeService[];
}

/** The workspace docker-compose.yml's `services`, or a corruption error. */
export function readComposeLayout(text: string, file: string): ComposeLayout {
  const doc = parseYamlStrict(text, file);
  const servicesPair = findPair(doc.contents, 'services');
  if (!servicesPair) throw corruptFileError(file, 1, 'there is no top-level "services:" mapping.', missingServiceFix());
  const value = servicesPair.value;
  if (!isEmptyValue(value) && !isMap(value)) throw corruptFileError(file, lineNumberAt(text, value?.range?.[0] ?? 0), '"services" must be a mapping.');
  const services = isMap(value) ? (value as ServicesMap) : null;
  return { services, servicesPair, list: describeServices(services, text) };
}

/** Where a marker block sits in docker-compose.yml: among the services, or in one service's depends_on. */
export interface LocatedComposeBlock {
  block: MarkerBlock;
  region: 'services' | 'depends_on';
  /** For depends_on blocks: the service whose depends_on holds it. */
  service?: string;
}

/**
 * Classifies every marker block by indentation and position: a block at the services' own indentation
 * is a services block; a deeper one belongs to the depends_on of the service above it.
 */
export function locateComposeBlocks(text: string, file: string): LocatedComposeBlock[] {
  const blocks = readMarkerBlocks(text, file);
  if (blocks.length === 0) return [];
  const { services, servicesPair } = readComposeLayout(text, file);
  const serviceIndent = services && !services.flow && services.items.length > 0 ? itemIndent(text, services).length : indentOf(lineAt(text, servicesPair.key.range?.[0] ?? 0)).length + 2;
  const keyLines = (services?.items ?? []).map((pair) => ({ name: String((pair.key as Node & { value?: unknown }).value), start: lineStartAt(text, pair.key.range?.[0] ?? 0) }));
  const servicesStart = servicesPair.key.range?.[0] ?? 0;
  return blocks.map((block) => {
    const owner = keyLines.filter((key) => key.start <= block.start).at(-1);
    if (block.start > servicesStart && block.indent.length === serviceIndent) return { block, region: 'services' as const };
    if (block.start > servicesStart && owner && block.indent.length > serviceIndent) return { block, region: 'depends_on' as const, service: owner.name };
    throw corruptFileError(file, block.begin.index + 1, `the block "${block.marker}" is neither among the services nor in a service's depends_on.`);
  });
}

function lineAt(text: string, offset: number): string {
  const start = lineStartAt(text, offset);
  return text.slice(start, lineNextAt(text, offset)).replace(/\n$/, '');
}

/** `name:\n  condition: ...` lines at column 0. */
export function renderDependencies(dependencies: Dependency[]): string {
  return dependencies.map((d) => `${d.service}:\n  condition: ${d.condition}\n`).join('');
}

/** One module's part of docker-compose.yml. */
export interface ComposeModuleBlocks {
  marker: string;
  servicesText: string;
  dependencies: Dependency[];
}

/**
 * Merges a module into docker-compose.yml: its services between markers in `services`, and one
 * depends_on block in each Dagster service when it has a database. Existing blocks are replaced in place.
 */
export function upsertComposeBlocks(text: string, marker: string, servicesText: string, dependencies: Dependency[], file: string): string {
  return upsertComposeModules(text, [{ marker, servicesText, dependencies }], file);
}

/**
 * upsertComposeBlocks for many modules at once, with a fixed number of parses however many there are:
 * new modules' blocks are inserted together (in the given order) where one module's would go.
 */
export function upsertComposeModules(text: string, modules: ComposeModuleBlocks[], file: string): string {
  readComposeLayout(text, file);
  let result = text;
  let located = locateComposeBlocks(result, file);
  const freshServices: ComposeModuleBlocks[] = [];
  for (const module of modules) {
    const servicesBlock = located.filter((b) => b.block.marker === module.marker && b.region === 'services');
    if (servicesBlock.length > 1) throw corruptFileError(file, (servicesBlock[1]?.block.begin.index ?? 0) + 1, `a second services block "${module.marker}".`);
    const existing = servicesBlock[0]?.block;
    if (!existing) {
      freshServices.push(module);
      continue;
    }
    result = replaceBlock(result, existing, renderBlock(module.marker, existing.indent, reindent(module.servicesText, 0, existing.indent)));
    located = locateComposeBlocks(result, file);
  }
  if (freshServices.length > 0) {
    result = insertServicesBlock(result, (indent) => freshServices.map((m) => renderBlock(m.marker, indent, reindent(m.servicesText, 0, indent))).join(''), file);
  }
  const provided = new Set(modules.flatMap((m) => m.dependencies.map((d) => d.service)));
  for (const dependent of DAGSTER_DEPENDENT_SERVICES) {
    // First, so the block offsets found next are those of the text that is edited.
    result = cutDependsOnEntries(result, dependent, provided);
    located = locateComposeBlocks(result, file);
    const freshDependencies: Array<{ marker: string; body: string }> = [];
    for (const { marker, dependencies } of modules) {
      const found = located.filter((b) => b.block.marker === marker && b.region === 'depends_on' && b.service === dependent);
      if (found.length > 1) throw corruptFileError(file, (found[1]?.block.begin.index ?? 0) + 1, `a second depends_on block "${marker}" in ${dependent}.`);
      const block = found[0]?.block;
      if (dependencies.length === 0) {
        if (block) {
          result = dropEmptyDependsOn(cutBlock(result, block), dependent);
          located = locateComposeBlocks(result, file);
        }
        continue;
      }
      const body = renderDependencies(dependencies);
      if (!block) {
        freshDependencies.push({ marker, body });
        continue;
      }
      result = replaceBlock(result, block, renderBlock(marker, block.indent, reindent(body, 0, block.indent)));
      located = locateComposeBlocks(result, file);
    }
    if (freshDependencies.length > 0) {
      result = insertDependsOnBlock(result, dependent, (indent) => freshDependencies.map((d) => renderBlock(d.marker, indent, reindent(d.body, 0, indent))).join(''), file);
    }
  }
  assertStillParses(result, file);
  return result;
}

function insertServicesBlock(text: string, render: (indent: string) => string, file: string): string {
  const { services, servicesPair } = readComposeLayout(text, file);
  const keyStart = servicesPair.key.range?.[0] ?? 0;
  const childIndent = `${indentOf(lineAt(text, keyStart))}  `;
  const value = servicesPair.value;
  if (services && !services.flow && services.items.length > 0) {
    const indent = itemIndent(text, services);
    return spliceBlock(text, collectionEnd(text, services), render(indent));
  }
  if (isEmptyFlow(value)) {
    const edited = dropEmptyFlowToken(text, value);
    return spliceBlock(edited, lineNextAt(edited, keyStart), render(childIndent));
  }
  if (isEmptyValue(value)) return spliceBlock(text, lineNextAt(text, keyStart), render(childIndent));
  throw usageError(
    `${file}:${lineNumberAt(text, value?.range?.[0] ?? keyStart)}: "services" is written in flow style ({...}); dmb merges into a block mapping only.`,
    'Rewrite services as a block mapping (one "name:" line per service), then run the command again.',
  );
}

function insertDependsOnBlock(text: string, dependent: string, rendered: (indent: string) => string, file: string): string {
  const { services } = readComposeLayout(text, file);
  const servicePair = findPair(services, dependent);
  if (!servicePair) {
    throw operationError(
      `${file} has no service "${dependent}", so the module's database cannot be added to its depends_on; nothing was changed.`,
      missingServiceFix(dependent),
    );
  }
  const service = servicePair.value;
  if (!isMap(service) || service.flow || service.items.length === 0) {
    throw usageError(`${file}:${lineNumberAt(text, servicePair.key.range?.[0] ?? 0)}: service "${dependent}" must be a block mapping.`, 'Rewrite it with one "key:" line per setting.');
  }
  const dependsOn = findPair(service, 'depends_on');
  if (!dependsOn && findPair(service, '<<')) {
    // A depends_on written here would replace, not extend, the one the service may inherit through `<<`.
    throw usageError(
      `${file}:${lineNumberAt(text, servicePair.key.range?.[0] ?? 0)}: service "${dependent}" takes settings from a YAML merge key (<<) and has no depends_on of its own; adding one would drop what it inherits.`,
      `Give "${dependent}" its own depends_on mapping (copy the inherited entries into it), then run the command again.`,
    );
  }
  if (!dependsOn) {
    // Created here, outside the markers; removing the last dependency deletes the key again.
    const indent = itemIndent(text, service);
    const inner = `${indent}  `;
    return spliceBlock(text, collectionEnd(text, service), `${indent}depends_on:\n${rendered(inner)}`);
  }
  const keyStart = dependsOn.key.range?.[0] ?? 0;
  const childIndent = `${indentOf(lineAt(text, keyStart))}  `;
  const value = dependsOn.value;
  if (isMap(value) && !value.flow && value.items.length > 0) {
    const indent = itemIndent(text, value);
    return spliceBlock(text, collectionEnd(text, value), rendered(indent));
  }
  if (isEmptyFlow(value)) {
    const edited = dropEmptyFlowToken(text, value);
    return spliceBlock(edited, lineNextAt(edited, keyStart), rendered(childIndent));
  }
  if (isEmptyValue(value)) return spliceBlock(text, lineNextAt(text, keyStart), rendered(childIndent));
  if (isSeq(value)) return convertDependsOnList(text, value as YAMLSeq, keyStart, childIndent, rendered(childIndent), file);
  throw usageError(`${file}:${lineNumberAt(text, keyStart)}: depends_on of "${dependent}" must be a list or a mapping.`, 'Fix the file, then run the command again.');
}

/**
 * `depends_on: [a, b]` cannot carry `condition: service_healthy`, so the list is rewritten once as the
 * equivalent mapping (`a: {condition: service_started}` is what the list form means). This is the one
 * edit outside a module's block; `remove` leaves the mapping form, which means the same thing. A block
 * list is rewritten line by line: the user's comment lines, and a comment after an item, stay where they were.
 */
function convertDependsOnList(text: string, list: YAMLSeq, keyStart: number, indent: string, block: string, file: string): string {
  const items = list.items.map((item) => (isScalar(item) ? (item as Scalar) : undefined));
  const refuse = () =>
    usageError(`${file}:${lineNumberAt(text, keyStart)}: depends_on lists something other than service names.`, 'Rewrite depends_on as a mapping (service: {condition: ...}), then run the command again.');
  if (items.some((item) => item === undefined)) throw refuse();
  const entry = (name: string, comment = '') => `${indent}${name}:${comment}\n${indent}  condition: service_started\n`;
  if (list.flow) {
    const converted = items.map((item) => entry(String(item?.value))).join('');
    const edited = dropEmptyFlowToken(text, list);
    return spliceBlock(edited, lineNextAt(edited, keyStart), converted + block);
  }
  const start = collectionStart(text, list);
  const lastEnd = (list.items.at(-1) as Node).range?.[1] ?? start;
  const end = lineNextAt(text, Math.max(lastEnd - 1, start));
  const byLine = new Map(items.map((item) => [lineStartAt(text, item?.range?.[0] ?? 0), item as Scalar]));
  let converted = '';
  for (const line of splitLines(text.slice(start, end))) {
    const item = byLine.get(start + line.start);
    if (!item) {
      if (!isBlankLine(line.text) && !isCommentLine(line.text)) throw refuse();
      converted += `${line.text}\n`;
      continue;
    }
    const [from, to] = item.range ?? [0, 0];
    const before = text.slice(start + line.start, from);
    const after = text.slice(to, start + line.start + line.text.length);
    if (!/^[ \t]*-[ \t]+$/.test(before) || !/^([ \t]+#.*)?[ \t]*$/.test(after)) throw refuse();
    converted += entry(text.slice(from, to), after.trimEnd());
  }
  return text.slice(0, start) + converted + block + text.slice(end);
}

/**
 * Cuts the entries of `dependent`'s depends_on (list items or mapping keys) that name one of `names`,
 * outside every marker block. `add` uses it so a dependency the user wrote by hand gives way to the
 * module's block (instead of a duplicate key); `remove` so no dependency on a removed service is left.
 */
export function cutDependsOnEntries(text: string, dependent: string, names: ReadonlySet<string>): string {
  if (names.size === 0) return text;
  const services = findPair(parseDocument(text).contents, 'services')?.value;
  const value = findPair(findPair(services, dependent)?.value, 'depends_on')?.value;
  if (!isSeq(value) && !isMap(value)) return text;
  const named = (node: unknown) => isScalar(node) && names.has(String(node.value));
  if (value.flow) {
    if (!isSeq(value) || !value.items.some(named)) return text;
    const kept = value.items.filter((item) => !named(item)).map((item) => text.slice((item as Node).range?.[0] ?? 0, (item as Node).range?.[1] ?? 0));
    const [from, to] = value.range ?? [0, 0];
    return `${text.slice(0, from)}[${kept.join(', ')}]${text.slice(to)}`;
  }
  const blocks = pairMarkers(text).blocks;
  const cuts: Array<[number, number]> = [];
  for (const item of value.items as unknown[]) {
    const node = (isSeq(value) ? item : (item as Pair<Node, Node | null>).key) as Node;
    if (!named(node)) continue;
    const at = node.range?.[0] ?? 0;
    if (blocks.some((b) => at >= b.start && at < b.stop)) continue;
    const contentEnd = isSeq(value) ? (node.range?.[1] ?? at) : Math.max(node.range?.[1] ?? at, (item as Pair<Node, Node | null>).value?.range?.[1] ?? 0);
    cuts.push([lineStartAt(text, at), lineNextAt(text, Math.max(contentEnd - 1, at))]);
  }
  return cuts.reverse().reduce((result, [from, to]) => result.slice(0, from) + result.slice(to), text);
}

/** Deletes a `depends_on:` key left with no value (the one dmb created for the first dependency). */
function dropEmptyDependsOn(text: string, dependent: string): string {
  const services = findPair(parseDocument(text).contents, 'services')?.value;
  const dependsOn = findPair(findPair(services, dependent)?.value, 'depends_on');
  if (!dependsOn || !isEmptyValue(dependsOn.value) || (dependsOn.value?.range?.[0] ?? 0) !== (dependsOn.value?.range?.[1] ?? 0)) return text;
  const start = lineStartAt(text, dependsOn.key.range?.[0] ?? 0);
  return text.slice(0, start) + text.slice(lineNextAt(text, start));
}

/** Removes every block of the module: the exact inverse of upsertComposeBlocks on the same file. */
export function removeComposeBlocks(text: string, marker: string, file: string): string {
  readComposeLayout(text, file);
  const located = locateComposeBlocks(text, file)
    .filter((b) => b.block.marker === marker)
    .sort((a, b) => b.block.start - a.block.start);
  // The module's own services: a depends_on entry the user wrote for one of them goes too (compose refuses
  // a dependency on a service that is not defined).
  const { services } = readComposeLayout(text, file);
  const removed = new Set(
    (services?.items ?? [])
      .filter((pair) => located.some(({ block, region }) => region === 'services' && (pair.key.range?.[0] ?? -1) >= block.start && (pair.key.range?.[0] ?? -1) < block.stop))
      .map((pair) => String((pair.key as Node & { value?: unknown }).value)),
  );
  let result = text;
  for (const { block } of located) result = cutBlock(result, block);
  const touched = new Set(located.flatMap(({ region, service }) => (region === 'depends_on' && service ? [service] : [])));
  for (const dependent of DAGSTER_DEPENDENT_SERVICES) {
    const cut = cutDependsOnEntries(result, dependent, removed);
    if (cut !== result) touched.add(dependent);
    result = cut;
  }
  for (const service of touched) result = dropEmptyDependsOn(result, service);
  const servicesPair = findPair(parseDocument(result).contents, 'services');
  if (servicesPair && isEmptyValue(servicesPair.value) && located.some((b) => b.region === 'services')) {
    result = restoreEmptyFlowToken(result, servicesPair.key as Node, '{}');
  }
  assertStillParses(result, file);
  return result;
}
