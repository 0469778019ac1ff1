import { findDuplicateEnvKeys, parseEnvLines } from '../../formats/env-file.js';
import { listPublishedPorts } from '../ports/published-ports.js';
import type { Check } from './finding.js';
import { composeLineOf } from './compose-lines.js';
import type { WorkspaceView } from './workspace-view.js';

/** Groups of two or more items with the same key. */
export function findDuplicates<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].filter(([, all]) => all.length > 1));
}

/** The files against each other: what must be unique, and .env lines no reader understands. */
export const DUPLICATE_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'duplicate-location',
    run: (view) =>
      [...findDuplicates(view.locations, (l) => l.locationName)].flatMap(([name, all]) =>
        all.slice(1).map((extra) => ({ file: view.shown.workspaceYaml, line: extra.line, message: `code location "${name}" is defined twice (also line ${all[0]?.line}).`, fix: 'Give each entry its own location_name.' })),
      ),
  },
  {
    id: 'duplicate-env-key',
    run: (view) =>
      findDuplicateEnvKeys(view.text.env ?? '').map(({ key, lines }) => ({ file: view.shown.env, line: lines.at(-1), message: `${key} is set on lines ${lines.join(', ')}; the last one wins.`, fix: 'Keep one line per key.' })),
  },
  {
    id: 'env-line',
    run: (view) =>
      parseEnvLines(view.text.env ?? '')
        .filter((line) => line.kind === 'other')
        .map((line) => ({ file: view.shown.env, line: line.line, message: `"${line.raw.trim()}" is not a KEY=value line.`, fix: 'Fix or delete the line.' })),
  },
  {
    id: 'duplicate-container-name',
    run(view) {
      const containers = Object.entries(view.services).filter(([, s]) => typeof s?.container_name === 'string');
      return [...findDuplicates(containers, ([, s]) => String(s?.container_name))].flatMap(([name, all]) =>
        all.slice(1).map(([service]) => ({
          file: view.shown.compose,
          line: composeLineOf(view, ['services', service]),
          message: `container_name "${name}" is used by ${all.map(([s]) => s).join(' and ')}.`,
          fix: 'Give each service its own container_name.',
        })),
      );
    },
  },
  {
    id: 'duplicate-host-port',
    run(view) {
      const ports = listPublishedPorts(view.services as Record<string, unknown>, view.env).filter((p) => p.port.hostPort !== undefined);
      return [...findDuplicates(ports, (p) => String(p.port.hostPort))].map(([port, all]) => ({
        file: view.shown.compose,
        line: composeLineOf(view, ['services', all[1]?.service ?? '']),
        message: `host port ${port} is published by ${all.map((p) => p.service).join(' and ')}.`,
        fix: 'Publish each on its own port (change the *_DB_HOST_PORT value in .env).',
      }));
    },
  },
];
