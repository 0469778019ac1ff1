import { join } from 'node:path';
import { parseDocument, visit, type Document } from 'yaml';
import type { Effects } from '../../effects/effects.js';
import { CONTAINER_PROJECTS_PATH } from '../../catalog/databases.js';
import { isDmbError } from '../../errors.js';
import { locateComposeBlocks, type LocatedComposeBlock } from '../../formats/compose-file.js';
import { DAGSTER_DEPENDENT_SERVICES } from '../../formats/service-compose.js';
import { checkComposeSchema } from '../../formats/compose-schema.js';
import { findDuplicateEnvKeys, parseEnvLines, readEnvEntries } from '../../formats/env-file.js';
import { REPAIR_FIX } from '../../formats/file-errors.js';
import { findVariableRefs } from '../../formats/interpolation.js';
import { pairMarkers, type MarkerBlock } from '../../formats/markers.js';
import { readModuleStatus } from '../module-status.js';
import { BACKED_UP_FILES, shownPath, type BackedUpFile, type WorkspacePaths } from '../paths.js';
import { listPublishedPorts } from '../ports/published-ports.js';
import { readRegistryText } from '../registry-text.js';
import { emptyRegistry, type Registry, type RegistryEntry } from '../registry.js';
import { lineNumberAt } from '../../formats/text-lines.js';
import { readCodeLocations, type CodeLocation } from '../../formats/workspace-yaml.js';
import { parseYaml } from '../../formats/yaml-text.js';

/** One thing wrong, where, and how to fix it: validate prints one line per problem. */
export interface Problem {
  file?: string;
  line?: number;
  message: string;
  fix: string;
}

export interface ValidationReport {
  problems: Problem[];
  registry: Registry;
  locations: CodeLocation[];
  /** The workspace files as read (absent when missing), for --load. */
  text: Partial<Record<BackedUpFile, string>>;
}

type Compose = { services?: Record<string, Record<string, unknown> | null>; networks?: Record<string, unknown> | null };

const reAdd = (entry: RegistryEntry) => `Run "dmb workspace remove ${entry.name} --yes" then "dmb workspace add ${entry.name}" to merge it again.`;

/**
 * Checks the registry against the files and the files against each other, collecting every problem
 * (never stopping at the first): blocks per registered module, blocks without a registry entry,
 * duplicates, compose variables and schema, and each module's package on disk.
 */
