import { parseDocument, type Document } from 'yaml';
import type { Effects } from '../../effects/effects.js';
import { isDmbError, type DmbError } from '../../errors.js';
import { locateComposeBlocks, type LocatedComposeBlock } from '../../formats/compose-file.js';
import { readEnvEntries } from '../../formats/env-file.js';
import { pairMarkers, type MarkerBlock, type MarkerProblem } from '../../formats/markers.js';
import { readCodeLocations, type CodeLocation } from '../../formats/workspace-yaml.js';
import { parseYaml, type YamlSyntaxError } from '../../formats/yaml-text.js';
import { BACKED_UP_FILES, MERGED_FILES, shownPath, type BackedUpFile, type MergedFile, type WorkspacePaths } from '../paths.js';
import { readRegistryText } from '../registry-text.js';
import { emptyRegistry, type Registry } from '../registry.js';

export type ComposeServices = Record<string, Record<string, unknown> | null>;

/**
 * The shared service's files as read once for every check: the text, what parsed, and what did not
 * (reading never throws for a bad file; the checks in files.ts turn each failure into a finding).
 */
export interface WorkspaceView {
  effects: Effects;
  paths: WorkspacePaths;
  /** Each file as messages show it (relative to the workspace). */
  shown: Record<BackedUpFile, string>;
  /** The files as read; absent when missing. */
  text: Partial<Record<BackedUpFile, string>>;
  missing: BackedUpFile[];
  /** The registry, or an empty one when it is missing or cannot be read. */
  registry: Registry;
  /** Why .registry could not be read (then nothing can be said about which blocks belong to whom). */
  registryError?: DmbError;
  markerProblems: Partial<Record<MergedFile, MarkerProblem[]>>;
  /** Marker blocks of each merged file whose markers all pair up (a file with half blocks is not checked further). */
  blocks: Partial<Record<MergedFile, MarkerBlock[]>>;
  yamlErrors: { workspaceYaml: YamlSyntaxError[]; compose: YamlSyntaxError[] };
  /** Parsed documents of the YAML files that parse. */
  workspaceDoc?: Document.Parsed;
  composeDoc?: Document.Parsed;
  locations: CodeLocation[];
  /** Why workspace.yaml's entries or docker-compose.yml's blocks could not be read, when they could not. */
  readErrors: DmbError[];
  /** docker-compose.yml's marker blocks, by where they sit. */
  located: LocatedComposeBlock[];
  /** docker-compose.yml as docker-compose reads it (YAML merge keys resolved); {} when it does not parse. */
  compose: Record<string, unknown>;
  services: ComposeServices;
  networks: string[];
  /** The workspace .env's values as written. */
  env: Map<string, string>;
}

export async function readWorkspaceView(effects: Effects, paths: WorkspacePaths): Promise<WorkspaceView> {
  const fs = effects.fs;
  const shown = Object.fromEntries(BACKED_UP_FILES.map((f) => [f, shownPath(paths, paths[f])])) as Record<BackedUpFile, string>;
  const text: WorkspaceView['text'] = {};
  const missing: BackedUpFile[] = [];
  for (const file of BACKED_UP_FILES) {
    if (await fs.exists(paths[file])) text[file] = (await fs.readFile(paths[file])).toString('utf8');
    else missing.push(file);
  }
  const readErrors: DmbError[] = [];
  const attempt = <T>(read: () => T, fallback: T, errors: DmbError[] = readErrors): T => {
    try {
      return read();
    } catch (error) {
      if (!isDmbError(error)) throw error;
      errors.push(error);
      return fallback;
    }
  };

  const registryErrors: DmbError[] = [];
  const registry = text.registry === undefined ? emptyRegistry() : attempt(() => readRegistryText(text.registry, shown.registry), emptyRegistry(), registryErrors);

  const markerProblems: WorkspaceView['markerProblems'] = {};
  const blocks: WorkspaceView['blocks'] = {};
  for (const file of MERGED_FILES) {
    const content = text[file];
    if (content === undefined) continue;
    const paired = pairMarkers(content);
    markerProblems[file] = paired.problems;
    if (paired.problems.length === 0) blocks[file] = paired.blocks;
  }

  const workspaceYaml = text.workspaceYaml === undefined ? undefined : parseYaml(text.workspaceYaml);
  const compose = text.compose === undefined ? undefined : parseYaml(text.compose);
  const workspaceDoc = workspaceYaml?.errors.length === 0 ? workspaceYaml.doc : undefined;
  const composeDoc = compose?.errors.length === 0 ? compose.doc : undefined;
  const locations = workspaceDoc ? attempt(() => readCodeLocations(text.workspaceYaml as string, shown.workspaceYaml), []) : [];
  const located = composeDoc && blocks.compose ? attempt(() => locateComposeBlocks(text.compose as string, shown.compose), []) : [];
  // Read as docker-compose reads it: YAML merge keys (<<: *anchor) resolved.
  // (Without a merge key the document already parsed reads the same.)
  const composeJs = (composeDoc ? ((text.compose as string).includes('<<') ? parseDocument(text.compose as string, { merge: true }) : composeDoc).toJS() : {}) as { services?: ComposeServices; networks?: Record<string, unknown> | null };

  return {
    effects,
    paths,
    shown,
    text,
    missing,
    registry,
    registryError: registryErrors[0],
    markerProblems,
    blocks,
    yamlErrors: { workspaceYaml: workspaceYaml?.errors ?? [], compose: compose?.errors ?? [] },
    workspaceDoc,
    composeDoc,
    locations,
    readErrors,
    located,
    compose: composeJs,
    services: composeJs.services ?? {},
    networks: Object.keys(composeJs.networks ?? {}),
    env: new Map([...readEnvEntries(text.env ?? '')].map(([key, entry]) => [key, entry.value])),
  };
}
