import { join } from 'node:path';
import { DATABASES, databaseServiceName, CONTAINER_PROJECTS_PATH, type DatabaseChoice, type DatabaseKind, databaseEnvNames } from '../catalog/databases.js';
import { readModuleRecord, RECORD_FILE, type ModuleRecord } from '../module/record.js';
import { usageError } from '../errors.js';
import { deriveNames, type ModuleNames } from '../module/naming.js';
import type { ChangeSet } from '../transaction/changes.js';
import { readModuleCompose, type ComposeService, type ModuleCompose } from '../formats/compose-file.js';
import { parseEnvLines, readEnvEntries } from '../formats/env-file.js';
import { assertNoMarkerLines } from '../formats/flat-block.js';
import { fingerprintFiles } from './fingerprint.js';
import { moduleLocalDir, MODULE_LOCAL_FILES, shownPath, type WorkspacePaths } from './paths.js';
import { readPublishedPort } from './ports/published-ports.js';
import { readModuleLoadFrom, type ModuleLoadFrom } from '../formats/workspace-yaml.js';

export interface ModuleFile {
  path: string;
  /** As messages show it. */
  shown: string;
  text: string;
}

export interface ModuleDatabase {
  kind: DatabaseKind;
  service: ComposeService;
  /** The published host port, resolved with the module's .env. */
  hostPort: number;
  /** The variable that holds it (`X_DB_HOST_PORT`) when the compose file uses one. */
  portVariable?: string;
}

/** Everything `workspace add` needs from projects/<module>/workspace/local/. */
export interface ModuleConfig {
  /** The folder under projects/ (registry "name"). */
  folder: string;
  names: ModuleNames;
  /** Marker in workspace files: the snake name. */
  marker: string;
  dir: string;
  localDir: string;
  workspaceYaml: ModuleFile;
  env?: ModuleFile;
  compose?: ModuleFile;
  snippet?: ModuleFile;
  loadFrom: ModuleLoadFrom;
  services: ModuleCompose;
  envKeys: Map<string, { value: string; line: number }>;
  database?: ModuleDatabase;
  /** How `dmb new` made the module (its answers), when the module has a record. */
  record?: ModuleRecord;
  /** Where the module's package root is in the container (for PYTHONPATH). */
  sourceDir: string;
}

/** projects/<slug> for any accepted spelling of the name (kebab, snake, Title case). */
export async function findModuleFolder(tree: ChangeSet, paths: WorkspacePaths, input: string): Promise<{ folder: string; names: ModuleNames }> {
  const names = deriveNames(input);
  const candidates = [...new Set([names.slug, input.trim(), names.snake])];
  for (const folder of candidates) {
    if (await tree.isDirectory(join(paths.projectsDir, folder))) return { folder, names };
  }
  throw usageError(
    `No module "${input}" in ${shownPath(paths, paths.projectsDir)}/ (looked for ${candidates.map((c) => `projects/${c}`).join(', ')}).`,
    `Create it with "dmb new ${names.slug}", or check the name with "ls ${paths.projectsDir}".`,
  );
}

async function readOptional(changes: ChangeSet, paths: WorkspacePaths, path: string): Promise<ModuleFile | undefined> {
  const text = await changes.read(path);
  return text === undefined ? undefined : { path, shown: shownPath(paths, path), text };
}

const IMAGE_KINDS: Array<[RegExp, DatabaseKind]> = [
  [/(^|\/)postgres(ql)?(:|$)/, DATABASES.postgresql],
  [/(^|\/)(mysql|mariadb)(:|$)/, DATABASES.mysql],
];

/**
 * The module's database service: named <snake>_postgres / <snake>_mysql, or recognised by its image.
 * When the module's record says which database `dmb new` gave it, only that kind is looked for.
 */
function findDatabaseService(services: ComposeService[], snake: string, recorded?: DatabaseChoice): { kind: DatabaseKind; service: ComposeService } | undefined {
  if (recorded === 'none') return undefined;
  const kinds = recorded ? [DATABASES[recorded]] : Object.values(DATABASES);
  for (const kind of kinds) {
    const service = services.find((s) => s.name === databaseServiceName(snake, kind));
    if (service) return { kind, service };
  }
  for (const service of services) {
    const match = IMAGE_KINDS.find(([pattern, kind]) => kinds.includes(kind) && pattern.test(service.image ?? ''));
    if (match) return { kind: match[1], service };
  }
  return undefined;
}

