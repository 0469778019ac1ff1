import { join } from 'node:path';
import type { Effects } from '../effects/effects.js';
import { operationError, usageError } from '../errors.js';
import { CONTAINER_PROJECTS_PATH } from '../catalog/databases.js';
import { hostWorkingDirectory } from './host-view.js';
import { secretFileMode } from '../secrets/secret-files.js';
import type { ChangeSet } from '../transaction/changes.js';
import { readComposeLayout, removeComposeBlocks, upsertComposeModules, type ComposeService, type Dependency } from '../formats/compose-file.js';
import { dockerfileBody } from '../formats/dockerfile.js';
import { readEnvEntries } from '../formats/env-file.js';
import { removeFlatBlock, upsertFlatBlocks } from '../formats/flat-block.js';
import { blocksByMarker } from '../formats/markers.js';
import { fingerprintModule, readModuleConfig, type ModuleConfig } from './module-config.js';
import { readDependencyDrift, regenerateSnippet, type DependencyDrift } from './module-dependencies.js';
import { MERGED_FILES, shownPath, type WorkspacePaths } from './paths.js';
import { PORT_MENTIONING_FILES, replacePortMentions } from './ports/port-mentions.js';
import { choosePublishedPort, collectPortClaims, movePublishedPort } from './ports/port-assignment.js';
import { addRegistryEntries, replaceRegistryEntry } from './registry-text.js';
import type { Registry, RegistryEntry } from './registry.js';
import { readWorkspaceFiles, tildePath, type WorkspaceFiles } from './workspace-files.js';
import { readCodeLocations, removeLoadFromBlock, upsertLoadFromBlocks, type CodeLocation } from '../formats/workspace-yaml.js';

export interface PortMove {
  service: string;
  from: number;
  to: number;
  reason: string;
  /** The module's files that carry the new port. */
  files: string[];
}

export interface AddPlan {
  config: ModuleConfig;
  entry: RegistryEntry;
  /** Set when re-merging a module that is already integrated (sync of a drifted module). */
  previous?: RegistryEntry;
  portMove?: PortMove;
  /** Set when the module's dockerfile.snippet was rewritten to install its declared dependencies. */
  dependencies?: { file: string; source: string; added: string[]; removed: string[] };
}

/**
 * Plans merging one module into the shared service: every edit goes into `changes` (module files
 * first when its port moves, then workspace.yaml, .env, docker-compose.yml, Dockerfile, .registry).
 * Nothing is written here. With `remerge`, an integrated module's blocks are replaced in place.
 */
export async function planAdd(changes: ChangeSet, effects: Effects, paths: WorkspacePaths, input: string, options: { remerge?: boolean } = {}): Promise<AddPlan> {
  const [plan] = await planAddMany(changes, effects, paths, [input], options);
  return plan as AddPlan;
}

/**
 * planAdd for many modules (sync): the shared files are read and parsed once, every module is checked
 * against them and against the modules before it in `inputs`, and each shared file is written once with
 * all their blocks. The cost grows with the number of modules, not with its square.
 * `describeError` lets the caller say which module stopped the whole plan.
 */
export async function planAddMany(
  changes: ChangeSet,
  effects: Effects,
  paths: WorkspacePaths,
  inputs: string[],
  options: { remerge?: boolean; describeError?: (input: string, error: unknown) => Error } = {},
): Promise<AddPlan[]> {
  const files = await readWorkspaceFiles(changes, effects.fs, paths);
  const workspace = readWorkspaceState(files);
  const plans: AddPlan[] = [];
  for (const input of inputs) {
    try {
      plans.push(await planOne(changes, effects, paths, files, workspace, input, options.remerge ?? false));
    } catch (error) {
      throw options.describeError ? options.describeError(input, error) : error;
    }
  }
  try {
    await writeMerged(changes, paths, files, plans);
  } catch (error) {
    // A shared file that cannot take the blocks stops at the first module, as merging one by one would.
    throw options.describeError && inputs[0] !== undefined ? options.describeError(inputs[0], error) : error;
  }
  return plans;
}