export async function validateWorkspace(effects: Effects, paths: WorkspacePaths): Promise<ValidationReport> {
  const fs = effects.fs;
  const problems: Problem[] = [];
  const report = (file: string | undefined, line: number | undefined, message: string, fix: string) => problems.push({ file, line, message, fix });
  const text: Partial<Record<BackedUpFile, string>> = {};
  const shown = Object.fromEntries(BACKED_UP_FILES.map((f) => [f, shownPath(paths, paths[f])])) as Record<BackedUpFile, string>;
  let registry = emptyRegistry();
  if (!(await fs.isDirectory(paths.serviceDir))) {
    report(shownPath(paths, paths.serviceDir), undefined, 'the shared Dagster service does not exist.', 'Run "dmb init".');
    return { problems, registry, locations: [], text };
  }
  for (const file of BACKED_UP_FILES) {
    if (await fs.exists(paths[file])) text[file] = (await fs.readFile(paths[file])).toString('utf8');
    else report(shown[file], undefined, 'is missing.', 'Run "dmb init" to recreate missing files, or "dmb workspace restore <timestamp>".');
  }
  if (text.registry !== undefined) {
    try {
      registry = readRegistryText(text.registry, shown.registry);
    } catch (error) {
      if (!isDmbError(error)) throw error;
      report(undefined, undefined, error.message, error.fix ?? REPAIR_FIX);
    }
  }

  // Marker pairing in every merged file; a file with half blocks is not checked further.
  const blocks: Partial<Record<BackedUpFile, MarkerBlock[]>> = {};
  for (const file of ['workspaceYaml', 'env', 'compose', 'dockerfile'] as const) {
    const content = text[file];
    if (content === undefined) continue;
    const paired = pairMarkers(content);
    for (const p of paired.problems) report(shown[file], p.line, p.message, 'Add the missing marker line or delete the half block; or "dmb workspace restore <timestamp>".');
    if (paired.problems.length === 0) blocks[file] = paired.blocks;
  }

  const workspaceDoc = parseWorkspaceYaml(text.workspaceYaml, shown.workspaceYaml, report);
  const composeDoc = parseWorkspaceYaml(text.compose, shown.compose, report);
  let locations: CodeLocation[] = [];
  if (workspaceDoc && text.workspaceYaml !== undefined) {
    try {
      locations = readCodeLocations(text.workspaceYaml, shown.workspaceYaml);
    } catch (error) {
      if (!isDmbError(error)) throw error;
      report(undefined, undefined, error.message, error.fix ?? REPAIR_FIX);
    }
  }
  let located: LocatedComposeBlock[] = [];
  if (composeDoc && text.compose !== undefined && blocks.compose) {
    try {
      located = locateComposeBlocks(text.compose, shown.compose);
    } catch (error) {
      if (!isDmbError(error)) throw error;
      report(undefined, undefined, error.message, error.fix ?? REPAIR_FIX);
    }
  }
  // Read as docker-compose reads it: YAML merge keys (<<: *anchor) resolved.
  const compose = (composeDoc && text.compose !== undefined ? parseDocument(text.compose, { merge: true }).toJS() : {}) as Compose;
  const services = compose.services ?? {};
  const envEntries = readEnvEntries(text.env ?? '');
  const env = new Map([...envEntries].map(([key, entry]) => [key, entry.value]));

  // The registry against the files.
  const markers = new Set(registry.integrated_modules.map((e) => e.marker));
  for (const entry of registry.integrated_modules) {
    const status = await readModuleStatus(fs, paths, entry);
    if (status === 'missing') {
      report(shown.registry, undefined, `module "${entry.name}" is integrated but projects/${entry.name}/ is gone.`, `Run "dmb workspace remove ${entry.name} --yes", or put the folder back.`);
    } else if (status === 'drifted') {
      report(shown.registry, undefined, `module "${entry.name}" is drifted: its workspace/local/ files changed since it was merged.`, 'Run "dmb workspace sync" to merge the changes.');
    }
    const has = (file: BackedUpFile) => blocks[file]?.some((b) => b.marker === entry.marker);
    if (blocks.workspaceYaml && !has('workspaceYaml')) report(shown.workspaceYaml, undefined, `no load_from entry for module "${entry.name}" (no "# BEGIN: ${entry.marker}" block).`, reAdd(entry));
    else if (blocks.workspaceYaml && text.workspaceYaml !== undefined) {
      const block = blocks.workspaceYaml.find((b) => b.marker === entry.marker) as MarkerBlock;
      if (!locations.some((l) => l.line > block.begin.index + 1 && l.line < block.end.index + 1)) {
        report(shown.workspaceYaml, block.begin.index + 1, `the block of module "${entry.name}" holds no load_from entry.`, reAdd(entry));
      }
    }
    if (blocks.env && !has('env')) report(shown.env, undefined, `no block for module "${entry.name}" (no "# BEGIN: ${entry.marker}").`, reAdd(entry));
    if (blocks.dockerfile && !has('dockerfile')) report(shown.dockerfile, undefined, `no block for module "${entry.name}" (no "# BEGIN: ${entry.marker}").`, reAdd(entry));
    if (composeDoc && blocks.compose) {
      const mine = located.filter((b) => b.block.marker === entry.marker);
      if (!mine.some((b) => b.region === 'services')) report(shown.compose, undefined, `no services block for module "${entry.name}".`, reAdd(entry));
      const database = entry.database;
      if (database) {
        if (!services[database.service]) report(shown.compose, undefined, `database service "${database.service}" of module "${entry.name}" is not defined.`, reAdd(entry));
        for (const dependent of DAGSTER_DEPENDENT_SERVICES) {
          const dependsOn = services[dependent]?.depends_on as Record<string, { condition?: string }> | string[] | undefined;
          const condition = Array.isArray(dependsOn) ? (dependsOn.includes(database.service) ? 'service_started' : undefined) : dependsOn?.[database.service]?.condition;
          if (!mine.some((b) => b.region === 'depends_on' && b.service === dependent) || condition === undefined) {
            report(shown.compose, undefined, `${dependent} does not depend on "${database.service}" (module "${entry.name}").`, reAdd(entry));
          } else if (condition !== 'service_healthy' && services[database.service]?.healthcheck) {
            report(shown.compose, undefined, `${dependent} waits for "${database.service}" with condition ${condition}, not service_healthy.`, reAdd(entry));
          }
        }
        const published = listPublishedPorts({ [database.service]: services[database.service] ?? {} }, env).map((p) => p.port.hostPort);
        if (services[database.service] && !published.includes(database.port)) {
          report(
            shown.compose,
            undefined,
            `the registry says "${database.service}" publishes port ${database.port}, the files say ${published.filter(Boolean).join(', ') || 'none'}.`,
            reAdd(entry),
          );
        }
      }
    }
  }

  // Blocks without a registry entry.
  for (const file of ['workspaceYaml', 'env', 'compose', 'dockerfile'] as const) {
    const seen = new Set<string>();
    for (const block of blocks[file] ?? []) {
      if (markers.has(block.marker) || seen.has(block.marker)) continue;
      seen.add(block.marker);
      report(
        shown[file],
        block.begin.index + 1,
        `block "${block.marker}" has no entry in ${shown.registry}.`,
        `Register it with "dmb workspace add <module>" (its blocks are replaced in place), or delete lines ${block.begin.index + 1}-${block.end.index + 1}.`,
      );
    }
  }

  // The files against each other: duplicates.
  for (const [name, all] of groupBy(locations, (l) => l.locationName)) {
    for (const extra of all.slice(1)) report(shown.workspaceYaml, extra.line, `code location "${name}" is defined twice (also line ${all[0]?.line}).`, 'Give each entry its own location_name.');
  }
  for (const { key, lines } of findDuplicateEnvKeys(text.env ?? '')) {
    report(shown.env, lines.at(-1), `${key} is set on lines ${lines.join(', ')}; the last one wins.`, 'Keep one line per key.');
  }
  for (const line of parseEnvLines(text.env ?? '')) {
    if (line.kind === 'other') report(shown.env, line.line, `"${line.raw.trim()}" is not a KEY=value line.`, 'Fix or delete the line.');
  }
  const serviceLine = (name: string) => lineOfPath(composeDoc, text.compose, ['services', name]);
  const containers = Object.entries(services).filter(([, s]) => typeof s?.container_name === 'string');
  for (const [name, all] of groupBy(containers, ([, s]) => String(s?.container_name))) {
    for (const [service] of all.slice(1)) report(shown.compose, serviceLine(service), `container_name "${name}" is used by ${all.map(([s]) => s).join(' and ')}.`, 'Give each service its own container_name.');
  }
  const ports = listPublishedPorts(services as Record<string, unknown>, env).filter((p) => p.port.hostPort !== undefined);
  for (const [port, all] of groupBy(ports, (p) => String(p.port.hostPort))) {
    if (all.length > 1) report(shown.compose, serviceLine(all[1]?.service ?? ''), `host port ${port} is published by ${all.map((p) => p.service).join(' and ')}.`, 'Publish each on its own port (change the *_DB_HOST_PORT value in .env).');
  }

  // docker-compose.yml on its own: variables, networks, depends_on targets, the compose schema.
  if (composeDoc && text.compose !== undefined) {
    const composeText = text.compose;
    const reported = new Set<string>();
    visit(composeDoc, {
      Scalar(_key, node) {
        if (typeof node.value !== 'string') return;
        for (const ref of findVariableRefs(node.value)) {
          if (ref.hasDefault || env.has(ref.name)) continue;
          const line = lineNumberAt(composeText, node.range?.[0] ?? 0);
          if (reported.has(`${ref.name}:${line}`)) continue;
          reported.add(`${ref.name}:${line}`);
          report(shown.compose, line, `\${${ref.name}} is not defined in ${shown.env} and has no default.`, `Add ${ref.name}=... to ${shown.env}, or write \${${ref.name}:-default}.`);
        }
      },
    });
    const networks = new Set(Object.keys(compose.networks ?? {}));
    for (const [name, service] of Object.entries(services)) {
      const used = Array.isArray(service?.networks) ? service.networks.map(String) : Object.keys((service?.networks as object) ?? {});
      for (const network of used) {
        if (network !== 'default' && !networks.has(network)) report(shown.compose, serviceLine(name), `service "${name}" joins network "${network}", which is not defined under networks:.`, `Define "${network}" under the top-level networks: or use dagster_network.`);
      }
      const dependsOn = service?.depends_on;
      const targets = Array.isArray(dependsOn) ? dependsOn.map(String) : Object.keys((dependsOn as object) ?? {});
      for (const target of targets) {
        if (!(target in services)) report(shown.compose, serviceLine(name), `service "${name}" depends on "${target}", which is not defined.`, `Remove "${target}" from its depends_on, or define the service.`);
      }
    }
    for (const problem of await checkComposeSchema(fs, compose)) {
      report(shown.compose, lineOfPath(composeDoc, composeText, problem.path), `does not conform to the compose specification: ${problem.message}.`, 'Fix the key (see https://github.com/compose-spec/compose-spec/blob/main/spec.md).');
    }
  }

  // Each module's package where workspace.yaml says.
  for (const location of locations) {
    const missing = await findMissingPackage(effects, paths, location);
    if (missing) report(shown.workspaceYaml, location.line, `code location "${location.locationName}": ${missing}.`, 'Fix working_directory / package_name, or create the package (dmb new generates src/<module>_dagster/).');
  }
  return { problems, registry, locations, text };
}

