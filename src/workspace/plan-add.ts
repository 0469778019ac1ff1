import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Effects } from '../effects/effects.js';
import { operationError, usageError } from '../errors.js';
import { CONTAINER_PROJECTS_PATH } from '../catalog/databases.js';
import { hostWorkingDirectory } from './host-view.js';
import { secretFileMode } from '../secrets/secret-files.js';
import type { ChangeSet } from '../transaction/changes.js';
import { readComposeLayout, removeComposeBlocks, upsertComposeBlocks, type Dependency } from '../formats/compose-file.js';
import { dockerfileBody, upsertDockerfileBlock } from '../formats/dockerfile.js';
import { readEnvEntries } from '../formats/env-file.js';
import { removeFlatBlock, upsertFlatBlock } from '../formats/flat-block.js';
import { fingerprintModule, readModuleConfig, type ModuleConfig } from './module-config.js';
import { readDependencyDrift, regenerateSnippet, type DependencyDrift } from './module-dependencies.js';
import { shownPath, type WorkspacePaths } from './paths.js';
import { PORT_MENTIONING_FILES, replacePortMentions } from './ports/port-mentions.js';
import { choosePublishedPort, collectPortClaims, movePublishedPort } from './ports/port-assignment.js';
import { addRegistryEntry, replaceRegistryEntry } from './registry-text.js';
import type { RegistryEntry } from './registry.js';
import { readWorkspaceFiles, tildePath } from './workspace-files.js';
import { readCodeLocations, removeLoadFromBlock, upsertLoadFromBlock } from '../formats/workspace-yaml.js';
import { findPair } from '../formats/yaml-text.js';

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
  const files = await readWorkspaceFiles(changes, effects.fs, paths);
  let config = await readModuleConfig(changes, paths, input);
  const previous = files.registry.integrated_modules.find((e) => e.name === config.folder || e.marker === config.marker);
  if (previous && !options.remerge) {
    throw operationError(
      `Module "${config.folder}" is already integrated (since ${previous.integrated_at}); nothing was changed.`,
      `Use "dmb workspace remove ${config.folder}" first, or "dmb workspace sync" to re-merge its changed configs.`,
    );
  }
  const { marker } = config;
  const { text, shown } = files;
  await refuseMissingWorkingDirectories(changes, paths, config);

  // What the workspace holds besides this module's own blocks: the module must not collide with it.
  const envOutside = readEnvEntries(removeFlatBlock(text.env, marker, shown.env));
  const composeOutside = removeComposeBlocks(text.compose, marker, shown.compose);
  const otherServices = readComposeLayout(composeOutside, shown.compose).list;
  const otherLocations = readCodeLocations(removeLoadFromBlock(text.workspaceYaml, marker, shown.workspaceYaml), shown.workspaceYaml);
  const conflicts = [
    ...[...config.envKeys.keys()]
      .filter((key) => envOutside.has(key))
      .map((key) => `${key} is already set in ${shown.env} (line ${envOutside.get(key)?.line}) outside the module's block`),
    ...config.services.services
      .filter((s) => otherServices.some((o) => o.name === s.name))
      .map((s) => `service "${s.name}" already exists in ${shown.compose} (line ${otherServices.find((o) => o.name === s.name)?.line})`),
    ...config.services.services
      .filter((s) => s.containerName && otherServices.some((o) => o.containerName === s.containerName))
      .map((s) => `container_name "${s.containerName}" is already used in ${shown.compose}`),
    ...config.loadFrom.locations
      .filter((l) => otherLocations.some((o) => o.locationName === l.locationName))
      .map((l) => `code location "${l.locationName}" already exists in ${shown.workspaceYaml} (line ${otherLocations.find((o) => o.locationName === l.locationName)?.line})`),
  ];
  if (conflicts.length > 0) {
    throw operationError(
      `Module "${config.folder}" collides with what the workspace already has; nothing was changed:\n  - ${conflicts.join('\n  - ')}`,
      "Rename the colliding names in the module's workspace/local/ files (or remove the other definition), then run the command again.",
    );
  }

  let portMove: PortMove | undefined;
  if (config.database) {
    const env = new Map([...readEnvEntries(text.env)].map(([key, entry]) => [key, entry.value]));
    const servicesJs = (findPair(parseDocument(composeOutside).contents, 'services')?.value as { toJSON(): unknown } | null)?.toJSON() ?? {};
    const claims = collectPortClaims({ registry: files.registry, marker, envOutsideBlock: envOutside, otherServices: servicesJs as Record<string, unknown>, env });
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
  const dependencies: Dependency[] = database
    ? [{ service: database.service.name, condition: database.service.hasHealthcheck ? 'service_healthy' : 'service_started' }]
    : [];
  const entry: RegistryEntry = {
    name: config.folder,
    path: tildePath(config.dir, effects.env.HOME),
    integrated_at: effects.now().toISOString().replace(/\.\d+Z$/, 'Z'),
    database: database ? { type: database.kind.id, service: database.service.name, port: database.hostPort } : null,
    marker,
    fingerprint: await fingerprintModule(changes, config.localDir),
  };
  await changes.write(paths.workspaceYaml, upsertLoadFromBlock(text.workspaceYaml, marker, config.loadFrom.itemsText, shown.workspaceYaml), `merge ${shown.workspaceYaml}`);
  await changes.write(paths.env, upsertFlatBlock(text.env, marker, config.env?.text ?? '', shown.env), `merge ${shown.env}`, secretFileMode(paths.env));
  await changes.write(paths.compose, upsertComposeBlocks(text.compose, marker, config.services.servicesText, dependencies, shown.compose), `merge ${shown.compose}`);
  await changes.write(
    paths.dockerfile,
    upsertDockerfileBlock(text.dockerfile, marker, dockerfileBody(config.snippet?.text ?? '', config.sourceDir), shown.dockerfile),
    `merge ${shown.dockerfile}`,
  );
  const registryText = previous ? replaceRegistryEntry(files.registryText ?? '', entry, shown.registry) : addRegistryEntry(files.registryText, entry, shown.registry);
  await changes.write(paths.registry, registryText, `update ${shown.registry}`);
  return { config, entry, previous, portMove, dependencies: dependencyUpdate };
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