/** What the other modules already hold: a module must not collide with it. Parsed once per command. */
interface WorkspaceState {
  envEntries: Map<string, { value: string; line: number }>;
  env: Map<string, string>;
  services: ComposeService[];
  servicesJs: Record<string, unknown>;
  locations: CodeLocation[];
  /** The registry plus the modules planned so far in this command (their ports are claimed). */
  registry: Registry;
  /** Markers that have blocks in the shared files (a module with leftover blocks is checked without them). */
  markersInFiles: Set<string>;
  /** Names taken by modules planned earlier in this command, and by whom. */
  planned: { envKeys: Map<string, string>; services: Map<string, string>; containers: Map<string, string>; locations: Map<string, string> };
}

function readWorkspaceState(files: WorkspaceFiles): WorkspaceState {
  const { text, shown } = files;
  const envEntries = readEnvEntries(text.env);
  const layout = readComposeLayout(text.compose, shown.compose);
  return {
    envEntries,
    env: new Map([...envEntries].map(([key, entry]) => [key, entry.value])),
    services: layout.list,
    servicesJs: ((layout.services as { toJSON(): unknown } | null)?.toJSON() ?? {}) as Record<string, unknown>,
    locations: readCodeLocations(text.workspaceYaml, shown.workspaceYaml),
    registry: { ...files.registry, integrated_modules: [...files.registry.integrated_modules] },
    markersInFiles: new Set(MERGED_FILES.flatMap((file) => [...blocksByMarker(text[file], shown[file]).keys()])),
    planned: { envKeys: new Map(), services: new Map(), containers: new Map(), locations: new Map() },
  };
}

/** The workspace outside one integrated module's own blocks (re-merge): parsed for that module alone. */
function stateOutside(files: WorkspaceFiles, marker: string): Pick<WorkspaceState, 'envEntries' | 'services' | 'servicesJs' | 'locations'> {
  const { text, shown } = files;
  const composeOutside = removeComposeBlocks(text.compose, marker, shown.compose);
  const layout = readComposeLayout(composeOutside, shown.compose);
  return {
    envEntries: readEnvEntries(removeFlatBlock(text.env, marker, shown.env)),
    services: layout.list,
    servicesJs: ((layout.services as { toJSON(): unknown } | null)?.toJSON() ?? {}) as Record<string, unknown>,
    locations: readCodeLocations(removeLoadFromBlock(text.workspaceYaml, marker, shown.workspaceYaml), shown.workspaceYaml),
  };
}