export async function readModuleConfig(changes: ChangeSet, paths: WorkspacePaths, input: string): Promise<ModuleConfig> {
  const { folder, names } = await findModuleFolder(changes, paths, input);
  const dir = join(paths.projectsDir, folder);
  const localDir = moduleLocalDir(paths, folder);
  if (!(await changes.isDirectory(localDir))) {
    throw usageError(
      `Module "${folder}" has no ${shownPath(paths, localDir)}/ folder, so there is nothing to merge.`,
      `Add workspace/local/ (workspace.yaml, .env, docker-compose.yml, dockerfile.snippet) as "dmb new" generates it.`,
    );
  }
  const workspaceYaml = await readOptional(changes, paths, join(localDir, MODULE_LOCAL_FILES.workspaceYaml));
  if (!workspaceYaml) {
    throw usageError(`Module "${folder}" has no ${shownPath(paths, join(localDir, 'workspace.yaml'))}: Dagster would not know how to load it.`, 'Add the file with the module\'s load_from entry (see "dmb new").');
  }
  const env = await readOptional(changes, paths, join(localDir, MODULE_LOCAL_FILES.env));
  const compose = await readOptional(changes, paths, join(localDir, MODULE_LOCAL_FILES.compose));
  const snippet = await readOptional(changes, paths, join(localDir, MODULE_LOCAL_FILES.snippet));
  for (const file of [workspaceYaml, env, compose, snippet]) if (file) assertNoMarkerLines(file.text, file.shown);
  if (env) {
    const bad = parseEnvLines(env.text).find((line) => line.kind === 'other');
    if (bad) throw usageError(`${env.shown}:${bad.line}: "${bad.raw.trim()}" is not a KEY=value line.`, 'Fix or delete that line in the module\'s .env.');
  }
  const loadFrom = readModuleLoadFrom(workspaceYaml.text, workspaceYaml.shown);
  const services = compose ? readModuleCompose(compose.text, compose.shown) : { servicesText: '', services: [] };
  const envKeys = readEnvEntries(env?.text ?? '');
  const sourceDir = loadFrom.locations.find((l) => l.workingDirectory)?.workingDirectory ?? `${CONTAINER_PROJECTS_PATH}/${folder}/src`;
  const config: ModuleConfig = { folder, names, marker: names.snake, dir, localDir, workspaceYaml, env, compose, snippet, loadFrom, services, envKeys, sourceDir };
  const record = await readModuleRecord(changes, dir, shownPath(paths, join(dir, RECORD_FILE)));
  if (record) config.record = record;
  const found = findDatabaseService(services.services, names.snake, record?.answers.database);
  if (found && !env) {
    const envNames = databaseEnvNames(names.upper);
    throw usageError(
      `${shownPath(paths, join(localDir, MODULE_LOCAL_FILES.env))} is missing, and the database service "${found.service.name}" needs it. ` +
        "It holds the module's database settings and generated password, so the module's .gitignore keeps it out of git: a fresh clone has none.",
      `Recreate it with ${envNames.host}=${found.service.name}, ${envNames.port}=${found.kind.containerPort}, ${envNames.hostPort}=<a free host port>, ` +
        `${envNames.user}, ${envNames.password} (32+ letters and digits) and ${envNames.name} (the names are in the module's .env.example), then run the command again.`,
    );
  }
  if (found) config.database = readDatabasePort(found.kind, found.service, envKeys, compose as ModuleFile);
  return config;
}

function readDatabasePort(kind: DatabaseKind, service: ComposeService, envKeys: Map<string, { value: string }>, compose: ModuleFile): ModuleDatabase {
  const env = new Map([...envKeys].map(([key, entry]) => [key, entry.value]));
  const first = service.ports[0];
  const published = first === undefined ? undefined : readPublishedPort(first, env);
  if (!published?.hostPort) {
    throw usageError(
      `${compose.shown}:${service.line}: the database service "${service.name}" publishes no host port that dmb can read${published ? ` ("${published.raw}")` : ''}.`,
      `Publish it as ports: ["\${DB_BIND_ADDRESS:-127.0.0.1}:\${${service.name.toUpperCase().replace(/_(POSTGRES|MYSQL)$/, '')}_DB_HOST_PORT}:${kind.containerPort}"] with the variable in the module's .env.`,
    );
  }
  const variable = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}$/.exec(published.hostPart ?? '')?.[1];
  return { kind, service, hostPort: published.hostPort, portVariable: variable && envKeys.has(variable) ? variable : undefined };
}

/** The fingerprint of the module's workspace/local files as they will be after pending changes. */
export async function fingerprintModule(tree: ChangeSet, localDir: string): Promise<string> {
  const files: Array<{ name: string; content: string }> = [];
  for (const name of await tree.children(localDir)) {
    const content = await tree.read(join(localDir, name));
    if (content !== undefined) files.push({ name, content });
  }
  return fingerprintFiles(files);
}
