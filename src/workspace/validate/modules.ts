import { DAGSTER_DEPENDENT_SERVICES, SERVICE_COMPOSE_NAMES } from '../../formats/service-compose.js';
import { missingServiceFix } from '../../formats/compose-file.js';
import type { MarkerBlock } from '../../formats/markers.js';
import { describeDrift } from '../module-dependencies.js';
import { readModuleDependencyDrift, readModuleStatus } from '../module-status.js';
import { MERGED_FILES, type MergedFile } from '../paths.js';
import { listPublishedPorts } from '../ports/published-ports.js';
import type { RegistryEntry } from '../registry.js';
import type { Check, Found } from './finding.js';
import type { WorkspaceView } from './workspace-view.js';

const reAdd = (entry: RegistryEntry) => `Run "dmb workspace remove ${entry.name} --yes" then "dmb workspace add ${entry.name}" to merge it again.`;

/** One check of one registered module against the files. */
interface ModuleCheck {
  id: string;
  run(view: WorkspaceView, entry: RegistryEntry): Found[] | Promise<Found[]>;
}

const hasBlock = (view: WorkspaceView, file: MergedFile, entry: RegistryEntry) => view.blocks[file]?.some((b) => b.marker === entry.marker);

/** A compose-level module check runs only when docker-compose.yml parsed and its blocks pair up. */
const composeReadable = (view: WorkspaceView) => Boolean(view.composeDoc && view.blocks.compose);

const MODULE_CHECKS: ModuleCheck[] = [
  {
    id: 'module-folder',
    async run(view, entry) {
      const status = await readModuleStatus(view.effects.fs, view.paths, entry);
      if (status === 'missing') {
        return [{ file: view.shown.registry, message: `module "${entry.name}" is integrated but projects/${entry.name}/ is gone.`, fix: `Run "dmb workspace remove ${entry.name} --yes", or put the folder back.` }];
      }
      if (status === 'drifted') {
        const drift = await readModuleDependencyDrift(view.effects.fs, view.paths, entry);
        if (drift) {
          return [{ file: view.shown.registry, message: `module "${entry.name}" is drifted: ${describeDrift(drift)}; the shared image would lack what its code imports.`, fix: 'Run "dmb workspace sync": it rewrites the snippet\'s packages from the declared ones and merges it.' }];
        }
        return [{ file: view.shown.registry, message: `module "${entry.name}" is drifted: its workspace/local/ files changed since it was merged.`, fix: 'Run "dmb workspace sync" to merge the changes.' }];
      }
      return [];
    },
  },
  {
    id: 'workspace-yaml-block',
    run(view, entry) {
      const blocks = view.blocks.workspaceYaml;
      if (!blocks) return [];
      const block = blocks.find((b) => b.marker === entry.marker);
      if (!block) return [{ file: view.shown.workspaceYaml, message: `no load_from entry for module "${entry.name}" (no "# BEGIN: ${entry.marker}" block).`, fix: reAdd(entry) }];
      if (view.text.workspaceYaml === undefined || view.locations.some((l) => l.line > block.begin.index + 1 && l.line < block.end.index + 1)) return [];
      return [{ file: view.shown.workspaceYaml, line: block.begin.index + 1, message: `the block of module "${entry.name}" holds no load_from entry.`, fix: reAdd(entry) }];
    },
  },
  ...(['env', 'dockerfile'] as const).map(
    (file): ModuleCheck => ({
      id: `${file === 'env' ? 'env' : 'dockerfile'}-block`,
      run: (view, entry) =>
        view.blocks[file] && !hasBlock(view, file, entry) ? [{ file: view.shown[file], message: `no block for module "${entry.name}" (no "# BEGIN: ${entry.marker}").`, fix: reAdd(entry) }] : [],
    }),
  ),
  {
    id: 'compose-services-block',
    run: (view, entry) =>
      composeReadable(view) && !view.located.some((b) => b.block.marker === entry.marker && b.region === 'services')
        ? [{ file: view.shown.compose, message: `no services block for module "${entry.name}".`, fix: reAdd(entry) }]
        : [],
  },
  {
    id: 'database-service',
    run: (view, entry) =>
      composeReadable(view) && entry.database && !view.services[entry.database.service]
        ? [{ file: view.shown.compose, message: `database service "${entry.database.service}" of module "${entry.name}" is not defined.`, fix: reAdd(entry) }]
        : [],
  },
  {
    id: 'database-dependency',
    run(view, entry) {
      const database = entry.database;
      if (!composeReadable(view) || !database) return [];
      const found: Found[] = [];
      for (const dependent of DAGSTER_DEPENDENT_SERVICES) {
        const dependsOn = view.services[dependent]?.depends_on as Record<string, { condition?: string } | null> | string[] | undefined;
        // A list (dmb's block or the user's own lines) means service_started, as compose reads it.
        const condition = Array.isArray(dependsOn)
          ? dependsOn.includes(database.service)
            ? 'service_started'
            : undefined
          : dependsOn && database.service in dependsOn
            ? (dependsOn[database.service]?.condition ?? 'service_started')
            : undefined;
        if (condition === undefined) {
          found.push({ file: view.shown.compose, message: `${dependent} does not depend on "${database.service}" (module "${entry.name}").`, fix: reAdd(entry) });
        } else if (condition !== 'service_healthy' && view.services[database.service]?.healthcheck) {
          found.push({ file: view.shown.compose, message: `${dependent} waits for "${database.service}" with condition ${condition}, not service_healthy.`, fix: reAdd(entry) });
        }
      }
      return found;
    },
  },
  {
    id: 'published-port',
    run(view, entry) {
      const database = entry.database;
      const service = database && view.services[database.service];
      if (!composeReadable(view) || !database || !service) return [];
      const published = listPublishedPorts({ [database.service]: service }, view.env).map((p) => p.port.hostPort);
      if (published.includes(database.port)) return [];
      return [
        {
          file: view.shown.compose,
          message: `the registry says "${database.service}" publishes port ${database.port}, the files say ${published.filter(Boolean).join(', ') || 'none'}.`,
          fix: reAdd(entry),
        },
      ];
    },
  },
];