async function planOne(
  changes: ChangeSet,
  effects: Effects,
  paths: WorkspacePaths,
  files: WorkspaceFiles,
  workspace: WorkspaceState,
  input: string,
  remerge: boolean,
): Promise<AddPlan> {
  let config = await readModuleConfig(changes, paths, input);
  const previous = files.registry.integrated_modules.find((e) => e.name === config.folder || e.marker === config.marker);
  if (previous && !remerge) {
    throw operationError(
      `Module "${config.folder}" is already integrated (since ${previous.integrated_at}); nothing was changed.`,
      `Use "dmb workspace remove ${config.folder}" first, or "dmb workspace sync" to re-merge its changed configs.`,
    );
  }
  const { marker } = config;
  const { shown } = files;
  await refuseMissingWorkingDirectories(changes, paths, config);
  const outside = previous || workspace.markersInFiles.has(marker) ? stateOutside(files, marker) : workspace;
  const { planned } = workspace;
  const inThisCommand = (by: string | undefined) => `module "${by}", merged by this same command`;

  const conflicts = [
    ...[...config.envKeys.keys()]
      .filter((key) => outside.envEntries.has(key))
      .map((key) => `${key} is already set in ${shown.env} (line ${outside.envEntries.get(key)?.line}) outside the module's block`),
    ...[...config.envKeys.keys()].filter((key) => planned.envKeys.has(key)).map((key) => `${key} is already set by ${inThisCommand(planned.envKeys.get(key))}`),
    ...config.services.services
      .filter((s) => outside.services.some((o) => o.name === s.name))
      .map((s) => `service "${s.name}" already exists in ${shown.compose} (line ${outside.services.find((o) => o.name === s.name)?.line})`),
    ...config.services.services.filter((s) => planned.services.has(s.name)).map((s) => `service "${s.name}" is already defined by ${inThisCommand(planned.services.get(s.name))}`),
    ...config.services.services
      .filter((s) => s.containerName && outside.services.some((o) => o.containerName === s.containerName))
      .map((s) => `container_name "${s.containerName}" is already used in ${shown.compose}`),
    ...config.services.services
      .filter((s) => s.containerName && planned.containers.has(s.containerName))
      .map((s) => `container_name "${s.containerName}" is already used by ${inThisCommand(planned.containers.get(s.containerName ?? ''))}`),
    ...config.loadFrom.locations
      .filter((l) => outside.locations.some((o) => o.locationName === l.locationName))
      .map((l) => `code location "${l.locationName}" already exists in ${shown.workspaceYaml} (line ${outside.locations.find((o) => o.locationName === l.locationName)?.line})`),
    ...config.loadFrom.locations.filter((l) => planned.locations.has(l.locationName)).map((l) => `code location "${l.locationName}" is already defined by ${inThisCommand(planned.locations.get(l.locationName))}`),
  ];
  if (conflicts.length > 0) {
    throw operationError(
      `Module "${config.folder}" collides with what the workspace already has; nothing was changed:\n  - ${conflicts.join('\n  - ')}`,
      "Rename the colliding names in the module's workspace/local/ files (or remove the other definition), then run the command again.",
    );
  }

  let portMove: PortMove | undefined;
  if (config.database) {
    const claims = collectPortClaims({ registry: workspace.registry, marker, envOutsideBlock: outside.envEntries, otherServices: outside.servicesJs, env: workspace.env });
    const wanted = config.database.hostPort;
    const choice = await choosePublishedPort({ wanted, kind: config.database.kind, claims, isPortInUse: (port) => effects.isPortInUse(port), ownPort: previous?.database?.port });
    if (choice.reason) {
      const moved = movePublishedPort(config, choice.port);
      const movedFiles: string[] = [];
      if (moved.env !== undefined && config.env) {
        await changes.write(config.env.path, moved.env, "move the module's published port", secretFileMode(config.env.path));
        movedFiles.push(config.env.shown);
      }
      if (moved.compose !== undefined && config.compose) {
        await changes.write(config.compose.path, moved.compose, "move the module's published port");
        movedFiles.push(config.compose.shown);
      }
      // Every other file of the module that names the old port, so following its README reaches its own database.
      const mentioning = [...PORT_MENTIONING_FILES.map((name) => join(config.dir, name)), ...(await changes.children(config.localDir)).map((name) => join(config.localDir, name))];
      for (const path of mentioning) {
        if (path === config.env?.path || path === config.compose?.path) continue;
        const text = await changes.read(path);
        if (text === undefined) continue;
        const edited = replacePortMentions(text, wanted, choice.port);
        if (edited === text) continue;
        await changes.write(path, edited, "move the module's published port", secretFileMode(path));
        movedFiles.push(shownPath(paths, path));
      }
      portMove = { service: config.database.service.name, from: wanted, to: choice.port, reason: choice.reason, files: movedFiles };
      config = await readModuleConfig(changes, paths, config.folder);
    }
  }

  let dependencyUpdate: AddPlan['dependencies'];
  const drift: DependencyDrift | undefined = config.snippet ? await readDependencyDrift(changes, config.dir, config.snippet.text) : undefined;
  if (drift && config.snippet) {
    await changes.write(config.snippet.path, regenerateSnippet(config.snippet.text, drift), `install the packages of ${drift.declared.source} (dockerfile.snippet)`);
    dependencyUpdate = { file: config.snippet.shown, source: drift.declared.source, added: drift.missing, removed: drift.extra };
    config = await readModuleConfig(changes, paths, config.folder);
  }

  const database = config.database;
  const entry: RegistryEntry = {
    name: config.folder,
    path: tildePath(config.dir, effects.env.HOME),
    integrated_at: effects.now().toISOString().replace(/\.\d+Z$/, 'Z'),
    database: database ? { type: database.kind.id, service: database.service.name, port: database.hostPort } : null,
    marker,
    fingerprint: await fingerprintModule(changes, config.localDir),
  };
  // Later modules of this command see this one as part of the workspace.
  workspace.registry.integrated_modules = [...workspace.registry.integrated_modules.filter((e) => e.marker !== marker), entry];
  for (const key of config.envKeys.keys()) planned.envKeys.set(key, config.folder);
  for (const service of config.services.services) {
    planned.services.set(service.name, config.folder);
    if (service.containerName) planned.containers.set(service.containerName, config.folder);
  }
  for (const location of config.loadFrom.locations) planned.locations.set(location.locationName, config.folder);
  return { config, entry, previous, portMove, dependencies: dependencyUpdate };
}