function parseWorkspaceYaml(content: string | undefined, file: string, report: (file: string, line: number, message: string, fix: string) => void): Document.Parsed | undefined {
  if (content === undefined) return undefined;
  const { doc, errors } = parseYaml(content);
  for (const error of errors) report(file, error.line, `invalid YAML: ${error.message}`, REPAIR_FIX.replace(' Nothing was changed.', ''));
  return errors.length === 0 ? doc : undefined;
}

function lineOfPath(doc: Document.Parsed | undefined, text: string | undefined, path: string[]): number | undefined {
  if (!doc || text === undefined) return undefined;
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineNumberAt(text, node.range[0]);
  }
  return undefined;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].filter(([, all]) => all.length > 1));
}

/** The host folder for a container working_directory: /workspace/projects/... -> <root>/projects/... */
export function hostWorkingDirectory(paths: WorkspacePaths, workingDirectory: string | undefined): string | undefined {
  if (!workingDirectory) return paths.serviceDir;
  if (workingDirectory === CONTAINER_PROJECTS_PATH || workingDirectory.startsWith(`${CONTAINER_PROJECTS_PATH}/`)) {
    return join(paths.projectsDir, workingDirectory.slice(CONTAINER_PROJECTS_PATH.length));
  }
  if (!workingDirectory.startsWith('/')) return join(paths.serviceDir, workingDirectory);
  return undefined;
}

async function findMissingPackage(effects: Effects, paths: WorkspacePaths, location: CodeLocation): Promise<string | undefined> {
  const dir = hostWorkingDirectory(paths, location.workingDirectory);
  if (!dir) return undefined; // a path only the container has: nothing to check on this host
  const fs = effects.fs;
  const shownDir = shownPath(paths, dir);
  if (!(await fs.isDirectory(dir))) return `working_directory ${location.workingDirectory} (${shownDir} on this host) does not exist`;
  const dotted = location.packageName ?? location.moduleName;
  if (dotted) {
    const base = join(dir, ...dotted.split('.'));
    if ((await fs.exists(join(base, '__init__.py'))) || (await fs.exists(`${base}.py`))) return undefined;
    return `${location.packageName ? 'package' : 'module'} ${dotted} not found in ${shownDir}`;
  }
  if (location.pythonFile && !(await fs.exists(join(dir, location.pythonFile)))) return `python file ${location.pythonFile} not found in ${shownDir}`;
  return undefined;
}

/** "file:line: message" / "message": the start of a problem line. */
export function formatProblem(problem: Problem): string {
  const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : '';
  return `${where}${problem.message} Fix: ${problem.fix}`;
}