/** The registry against the files, and the shared service's own entries. */
export const MODULE_CHECKS_TABLE: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'service-entries',
    run: (view) =>
      view.composeDoc
        ? SERVICE_COMPOSE_NAMES.filter((name) => !(name in view.services)).map((name) => ({
            file: view.shown.compose,
            message: `the shared service's own "${name}" service is not defined.`,
            fix: missingServiceFix(name),
          }))
        : [],
  },
  {
    id: 'registered-modules',
    // Module by module (all of one module's findings together), each through the table above.
    async run(view) {
      const found: Found[] = [];
      for (const entry of view.registry.integrated_modules) {
        for (const check of MODULE_CHECKS) for (const f of await check.run(view, entry)) found.push({ ...f, check: check.id });
      }
      return found;
    },
  },
  {
    id: 'unregistered-block',
    run(view) {
      // Without a readable registry every block would look unregistered: the registry finding says what to fix.
      if (view.registryError) return [];
      const markers = new Set(view.registry.integrated_modules.map((e) => e.marker));
      return MERGED_FILES.flatMap((file) => {
        const seen = new Set<string>();
        return (view.blocks[file] ?? []).flatMap((block: MarkerBlock): Found[] => {
          if (markers.has(block.marker) || seen.has(block.marker)) return [];
          seen.add(block.marker);
          return [
            {
              file: view.shown[file],
              line: block.begin.index + 1,
              message: `block "${block.marker}" has no entry in ${view.shown.registry}.`,
              fix: `Register it with "dmb workspace add <module>" (its blocks are replaced in place), or delete lines ${block.begin.index + 1}-${block.end.index + 1}.`,
            },
          ];
        });
      });
    },
  },
];