/** Writes every planned module's blocks into the shared files, one edit per file. */
async function writeMerged(changes: ChangeSet, paths: WorkspacePaths, files: WorkspaceFiles, plans: AddPlan[]): Promise<void> {
  if (plans.length === 0) return;
  const { text, shown } = files;
  const dependenciesOf = ({ config }: AddPlan): Dependency[] =>
    config.database ? [{ service: config.database.service.name, condition: config.database.service.hasHealthcheck ? 'service_healthy' : 'service_started' }] : [];
  await changes.write(
    paths.workspaceYaml,
    upsertLoadFromBlocks(text.workspaceYaml, plans.map(({ config }) => ({ marker: config.marker, itemsText: config.loadFrom.itemsText })), shown.workspaceYaml),
    `merge ${shown.workspaceYaml}`,
  );
  await changes.write(paths.env, upsertFlatBlocks(text.env, plans.map(({ config }) => ({ marker: config.marker, body: config.env?.text ?? '' })), shown.env), `merge ${shown.env}`, secretFileMode(paths.env));
  await changes.write(
    paths.compose,
    upsertComposeModules(text.compose, plans.map((plan) => ({ marker: plan.config.marker, servicesText: plan.config.services.servicesText, dependencies: dependenciesOf(plan) })), shown.compose),
    `merge ${shown.compose}`,
  );
  await changes.write(
    paths.dockerfile,
    upsertFlatBlocks(text.dockerfile, plans.map(({ config }) => ({ marker: config.marker, body: dockerfileBody(config.snippet?.text ?? '', config.sourceDir) })), shown.dockerfile),
    `merge ${shown.dockerfile}`,
  );
  let registryText = files.registryText;
  for (const plan of plans) if (plan.previous) registryText = replaceRegistryEntry(registryText ?? '', plan.entry, shown.registry);
  const added = plans.filter((plan) => !plan.previous).map((plan) => plan.entry);
  if (added.length > 0) registryText = addRegistryEntries(registryText, added, shown.registry);
  await changes.write(paths.registry, registryText ?? '', `update ${shown.registry}`);
}

/** A code location whose working_directory is missing (the module folder renamed, a typo) would fail to load in Dagster. */
async function refuseMissingWorkingDirectories(tree: ChangeSet, paths: WorkspacePaths, config: ModuleConfig): Promise<void> {
  for (const location of config.loadFrom.locations) {
    if (!location.workingDirectory) continue;
    const dir = hostWorkingDirectory(paths, location.workingDirectory);
    if (!dir || (await tree.isDirectory(dir))) continue;
    throw usageError(
      `${config.workspaceYaml.shown}:${location.line}: code location "${location.locationName}": working_directory ${location.workingDirectory} ` +
        `(${shownPath(paths, dir)} on this host) does not exist, so Dagster could not load it. Nothing was changed.`,
      `Point working_directory at the module's source folder (${CONTAINER_PROJECTS_PATH}/${config.folder}/src for a module made by dmb new; was the folder renamed?), then run the command again.`,
    );
  }
}
